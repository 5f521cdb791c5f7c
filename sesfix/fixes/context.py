"""What every fix family shares: the declared :class:`Fix`, planning and verification context.

A fix is one :class:`Fix` object in its family's module (``iam``, ``keys``, ``domain``,
``account``, ``variables``), registered in :mod:`sesfix.fixes.catalogue`. Planning reads
as the operator through :class:`PlanContext`; verification polls through
:class:`VerifyContext`. Nothing here writes to AWS: writes happen in
:mod:`sesfix.fixes.recorded` (used by apply and undo alike).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sesfix.aws import regions
from sesfix.aws.gateway import CallResult, Gateway, api_name, cli_command
from sesfix.fixes import documents as D
from sesfix.fixes.model import (
    ApplyResult,
    AuditEntry,
    FixKind,
    MissingPermission,
    Plan,
    PlannedCall,
    UndoCall,
)
from sesfix.locale import t
from sesfix.masking import mask_key_id, redact

if TYPE_CHECKING:
    from sesfix.aws.gateway import Listener
    from sesfix.aws.identity import OperatorSpec
    from sesfix.diagnosis.report import Report
    from sesfix.findings import Finding
    from sesfix.settings import AppSettings

#: IAM and STS are global; their calls are signed for this region.
IAM_REGION = regions.DEFAULT_STS_REGION
Progress = Callable[[str], None]
_PREFIX = {"sesv2": "ses"}
_YES = {"1", "y", "yes", "true", "on"}


def quiet(_message: str) -> None:
    return None


def call_name(service: str, operation: str) -> str:
    """``iam``, ``attach_user_policy`` -> ``iam:AttachUserPolicy`` (the IAM action's name)."""
    return f"{_PREFIX.get(service, service)}:{api_name(operation)}"


def planned_call(
    service: str,
    operation: str,
    region: str,
    params: dict[str, Any],
    purpose: str,
    undo: tuple[UndoCall, ...] = (),
    *,
    covered: bool = False,
) -> PlannedCall:
    return PlannedCall(
        call=call_name(service, operation),
        service=service,
        operation=operation,
        region=region,
        params=params,
        cli=redact(cli_command(service, operation, region, params)),  # key IDs masked
        purpose=purpose,
        undo=undo,
        covered=covered,
    )


def undo_call(
    service: str,
    operation: str,
    region: str,
    params: dict[str, Any],
    *,
    fill: dict[str, str] | None = None,
    tolerate: tuple[str, ...] = ("NoSuchEntity",),
) -> UndoCall:
    return UndoCall(service, operation, region, params, dict(fill or {}), tolerate)


# ---- the declared fix ----------------------------------------------------------------------


@dataclass(frozen=True)
class Inverse:
    """One call undo may run to reverse a forward call of a fix.

    ``same`` names parameters that must be equal in the forward call and in its undo
    call (the user a policy was attached to is the user it is detached from): undo
    refuses a recorded undo call that disagrees, whatever the audit log says.
    """

    call: str  # "iam:DetachUserPolicy"
    same: tuple[str, ...] = ()

    def matches(self, forward: Mapping[str, Any], u: UndoCall) -> bool:
        if call_name(u.service, u.operation) != self.call:
            return False
        return all(name in forward and u.params.get(name) == forward[name] for name in self.same)


PlanStep = Callable[["PlanContext", Plan], None]
Answers = dict[int, dict[str, Any]]
AfterApply = Callable[[Plan, Answers, dict[str, Any], ApplyResult], None]
Verifier = Callable[["VerifyContext"], tuple[bool | None, str]]


@dataclass(frozen=True)
class Fix:
    """One fix, declared once: what it is, how it plans, verifies and is undone.

    ``inverse`` maps every AWS call the fix may plan (``iam:AttachUserPolicy``) to the
    calls undo may run for it; an empty tuple declares the call irreversible (deleting
    a key, asking AWS for production access). Planning a call not declared here is a
    programming error, caught by :func:`sesfix.fixes.catalogue.plan_fix`.
    """

    id: str
    title: str
    kind: FixKind
    undoable: bool
    description: str
    plan: PlanStep
    verify: Verifier | None = None
    after_apply: AfterApply | None = None
    after_undo: Callable[[AuditEntry], None] | None = None
    inverse: Mapping[str, tuple[Inverse, ...]] = field(default_factory=dict)
    #: Added to the failure message when AWS refuses a call for another reason than rights.
    failure_hint: str = ""

    def undo_allowed(self, forward_call: str, forward: Mapping[str, Any], u: UndoCall) -> bool:
        return any(inv.matches(forward, u) for inv in self.inverse.get(forward_call, ()))


# ---- planning ------------------------------------------------------------------------------


@dataclass
class PlanContext:
    fix_id: str
    report: Report
    settings: AppSettings
    operator: OperatorSpec | None
    inputs: dict[str, str]
    listeners: tuple[Listener, ...] = ()
    gateway: Gateway | None = None
    user: str | None = None
    account: str | None = None
    operator_arn: str | None = None
    region: str | None = None
    domain: str | None = None
    sender: str | None = None
    #: The app's key ID, cleaned; in-process only (shown masked).
    key_id: str | None = None
    notes: list[str] = field(default_factory=list)

    def read(
        self, service: str, operation: str, region: str = IAM_REGION, **params: Any
    ) -> CallResult:
        assert self.gateway is not None
        return self.gateway.read("operator", service, operation, region, **params)

    def flag(self, name: str) -> bool:
        return self.inputs.get(name, "").strip().lower() in _YES

    def user_arn(self) -> str:
        return f"arn:aws:iam::{self.account}:user/{self.user}"


class ReadRefused(Exception):
    """A read the plan needs failed (or the plan must not go on); it is refused with this."""

    def __init__(self, reason: str, missing: MissingPermission | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.missing = missing


def required_read(ctx: PlanContext, result: CallResult, resource: str = "*") -> dict[str, Any]:
    """The answer's data, or :class:`ReadRefused` naming what went wrong."""
    if result.ok:
        return result.data or {}
    r = result.record
    if result.denied:
        missing = MissingPermission(r.call, D.minimal_grant(r.call, resource))
        raise ReadRefused(t("plans.read.denied", call=r.call, code=result.error_code), missing)
    raise ReadRefused(
        t("plans.read.failed", call=r.call, outcome=r.outcome, message=result.error_message)
    )


def operator_gate(ctx: PlanContext) -> str:
    """Empty when the operator may act in the app's account; the reason otherwise."""
    if ctx.operator is None:
        return t("plans.gate.needs_operator")
    from sesfix.aws.connect import make_gateway

    ctx.gateway = make_gateway(ctx.settings, ctx.operator, ctx.listeners)
    who = ctx.read("sts", "get_caller_identity")
    if not who.ok or not who.data:
        message = who.error_message or t("plans.gate.no_answer")
        return t("plans.gate.refused", outcome=who.record.outcome, message=message)
    ctx.operator_arn = who.data.get("Arn")
    op_account = who.data.get("Account")
    if ctx.account and op_account and ctx.account != op_account:
        return t("plans.gate.other_account", account=ctx.account, operator_account=op_account)
    ctx.account = ctx.account or op_account
    return ""


def resolve_user(ctx: PlanContext) -> None:
    """Find (and check) the IAM user that owns the app's key; ReadRefused if impossible."""
    if ctx.inputs.get("user"):
        ctx.user = ctx.inputs["user"].strip()
    arn = ctx.report.context.app_arn or ""
    if not ctx.user and ":assumed-role/" in arn:
        raise ReadRefused(t("plans.user.assumed_role", arn=arn))
    masked = mask_key_id(ctx.key_id)
    if not ctx.user:
        if not ctx.key_id:
            raise ReadRefused(t("plans.user.no_key"))
        last = ctx.read("iam", "get_access_key_last_used", AccessKeyId=ctx.key_id)
        if last.denied:
            required_read(ctx, last)  # raises, naming the missing right
        if last.ok and last.data and last.data.get("UserName"):
            ctx.user = str(last.data["UserName"])
        else:
            info = ctx.read("sts", "get_access_key_info", AccessKeyId=ctx.key_id)
            owner = (info.data or {}).get("Account") if info.ok else None
            if owner and ctx.account and owner != ctx.account:
                raise ReadRefused(
                    t("plans.user.key_elsewhere", key=masked, owner=owner, account=ctx.account)
                )
            raise ReadRefused(t("plans.user.no_owner", account=ctx.account, key=masked))
    got = ctx.read("iam", "get_user", UserName=ctx.user)
    if got.error_code == "NoSuchEntity":
        raise ReadRefused(t("plans.user.missing", user=ctx.user, account=ctx.account))
    required_read(ctx, got, ctx.user_arn())


def findings(ctx: PlanContext, *ids: str) -> list[Finding]:
    """The report's findings with one of ``ids``."""
    return [f for f in ctx.report.findings if f.id in ids]


def keyring_label(target: Mapping[str, Any]) -> str:
    """Where a rotated key of the app's user is kept in the OS keyring."""
    return f"app:{target.get('account') or '?'}:{target.get('user') or '?'}"


# ---- verification --------------------------------------------------------------------------


@dataclass
class VerifyContext:
    """What a fix's ``verify`` gets after a successful apply."""

    plan: Plan
    settings: AppSettings
    operator: OperatorSpec | None
    result: ApplyResult
    timeout: float
    say: Progress
    listeners: tuple[Listener, ...] = ()
    #: Set by the caller to stop waiting (the change itself stays applied).
    cancel: threading.Event | None = None

    def target(self, name: str) -> str:
        return str(self.plan.target.get(name) or "")

    def gateway(self) -> Gateway:
        from sesfix.aws.connect import make_gateway

        return make_gateway(self.settings, self.operator, self.listeners)

    def poll(
        self,
        check: Callable[[], tuple[bool | None, str, bool]],
        *,
        first_delay: float = 1.0,
        max_delay: float = 15.0,
    ) -> tuple[bool | None, str]:
        """Run ``check`` until it says yes, says stop, or ``timeout`` seconds passed (back-off).

        ``check`` returns (verdict, detail, final); ``final`` ends the wait whatever the verdict.
        """
        deadline = time.monotonic() + max(0.0, self.timeout)
        delay = first_delay
        while True:
            verdict, detail, final = check()
            if verdict or final:
                return verdict, detail
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False, t("plans.poll.timeout", seconds=f"{self.timeout:g}", detail=detail)
            pause = min(delay, remaining)
            self.say(t("plans.poll.waiting", seconds=f"{pause:.0f}", detail=detail))
            if self.cancel is not None:
                if self.cancel.wait(pause):
                    return None, t("plans.poll.stopped", detail=detail)
            else:
                time.sleep(pause)
            delay = min(delay * 2, max_delay)
