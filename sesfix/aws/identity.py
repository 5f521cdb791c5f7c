"""The two identities, never mixed.

* the **app** identity: exactly the credentials the failing app uses (raw, as given);
* the **operator** identity: an AWS profile (or, in the demo, in-memory keys) that
  reads IAM and applies fixes.

The app session ignores ``AWS_PROFILE`` credentials and the operator session ignores the
``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY`` variables (botocore drops the environment
provider when a profile is named). Both honour ``AWS_ENDPOINT_URL``, ``AWS_CONFIG_FILE``
and ``AWS_SHARED_CREDENTIALS_FILE``, which botocore reads itself.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Literal

from sesfix.errors import UsageError
from sesfix.masking import Secret

IdentityName = Literal["app", "operator"]


@dataclass(frozen=True)
class StaticCredentials:
    access_key_id: str
    secret_access_key: Secret
    session_token: Secret | None = None


@dataclass(frozen=True)
class OperatorSpec:
    """Either a named profile or explicit keys (the demo's in-memory operator)."""

    profile: str | None = None
    credentials: StaticCredentials | None = None

    @property
    def label(self) -> str:
        if self.profile:
            return f"profile {self.profile}"
        return "built-in operator" if self.credentials else "none"


def client_config(**overrides: Any) -> Any:
    """Bounded timeouts and botocore's standard retry mode, for every client.

    ``SESFIX_CONNECT_TIMEOUT`` / ``SESFIX_READ_TIMEOUT`` / ``SESFIX_MAX_ATTEMPTS`` tune them
    (read and checked by :mod:`sesfix.config`: an invalid value is a usage error, never a
    probe that fails for a reason unrelated to AWS).
    """
    from botocore.config import Config

    from sesfix import config

    settings: dict[str, Any] = {
        "connect_timeout": config.CONNECT_TIMEOUT.read(),
        "read_timeout": config.READ_TIMEOUT.read(),
        "retries": {
            "mode": "standard",
            "total_max_attempts": int(config.MAX_ATTEMPTS.read()),
        },
        "max_pool_connections": 50,
        "user_agent_extra": "sesfix",
    }
    settings.update(overrides)
    return Config(**settings)


_LOADER: Any = None
_LOADER_LOCK = threading.Lock()


def _share_loader(core: Any) -> None:
    """One botocore data loader for every session of the process.

    Service models, ``endpoints.json`` and the endpoint rule sets are then parsed once
    (~20-100 ms of CPU each), not once per identity nor once per wizard re-run.
    """
    global _LOADER
    with _LOADER_LOCK:
        if _LOADER is None:
            _LOADER = core.get_component("data_loader")
        else:
            core.register_component("data_loader", _LOADER)


def _set_credentials(session: Any, creds: StaticCredentials) -> None:
    session.set_credentials(
        creds.access_key_id,
        creds.secret_access_key.reveal(),
        creds.session_token.reveal() if creds.session_token else None,
    )


def _profileless_session() -> Any:
    """A botocore session that ignores AWS_PROFILE: explicit keys, nobody's profile."""
    import botocore.session

    return botocore.session.Session(session_vars={"profile": (None, None, None, None)})


class Identities:
    """Builds and caches one client per (identity, service, region); thread-safe."""

    def __init__(self, app: StaticCredentials | None, operator: OperatorSpec | None) -> None:
        self._app_credentials = app
        self._operator = (
            operator if operator and (operator.profile or operator.credentials) else None
        )
        self._sessions: dict[str, Any] = {}
        self._clients: dict[tuple[str, str, str], Any] = {}
        self._lock = threading.Lock()

    @property
    def has_app(self) -> bool:
        return self._app_credentials is not None

    @property
    def app_key_id(self) -> str | None:
        """The app's access key ID as given (not secret to AWS; shown only masked)."""
        return self._app_credentials.access_key_id if self._app_credentials else None

    @property
    def has_operator(self) -> bool:
        return self._operator is not None

    @property
    def operator(self) -> OperatorSpec | None:
        return self._operator

    def with_app(self, app: StaticCredentials | None) -> Identities:
        """A new set sharing the operator but with other app credentials (e.g. cleaned ones)."""
        return Identities(app, self._operator)

    def _session(self, identity: IdentityName) -> Any:
        """The botocore session of ``identity``.

        botocore's own sessions, not boto3's: boto3 would add ~30 ms of imports (s3transfer
        among them) to every diagnosis for nothing sesfix uses.
        """
        session = self._sessions.get(identity)
        if session is not None:
            return session
        import botocore.exceptions
        import botocore.session

        if identity == "app":
            creds = self._app_credentials
            if creds is None:
                raise UsageError("no app credentials to test")
            session = _profileless_session()
            _set_credentials(session, creds)
        else:
            op = self._operator
            if op is None:
                raise UsageError("no operator identity configured")
            if op.profile:
                session = botocore.session.Session(profile=op.profile)
                try:
                    session.get_scoped_config()
                except botocore.exceptions.ProfileNotFound:
                    raise UsageError(
                        f"unknown AWS profile {op.profile!r}",
                        hint="list profiles with: aws configure list-profiles",
                    ) from None
            else:
                assert op.credentials is not None
                session = _profileless_session()
                _set_credentials(session, op.credentials)
        _share_loader(session)
        self._sessions[identity] = session
        return session

    def client(self, identity: IdentityName, service: str, region: str) -> Any:
        key = (identity, service, region)
        # Lock-free fast path (a dict read is atomic): a probe whose client exists must not
        # queue behind other threads building clients under the lock (~5-100 ms each).
        existing = self._clients.get(key)
        if existing is not None:
            return existing
        with self._lock:
            existing = self._clients.get(key)
            if existing is not None:
                return existing
            session: Any = self._session(identity)
            client = session.create_client(service, region_name=region, config=client_config())
            self._clients[key] = client
            return client

    def preset_client(self, identity: IdentityName, service: str, region: str, client: Any) -> None:
        """Use ``client`` for this (identity, service, region) instead of building one.

        The seam for tests that put botocore's ``Stubber`` in front of one call AWS's
        simulator cannot answer; production code never calls it.
        """
        with self._lock:
            self._clients[(identity, service, region)] = client

    def check_operator_profile(self) -> None:
        """Fail fast (exit 2) on an unknown profile, before any probe runs."""
        if self._operator is not None:
            with self._lock:
                self._session("operator")
