"""Where the app's variables come from, decided in one place.

Every face asks here: the commands (``--env-file``, ``--from-railway``, ``--demo``, the
environment), the wizard's start-up and its Sources page (a .env file, typed values, the
OS keyring) and practice mode. :func:`open_source` takes a :class:`SourceSpec` and returns an
open :class:`Source`: the app's settings, the operator, ``reload()`` (read the same source
again, for the wizard's re-probe) and ``close()`` (a practice account disappears).

Blocking work (files, the keyring, the Railway CLI, building a practice account) happens in
:func:`open_source` and :meth:`Source.reload`, so the wizard calls them from a thread worker.
Nothing here imports Textual or the commands. Messages are in the ``source.*`` keys of
``sesfix/locale/practice.<lang>.json``.
"""

from __future__ import annotations

import argparse
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from sesfix.errors import UsageError
from sesfix.locale import t
from sesfix.text import visible

if TYPE_CHECKING:
    from sesfix.aws.identity import OperatorSpec
    from sesfix.demo.practice import PracticeInfo
    from sesfix.masking import Secret
    from sesfix.secrets import KeyringStatus
    from sesfix.settings import AppSettings

SourceKind = Literal["environment", "envfile", "railway", "keyring", "typed", "practice"]
KINDS: tuple[SourceKind, ...] = (
    "environment",
    "envfile",
    "railway",
    "keyring",
    "typed",
    "practice",
)


@dataclass(frozen=True)
class SourceSpec:
    """Which source, and its details. Built from flags (:func:`spec_from_args`) or a form."""

    kind: SourceKind = "environment"
    env_file: str | None = None
    railway_service: str | None = None
    railway_environment: str | None = None
    keyring_label: str | None = None
    #: Typed values other than the secret (variable -> value).
    typed: tuple[tuple[str, str], ...] = ()
    typed_secret: Secret | None = field(default=None, repr=False)
    #: Practice scenario (a name, ``random`` or None for seed).
    scenario: str | None = None
    domain: str | None = None
    operator_profile: str | None = None
    #: An operator given as such (the wizard keeps its current one); wins over the profile.
    operator: OperatorSpec | None = field(default=None, repr=False)


def spec_from_args(args: argparse.Namespace) -> SourceSpec:
    """The source the command-line flags name (exit 2 when they name two)."""
    env_file = getattr(args, "env_file", None)
    railway = bool(getattr(args, "from_railway", False))
    demo = getattr(args, "demo", None)
    chosen = [
        name
        for name, on in (
            ("--env-file", bool(env_file)),
            ("--from-railway", railway),
            ("--demo", bool(demo)),
        )
        if on
    ]
    if len(chosen) > 1:
        joined = f" {t('source.and')} ".join(chosen)
        raise UsageError(t("source.two_sources", chosen=joined))
    kind: SourceKind = "environment"
    if demo:
        kind = "practice"
    elif env_file:
        kind = "envfile"
    elif railway:
        kind = "railway"
    profile = getattr(args, "operator_profile", None) or os.environ.get("SESFIX_OPERATOR_PROFILE")
    return SourceSpec(
        kind=kind,
        env_file=env_file,
        railway_service=getattr(args, "service", None),
        railway_environment=getattr(args, "environment", None),
        scenario=demo if demo else None,
        domain=getattr(args, "domain", None),
        operator_profile=profile or None,
    )


class Source:
    """An open source: settings, operator, ``reload()``, ``close()``; a context manager.

    A practice source is ready when its account is: :attr:`settings` and :attr:`operator`
    wait for it (:meth:`prepare`), so the wizard hands :meth:`prepare` to a thread worker
    and shows "preparing the practice account…" meanwhile.
    """

    def __init__(
        self,
        spec: SourceSpec,
        *,
        read: Callable[[], AppSettings] | None,
        operator: OperatorSpec | None,
        practice: PracticeInfo | None = None,
        reloadable: bool = True,
    ) -> None:
        self.spec = spec
        self.practice = practice
        self.reloadable = reloadable
        self._read = read
        self._operator = operator
        self._settings: AppSettings | None = None
        self._lock = threading.Lock()
        if read is not None:
            self._settings = self._with_domain(read())

    def _with_domain(self, settings: AppSettings) -> AppSettings:
        return settings.with_domain(self.spec.domain) if self.spec.domain else settings

    def prepare(self) -> tuple[AppSettings, OperatorSpec | None]:
        """The settings and operator; for practice, waits for the account (blocking)."""
        with self._lock:
            if self._settings is None:
                assert self.practice is not None
                settings, operator = self.practice.prepare()
                self._settings = self._with_domain(settings)
                if self._operator is None:
                    self._operator = operator
            return self._settings, self._operator

    @property
    def settings(self) -> AppSettings:
        return self.prepare()[0]

    @property
    def operator(self) -> OperatorSpec | None:
        return self.prepare()[1]

    def reload(self) -> AppSettings:
        """Read the same source again (the wizard's ``r``): a .env file edited, a Railway
        variable changed, the practice app's variables after a fix."""
        if self.practice is not None:
            settings = self._with_domain(self.practice.app_settings())
        elif self._read is not None and self.reloadable:
            settings = self._with_domain(self._read())
        else:
            return self.settings
        with self._lock:
            self._settings = settings
        return settings

    def require_variables(self) -> None:
        """Exit 2 with one message saying how to give the variables, when none is set.

        For the headless commands: five "is not set" errors say less than one line naming
        ``--env-file``, ``--from-railway`` and ``sesfix demo``.
        """
        if self.spec.kind == "environment" and not any(self.settings.present().values()):
            raise UsageError(t("source.no_variables"), hint=t("source.no_variables_hint"))

    def close(self) -> None:
        if self.practice is not None:
            self.practice.close()

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_source(spec: SourceSpec) -> Source:
    """Open the source ``spec`` names (exit 2 on bad input; blocking, see the module)."""
    from sesfix.aws.identity import OperatorSpec

    if spec.domain is not None:
        from sesfix.settings import is_domain_name

        if not is_domain_name(spec.domain):
            raise UsageError(
                t("source.bad_domain", domain=repr(visible(spec.domain, limit=80))),
                hint=t("source.bad_domain_hint"),
            )
    operator = spec.operator
    if operator is None and spec.operator_profile:
        operator = OperatorSpec(profile=spec.operator_profile)
        check_operator(operator)  # a mistyped profile is a usage error, practice or not

    if spec.kind == "practice":
        from sesfix.demo.practice import PracticeInfo, require_moto

        practice = PracticeInfo.for_scenario(spec.scenario)
        require_moto()
        practice.begin()  # the account builds in the background from now on
        # Practice acts as the practice account's own operator, whatever --operator-profile
        # or SESFIX_OPERATOR_PROFILE say: a real profile never signs a practice request.
        return Source(spec, read=None, operator=None, practice=practice)
    if spec.kind == "envfile":
        path = spec.env_file or ".env"
        return Source(spec, read=lambda: read_env_file_settings(path), operator=operator)
    if spec.kind == "railway":

        def read_railway() -> AppSettings:
            from sesfix import railway
            from sesfix.settings import AppSettings

            values = railway.read_variables(
                service=spec.railway_service, environment=spec.railway_environment
            )
            return AppSettings.from_mapping(values, "Railway service variables")

        return Source(spec, read=read_railway, operator=operator)
    if spec.kind == "keyring":
        label = spec.keyring_label or ""
        return Source(spec, read=lambda: _keyring_settings(label), operator=operator)
    if spec.kind == "typed":
        settings = _typed_settings(spec)
        return Source(spec, read=lambda: settings, operator=operator, reloadable=False)
    from sesfix.settings import AppSettings

    return Source(spec, read=AppSettings.from_environment, operator=operator)


def check_operator(operator: OperatorSpec) -> None:
    """Exit 2 on an unknown AWS profile, as ``check`` does, before anything is probed."""
    from sesfix.aws.identity import Identities

    Identities(None, operator).check_operator_profile()


def operator_profiles() -> list[str]:
    """The AWS profiles this machine knows (config and credentials files), sorted."""
    import botocore.session

    return sorted(botocore.session.Session().available_profiles)


# -- env files -------------------------------------------------------------------------------


def read_env_file_settings(path: str | Path) -> AppSettings:
    """The app's settings from a dotenv file; a line python-dotenv cannot read is named.

    python-dotenv skips such a line silently (an unclosed quote swallows the variable), and
    the check would then say "AWS_ACCESS_KEY_ID is not set". Never shows a value: only the
    line number, the variable's name and which variables were read.
    """
    from sesfix.settings import AppSettings, read_env_file

    # Looked at before python-dotenv reads it (which would log its own warning to stderr).
    # A file that cannot be read as text is left to read_env_file and its messages.
    try:
        text: str | None = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        text = None
    problem = env_file_problem(text) if text is not None and "\x00" not in text else None
    if problem is not None:
        line, name = problem
        read = ", ".join(_names_read(text or "")) or t("source.nothing")
        raise UsageError(
            t("source.env_line", path=str(path), line=line, name=name or "?", read=read),
            hint=t("source.env_line_hint"),
        )
    values = read_env_file(path)  # size, encoding and binary checks, with their messages
    return AppSettings.from_mapping(values, f"env file {path}")


def _names_read(text: str) -> list[str]:
    """The variable names python-dotenv reads from ``text`` (values never leave here)."""
    import io

    from dotenv.parser import parse_stream

    return sorted({b.key for b in parse_stream(io.StringIO(text)) if b.key and not b.error})


def env_file_problem(text: str) -> tuple[int, str] | None:
    """(line number, variable name) of the first line python-dotenv could not parse."""
    import io

    from dotenv.parser import parse_stream

    for binding in parse_stream(io.StringIO(text)):
        if binding.error:
            first = binding.original.string.split("\n", 1)[0]
            name = first.split("=", 1)[0].strip() if "=" in first else ""
            if name.startswith("export "):
                name = name[len("export ") :].strip()
            return binding.original.line, visible(name, limit=64)
    return None


# -- typed values and the keyring ------------------------------------------------------------


def _typed_settings(spec: SourceSpec) -> AppSettings:
    from sesfix.settings import PROVIDER, SECRET, AppSettings

    values: dict[str, str] = {PROVIDER: "ses"}
    values.update({k: v for k, v in spec.typed if v})
    if spec.typed_secret is not None:
        values[SECRET] = spec.typed_secret.reveal()
    return AppSettings.from_mapping(values, t("sources.typed_source"))


def _keyring_settings(label: str) -> AppSettings:
    """A key pair remembered in the OS keyring, with the region, provider and sender from
    the environment (the keyring holds only the keys)."""
    from sesfix.secrets import load_credentials
    from sesfix.settings import EMAIL_FROM, KEY_ID, PROVIDER, REGION, SECRET, TOKEN, AppSettings

    if not label:
        raise UsageError(t("sources.keyring_none"))
    creds = load_credentials(label)
    if creds is None:
        raise UsageError(t("sources.keyring_missing", label=label))
    env = AppSettings.from_environment()
    values: dict[str, str] = {
        k: v for k, v in ((n, env.raw(n)) for n in (REGION, PROVIDER, EMAIL_FROM)) if v is not None
    }
    values[KEY_ID] = creds.access_key_id
    values[SECRET] = creds.secret_access_key.reveal()
    if creds.session_token is not None:
        values[TOKEN] = creds.session_token.reveal()
    return AppSettings.from_mapping(values, t("sources.keyring_source", label=label))


def remember(label: str, settings: AppSettings) -> KeyringStatus | None:
    """Keep the settings' key pair in the OS keyring under ``label`` (None: no pair to keep)."""
    from sesfix.secrets import store_credentials

    if not settings.access_key_id or not settings.secret_access_key:
        return None
    return store_credentials(
        label, settings.access_key_id, settings.secret_access_key, settings.session_token
    )


def typed_spec(values: Mapping[str, str], secret: Secret | None, **rest: object) -> SourceSpec:
    """A typed source from a form's fields (secret apart, so it never sits in a plain dict)."""
    return SourceSpec(
        kind="typed",
        typed=tuple((k, v) for k, v in values.items() if v),
        typed_secret=secret,
        **rest,  # type: ignore[arg-type]
    )


__all__ = [
    "Source",
    "SourceKind",
    "SourceSpec",
    "check_operator",
    "env_file_problem",
    "open_source",
    "operator_profiles",
    "read_env_file_settings",
    "remember",
    "spec_from_args",
    "typed_spec",
]
