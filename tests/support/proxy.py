"""A loopback reverse proxy that delays, counts and (on demand) breaks HTTP requests.

It sits between sesfix (or the AWS CLI) and the simulated account (moto's server)::

    with DelayProxy(account.endpoint, delay=0.120) as proxy:
        env = {"AWS_ENDPOINT_URL": proxy.url}
        ...                      # run the diagnosis against proxy.url
    proxy.count                  # how many HTTP requests reached the proxy
    proxy.requests               # one RequestInfo per request, in arrival order
    proxy.actions()              # Counter of "sts:GetCallerIdentity"-style labels

What it does with each request, in order:

1. reads the request (method, path, headers, body) and describes it as a
   :class:`RequestInfo` (service and region from the SigV4 credential scope, the API
   action from ``X-Amz-Target`` or the ``Action=`` form field, the SDK's attempt number
   from ``amz-sdk-request``);
2. appends it to :attr:`DelayProxy.requests` (before any fault, so refused requests count);
3. asks the fault hook what to do (see below);
4. sleeps ``delay`` seconds (the fixed round trip being simulated);
5. forwards the request unchanged (the ``Host`` header too: SigV4 signs it) to the target
   and sends the target's answer back.

Stdlib only (``http.server`` + ``http.client``); one thread per client connection; the
proxy speaks HTTP/1.1 keep-alive so a client's connection reuse is preserved.

The fault hook
--------------
``fault`` is any callable ``(RequestInfo) -> Fault | None``, called once per request from
the handling thread (so it must be thread-safe if it keeps state). It may also be swapped
while the proxy runs (``proxy.fault = ...``). Its answer:

* ``None`` or :class:`Pass` — forward normally;
* :class:`Delay` ``(seconds)`` — wait that much longer, then forward (exercises read
  timeouts: the SDK gives up while the proxy is still sleeping);
* :class:`Close` — close the TCP connection without answering (the SDK sees
  ``ConnectionClosedError``; botocore's standard retry mode then retries);
* :class:`Respond` ``(status, body, headers)`` — answer this instead of forwarding (a 503
  ``ServiceUnavailable``, a ``Throttling`` 400, an HTML error page ...);
* :class:`Drip` ``(interval)`` — send headers, then one body byte every ``interval``
  seconds (each read is quick; only a deadline for the whole call ends it);
* :class:`Silent` — read the request and never answer until the proxy stops;
* :class:`CutBody` ``(keep)`` — forward, then send the real status and headers (with the
  full ``Content-Length``) but only the first ``keep`` bytes of the body, and close the
  connection (botocore does not check the length: it usually reports a
  ``ResponseParserError`` for the truncated XML/JSON, and does not retry).

botocore retries a failed attempt (``SESFIX_MAX_ATTEMPTS``, 3 by default), and each retry
is a new request that reaches the hook again; ``RequestInfo.attempt`` tells them apart.
:func:`when` builds the common hook "apply this fault to requests matching these fields,
at most N times"; :func:`first_match` combines several hooks.

Example — make every ``ses:GetSendQuota`` in ``ap-southeast-1`` throttle, once per call::

    hook = when(Respond(400, THROTTLING_XML), action="GetSendQuota",
                region="ap-southeast-1", attempt=1)
    with DelayProxy(account.endpoint, fault=hook) as proxy: ...
"""

from __future__ import annotations

import http.client
import itertools
import re
import socket
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

# --- what the hook can answer ---------------------------------------------------------------


@dataclass(frozen=True)
class Pass:
    """Forward the request normally (same as returning ``None``)."""


@dataclass(frozen=True)
class Delay:
    """Sleep ``seconds`` on top of the proxy's fixed delay, then forward."""

    seconds: float


@dataclass(frozen=True)
class Close:
    """Close the connection without sending any answer."""


@dataclass(frozen=True)
class Respond:
    """Answer with this status and body instead of forwarding."""

    status: int
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = (("Content-Type", "text/xml"),)


@dataclass(frozen=True)
class CutBody:
    """Forward, then send the headers but only ``keep`` bytes of the body and hang up."""

    keep: int = 0


@dataclass(frozen=True)
class Drip:
    """Send a status line and headers at once, then the body one byte every ``interval``
    seconds (forever, for practical purposes: ``size`` bytes). Every read the client makes
    gets a byte well within its read timeout, so only a deadline for the whole call ends it.
    """

    interval: float = 2.0
    status: int = 200
    size: int = 100_000


@dataclass(frozen=True)
class Silent:
    """Read the request and never answer (until the proxy stops)."""


Fault = Pass | Delay | Close | Respond | CutBody | Drip | Silent
FaultHook = Callable[["RequestInfo"], "Fault | None"]

#: A ready-made throttling answer in the Query protocol's error format (STS/IAM/SES v1).
THROTTLING_XML = (
    b"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>"
    b"<Message>Rate exceeded</Message></Error><RequestId>proxy</RequestId></ErrorResponse>"
)
SERVICE_UNAVAILABLE_XML = (
    b"<ErrorResponse><Error><Type>Receiver</Type><Code>ServiceUnavailable</Code>"
    b"<Message>Service is unavailable</Message></Error><RequestId>proxy</RequestId>"
    b"</ErrorResponse>"
)


# --- what the proxy saw -------------------------------------------------------------------


@dataclass(frozen=True)
class RequestInfo:
    """One request as the proxy saw it. No credentials: only the scope's service/region."""

    seq: int
    method: str
    path: str
    service: str  # from the SigV4 credential scope ("sts", "iam", "email", "ses" ...), or ""
    region: str  # from the SigV4 credential scope, or ""
    action: str  # "GetCallerIdentity" (Query ``Action=``), X-Amz-Target's operation, or ""
    target: str  # the raw X-Amz-Target header, or ""
    attempt: int  # botocore's attempt number (amz-sdk-request), 1 when absent
    started: float  # time.monotonic() when the request arrived
    body: bytes = field(default=b"", repr=False)
    #: Every header as sent (Authorization included), for tests that prove what never left.
    headers: tuple[tuple[str, str], ...] = field(default=(), repr=False)

    @property
    def label(self) -> str:
        """``service:Action`` (``sts:GetCallerIdentity``); REST calls as ``service:METHOD path``
        (SESv2's ``ses:GET /v2/email/account``: the v2 API signs as service ``ses``)."""
        if self.action:
            return f"{self.service}:{self.action}" if self.service else self.action
        path = self.path.split("?", 1)[0]
        return f"{self.service}:{self.method} {path}" if self.service else f"{self.method} {path}"


_SCOPE = re.compile(r"Credential=[^/,\s]+/\d{8}/([^/,\s]+)/([^/,\s]+)/aws4_request")
_ATTEMPT = re.compile(r"attempt=(\d+)")
_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
}


def _describe(seq: int, method: str, path: str, headers: Message, body: bytes) -> RequestInfo:
    scope = _SCOPE.search(headers.get("Authorization", ""))
    region, service = (scope.group(1), scope.group(2)) if scope else ("", "")
    target = headers.get("X-Amz-Target", "")
    action = target.rsplit(".", 1)[-1] if target else ""
    if not action:
        query = urllib.parse.urlsplit(path).query
        form = body.decode("utf-8", "replace") if body and b"Action=" in body else ""
        for source in (form, query):
            values = urllib.parse.parse_qs(source).get("Action")
            if values:
                action = values[0]
                break
    attempt_match = _ATTEMPT.search(headers.get("amz-sdk-request", ""))
    return RequestInfo(
        seq=seq,
        method=method,
        path=path,
        service=service,
        region=region,
        action=action,
        target=target,
        attempt=int(attempt_match.group(1)) if attempt_match else 1,
        started=time.monotonic(),
        body=body,
        headers=tuple((str(k), str(v)) for k, v in headers.items()),
    )


# --- hook helpers -------------------------------------------------------------------------


def when(
    fault: Fault,
    *,
    action: str | None = None,
    service: str | None = None,
    region: str | None = None,
    attempt: int | None = None,
    times: int | None = None,
    predicate: Callable[[RequestInfo], bool] | None = None,
) -> FaultHook:
    """A hook applying ``fault`` to requests whose fields match (None = any), ``times`` max."""
    lock = threading.Lock()
    used = itertools.count()

    def hook(info: RequestInfo) -> Fault | None:
        if action is not None and info.action != action:
            return None
        if service is not None and info.service != service:
            return None
        if region is not None and info.region != region:
            return None
        if attempt is not None and info.attempt != attempt:
            return None
        if predicate is not None and not predicate(info):
            return None
        if times is not None:
            with lock:
                if next(used) >= times:
                    return None
        return fault

    return hook


def first_match(*hooks: FaultHook) -> FaultHook:
    """A hook asking each of ``hooks`` in turn; the first non-None answer wins."""

    def hook(info: RequestInfo) -> Fault | None:
        for h in hooks:
            answer = h(info)
            if answer is not None:
                return answer
        return None

    return hook


# --- the proxy ----------------------------------------------------------------------------


class DelayProxy:
    """Forward every request to ``target`` after ``delay`` seconds; record it; maybe break it."""

    def __init__(
        self,
        target: str,
        delay: float = 0.0,
        *,
        fault: FaultHook | None = None,
        upstream_timeout: float = 30.0,
    ) -> None:
        parts = urllib.parse.urlsplit(target)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"target must be an http:// URL, not {target!r}")
        self.target_host = parts.hostname
        self.target_port = parts.port or 80
        self.delay = delay
        self.fault = fault
        self.upstream_timeout = upstream_timeout
        self.requests: list[RequestInfo] = []
        self.connections = 0  # TCP connections accepted from clients
        self.client_gone = 0  # answers the client hung up on (e.g. after its read timeout)
        self.upstream_errors = 0  # requests the target could not answer (sent back as 502)
        #: seq -> seconds the target took to answer (the fixed delay not included)
        self.upstream_seconds: dict[int, float] = {}
        #: seq -> time.monotonic() when the answer was fully written back
        self.answered: dict[int, float] = {}
        self._lock = threading.Lock()
        self._seq = itertools.count(1)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="delay-proxy", daemon=True
        )
        self._thread.start()
        self._stopped = False
        self._stopping = threading.Event()  # wakes sleeping Delay/Drip handlers on stop()

    # -- public ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}"

    @property
    def count(self) -> int:
        with self._lock:
            return len(self.requests)

    def snapshot(self) -> list[RequestInfo]:
        with self._lock:
            return list(self.requests)

    def actions(self) -> Counter[str]:
        """How many requests per ``service:Action`` label."""
        return Counter(r.label for r in self.snapshot())

    def reset(self) -> None:
        """Forget the requests seen so far (the delay and the hook stay)."""
        with self._lock:
            self.requests.clear()
            self.connections = 0
            self.upstream_seconds.clear()
            self.answered.clear()

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> DelayProxy:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __iter__(self) -> Iterator[RequestInfo]:
        return iter(self.snapshot())

    # -- internals ------------------------------------------------------------------------

    def _record(self, method: str, path: str, headers: Message, body: bytes) -> RequestInfo:
        with self._lock:
            info = _describe(next(self._seq), method, path, headers, body)
            self.requests.append(info)
        return info

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                # No Nagle: with it, a small write waiting for the ACK of the previous one
                # meets the client's delayed ACK and a kept-alive request loses ~40 ms.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                with proxy._lock:
                    proxy.connections += 1

            def log_message(self, format: str, *args: object) -> None:
                return  # quiet: the requests list is the log

            def _handle(self) -> None:
                try:
                    self._proxy_one()
                except (BrokenPipeError, ConnectionResetError):
                    # The client gave up first (its read timeout fired during a Delay).
                    self.close_connection = True
                    with proxy._lock:
                        proxy.client_gone += 1

            def _proxy_one(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                info = proxy._record(self.command, self.path, self.headers, body)
                hook = proxy.fault
                fault = hook(info) if hook is not None else None
                if isinstance(fault, Close):
                    self._hang_up()
                    return
                if isinstance(fault, Silent):
                    proxy._stopping.wait()
                    self._hang_up()
                    return
                if isinstance(fault, Drip):
                    self._drip(fault)
                    return
                extra = fault.seconds if isinstance(fault, Delay) else 0.0
                if proxy.delay + extra > 0:
                    proxy._stopping.wait(proxy.delay + extra)
                if isinstance(fault, Respond):
                    self._answer(fault.status, list(fault.headers), fault.body)
                    return
                try:
                    upstream_started = time.monotonic()
                    status, headers, payload = self._forward(body)
                    with proxy._lock:
                        proxy.upstream_seconds[info.seq] = time.monotonic() - upstream_started
                except OSError as exc:
                    with proxy._lock:
                        proxy.upstream_errors += 1
                    message = f"proxy: target unreachable: {type(exc).__name__}"
                    self._answer(502, [("Content-Type", "text/plain")], message.encode())
                    return
                if isinstance(fault, CutBody):
                    self._answer(status, headers, payload, cut=fault.keep)
                    return
                self._answer(status, headers, payload)
                with proxy._lock:
                    proxy.answered[info.seq] = time.monotonic()

            def _forward(self, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
                conn = http.client.HTTPConnection(
                    proxy.target_host, proxy.target_port, timeout=proxy.upstream_timeout
                )
                try:
                    conn.putrequest(
                        self.command, self.path, skip_host=True, skip_accept_encoding=True
                    )
                    for name, value in self.headers.items():
                        if name.lower() not in _HOP_BY_HOP:
                            conn.putheader(name, value)
                    conn.endheaders(body or None)
                    resp = conn.getresponse()
                    payload = resp.read()
                    headers = [
                        (k, v)
                        for k, v in resp.getheaders()
                        if k.lower() not in _HOP_BY_HOP and k.lower() != "content-length"
                    ]
                    return resp.status, headers, payload
                finally:
                    conn.close()

            def _answer(
                self,
                status: int,
                headers: list[tuple[str, str]],
                payload: bytes,
                cut: int | None = None,
            ) -> None:
                # Status, headers and body in one write (as AWS's front ends answer): split,
                # the body segment waits on the client's delayed ACK of the headers (~40 ms).
                reason = self.responses.get(status, ("",))[0]
                lines = [f"{self.protocol_version} {status} {reason}"]
                lines += [
                    f"{name}: {value}"
                    for name, value in headers
                    if name.lower() not in ("content-length", "server", "date", "connection")
                ]
                lines.append(f"Content-Length: {len(payload)}")
                if cut is not None:
                    lines.append("Connection: close")
                head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
                self.wfile.write(head + (payload if cut is None else payload[:cut]))
                self.wfile.flush()
                if cut is not None:
                    self._hang_up()

            def _drip(self, fault: Drip) -> None:
                head = (
                    f"{self.protocol_version} {fault.status} OK\r\n"
                    "Content-Type: text/xml\r\n"
                    f"Content-Length: {fault.size}\r\n\r\n"
                ).encode("latin-1")
                self.close_connection = True
                self.wfile.write(head)
                self.wfile.flush()
                for _ in range(fault.size):
                    if proxy._stopping.wait(fault.interval):
                        break
                    self.wfile.write(b" ")
                    self.wfile.flush()
                self._hang_up()

            def _hang_up(self) -> None:
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError as exc:  # the client may already be gone
                    self.log_error("shutdown: %s", exc)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _handle

        return Handler


__all__ = [
    "SERVICE_UNAVAILABLE_XML",
    "THROTTLING_XML",
    "Close",
    "CutBody",
    "Delay",
    "DelayProxy",
    "Drip",
    "Fault",
    "FaultHook",
    "Pass",
    "RequestInfo",
    "Respond",
    "Silent",
    "first_match",
    "when",
]
