"""Apply a confirmed plan as the operator, record it, run the fix's hooks, verify it.

Writes go through :func:`sesfix.fixes.recorded.write_recorded` as the operator, whose
gateway's ``write_guard`` passes only the confirmed plan's own calls, each once. Nothing
here prints: people hear about progress through the ``progress`` callback.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from sesfix.errors import RefusedError, UsageError
from sesfix.fixes import audit
from sesfix.fixes.catalogue import fix_entry
from sesfix.fixes.context import Answers, Progress, VerifyContext, quiet
from sesfix.fixes.model import ApplyResult, CallOutcome, Plan, PlannedCall
from sesfix.fixes.recorded import (
    Written,
    missing_permission,
    operator_arn,
    operator_gateway,
    refused_identity,
    write_recorded,
)
from sesfix.locale import has, t
from sesfix.masking import redact

if TYPE_CHECKING:
    from sesfix.aws.gateway import Listener
    from sesfix.aws.identity import OperatorSpec
    from sesfix.settings import AppSettings


def apply_plan(
    plan: Plan,
    *,
    settings: AppSettings,
    operator: OperatorSpec | None,
    confirmed: bool,
    progress: Progress | None = None,
    verify_timeout: float | None = None,
    listeners: tuple[Listener, ...] = (),
    cancel: threading.Event | None = None,
) -> ApplyResult:
    """Apply a confirmed plan as the operator, record it, verify it as the app.

    Raises ``RefusedError`` when ``confirmed`` is false (nothing is sent). A noop or
    guidance plan returns at once with status ``noop`` and no AWS call. AWS refusing a
    call is not raised: the result says what was and was not done (``missing_permission``
    names the IAM action the operator lacked and a minimal policy granting it).
    ``verify_timeout`` None means SESFIX_VERIFY_TIMEOUT, else its default (an invalid value
    is a ``UsageError``). Setting ``cancel`` stops the verification wait (the change itself
    stays applied and recorded; ``verified`` is then None).
    """
    say = progress or quiet
    if plan.kind == "guidance":
        return ApplyResult(
            plan.fix_id,
            "noop",
            message=plan.noop_reason or t("apply.guidance_only"),
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
        raise RefusedError(t("apply.not_confirmed"))
    if operator is None:
        raise UsageError(t("apply.needs_operator"))
    if verify_timeout is None:
        from sesfix.config import VERIFY_TIMEOUT

        verify_timeout = VERIFY_TIMEOUT.read()  # UsageError for an invalid value
    fix = fix_entry(plan.fix_id)

    gw = operator_gateway(operator, listeners, (c.call for c in plan.calls))
    target = dict(plan.target)
    arn, who = operator_arn(gw)
    if not who.ok or not who.data:
        return ApplyResult(plan.fix_id, "failed", message=refused_identity(who))
    target["operator_arn"] = arn
    account = str(who.data.get("Account") or "")
    try:
        writer = audit.EntryWriter(
            plan.fix_id, arn, target, note=plan.summary[:300], account=account
        )
    except audit.AuditWriteError as exc:
        return ApplyResult(
            plan.fix_id, "failed", message=t("plans.apply.audit_failed", why=exc.message)
        )
    result = ApplyResult(plan.fix_id, "failed", entry_id=writer.id)
    answers: Answers = {}
    failure: tuple[PlannedCall, Written] | None = None
    unrecorded = ""
    for index, call in enumerate(plan.calls):
        if failure is not None or unrecorded:
            result.calls.append(CallOutcome(call.call, call.cli, "not-run"))
            continue
        say(f"{call.call}: {call.purpose}")
        try:
            written = write_recorded(
                gw,
                writer,
                name=call.call,
                service=call.service,
                operation=call.operation,
                region=call.region,
                params=call.params,
                cli=call.cli,
                undo=call.undo,
                covered=call.covered,
            )
        except audit.AuditWriteError as exc:  # the intent could not be recorded: not sent
            unrecorded = exc.message
            result.calls.append(CallOutcome(call.call, call.cli, "not-run", message=exc.message))
            continue
        res = written.response
        if written.ok:
            result.calls.append(CallOutcome(call.call, call.cli, "ok"))
            answers[index] = res.data or {}
            continue
        result.calls.append(
            CallOutcome(
                call.call, call.cli, written.status, res.error_code or "", res.error_message
            )
        )
        failure = (call, written)
    done = [c for c in result.calls if c.status == "ok"]
    if unrecorded:
        result.status = "partial" if done else "failed"
        result.message = redact(
            t(
                "apply.unrecorded",
                why=unrecorded,
                done=", ".join(c.call for c in done) if done else t("apply.nothing"),
            )
        )
    elif failure is None:
        result.status = "applied"
    else:
        result.status = "partial" if done else "failed"
        call, written = failure
        if written.response.denied:
            result.missing_permission = missing_permission(written.response, call.params, target)
        hint = f"plans.failure_hint.{fix.id}"
        hint = t(hint) if fix.failure_hint and has(hint) else fix.failure_hint
        result.message = _failure_message(call, written, result, hint)
    writer.end(result.status)
    if result.status == "applied":
        say(t("plans.apply.verifying"))
        if fix.after_apply is not None:
            fix.after_apply(plan, answers, target, result)
        if fix.verify is not None:
            ctx = VerifyContext(
                plan, settings, operator, result, verify_timeout, say, listeners, cancel
            )
            verified, detail = fix.verify(ctx)
            result.verified, result.verification_detail = verified, detail
            writer.verified(verified, detail)
        if not result.message:
            result.message = plan.summary
    if writer.incomplete:
        result.audit_incomplete = "; ".join(dict.fromkeys(writer.incomplete))
        result.message = (result.message + " " if result.message else "") + incomplete_note(result)
    return result


def incomplete_note(result: ApplyResult) -> str:
    """What a person must know when lines of the change are missing from the audit log."""
    kept = ""
    if result.new_key is not None:
        kept = " " + t("apply.incomplete_key", key=result.new_key.masked)
    return redact(t("apply.incomplete", why=result.audit_incomplete) + kept)


def _failure_message(call: PlannedCall, written: Written, result: ApplyResult, hint: str) -> str:
    res = written.response
    code = res.error_code or res.record.outcome
    if res.denied:
        why = t("apply.why.denied", call=call.call)
    elif res.unreachable and res.http_status is None:
        why = t("apply.why.no_answer", call=call.call, code=code)
    elif res.unreachable:
        why = t("apply.why.not_accepted", call=call.call, code=code, message=res.error_message)
    else:
        why = t("apply.why.refused", call=call.call, code=code, message=res.error_message)
    done = [c.call for c in result.calls if c.status == "ok"]
    not_run = [c.call for c in result.calls if c.status == "not-run"]
    parts: list[Any] = [why + "."]
    parts.append(t("apply.done_before", done=", ".join(done) if done else t("apply.nothing")))
    if not_run:
        parts.append(t("apply.not_attempted", calls=", ".join(not_run)))
    if done:
        parts.append(t("apply.undo_hint"))
    if hint and not res.denied:
        parts.append(hint)
    return redact(" ".join(parts))
