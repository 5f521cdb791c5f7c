"""The one narrow place every AWS call passes through.

Reads (probes) and writes (fixes) are timed, recorded, shown as their AWS CLI
equivalent, redacted, classified and counted here. Nothing else in sesfix calls
boto3 directly. Listeners receive :class:`CallStarted` / :class:`CallFinished`
events from whichever thread made the call.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from sesfix.aws.identity import Identities, IdentityName
from sesfix.masking import Secret, redact

Kind = Literal["read", "write"]

# Service names as the CLI and IAM spell them.
_CLI_SERVICE = {"sts": "sts", "iam": "iam", "ses": "ses", "sesv2": "sesv2"}
# SES API v2 shares the ``ses:`` action prefix with v1 in IAM policies.
_IAM_PREFIX = {"sesv2": "ses"}

# Error codes that mean "AWS did not answer the question", not "the answer is no".
_UNREACHABLE_CODES = {
    "Throttling",
    "ThrottlingException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "ServiceUnavailable",
    "ServiceUnavailableException",
    "InternalFailure",
    "InternalError",
    "InternalServerError",
    "NotImplemented",
    "404",
    "500",
    "502",
    "503",
    "504",
}


def api_name(operation: str) -> str:
    """``get_send_quota`` -> ``GetSendQuota``."""
    return "".join(part.capitalize() if part != "id" else "Id" for part in operation.split("_"))


def iam_action(service: str, operation: str) -> str:
    """The IAM action a call needs, as policies and records name it:
    ``("sesv2", "get_account")`` -> ``ses:GetAccount``."""
    return f"{_IAM_PREFIX.get(service, service)}:{api_name(operation)}"


def cli_command(service: str, operation: str, region: str, params: dict[str, Any]) -> str:
    """The AWS CLI command a person could run instead of this call (no secrets in params)."""
    parts = ["aws", _CLI_SERVICE.get(service, service), operation.replace("_", "-")]
    for key, value in params.items():
        flag = "--" + re.sub(r"(?<!^)(?=[A-Z])", "-", key).lower()
        if isinstance(value, bool):
            parts.append(flag if value else "--no-" + flag[2:])
            continue
        if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
            parts.append(flag)
            parts.extend(_shell_quote(v) for v in value)
            continue
        if isinstance(value, (dict, list, tuple)):
            parts.extend([flag, _shell_quote(json.dumps(value, separators=(",", ":")))])
            continue
        parts.extend([flag, _shell_quote(str(value))])
    parts.extend(["--region", region])
    return " ".join(parts)


def _shell_quote(value: str) -> str:
    import shlex

    return shlex.quote(value)


@dataclass(frozen=True)
class CallRecord:
    """What one call did; safe to print, log and serialise."""

    seq: int
    call: str
    identity: IdentityName
    region: str
    outcome: str
    ms: int
    kind: Kind
    cli: str
    step: int | None = None
    detail: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "call": self.call,
            "identity": self.identity,
            "region": self.region,
            "outcome": self.outcome,
            "ms": self.ms,
            "cli": self.cli,
            **({"detail": self.detail} if self.detail else {}),
        }


@dataclass(frozen=True)
class CallResult:
    record: CallRecord
    data: dict[str, Any] | None = None
    error_code: str | None = None
    error_message: str = ""
    http_status: int | None = None
    unreachable: bool = False

    @property
    def ok(self) -> bool:
        return self.error_code is None and not self.unreachable

    @property
    def denied(self) -> bool:
        return self.error_code in ("AccessDenied", "AccessDeniedException")


@dataclass(frozen=True)
class CallStarted:
    seq: int
    call: str
    identity: IdentityName
    region: str
    kind: Kind
    cli: str
    step: int | None


@dataclass(frozen=True)
class CallFinished:
    record: CallRecord


Listener = Callable[[CallStarted | CallFinished], None]


@dataclass
class Gateway:
    identities: Identities
    listeners: list[Listener] = field(default_factory=list)
    #: Extra strings to scrub from every message (the raw secrets under test).
    scrub: tuple[str | Secret, ...] = ()
    #: Called before any write; must return True or the write is refused.
    write_guard: Callable[[str], bool] | None = None

    def __post_init__(self) -> None:
        self._seq = itertools.count(1)
        self._lock = threading.Lock()
        self.records: list[CallRecord] = []

    # --- public API ------------------------------------------------------------------------

    def read(
        self,
        identity: IdentityName,
        service: str,
        operation: str,
        region: str,
        *,
        step: int | None = None,
        **params: Any,
    ) -> CallResult:
        return self._call("read", identity, service, operation, region, step, params)

    def write(
        self,
        identity: IdentityName,
        service: str,
        operation: str,
        region: str,
        **params: Any,
    ) -> CallResult:
        call = iam_action(service, operation)
        if self.write_guard is None or not self.write_guard(call):
            raise PermissionError(f"write {call} attempted without confirmation")
        return self._call("write", identity, service, operation, region, None, params)

    def with_identities(self, identities: Identities) -> Gateway:
        """A gateway for other credentials (e.g. the cleaned app values) that shares this
        one's listeners, numbering and record, so every call of a run is counted once."""
        other = Gateway(identities, self.listeners, self.scrub, self.write_guard)
        other._seq = self._seq
        other._lock = self._lock
        other.records = self.records
        return other

    def next_seq(self) -> int:
        """A number in this run's sequence, for a call made outside boto3 (SMTP, DNS)."""
        with self._lock:
            return next(self._seq)

    def observe(self, event: CallStarted | CallFinished) -> None:
        """A call made outside boto3 (the SMTP probe): listeners see it as they see AWS
        calls, and its record counts among :meth:`calls`."""
        if isinstance(event, CallFinished):
            with self._lock:
                self.records.append(event.record)
        self._emit(event)

    def calls(self, kind: Kind | None = None) -> list[CallRecord]:
        with self._lock:
            return [r for r in self.records if kind is None or r.kind == kind]

    # --- internals -------------------------------------------------------------------------

    def _emit(self, event: CallStarted | CallFinished) -> None:
        # A listener is a display (progress line, wizard); its failure must not turn into
        # a failed probe or a wrong verdict, so it is logged and the call goes on.
        for listener in list(self.listeners):
            try:
                listener(event)
            except Exception:  # isolate the engine from its observers
                import logging

                logging.getLogger("sesfix.gateway").warning(
                    "listener %r failed on %s", listener, type(event).__name__, exc_info=True
                )

    def _scrub(self, text: str) -> str:
        return redact(text, *self.scrub)

    def _call(
        self,
        kind: Kind,
        identity: IdentityName,
        service: str,
        operation: str,
        region: str,
        step: int | None,
        params: dict[str, Any],
    ) -> CallResult:
        seq = next(self._seq)
        call = iam_action(service, operation)
        cli = self._scrub(cli_command(service, operation, region, params))
        self._emit(CallStarted(seq, call, identity, region, kind, cli, step))
        started = time.perf_counter()
        data: dict[str, Any] | None = None
        code: str | None = None
        message = ""
        status: int | None = None
        unreachable = False
        try:
            client = self.identities.client(identity, service, region)
            response = getattr(client, operation)(**params)
            data = dict(response)
            status = data.get("ResponseMetadata", {}).get("HTTPStatusCode")
        except Exception as exc:  # noqa: BLE001 - the boundary: every failure is classified
            code, message, status, unreachable = classify(exc)
            message = self._scrub(message)
        ms = int((time.perf_counter() - started) * 1000)
        outcome = "ok" if code is None and not unreachable else (code or "unreachable")
        record = CallRecord(
            seq, call, identity, region, outcome, ms, kind, cli, step, detail=message[:300]
        )
        with self._lock:
            self.records.append(record)
        self._emit(CallFinished(record))
        return CallResult(record, data, code, message, status, unreachable)


_XML_CODE = re.compile(r"<Code>([A-Za-z][A-Za-z0-9.]{0,99})</Code>")
_XML_MESSAGE = re.compile(r"<Message>([^<]{0,2000})</Message>")


def classify(exc: BaseException) -> tuple[str | None, str, int | None, bool]:
    """(error code, message, HTTP status, unreachable?) for any exception a call raised."""
    import botocore.exceptions as bx
    from botocore.parsers import ResponseParserError

    if isinstance(exc, bx.ClientError):
        err = exc.response.get("Error", {})
        code = str(err.get("Code") or "Unknown")
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        message = str(err.get("Message") or "")
        if code.isdigit():
            # A JSON/REST service answered with a Query-style XML error (an AWS-compatible
            # endpoint's authorisation layer does): its <Code> is the real error code.
            xml_code = _XML_CODE.search(message)
            if xml_code:
                code = xml_code.group(1)
                xml_message = _XML_MESSAGE.search(message)
                message = xml_message.group(1) if xml_message else ""
        if code in _UNREACHABLE_CODES or (status is not None and status >= 500):
            if "<html" in message.lower() or "<!doctype" in message.lower():
                message = f"HTTP {status}: the endpoint does not implement this call"
            return code, message, status, True
        return code, message, status, False
    if isinstance(exc, (bx.ConnectTimeoutError, bx.ReadTimeoutError)):
        return "Timeout", f"no answer in time ({type(exc).__name__})", None, True
    if isinstance(exc, bx.EndpointConnectionError):
        return "EndpointConnectionError", "could not connect to the endpoint", None, True
    if isinstance(exc, (bx.ConnectionClosedError, bx.IncompleteReadError)):
        return "ConnectionClosed", "the connection closed mid-answer", None, True
    if isinstance(exc, ResponseParserError):
        return "BadResponse", "the endpoint sent an answer that is not AWS's format", None, True
    if isinstance(exc, (bx.NoCredentialsError, bx.PartialCredentialsError)):
        return "NoCredentials", "no usable credentials", None, False
    if isinstance(exc, bx.InvalidRegionError):
        return "InvalidRegion", "the region name is not valid", None, False
    if isinstance(exc, (UnicodeError, ValueError)) and not isinstance(exc, bx.BotoCoreError):
        # Non-ASCII characters in a key cannot even be put into an HTTP header.
        return "Unsignable", f"the request could not be built: {type(exc).__name__}", None, False
    if isinstance(exc, bx.ConnectionError):
        return "ConnectionError", f"network error ({type(exc).__name__})", None, True
    if isinstance(exc, bx.BotoCoreError):
        return "ClientFailure", f"{type(exc).__name__}", None, True
    return "InternalError", f"{type(exc).__name__}", None, True
