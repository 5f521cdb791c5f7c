"""Write one recorded call: intent -> ``Gateway.write`` -> result, in the audit log.

Apply and undo both send their AWS writes through :func:`write_recorded`, so the rule
"the intent is on disk before the call, the answer after it, even if Ctrl-C lands in
between" lives in one place.
"""

from __future__ import annotations

import signal
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sesfix.aws.gateway import CallResult, Gateway
from sesfix.aws.identity import Identities
from sesfix.fixes import audit
from sesfix.fixes import documents as D
from sesfix.fixes.context import IAM_REGION
from sesfix.fixes.model import CallStatus, MissingPermission, UndoCall
from sesfix.masking import redact

if TYPE_CHECKING:
    from sesfix.aws.gateway import Listener
    from sesfix.aws.identity import OperatorSpec


def write_guard(calls: Iterable[str]) -> Callable[[str], bool]:
    """A write guard that lets each confirmed call through once, and nothing else."""
    remaining = Counter(calls)
    lock = threading.Lock()

    def guard(call: str) -> bool:
        with lock:
            if remaining[call] > 0:
                remaining[call] -= 1
                return True
            return False

    return guard


def operator_gateway(
    operator: OperatorSpec, listeners: Iterable[Listener], calls: Iterable[str]
) -> Gateway:
    """A gateway acting only as the operator, allowed exactly ``calls`` (each once)."""
    return Gateway(
        Identities(None, operator), listeners=list(listeners), write_guard=write_guard(calls)
    )


def operator_arn(gw: Gateway) -> tuple[str, CallResult]:
    """Who the operator is (``""`` when AWS refused it) and AWS's answer."""
    who = gw.read("operator", "sts", "get_caller_identity", IAM_REGION)
    return (str((who.data or {}).get("Arn", "")) if who.ok else ""), who


class _RecordBeforeInterrupt:
    """Ctrl-C that arrives while a write is in flight waits until AWS's answer is recorded.

    Otherwise an interrupt landing between AWS's answer and the audit line loses what the
    call created (a new key's ID, say), and undo could not remove it. Only the main thread
    receives SIGINT, so elsewhere (the wizard's workers) this does nothing. The wait is
    bounded by the client's timeouts and retries.
    """

    def __init__(self, writer: audit.EntryWriter) -> None:
        self.writer = writer
        self.pending = False
        self.previous: Any = None

    def _note(self, signum: int, frame: object) -> None:
        self.pending = True

    def __enter__(self) -> _RecordBeforeInterrupt:
        if threading.current_thread() is threading.main_thread():
            current = signal.getsignal(signal.SIGINT)
            if current is not None:
                self.previous = signal.signal(signal.SIGINT, self._note)
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)
        if self.pending and exc_type is None:
            self.writer.end("interrupted")
            raise KeyboardInterrupt


def _dig(data: dict[str, Any] | None, path: str) -> Any:
    value: Any = data or {}
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def fill_undo(undo: Iterable[UndoCall], data: dict[str, Any] | None) -> list[UndoCall]:
    """The undo calls with the values taken from the forward call's answer (a new key's ID)."""
    out = []
    for u in undo:
        params = dict(u.params)
        for name, path in u.fill.items():
            value = _dig(data, path)
            if value is not None:
                params[name] = value
        out.append(UndoCall(u.service, u.operation, u.region, params, dict(u.fill), u.tolerate))
    return out


def failure_status(result: CallResult) -> CallStatus:
    """``failed`` when AWS answered; ``unknown`` when the answer never came (it may have applied)."""
    return "failed" if result.http_status is not None or not result.unreachable else "unknown"


@dataclass(frozen=True)
class Written:
    """One recorded write: AWS's answer and the status the audit log holds for it."""

    response: CallResult
    status: CallStatus
    #: Empty, or why a refusal counts as done (an undo whose target is already gone).
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def write_recorded(
    gw: Gateway,
    writer: audit.EntryWriter,
    *,
    name: str,
    service: str,
    operation: str,
    region: str,
    params: dict[str, Any],
    cli: str,
    undo: tuple[UndoCall, ...] | None = None,
    covered: bool = False,
    reverses: tuple[int, int] | None = None,
    tolerate: tuple[str, ...] = (),
) -> Written:
    """Record the intent, send the write as the operator, record AWS's answer.

    ``undo`` (forward calls) is recorded with the intent and, completed from the answer,
    with the result. ``tolerate`` (undo calls) lists error codes meaning "already undone".
    A crash or interrupt during the call leaves the call ``unknown`` and re-raises.
    """
    seq = writer.intent(name, params, cli, list(undo or ()), reverses, covered=covered)
    with _RecordBeforeInterrupt(writer):
        try:
            res = gw.write("operator", service, operation, region, **params)
        except BaseException as exc:  # a crash mid-call: AWS may have applied it
            writer.result(seq, "unknown", message=f"interrupted: {type(exc).__name__}")
            writer.end("interrupted")
            raise
        if res.ok or (res.error_code and res.error_code in tolerate):
            note = "" if res.ok else f"already undone ({res.error_code})"
            filled = fill_undo(undo, res.data) if undo is not None else None
            writer.result(seq, "ok", message=note, undo=filled)
            return Written(res, "ok", note)
        status = failure_status(res)
        writer.result(seq, status, error_code=res.error_code or "", message=res.error_message)
        return Written(res, status)


def _resource(call: str, params: dict[str, Any], target: dict[str, Any]) -> str:
    account = target.get("account") or "*"
    if "PolicyArn" in params and call != "iam:AttachUserPolicy" and call != "iam:DetachUserPolicy":
        return str(params["PolicyArn"])
    if call == "iam:CreatePolicy":
        return f"arn:aws:iam::{account}:policy/{params.get('PolicyName', '*')}"
    if "UserName" in params:
        return f"arn:aws:iam::{account}:user/{params['UserName']}"
    if call.startswith("ses:") and (params.get("Domain") or params.get("Identity")):
        region = target.get("region") or "*"
        ident = params.get("Domain") or params.get("Identity")
        return f"arn:aws:ses:{region}:{account}:identity/{ident}"
    return "*"


def missing_permission(
    result: CallResult, params: dict[str, Any], target: dict[str, Any]
) -> MissingPermission:
    """The action the operator lacked and a minimal policy granting it on this resource."""
    call = result.record.call
    return MissingPermission(call, D.minimal_grant(call, _resource(call, params, target)))


def refused_identity(who: CallResult) -> str:
    return redact(
        f"AWS refused the operator identity itself ({who.record.outcome}): nothing was "
        f"changed. {who.error_message}"
    ).strip()
