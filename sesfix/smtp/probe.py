"""The live SMTP probe: connect, TLS in the mode the port needs, EHLO, AUTH LOGIN, QUIT.

Never sends mail (no MAIL FROM, no DATA). Every step has a timeout and the whole probe a
deadline. Each step is recorded like an AWS probe (:class:`sesfix.aws.gateway.CallRecord`),
with call names ``smtp:Connect`` (TCP, and the greeting when the session starts in plain
text), ``smtp:StartTLS`` (EHLO + STARTTLS + handshake, or the implicit-TLS handshake and
greeting) and ``smtp:Auth`` (EHLO, AUTH LOGIN, QUIT), and the ``openssl s_client`` command
that shows the same exchange. The password never leaves :meth:`Secret.reveal` except
inside the AUTH exchange; server replies are redacted and made visible-safe.

Trust is the system CA store, or ``SSL_CERT_FILE`` (OpenSSL reads it), or a context the
caller passes (tests, practice).
"""

from __future__ import annotations

import concurrent.futures
import itertools
import smtplib
import socket
import ssl
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from sesfix.aws.gateway import CallFinished, CallRecord, CallStarted
from sesfix.masking import Secret, mask_key_id, redact
from sesfix.smtp import endpoints
from sesfix.smtp.result import AUTH, CONNECT, STARTTLS, STEP, ProbeResult
from sesfix.smtp.settings import Target
from sesfix.smtp.words import mode_name
from sesfix.smtp.words import step_detail as _say
from sesfix.text import visible

#: The EHLO name sesfix announces: fixed, so no reverse DNS lookup of this machine.
EHLO_NAME = "sesfix.localhost"

Listener = Callable[[CallStarted | CallFinished], None]

_SEQ = itertools.count(100_000)


@dataclass(frozen=True)
class Limits:
    """Seconds: each step's timeout and the whole probe's deadline."""

    connect: float = 5.0
    read: float = 8.0
    deadline: float = 25.0

    @classmethod
    def from_config(cls, environ: Mapping[str, str] | None = None) -> Limits:
        from sesfix import config

        return cls(
            connect=config.CONNECT_TIMEOUT.read(environ),
            read=config.READ_TIMEOUT.read(environ),
            deadline=config.SMTP_DEADLINE.read(environ),
        )


class _Failure(Exception):
    """A step ended: ``outcome`` is the record's outcome, ``detail`` safe text."""

    def __init__(self, outcome: str, detail: str, code: int | None = None) -> None:
        super().__init__(outcome)
        self.outcome = outcome
        self.detail = detail
        self.code = code


class _Recorder:
    def __init__(
        self,
        result: ProbeResult,
        region: str,
        cli: str,
        listener: Listener | None,
        seq: Callable[[], int],
        scrub: tuple[str | Secret | None, ...],
    ) -> None:
        self.result, self.region, self.cli = result, region, cli
        self.listener, self.seq, self.scrub = listener, seq, scrub

    def _emit(self, event: CallStarted | CallFinished) -> None:
        if self.listener is None:
            return
        try:
            self.listener(event)
        except Exception:  # a display's failure must not become a failed probe
            import logging

            logging.getLogger("sesfix.smtp").warning("listener failed", exc_info=True)

    def run(self, call: str, step: Callable[[], str]) -> str:
        """Run one step; record ok (with ``step``'s detail) or the failure, and re-raise it."""
        seq = self.seq()
        self._emit(CallStarted(seq, call, "app", self.region, "read", self.cli, STEP))
        started = time.perf_counter()
        outcome, detail = "ok", ""
        try:
            detail = step()
            return detail
        except _Failure as failure:
            outcome, detail = failure.outcome, failure.detail
            raise
        finally:
            ms = int((time.perf_counter() - started) * 1000)
            safe = visible(redact(detail, *self.scrub), limit=300)
            record = CallRecord(
                seq, call, "app", self.region, outcome, ms, "read", self.cli, STEP, detail=safe
            )
            self.result.records.append(record)
            self._emit(CallFinished(record))


class _Clock:
    def __init__(self, limits: Limits, resolver: Resolver) -> None:
        self.limits = limits
        self.resolver = resolver
        self.end = time.monotonic() + limits.deadline

    def left(self, cap: float) -> float:
        remaining = self.end - time.monotonic()
        if remaining <= 0:
            raise _Failure("timeout", _say("deadline", seconds=f"{self.limits.deadline:g}"))
        return max(0.05, min(cap, remaining))


Addresses = list[tuple[int, tuple[str, int]]]
#: ``(host, port) -> [(family, (address, port)), ...]``; raises socket.gaierror when the
#: name does not exist. The system resolver by default.
Resolver = Callable[[str, int], Addresses]


def system_resolver(host: str, port: int) -> Addresses:
    infos = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)
    return [(int(family), (str(addr[0]), int(addr[1]))) for family, _t, _p, _c, addr in infos]


def _resolve(host: str, port: int, timeout: float, resolver: Resolver) -> Addresses:
    """The resolver with a deadline (getaddrinfo has none of its own)."""
    pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="sesfix-dns")
    try:
        future = pool.submit(resolver, host, port)
        try:
            return future.result(timeout=timeout)
        except concurrent.futures.TimeoutError:
            raise _Failure(
                "timeout", _say("dns_timeout", host=host, seconds=f"{timeout:g}")
            ) from None
        except socket.gaierror as exc:
            raise _Failure(
                "dns-failure", _say("dns_none", host=host, why=exc.strerror or exc)
            ) from None
    finally:
        pool.shutdown(wait=False)


def _connect(host: str, port: int, clock: _Clock) -> socket.socket:
    addresses = _resolve(host, port, clock.left(clock.limits.connect), clock.resolver)
    last: _Failure | None = None
    for family, address in addresses:
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.settimeout(clock.left(clock.limits.connect))
        try:
            sock.connect(address)
            return sock
        except TimeoutError:
            last = _Failure(
                "timeout",
                _say(
                    "tcp_timeout",
                    address=f"{address[0]}:{port}",
                    seconds=f"{sock.gettimeout():g}",
                ),
            )
        except ConnectionRefusedError:
            last = _Failure("refused", _say("refused", address=f"{address[0]}:{port}"))
        except OSError as exc:
            last = _Failure("network-error", f"{address[0]}:{port}: {exc.strerror or exc}")
        sock.close()
    raise last or _Failure("dns-failure", _say("dns_empty", host=host))


class _Client(smtplib.SMTP):
    """smtplib on a socket sesfix connected itself, so each step is timed on its own."""

    def __init__(self, sock: socket.socket, host: str) -> None:
        super().__init__(local_hostname=EHLO_NAME, timeout=sock.gettimeout() or 5.0)
        self.sock = sock
        self._host = host


def _sock(client: smtplib.SMTP) -> socket.socket:
    sock = client.sock
    if sock is None:
        raise _Failure("disconnected", _say("closed_already"))
    return sock


def _reply_text(message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else message
    return " ".join(text.split())


def _smtp_failure(exc: BaseException, when: str) -> _Failure:
    if isinstance(exc, smtplib.SMTPResponseException):
        text = _reply_text(exc.smtp_error)
        return _Failure(str(exc.smtp_code), f"{when}: {exc.smtp_code} {text}", exc.smtp_code)
    if isinstance(exc, ssl.SSLCertVerificationError):
        return _Failure("certificate-error", f"{when}: {exc.verify_message or exc.reason}")
    if isinstance(exc, ssl.SSLError):
        return _Failure("tls-error", f"{when}: {exc.reason or exc}")
    if isinstance(exc, TimeoutError):
        return _Failure("timeout", _say("no_answer", when=when))
    if isinstance(exc, smtplib.SMTPServerDisconnected) and isinstance(
        exc.__context__, TimeoutError
    ):
        return _Failure("timeout", _say("no_answer", when=when))
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return _Failure("disconnected", _say("server_closed", when=when))
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return _Failure("not-offered", f"{when}: {exc}")
    if isinstance(exc, OSError):
        return _Failure("network-error", f"{when}: {exc.strerror or exc}")
    return _Failure("error", f"{when}: {type(exc).__name__}")


_SMTP_ERRORS = (smtplib.SMTPException, OSError)


def _greeting(client: _Client, clock: _Clock) -> str:
    _sock(client).settimeout(clock.left(clock.limits.read))
    try:
        code, message = client.getreply()
    except _SMTP_ERRORS as exc:
        failure = _smtp_failure(exc, _say("when.greeting"))
        if failure.outcome == "timeout":
            failure = _Failure("no-greeting", _say("no_greeting"))
        raise failure from None
    if code != 220:
        raise _Failure(str(code), _say("greeting", reply=f"{code} {_reply_text(message)}"), code)
    return _say("greeting", reply=f"220 {_reply_text(message)[:120]}")


class _Session:
    """One SMTP conversation, step by step; each method returns its record's detail."""

    def __init__(self, target: Target, clock: _Clock, context: ssl.SSLContext) -> None:
        self.target, self.clock, self.context = target, clock, context
        self.sock: socket.socket | None = None
        self.client: _Client | None = None

    def tcp(self) -> str:
        self.sock = _connect(self.target.host, self.target.port, self.clock)
        peer = self.sock.getpeername()
        return _say("tcp", address=f"{peer[0]}:{peer[1]}")

    def plain_greeting(self) -> str:
        assert self.sock is not None
        self.client = _Client(self.sock, self.target.host)
        return _greeting(self.client, self.clock)

    def tcp_and_greeting(self) -> str:
        return f"{self.tcp()}; {self.plain_greeting()}"

    def starttls(self) -> str:
        client = self.client
        assert client is not None
        _sock(client).settimeout(self.clock.left(self.clock.limits.read))
        try:
            client.ehlo()
            if not client.has_extn("starttls"):
                raise _Failure("not-offered", _say("no_starttls"))
            client.starttls(context=self.context)
            _sock(client).settimeout(self.clock.left(self.clock.limits.read))
            client.ehlo()
        except _SMTP_ERRORS as exc:
            raise _smtp_failure(exc, "STARTTLS") from None
        return _say("starttls_ok", tls=_tls_summary(_sock(client)))

    def implicit(self) -> str:
        assert self.sock is not None
        self.sock.settimeout(self.clock.left(self.clock.limits.read))
        try:
            tls = self.context.wrap_socket(self.sock, server_hostname=self.target.host)
        except TimeoutError:
            raise _Failure("timeout", _say("handshake_timeout")) from None
        except _SMTP_ERRORS as exc:
            raise _smtp_failure(exc, _say("when.handshake")) from None
        self.sock = tls
        self.client = _Client(tls, self.target.host)
        greeting = _greeting(self.client, self.clock)
        try:
            self.client.ehlo()
        except _SMTP_ERRORS as exc:
            raise _smtp_failure(exc, "EHLO") from None
        return _say("implicit_ok", tls=_tls_summary(tls), greeting=greeting)

    def auth(self, username: str | None, password: Secret | None) -> str:
        client = self.client
        assert client is not None
        if not username or password is None or not password.reveal():
            raise _Failure("skipped", _say("no_credentials"))
        offered = str(client.esmtp_features.get("auth", "")).upper().split()
        if "LOGIN" not in offered:
            shown = " ".join(offered) or _say("no_auth_at_all")
            raise _Failure("not-offered", _say("no_auth_login", offered=shown))
        _sock(client).settimeout(self.clock.left(self.clock.limits.read))
        client.user, client.password = username, password.reveal()
        try:
            code, reply = client.auth("LOGIN", client.auth_login)
        except UnicodeEncodeError:
            raise _Failure("not-sent", _say("not_sendable")) from None
        except _SMTP_ERRORS as exc:
            raise _smtp_failure(exc, "AUTH LOGIN") from None
        finally:
            client.password = ""
        return _say("auth", user=mask_key_id(username), reply=f"{code} {_reply_text(reply)}")

    def close(self) -> None:
        """QUIT politely (bounded), else just close."""
        client = self.client
        if client is not None and client.sock is not None:
            try:
                client.sock.settimeout(min(2.0, self.clock.limits.read))
                client.quit()
            except _SMTP_ERRORS:
                client.close()
        elif self.sock is not None:
            self.sock.close()


def _tls_summary(sock: socket.socket) -> str:
    if isinstance(sock, ssl.SSLSocket):
        return _say("tls_done", version=sock.version())
    return "TLS"


def probe(
    target: Target,
    username: str | None,
    password: Secret | None,
    *,
    region: str | None = None,
    limits: Limits | None = None,
    context: ssl.SSLContext | None = None,
    listener: Listener | None = None,
    seq: Callable[[], int] | None = None,
    https_ok: Callable[[], bool | None] | None = None,
    other_ports: Iterable[int] = (),
    platform: str | None = None,
    resolver: Resolver | None = None,
    ses_host: bool = True,
) -> ProbeResult:
    """Probe ``target`` with the app's credentials; never sends mail.

    ``https_ok`` answers "does HTTPS to SES work from here?" (asked only after a connect
    timeout); ``other_ports`` are SES's other SMTP ports to try then (only against the real
    endpoint). ``platform`` ('railway', 'render', 'digitalocean') picks the advice for a
    blocked port. ``ses_host`` False: SMTP_HOST is another provider's server, whose refusal
    says nothing about SES's passwords.
    """
    limits = limits or Limits.from_config()
    clock = _Clock(limits, resolver or system_resolver)
    result = ProbeResult(target)
    ctx = context or ssl.create_default_context()
    cli = endpoints.openssl_command(target.host, target.port, target.mode)
    rec = _Recorder(result, region or "", cli, listener, seq or (lambda: next(_SEQ)), (password,))
    session = _Session(target, clock, ctx)
    stage = CONNECT
    try:
        if target.mode == "starttls":
            rec.run(CONNECT, session.tcp_and_greeting)
            result.reached = "connected"
            stage = STARTTLS
            rec.run(STARTTLS, session.starttls)
        else:
            rec.run(CONNECT, session.tcp)
            result.reached = "connected"
            stage = STARTTLS
            rec.run(STARTTLS, session.implicit)
        result.reached = "tls"
        stage = AUTH
        rec.run(AUTH, lambda: session.auth(username, password))
        result.reached = "authenticated"
    except _Failure as failure:
        from sesfix.smtp import verdict

        follow = verdict.FollowUps(
            https_ok=https_ok or (lambda: https_reachable(region, clock.left(limits.connect))),
            try_ports=lambda: _try_ports(target, tuple(other_ports), clock, rec),
            speaks_tls=lambda: _speaks_tls(target, clock, rec),
        )
        said = redact(failure.detail, password)  # a server may echo what it was sent
        verdict.judge(result, stage, failure.outcome, said, follow, platform, ses_host)
    finally:
        session.close()
    return result


# --- follow-ups after a failure (bounded by the same deadline) ------------------------------


def _try_ports(
    target: Target, ports: tuple[int, ...], clock: _Clock, rec: _Recorder
) -> dict[int, str]:
    """TCP-connect to SES's other SMTP ports on the same host, concurrently."""
    ports = tuple(p for p in dict.fromkeys(ports) if p != target.port)
    if not ports:
        return {}
    timeout = clock.left(clock.limits.connect)

    def one(port: int) -> str:
        start = time.perf_counter()
        try:
            with socket.create_connection((target.host, port), timeout=timeout):
                outcome = "ok"
        except TimeoutError:
            outcome = "timeout"
        except ConnectionRefusedError:
            outcome = "refused"
        except OSError:
            outcome = "network-error"
        ms = int((time.perf_counter() - start) * 1000)
        mode = endpoints.tls_mode(port) or target.mode
        record = CallRecord(
            rec.seq(),
            CONNECT,
            "app",
            rec.region,
            outcome,
            ms,
            "read",
            endpoints.openssl_command(target.host, port, mode),
            STEP,
            detail=_say("other_port", port=port, mode=mode_name(mode)),
        )
        rec.result.records.append(record)
        rec._emit(CallFinished(record))
        return outcome

    with concurrent.futures.ThreadPoolExecutor(
        len(ports), thread_name_prefix="sesfix-smtp"
    ) as pool:
        outcomes = dict(zip(ports, pool.map(one, ports), strict=True))
    return outcomes


def _speaks_tls(target: Target, clock: _Clock, rec: _Recorder) -> bool:
    """Does the port answer a TLS ClientHello at once (implicit TLS)? Only a classification:
    no certificate check, nothing sent after the handshake."""
    probe_ctx = ssl.create_default_context()
    probe_ctx.check_hostname = False
    probe_ctx.verify_mode = ssl.CERT_NONE
    try:
        sock = _connect(target.host, target.port, clock)
    except _Failure:
        return False
    sock.settimeout(clock.left(clock.limits.read))
    try:
        with probe_ctx.wrap_socket(sock, server_hostname=target.host):
            return True
    except (OSError, ssl.SSLError):
        return False
    finally:
        sock.close()


def https_reachable(region: str | None, timeout: float = 5.0) -> bool | None:
    """Can this machine open a TCP connection to SES's HTTPS API (or AWS_ENDPOINT_URL)?"""
    import os
    from urllib.parse import urlsplit

    override = os.environ.get("AWS_ENDPOINT_URL", "").strip()
    if override:
        parts = urlsplit(override)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
    else:
        host, port = f"email.{region or 'us-east-1'}.amazonaws.com", endpoints.HTTPS_PORT
    if not host:
        return None
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False
