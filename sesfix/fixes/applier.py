"""Apply a confirmed plan, record it, verify it; and undo recorded changes.

Writes go through :meth:`Gateway.write` as the operator, whose ``write_guard`` passes
only the confirmed plan's own calls, each once. Before each call its intent is written
to the audit log and after it its result, so the log is exact whatever happens between.
Nothing here prints: people hear about progress through the ``progress`` callback.
"""

from __future__ import annotations

import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from sesfix.aws import meanings
from sesfix.aws.gateway import CallResult, Gateway, api_name, cli_command
from sesfix.aws.identity import Identities, IdentityName, StaticCredentials
from sesfix.errors import RefusedError, UsageError
from sesfix.fixes import audit
from sesfix.fixes import documents as D
from sesfix.fixes.model import (
    ApplyResult,
    AuditCall,
    AuditEntry,
    CallOutcome,
    MissingPermission,
    NewKey,
    Plan,
    PlannedCall,
    UndoCall,
    UndoResult,
)
from sesfix.masking import Secret, mask_key_id, redact

if TYPE_CHECKING:
    from sesfix.aws.gateway import Listener
    from sesfix.aws.identity import OperatorSpec
    from sesfix.settings import AppSettings

Progress = Callable[[str], None]
IAM_REGION = "us-east-1"
#: The caller's cancel event while a verification polls (per thread: a context variable).
_CANCEL: ContextVar[threading.Event | None] = ContextVar("sesfix_fix_cancel", default=None)
_PREFIX = {"sesv2": "ses"}


def _quiet(_message: str) -> None:
    return None


def _guard(calls: Iterable[str]) -> Callable[[str], bool]:
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


def _dig(data: dict[str, Any] | None, path: str) -> Any:
    value: Any = data or {}
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


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


def _fill(undo: Iterable[UndoCall], data: dict[str, Any] | None) -> list[UndoCall]:
    out = []
    for u in undo:
        params = dict(u.params)
        for name, path in u.fill.items():
            value = _dig(data, path)
            if value is not None:
                params[name] = value
        out.append(UndoCall(u.service, u.operation, u.region, params, dict(u.fill), u.tolerate))
    return out


def _unfilled(u: UndoCall) -> bool:
    return any(u.params.get(name) in ("", None) for name in u.fill)


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


def _missing(
    result: CallResult, params: dict[str, Any], target: dict[str, Any]
) -> MissingPermission:
    call = result.record.call
    return MissingPermission(call, D.minimal_grant(call, _resource(call, params, target)))


def _failure_status(result: CallResult) -> str:
    """``failed`` when AWS answered; ``unknown`` when the answer never came (it may have applied)."""
    return "failed" if result.http_status is not None or not result.unreachable else "unknown"


def keyring_label(target: dict[str, Any]) -> str:
    return f"app:{target.get('account') or '?'}:{target.get('user') or '?'}"


# ---- apply ---------------------------------------------------------------------------------


def apply_plan(
    plan: Plan,
    *,
    settings: AppSettings,
    operator: OperatorSpec | None,
    confirmed: bool,
    progress: Progress | None = None,
    verify_timeout: float = 120.0,
    listeners: tuple[Listener, ...] = (),
    cancel: threading.Event | None = None,
) -> ApplyResult:
    say = progress or _quiet
    if plan.kind == "guidance":
        return ApplyResult(
            plan.fix_id,
            "noop",
            message=plan.noop_reason
            or "nothing to change in AWS: change the app's variables as shown",
            guidance=list(plan.guidance),
        )
    if plan.refused:
        return ApplyResult(
            plan.fix_id,
            "failed",
            message=plan.refused,
            missing_permission=plan.missing_permission,
        )
    if plan.noop:
        return ApplyResult(
            plan.fix_id, "noop", message=plan.noop_reason, guidance=list(plan.guidance)
        )
    if plan.inputs_needed:
        raise UsageError(
            "the plan needs inputs first: " + ", ".join(i.name for i in plan.inputs_needed)
        )
    if not confirmed:
        raise RefusedError("the change was not confirmed, so nothing was changed")
    if operator is None:
        raise UsageError("applying a fix needs an operator identity (--operator-profile)")

    gw = Gateway(
        Identities(None, operator),
        listeners=list(listeners),
        write_guard=_guard(c.call for c in plan.calls),
    )
    target = dict(plan.target)
    who = gw.read("operator", "sts", "get_caller_identity", IAM_REGION)
    if not who.ok or not who.data:
        return ApplyResult(
            plan.fix_id,
            "failed",
            message=redact(
                f"AWS refused the operator identity itself ({who.record.outcome}): nothing was "
                f"changed. {who.error_message}"
            ).strip(),
        )
    operator_arn = str(who.data.get("Arn", ""))
    target["operator_arn"] = operator_arn
    writer = audit.EntryWriter(plan.fix_id, operator_arn, target, note=plan.summary[:300])
    result = ApplyResult(plan.fix_id, "failed", entry_id=writer.id)
    answers: dict[int, dict[str, Any]] = {}
    failure: tuple[PlannedCall, CallResult] | None = None
    for index, call in enumerate(plan.calls):
        if failure is not None:
            result.calls.append(CallOutcome(call.call, call.cli, "not-run"))
            continue
        say(f"{call.call}: {call.purpose}")
        seq = writer.intent(call.call, call.params, call.cli, list(call.undo), covered=call.covered)
        with _RecordBeforeInterrupt(writer):
            try:
                res = gw.write("operator", call.service, call.operation, call.region, **call.params)
            except BaseException as exc:  # a crash mid-call: AWS may have applied it
                writer.result(seq, "unknown", message=f"interrupted: {type(exc).__name__}")
                writer.end("interrupted")
                raise
            if res.ok:
                writer.result(seq, "ok", undo=_fill(call.undo, res.data))
                result.calls.append(CallOutcome(call.call, call.cli, "ok"))
                answers[index] = res.data or {}
                continue
            status = _failure_status(res)
            writer.result(seq, status, error_code=res.error_code or "", message=res.error_message)
        result.calls.append(
            CallOutcome(call.call, call.cli, status, res.error_code or "", res.error_message)  # type: ignore[arg-type]
        )
        failure = (call, res)
    done = [c for c in result.calls if c.status == "ok"]
    if failure is None:
        result.status = "applied"
    else:
        result.status = "partial" if done else "failed"
        call, res = failure
        if res.denied:
            result.missing_permission = _missing(res, call.params, target)
        result.message = _failure_message(plan, call, res, result)
    writer.end(result.status)
    if result.status == "applied":
        say("applied; verifying")
        _after_apply(plan, answers, target, result)
        verify = _VERIFIERS.get(plan.fix_id)
        if verify is not None:
            token = _CANCEL.set(cancel)
            try:
                verified, detail = verify(
                    plan, settings, operator, result, verify_timeout, say, listeners
                )
            finally:
                _CANCEL.reset(token)
            result.verified, result.verification_detail = verified, detail
            writer.verified(verified, detail)
        if not result.message:
            result.message = plan.summary
    return result


def _failure_message(plan: Plan, call: PlannedCall, res: CallResult, result: ApplyResult) -> str:
    code = res.error_code or res.record.outcome
    if res.denied:
        why = f"the operator identity is not allowed to call {call.call}"
    elif res.unreachable and res.http_status is None:
        why = f"{call.call} got no answer ({code}); AWS may or may not have applied it"
    elif res.unreachable:
        why = f"AWS did not accept {call.call} ({code}: {res.error_message})"
    else:
        why = f"AWS refused {call.call}: {code}: {res.error_message}"
    done = [c.call for c in result.calls if c.status == "ok"]
    not_run = [c.call for c in result.calls if c.status == "not-run"]
    parts = [why + "."]
    parts.append("Done before it: " + (", ".join(done) if done else "nothing") + ".")
    if not_run:
        parts.append("Not attempted: " + ", ".join(not_run) + ".")
    if done:
        parts.append("The audit log records it; `sesfix undo --last` reverses what was done.")
    if plan.fix_id == "request-production-access" and not res.denied:
        parts.append(
            "Request production access in the SES console instead: Account dashboard > "
            "Request production access."
        )
    return redact(" ".join(parts))


def _after_apply(
    plan: Plan, answers: dict[int, dict[str, Any]], target: dict[str, Any], result: ApplyResult
) -> None:
    if plan.fix_id == "rotate-access-key":
        from sesfix.secrets import store_credentials

        for index, call in enumerate(plan.calls):
            if call.call != "iam:CreateAccessKey" or index not in answers:
                continue
            key = answers[index].get("AccessKey", {})
            secret = Secret(str(key.get("SecretAccessKey", "")))
            key_id = str(key.get("AccessKeyId", ""))
            answers[index] = {}  # drop the only other reference to the raw secret
            label = keyring_label(target)
            status = store_credentials(label, key_id, secret)
            result.new_key = NewKey(
                access_key_id=key_id,
                secret=secret,
                user=str(key.get("UserName") or target.get("user") or ""),
                keyring_stored=status.usable,
                keyring_label=label,
                keyring_detail=status.reason or status.backend,
            )
            stored = (
                f"it is stored in the OS keyring under '{label}'"
                if status.usable
                else f"it could NOT be stored in the OS keyring ({status.reason}): copy it now"
            )
            result.guidance = [
                f"The new secret is shown once; {stored}.",
                f"Set AWS_ACCESS_KEY_ID to the new key {mask_key_id(key_id)} and "
                "AWS_SECRET_ACCESS_KEY to its secret where the app reads them, then redeploy.",
                "When the app runs with the new key and `sesfix check` passes step 2, retire the "
                "old key: sesfix fix retire-old-key",
            ]
    elif plan.fix_id == "verify-domain":
        from sesfix.fixes.planner import dns_records

        token: str | None = None
        dkim: list[str] = []
        for index, call in enumerate(plan.calls):
            data = answers.get(index, {})
            if call.operation == "verify_domain_identity":
                token = data.get("VerificationToken")
            elif call.operation == "verify_domain_dkim":
                dkim = list(data.get("DkimTokens", []))
        domain = str(target.get("domain") or "")
        records = dns_records(domain, token, dkim)
        if records:
            result.guidance = [
                "Publish these DNS records at the domain's DNS host (detection can take up to "
                "72 h):",
                *records,
            ]


# ---- verification --------------------------------------------------------------------------


def poll(
    check: Callable[[], tuple[bool | None, str, bool]],
    timeout: float,
    say: Progress,
    *,
    first_delay: float = 1.0,
    max_delay: float = 15.0,
) -> tuple[bool | None, str]:
    """Run ``check`` until it says yes, says stop, or ``timeout`` seconds passed (back-off).

    ``check`` returns (verdict, detail, final); ``final`` ends the wait whatever the verdict.
    """
    deadline = time.monotonic() + max(0.0, timeout)
    delay = first_delay
    cancel = _CANCEL.get()
    while True:
        verdict, detail, final = check()
        if verdict or final:
            return verdict, detail
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False, f"not confirmed after {timeout:g} s: {detail}"
        pause = min(delay, remaining)
        say(f"waiting {pause:.0f} s for AWS to propagate the change ({detail})")
        if cancel is not None:
            if cancel.wait(pause):
                return None, f"verification stopped on request; last answer: {detail}"
        else:
            time.sleep(pause)
        delay = min(delay * 2, max_delay)


Verifier = Callable[
    [
        Plan,
        "AppSettings",
        "OperatorSpec | None",
        ApplyResult,
        float,
        Progress,
        tuple["Listener", ...],
    ],
    tuple[bool | None, str],
]


def _verify_iam(
    plan: Plan,
    settings: AppSettings,
    operator: OperatorSpec | None,
    result: ApplyResult,
    timeout: float,
    say: Progress,
    listeners: tuple[Listener, ...],
) -> tuple[bool | None, str]:
    from sesfix.aws.connect import make_gateway
    from sesfix.diagnosis.engine import DiagnosisOptions, diagnose

    region = plan.target.get("region")
    gw = make_gateway(settings, operator, listeners)
    if not gw.identities.has_app or not region:
        return None, "the app's credentials or region are missing, so the change was not tested"

    def check() -> tuple[bool | None, str, bool]:
        r = gw.read("app", "ses", "get_send_quota", region)
        if r.ok:
            return True, f"ses:GetSendQuota in {region} as the app: allowed", False
        if r.error_code in meanings.AUTH_FAILURES:
            return (
                None,
                f"the app's own credentials fail ({r.error_code}): the permission is in place, "
                "but fix step 2 (credentials) before the app can send",
                True,
            )
        return False, f"ses:GetSendQuota as the app answers {r.record.outcome}", False

    verdict, detail = poll(check, timeout, say)
    if not verdict:
        return verdict, detail
    say("running the IAM step of the diagnosis")
    report = diagnose(settings, DiagnosisOptions(operator=operator), listeners=listeners)
    step1 = report.step(1).status
    if step1 == "pass":
        return True, f"{detail}; the diagnosis passes step 1 (IAM permissions)"
    ids = ", ".join(f.id for f in report.findings_for(1)) or "no finding"
    return False, f"{detail}; but step 1 of the diagnosis is {step1} ({ids})"


def _verify_new_key(
    plan: Plan,
    settings: AppSettings,
    operator: OperatorSpec | None,
    result: ApplyResult,
    timeout: float,
    say: Progress,
    listeners: tuple[Listener, ...],
) -> tuple[bool | None, str]:
    new = result.new_key
    if new is None:
        return None, "no new key to test"
    region = plan.target.get("region")
    gw = Gateway(
        Identities(StaticCredentials(new.access_key_id, new.secret), None),
        listeners=list(listeners),
        scrub=(new.secret,),
    )

    def check() -> tuple[bool | None, str, bool]:
        who = gw.read("app", "sts", "get_caller_identity", IAM_REGION)
        if not who.ok:
            return False, f"the new key is not accepted yet ({who.record.outcome})", False
        if not region:
            return True, "the new key authenticates (no valid AWS_SES_REGION to test SES)", True
        r = gw.read("app", "ses", "get_send_quota", region)
        if r.ok:
            return True, f"the new key {new.masked} works for SES in {region}", False
        if r.denied:
            return (
                False,
                f"the new key authenticates, but its user may not use SES in {region}: fix step 1 "
                "(attach-ses-full-access or create-custom-policy)",
                True,
            )
        return False, f"ses:GetSendQuota with the new key answers {r.record.outcome}", False

    return poll(check, timeout, say)


def _verify_key_status(
    plan: Plan,
    settings: AppSettings,
    operator: OperatorSpec | None,
    result: ApplyResult,
    timeout: float,
    say: Progress,
    listeners: tuple[Listener, ...],
) -> tuple[bool | None, str]:
    from sesfix.aws.connect import make_gateway

    gw = make_gateway(settings, operator, listeners)
    wanted = {
        str(c.params["AccessKeyId"]): c.params.get("Status")
        for c in plan.calls
        if c.operation == "update_access_key"
    }
    deleted = {
        str(c.params["AccessKeyId"]) for c in plan.calls if c.operation == "delete_access_key"
    }
    user = plan.target.get("user")

    def check() -> tuple[bool | None, str, bool]:
        keys = gw.read("operator", "iam", "list_access_keys", IAM_REGION, UserName=user)
        if not keys.ok:
            return None, f"iam:ListAccessKeys answered {keys.record.outcome}", True
        listed = {
            k["AccessKeyId"]: k.get("Status")
            for k in (keys.data or {}).get("AccessKeyMetadata", [])
        }
        wrong = [k for k, s in wanted.items() if listed.get(k) != s]
        still = [k for k in deleted if k in listed]
        if wrong or still:
            return False, "IAM does not show the new key status yet", False
        if not gw.identities.has_app:
            return True, "IAM shows the new key status", False
        who = gw.read("app", "sts", "get_caller_identity", IAM_REGION)
        if who.ok:
            return True, "IAM shows the new key status and the app's key is accepted", False
        return (
            False,
            f"IAM shows the new key status, but the app's key answers {who.record.outcome}",
            plan.fix_id == "retire-old-key",
        )

    return poll(check, timeout, say)


def _verify_domain(
    plan: Plan,
    settings: AppSettings,
    operator: OperatorSpec | None,
    result: ApplyResult,
    timeout: float,
    say: Progress,
    listeners: tuple[Listener, ...],
) -> tuple[bool | None, str]:
    from sesfix.aws.connect import make_gateway

    region = str(plan.target.get("region") or "")
    domain = str(plan.target.get("domain") or "")
    gw = make_gateway(settings, operator, listeners)

    def check() -> tuple[bool | None, str, bool]:
        identity: IdentityName = "app" if gw.identities.has_app else "operator"
        r = gw.read(
            identity, "ses", "get_identity_verification_attributes", region, Identities=[domain]
        )
        if not r.ok and identity == "app":
            r = gw.read(
                "operator",
                "ses",
                "get_identity_verification_attributes",
                region,
                Identities=[domain],
            )
        if not r.ok:
            return False, f"{r.record.call} answered {r.record.outcome}", False
        status = (
            (r.data or {})
            .get("VerificationAttributes", {})
            .get(domain, {})
            .get("VerificationStatus")
        )
        if status == "Success":
            return True, f"{domain} is verified in {region}", False
        if status == "Pending":
            return (
                True,
                f"{domain} exists in {region} and waits for its DNS records (Pending); "
                "`sesfix check` shows when AWS has seen them",
                False,
            )
        return False, f"{domain} in {region}: {status or 'not visible yet'}", False

    return poll(check, timeout, say)


def _verify_production(
    plan: Plan,
    settings: AppSettings,
    operator: OperatorSpec | None,
    result: ApplyResult,
    timeout: float,
    say: Progress,
    listeners: tuple[Listener, ...],
) -> tuple[bool | None, str]:
    from sesfix.aws.connect import make_gateway

    region = str(plan.target.get("region") or "")
    gw = make_gateway(settings, operator, listeners)
    r = gw.read("operator", "sesv2", "get_account", region)
    if not r.ok or not r.data:
        return None, f"the request was accepted; its status could not be read ({r.record.outcome})"
    if r.data.get("ProductionAccessEnabled"):
        return True, f"production access is enabled in {region}"
    review = (r.data.get("Details") or {}).get("ReviewDetails") or {}
    status = review.get("Status")
    if status:
        return (
            True,
            f"AWS is reviewing the request (status {status}, case {review.get('CaseId', '?')})",
        )
    return False, "AWS accepted the call but shows no review yet"


_VERIFIERS: dict[str, Verifier] = {
    "attach-ses-full-access": _verify_iam,
    "create-custom-policy": _verify_iam,
    "rotate-access-key": _verify_new_key,
    "retire-old-key": _verify_key_status,
    "reactivate-access-key": _verify_key_status,
    "verify-domain": _verify_domain,
    "request-production-access": _verify_production,
}


# ---- undo ----------------------------------------------------------------------------------


def _find_entry(entries: list[AuditEntry], entry_id: str | None) -> AuditEntry:
    applies = [e for e in entries if e.kind == "apply"]
    if entry_id:
        matches = [e for e in applies if e.id == entry_id] or [
            e for e in applies if e.id.startswith(entry_id)
        ]
        if len(matches) != 1:
            what = "no" if not matches else "more than one"
            raise UsageError(
                f"{what} applied change in the audit log matches {entry_id!r}",
                hint="list them with: sesfix undo --list",
            )
        return matches[0]
    candidates = [e for e in applies if not e.undone_by and e.changed_anything]
    if not candidates:
        raise UsageError("nothing to undo: every recorded change is already undone")
    return candidates[-1]


def _undo_steps(
    entry: AuditEntry, entries: list[AuditEntry]
) -> tuple[list[tuple[AuditCall, int, UndoCall]], list[str]]:
    """The undo calls still to run (newest change first) and what cannot be undone."""
    done: set[tuple[int, int]] = set()
    for e in entries:
        if e.kind == "undo" and e.undoes == entry.id:
            for c in e.calls:
                if c.status == "ok" and c.reverses and len(c.reverses) == 2:
                    done.add((int(c.reverses[0]), int(c.reverses[1])))
    steps: list[tuple[AuditCall, int, UndoCall]] = []
    cannot: list[str] = []
    for call in reversed(entry.calls):
        if call.status not in ("ok", "unknown"):
            continue
        if not call.undo:
            if not call.covered:
                cannot.append(f"{call.call} cannot be undone")
            continue
        for idx, u in enumerate(call.undo):
            if (call.seq, idx) in done:
                continue
            if _unfilled(u):
                cannot.append(
                    f"{call.call} was interrupted before AWS answered, so what it created is "
                    f"unknown: check it by hand ({call.cli})"
                )
                continue
            steps.append((call, idx, u))
    return steps, cannot


def _undo_cli(u: UndoCall) -> str:
    """For people: key IDs masked (the audit log keeps the full ID in ``params`` for undo)."""
    return redact(cli_command(u.service, u.operation, u.region, u.params))


def undo_preview(entry_id: str | None = None) -> tuple[AuditEntry, list[str]]:
    entries = audit.read_entries()
    entry = _find_entry(entries, entry_id)
    steps, cannot = _undo_steps(entry, entries)
    notes = [f"# {c}" for c in cannot]
    for _c, _i, u in steps:
        if u.operation == "delete_access_key":
            notes.append(
                f"# warning: if the app already runs with {mask_key_id(str(u.params.get('AccessKeyId')))}"
                ", deleting it stops the app"
            )
    return entry, [_undo_cli(u) for _c, _i, u in steps] + notes


def undo(
    entry_id: str | None = None,
    *,
    operator: OperatorSpec | None,
    confirmed: bool,
    progress: Progress | None = None,
    listeners: tuple[Listener, ...] = (),
) -> UndoResult:
    say = progress or _quiet
    entries = audit.read_entries()
    entry = _find_entry(entries, entry_id)
    if entry.undone_by:
        return UndoResult(entry.id, "", "nothing", message=f"already undone by {entry.undone_by}")
    steps, cannot = _undo_steps(entry, entries)
    if not steps:
        return UndoResult(
            entry.id, "", "nothing", message="; ".join(cannot) or "the change made no AWS call"
        )
    if not confirmed:
        raise RefusedError("the undo was not confirmed, so nothing was changed")
    if operator is None:
        raise UsageError("undo needs an operator identity (--operator-profile)")
    calls = [f"{_PREFIX.get(u.service, u.service)}:{api_name(u.operation)}" for _c, _i, u in steps]
    gw = Gateway(Identities(None, operator), listeners=list(listeners), write_guard=_guard(calls))
    who = gw.read("operator", "sts", "get_caller_identity", IAM_REGION)
    operator_arn = str((who.data or {}).get("Arn", "")) if who.ok else ""
    writer = audit.EntryWriter(
        entry.fix_id, operator_arn, entry.target, kind="undo", undoes=entry.id
    )
    result = UndoResult(entry.id, writer.id, "failed")
    failed = False
    for (call, idx, u), name in zip(steps, calls, strict=True):
        cli = _undo_cli(u)
        if failed:
            result.calls.append(CallOutcome(name, cli, "not-run"))
            continue
        say(f"{name} (undoing {call.call})")
        seq = writer.intent(name, u.params, cli, [], reverses=(call.seq, idx))
        with _RecordBeforeInterrupt(writer):
            try:
                res = gw.write("operator", u.service, u.operation, u.region, **u.params)
            except BaseException as exc:
                writer.result(seq, "unknown", message=f"interrupted: {type(exc).__name__}")
                writer.end("interrupted")
                raise
            if res.ok or (res.error_code and res.error_code in u.tolerate):
                note = "" if res.ok else f"already undone ({res.error_code})"
                writer.result(seq, "ok", message=note)
                result.calls.append(CallOutcome(name, cli, "ok", res.error_code or "", note))
                continue
            status = _failure_status(res)
            writer.result(seq, status, error_code=res.error_code or "", message=res.error_message)
        result.calls.append(
            CallOutcome(name, cli, status, res.error_code or "", res.error_message)  # type: ignore[arg-type]
        )
        if res.denied:
            result.missing_permission = _missing(res, u.params, entry.target)
        failed = True
    ok = [c for c in result.calls if c.status == "ok"]
    if not failed and not cannot:
        result.status = "undone"
    elif ok:
        result.status = "partial"
    writer.end(result.status)
    if result.status == "undone":
        audit.mark_undone(entry.id, writer.id)
        _forget_key(entry)
    messages = []
    if failed:
        bad = next(c for c in result.calls if c.status in ("failed", "unknown"))
        messages.append(
            f"{bad.call} failed ({bad.error_code}: {bad.message}); run undo again after fixing it"
        )
    messages.extend(cannot)
    result.message = (
        redact("; ".join(messages)) if messages else f"reversed {entry.fix_id} ({entry.id})"
    )
    return result


def _forget_key(entry: AuditEntry) -> None:
    """After undoing a rotation, drop the deleted key from the keyring."""
    if entry.fix_id != "rotate-access-key":
        return
    from sesfix.secrets import delete_credentials, load_credentials

    label = keyring_label(entry.target)
    stored = load_credentials(label)
    deleted = {
        str(u.params.get("AccessKeyId"))
        for c in entry.calls
        for u in c.undo
        if u.operation == "delete_access_key"
    }
    if stored is not None and stored.access_key_id in deleted:
        delete_credentials(label)
