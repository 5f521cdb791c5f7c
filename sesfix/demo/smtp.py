"""A practice SES SMTP endpoint on loopback: real SMTP (aiosmtpd), real TLS (trustme).

It listens on two ports of 127.0.0.1: one speaking STARTTLS (like SES's 587/2587/25) and one
speaking implicit TLS (like 465/2465), and accepts ``AUTH LOGIN`` only with the access key
ID it was given and the SMTP password derived from that key's secret for *its* region —
exactly what SES checks — answering ``535 Authentication Credentials Invalid`` otherwise.
It never accepts mail. Beside it, :class:`BlockedPort` stands for a firewall that drops
SMTP (TCP connects time out) and :class:`SilentPort` for one that accepts and never speaks.

Needs the ``demo`` extra (aiosmtpd, trustme); imported only by practice mode and tests.
"""

from __future__ import annotations

import asyncio
import hmac
import os
import socket
import ssl
import tempfile
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sesfix.masking import Secret
from sesfix.smtp import derive

LOOPBACK = "127.0.0.1"


@dataclass
class Attempt:
    """One AUTH attempt the server saw (no password kept)."""

    username: str
    accepted: bool
    port: int


@dataclass
class Certificates:
    """A private CA and a server certificate for 127.0.0.1 and localhost."""

    server: ssl.SSLContext
    client: ssl.SSLContext
    ca_file: Path
    _dir: Any = field(repr=False, default=None)

    @classmethod
    def make(cls) -> Certificates:
        import trustme

        ca = trustme.CA()
        cert = ca.issue_cert(LOOPBACK, "localhost")
        server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(server)
        client = ssl.create_default_context()
        ca.configure_trust(client)
        folder = tempfile.TemporaryDirectory(prefix="sesfix-smtp-ca-")
        ca_file = Path(folder.name) / "ca.pem"
        ca.cert_pem.write_to_path(str(ca_file))
        return cls(server, client, ca_file, folder)

    def cleanup(self) -> None:
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None


class _Handler:
    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        return "554 Message rejected: the practice server delivers no mail"


class PracticeSmtpServer:
    """SES's SMTP interface in miniature, for one key in one region."""

    def __init__(
        self,
        key_id: str,
        secret: Secret,
        region: str,
        certificates: Certificates | None = None,
        host: str = LOOPBACK,
    ) -> None:
        self.key_id = key_id
        self.region = region
        self._password = Secret(derive.smtp_password(secret.reveal(), region))
        self.certificates = certificates or Certificates.make()
        self.host = host
        self.attempts: list[Attempt] = []
        self.starttls_port = 0
        self.implicit_port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._servers: list[asyncio.base_events.Server] = []

    # --- SES's check ---------------------------------------------------------------------

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> Any:
        from aiosmtpd.smtp import AuthResult, LoginPassword

        if mechanism != "LOGIN" or not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login = auth_data.login.decode("utf-8", "replace")
        password = auth_data.password.decode("utf-8", "replace")
        ok = hmac.compare_digest(login.encode(), self.key_id.encode()) & hmac.compare_digest(
            password.encode(), self._password.reveal().encode()
        )
        port = server.transport.get_extra_info("sockname")[1] if server.transport else 0
        self.attempts.append(Attempt(login, ok, port))
        if ok:
            return AuthResult(success=True)
        return AuthResult(
            success=False, handled=False, message="535 Authentication Credentials Invalid"
        )

    # --- lifecycle -----------------------------------------------------------------------

    def _factory(self, implicit: bool) -> Any:
        import warnings

        from aiosmtpd.smtp import SMTP

        with warnings.catch_warnings():
            # "Requiring AUTH while not requiring TLS": the implicit port is all TLS.
            warnings.simplefilter("ignore", UserWarning)
            return self._smtp(SMTP, implicit)

    def _smtp(self, smtp: Any, implicit: bool) -> Any:
        return smtp(
            _Handler(),
            hostname=f"email-smtp.{self.region}.practice.localhost",
            ident="sesfix practice SES SMTP",
            tls_context=None if implicit else self.certificates.server,
            require_starttls=not implicit,
            # aiosmtpd cannot see a TLS wrapper; the implicit port is TLS from the first byte.
            auth_require_tls=not implicit,
            auth_exclude_mechanism=["PLAIN"],
            authenticator=self._authenticate,
            auth_required=True,
            timeout=30,
            loop=self._loop,
        )

    def start(self) -> PracticeSmtpServer:
        _quiet_aiosmtpd()
        ready = threading.Event()
        failure: list[OSError] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            try:
                plain = loop.run_until_complete(
                    loop.create_server(lambda: self._factory(False), self.host, 0)
                )
                wrapped = loop.run_until_complete(
                    loop.create_server(
                        lambda: self._factory(True),
                        self.host,
                        0,
                        ssl=self.certificates.server,
                    )
                )
            except OSError as exc:  # a bind failure, reported to start()'s caller
                failure.append(exc)
                ready.set()
                return
            self._servers = [plain, wrapped]
            self.starttls_port = plain.sockets[0].getsockname()[1]
            self.implicit_port = wrapped.sockets[0].getsockname()[1]
            ready.set()
            loop.run_forever()
            for srv in self._servers:
                srv.close()
                loop.run_until_complete(srv.wait_closed())
            loop.close()

        self._thread = threading.Thread(target=run, name="sesfix-practice-smtp", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the practice SMTP server did not start within 10 s")
        if failure:
            raise failure[0]
        return self

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
        self._thread = None

    def __enter__(self) -> PracticeSmtpServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _quiet_aiosmtpd() -> None:
    """aiosmtpd logs deprecation chatter at WARNING on every AUTH; with no handler configured
    Python would print it to stderr, across the wizard's screen. Keep it off."""
    import logging

    log = logging.getLogger("mail.log")
    log.setLevel(logging.ERROR)
    if not any(isinstance(h, logging.NullHandler) for h in log.handlers):
        log.addHandler(logging.NullHandler())


class BlockedPort:
    """A port whose TCP connects time out, as behind a firewall that drops SMTP.

    A listener with a backlog of zero whose only queue slot is taken and never accepted:
    the kernel drops further SYNs, so a connect waits until its own timeout.
    """

    def __init__(self, host: str = LOOPBACK) -> None:
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind((host, 0))
        self._listener.listen(0)
        self.host = host
        self.port = self._listener.getsockname()[1]
        self._fillers: list[socket.socket] = []
        for _ in range(8):
            filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            filler.settimeout(0.3)
            try:
                filler.connect((host, self.port))
            except TimeoutError:
                filler.close()
                return
            self._fillers.append(filler)
        self.close()
        raise RuntimeError("could not fill the listen queue: connects would not time out")

    def close(self) -> None:
        for s in self._fillers:
            s.close()
        self._listener.close()


class SilentPort:
    """A port that accepts TCP connections and never says a word."""

    def __init__(self, host: str = LOOPBACK) -> None:
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind((host, 0))
        self._listener.listen(16)
        self.host = host
        self.port = self._listener.getsockname()[1]

    def close(self) -> None:
        self._listener.close()


class ClosedPort:
    """A port nothing listens on: connects are refused at once (the socket is bound, so
    the number stays reserved, but never listens)."""

    def __init__(self, host: str = LOOPBACK) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind((host, 0))
        self.host = host
        self.port = self._sock.getsockname()[1]

    def close(self) -> None:
        self._sock.close()


# ---- the practice scenarios' SMTP endpoint ---------------------------------------------------

#: What each SMTP scenario gets wrong (``Scenario.smtp`` in :mod:`sesfix.demo.account`).
SCENARIO_KINDS = ("raw-secret", "wrong-region", "blocked-port")


@dataclass
class ScenarioEndpoint:
    """The SMTP side of a practice scenario: the app's SMTP variables and the endpoint that
    stands for SES's (``SESFIX_SMTP_ENDPOINT`` and ``SSL_CERT_FILE`` for sesfix itself)."""

    kind: str
    app_env: dict[str, str] = field(repr=False)
    environ: dict[str, str]
    server: PracticeSmtpServer | None = field(default=None, repr=False)
    blocked: BlockedPort | None = field(default=None, repr=False)

    @classmethod
    def start(cls, kind: str, key_id: str, secret: Secret, region: str) -> ScenarioEndpoint:
        if kind not in SCENARIO_KINDS:
            raise ValueError(f"unknown SMTP scenario kind {kind!r}")
        right = derive.smtp_password(secret.reveal(), region)
        other_region = "us-east-1" if region != "us-east-1" else "eu-west-1"
        password = {
            "raw-secret": secret.reveal(),
            "wrong-region": derive.smtp_password(secret.reveal(), other_region),
            "blocked-port": right,
        }[kind]
        app_env = {
            "EMAIL_PROVIDER": "smtp",
            "SMTP_HOST": f"email-smtp.{region}.amazonaws.com",
            "SMTP_PORT": "587",
            "SMTP_USERNAME": key_id,
            "SMTP_PASSWORD": password,
        }
        if kind == "blocked-port":
            blocked = BlockedPort()
            environ = {"SESFIX_SMTP_ENDPOINT": f"{blocked.host}:{blocked.port}"}
            return cls(kind, app_env, environ, blocked=blocked)
        server = PracticeSmtpServer(key_id, secret, region).start()
        environ = {
            "SESFIX_SMTP_ENDPOINT": f"{server.host}:{server.starttls_port}",
            "SSL_CERT_FILE": str(server.certificates.ca_file),
        }
        return cls(kind, app_env, environ, server=server)

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server.certificates.cleanup()
            self.server = None
        if self.blocked is not None:
            self.blocked.close()
            self.blocked = None


def sample_log(kind: str, region: str) -> str:
    """What the practice app (nodemailer through SES SMTP) logs for one failed send in an SMTP
    scenario: the reply or socket error a real SES endpoint gives in that case. No value of a
    variable appears."""
    stamp = "2026-11-29T10:42:00.{ms:03d}Z"
    tag = "[Email Service - SMTP]"
    host = f"email-smtp.{region}.amazonaws.com"
    lines = [
        f"{stamp.format(ms=101)} 🔧 {tag} Creating the SMTP transport ({host}:587, STARTTLS)...",
        f"{stamp.format(ms=180)} 📤 {tag} Sending email via SES SMTP...",
    ]
    if kind == "blocked-port":
        lines.append(
            f"{stamp.format(ms=182)} ❌ {tag} Error: Connection timeout "
            "{ code: 'ETIMEDOUT', command: 'CONN' } (connect ETIMEDOUT 52.220.0.10:587)"
        )
    else:
        lines.append(
            f"{stamp.format(ms=412)} ❌ {tag} Error: Invalid login: 535 Authentication "
            "Credentials Invalid { code: 'EAUTH', responseCode: 535, command: 'AUTH PLAIN' }"
        )
    lines.append(f"{stamp.format(ms=415)} POST /api/auth/resend-verification 500")
    return "\n".join(lines) + "\n"


def point(values: Mapping[str, str], environ: dict[str, str] | None = None) -> Callable[[], None]:
    """Point this process's SMTP probe at the practice endpoint (``values`` from
    :meth:`ScenarioEndpoint.environ`); returns the function that restores the environment.
    Without values, any redirect left from an earlier practice is removed too."""
    env: dict[str, str] = os.environ if environ is None else environ  # type: ignore[assignment]
    names = ("SESFIX_SMTP_ENDPOINT", "SSL_CERT_FILE")
    saved = {n: env.get(n) for n in names}
    for n in names:
        env.pop(n, None)
    env.update(values)

    def restore() -> None:
        for n, value in saved.items():
            if value is None:
                env.pop(n, None)
            else:
                env[n] = value

    return restore


__all__ = [
    "SCENARIO_KINDS",
    "Attempt",
    "BlockedPort",
    "Certificates",
    "ClosedPort",
    "PracticeSmtpServer",
    "ScenarioEndpoint",
    "SilentPort",
    "point",
    "sample_log",
]
