"""Undo a recorded change: the calls its audit entry recorded, newest first, as the operator.

The audit log is a file anyone with the user's rights can edit, so nothing in it is run on
its word. Before an undo call is run:

* it must be one the fix declares as an inverse of the forward call, with the parameters
  that must match (the same user, the same policy) equal to the forward call's;
* its parameters must agree with the entry's recorded target: the same IAM user, a policy
  of the entry's account, the entry's domain and region;
* the operator must work in the account the change was made in (``sts:GetCallerIdentity``
  as the operator), and a practice entry is never undone outside practice (nor a real one
  in practice);
* AWS must still be as the change left it (:mod:`sesfix.fixes.drift`), unless forced.

A line that fails any of this is reported with its line number and skipped, never run.
``--last`` takes only a change of the last :data:`LAST_MAX_AGE`; an older one must be
named by its entry id.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sesfix.aws.gateway import cli_command
from sesfix.errors import RefusedError, UsageError
from sesfix.fixes import audit, drift
from sesfix.fixes.catalogue import FIXES
from sesfix.fixes.context import Progress, call_name, quiet
from sesfix.fixes.model import AuditCall, AuditEntry, CallOutcome, UndoCall, UndoResult
from sesfix.fixes.recorded import (
    missing_permission,
    operator_arn,
    operator_gateway,
    refused_identity,
    write_recorded,
)
from sesfix.locale import t
from sesfix.locations import audit_log_path, practice_run, practice_scenario
from sesfix.masking import mask_key_id, redact
from sesfix.text import visible

if TYPE_CHECKING:
    from sesfix.aws.gateway import Gateway, Listener
    from sesfix.aws.identity import OperatorSpec

Step = tuple[AuditCall, int, UndoCall]

#: ``undo --last`` takes no change older than this; older ones are named by their id.
LAST_MAX_AGE = _dt.timedelta(hours=24)


def age_text(seconds: float) -> str:
    """``3 d 4 h``, ``5 h 2 min``, ``12 min``, ``40 s``: how long ago, for people."""
    s = max(0, int(seconds))
    days, rest = divmod(s, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min"
    return f"{secs} s"


def entry_age(entry: AuditEntry, now: _dt.datetime | None = None) -> float | None:
    """Seconds since ``entry`` was applied; ``None`` when its time is not a time."""
    when = audit.parse_time(entry.time)
    if when is None:
        return None
    return ((now or _dt.datetime.now(_dt.UTC)) - when).total_seconds()


def entry_account(entry: AuditEntry) -> str:
    """The account the change was made in (older entries: from the operator's ARN)."""
    if entry.account:
        return entry.account
    parts = entry.operator_arn.split(":")
    if len(parts) >= 5 and parts[0] == "arn" and parts[4].isdigit():
        return parts[4]
    return str(entry.target.get("account") or "")


def _find_entry(
    entries: list[AuditEntry], entry_id: str | None, now: _dt.datetime | None = None
) -> AuditEntry:
    applies = [e for e in entries if e.kind == "apply"]
    if not applies:
        raise UsageError(t("undo.list.empty", path=str(audit_log_path())))
    if entry_id:
        matches = [e for e in applies if e.id == entry_id] or [
            e for e in applies if e.id.startswith(entry_id)
        ]
        if len(matches) != 1:
            key = "undo.none_matches" if not matches else "undo.many_match"
            raise UsageError(t(key, id=redact(entry_id[:60])), hint=t("undo.list_hint"))
        return matches[0]
    run = practice_run()
    candidates = [
        e
        for e in applies
        if not e.undone_by and e.changed_anything and (not run or e.practice_run == run)
    ]
    if not candidates:
        raise UsageError(t("undo.none_this_run" if run else "undo.all_undone"))
    last = candidates[-1]
    age = entry_age(last, now)
    if age is None or age > LAST_MAX_AGE.total_seconds():
        raise RefusedError(
            t(
                "undo.too_old",
                id=last.id,
                fix=last.fix_id,
                age=t("undo.ago", age=age_text(age)) if age is not None else t("undo.age_unknown"),
                hours=int(LAST_MAX_AGE.total_seconds() // 3600),
            )
        )
    return last


def _q(value: object) -> str:
    """An outside value (from the log) quoted as visible text, capped."""
    return "'" + visible(value, limit=100) + "'"


def _unfilled(u: UndoCall) -> bool:
    return any(u.params.get(name) in ("", None) for name in u.fill)


def _target_problem(entry: AuditEntry, call: AuditCall, u: UndoCall) -> str:
    """Empty when the undo call acts on the entry's own target; what differs otherwise."""
    target = entry.target
    account = entry_account(entry)
    for params in (call.params, u.params):
        user = params.get("UserName")
        if user is not None and user != target.get("user"):
            return t("undo.why.user", value=_q(user), user=_q(target.get("user")))
        arn = params.get("PolicyArn")
        if arn is not None and not (
            isinstance(arn, str)
            and (
                arn.startswith(f"arn:aws:iam::{account}:policy/")
                or (call.call == "iam:AttachUserPolicy" and arn.startswith("arn:aws:iam::aws:"))
            )
        ):
            return t("undo.why.policy", value=_q(arn), account=account)
        for name in ("Domain", "Identity"):
            value = params.get(name)
            # the sender's domain, or the test inbox verify-recipient verified
            if value is not None and value not in (target.get("domain"), target.get("recipient")):
                return t("undo.why.identity", value=_q(value))
    if call.call == "iam:CreatePolicy":
        wanted = f"arn:aws:iam::{account}:policy/{call.params.get('PolicyName')}"
        if u.params.get("PolicyArn") != wanted:
            return t("undo.why.policy_created")
    if u.service in ("ses", "sesv2") and target.get("region") and u.region != target["region"]:
        return t("undo.why.region", value=_q(u.region), region=_q(target["region"]))
    if u.operation == "create_policy_version" and u.params.get("SetAsDefault") is not False:
        return t("undo.why.default_version")
    if (
        u.operation == "delete_access_key"
        and entry.fix_id == "rotate-access-key"
        and not str(u.params.get("AccessKeyId", "")).startswith("AKIA")
    ):
        return t("undo.why.key")
    return ""


@dataclass
class UndoPlan:
    """What undoing ``entry`` would run, what it cannot, and which log lines were skipped."""

    entry: AuditEntry
    steps: list[Step] = field(default_factory=list)
    cannot: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def commands(self) -> list[str]:
        return [_undo_cli(u) for _c, _i, u in self.steps]


def _done_steps(entry: AuditEntry, entries: list[AuditEntry]) -> set[tuple[int, int]]:
    done: set[tuple[int, int]] = set()
    for e in entries:
        if e.kind == "undo" and e.undoes == entry.id:
            for c in e.calls:
                if c.status == "ok" and c.reverses and len(c.reverses) == 2:
                    done.add((int(c.reverses[0]), int(c.reverses[1])))
    return done


def _undo_steps(entry: AuditEntry, entries: list[AuditEntry]) -> tuple[list[Step], list[str]]:
    """The undo calls still to run (newest change first) and what cannot be undone."""
    fix = FIXES.get(entry.fix_id)
    done = _done_steps(entry, entries)
    steps: list[Step] = []
    cannot: list[str] = []
    for call in reversed(entry.calls):
        if call.status not in ("ok", "unknown"):
            continue
        if not call.undo:
            if not call.covered:
                cannot.append(t("undo.cannot.irreversible", call=_q(call.call)[1:-1]))
            continue
        for idx, u in enumerate(call.undo):
            if (call.seq, idx) in done:
                continue
            if _unfilled(u):
                cannot.append(
                    t("undo.cannot.interrupted", call=_q(call.call)[1:-1], cli=visible(call.cli))
                )
                continue
            name = call_name(u.service, u.operation)
            why = ""
            if fix is None:
                why = t("undo.why.unknown_fix", fix=_q(entry.fix_id))
            elif not fix.undo_allowed(call.call, call.params, u):
                why = t(
                    "undo.why.not_inverse", call=name, fix=entry.fix_id, forward=_q(call.call)[1:-1]
                )
            else:
                why = _target_problem(entry, call, u)
            if why:
                cannot.append(
                    redact(t("undo.line_skipped", line=call.undo_line or call.line, why=why))
                )
                continue
            steps.append((call, idx, u))
    return steps, cannot


def _undo_cli(u: UndoCall) -> str:
    """For people: key IDs masked (the audit log keeps the full ID in ``params`` for undo)."""
    return redact(cli_command(u.service, u.operation, u.region, u.params))


def plan_undo(entry_id: str | None = None, now: _dt.datetime | None = None) -> UndoPlan:
    """What undoing ``entry_id`` (``None``: ``--last``) would run; reads the log only."""
    log = audit.read_log()
    entry = _find_entry(log.entries, entry_id, now)
    steps, cannot = _undo_steps(entry, log.entries)
    return UndoPlan(entry, steps, cannot, list(log.problems))


def undo_preview(entry_id: str | None = None) -> tuple[AuditEntry, list[str]]:
    """The entry ``undo`` would reverse and the AWS CLI commands it would run."""
    plan = plan_undo(entry_id)
    notes = [f"# {c}" for c in plan.cannot]
    for _c, _i, u in plan.steps:
        if u.operation == "delete_access_key":
            key = mask_key_id(str(u.params.get("AccessKeyId")))
            notes.append(t("undo.warn_delete_key", key=key))
    return plan.entry, plan.commands() + notes


def _origin_problem(entry: AuditEntry) -> str:
    practising = practice_scenario() is not None
    if entry.origin.startswith("practice") and not practising:
        return t("undo.practice_outside", id=entry.id)
    if entry.origin == "real" and practising:
        return t("undo.real_in_practice", id=entry.id)
    if practising and entry.practice_run != practice_run():
        return t("undo.earlier_practice", id=entry.id)
    return ""


def check_undo(gw: Gateway, plan: UndoPlan) -> tuple[str, list[str]]:
    """``(refusal, drift)``: why undo must not run at all, and how AWS moved on since."""
    entry = plan.entry
    refusal = _origin_problem(entry)
    if refusal:
        return refusal, []
    _arn, who = operator_arn(gw)
    if not who.ok or not who.data:
        return refused_identity(who), []
    now_in = str(who.data.get("Account") or "")
    made_in = entry_account(entry)
    if not made_in or now_in != made_in:
        return t("undo.other_account", made=made_in or "?", now=now_in or "?"), []
    differences: list[str] = []
    seen: set[int] = set()
    for call, _idx, u in plan.steps:
        # an ``unknown`` call (no answer came) left nothing known to compare with
        if call.seq in seen or call.status != "ok":
            continue
        seen.add(call.seq)
        differences.extend(drift.differences(gw, call, u.region))
    return "", differences


def undo(
    entry_id: str | None = None,
    *,
    operator: OperatorSpec | None,
    confirmed: bool,
    progress: Progress | None = None,
    listeners: tuple[Listener, ...] = (),
    force: bool = False,
) -> UndoResult:
    """Reverse a recorded change (``None``: the last one not yet undone, of the last 24 h).

    Raises ``RefusedError`` when not confirmed (or ``--last`` finds only an older change),
    ``UsageError`` for an unknown entry. Status ``refused`` (nothing sent) when the
    operator works in another account than the change, or when AWS moved on since the
    change (``drift``) and ``force`` is false. Undo calls run as the operator, newest
    first, only those the fix declares as inverses, and are themselves recorded.
    """
    say = progress or quiet
    plan = plan_undo(entry_id)
    entry = plan.entry
    if entry.undone_by:
        return UndoResult(
            entry.id, "", "nothing", message=t("undo.msg.already", id=entry.undone_by)
        )
    steps, cannot = plan.steps, plan.cannot
    if not steps:
        return UndoResult(
            entry.id, "", "nothing", message="; ".join(cannot) or t("undo.msg.no_call")
        )
    if not confirmed:
        raise RefusedError(t("undo.msg.not_confirmed"))
    if operator is None:
        raise UsageError(t("undo.needs_operator"))
    calls = [call_name(u.service, u.operation) for _c, _i, u in steps]
    gw = operator_gateway(operator, listeners, calls)
    refusal, moved = check_undo(gw, plan)
    if refusal:
        return UndoResult(entry.id, "", "refused", message=redact(refusal))
    if moved and not force:
        return UndoResult(
            entry.id,
            "",
            "refused",
            message=t("undo.drift_refused", drift="; ".join(moved)),
            drift=list(moved),
        )
    arn, who = operator_arn(gw)
    account = str((who.data or {}).get("Account") or "")
    try:
        writer = audit.EntryWriter(
            entry.fix_id, arn, entry.target, kind="undo", undoes=entry.id, account=account
        )
    except audit.AuditWriteError as exc:
        message = t("plans.undo.audit_failed", why=exc.message)
        return UndoResult(entry.id, "", "failed", message=message)
    result = UndoResult(entry.id, writer.id, "failed", drift=list(moved))
    failed = _run_steps(gw, writer, entry, steps, calls, result, say)
    ok = [c for c in result.calls if c.status == "ok"]
    if not failed and not cannot:
        result.status = "undone"
    elif ok:
        result.status = "partial"
    writer.end(result.status)
    if result.status == "undone":
        writer.mark_undone(entry.id)
        fix = FIXES.get(entry.fix_id)
        if fix is not None and fix.after_undo is not None:
            fix.after_undo(entry)
    result.message = _message(entry, result, failed, cannot, moved)
    if writer.incomplete:
        result.audit_incomplete = "; ".join(dict.fromkeys(writer.incomplete))
        result.message += " " + t("undo.audit_incomplete", why=result.audit_incomplete)
    return result


def _run_steps(
    gw: Gateway,
    writer: audit.EntryWriter,
    entry: AuditEntry,
    steps: list[Step],
    calls: list[str],
    result: UndoResult,
    say: Progress,
) -> bool:
    """Run the undo calls in order, recorded; stop at the first failure (True then)."""
    failed = False
    for (call, idx, u), name in zip(steps, calls, strict=True):
        cli = _undo_cli(u)
        if failed:
            result.calls.append(CallOutcome(name, cli, "not-run"))
            continue
        say(t("undo.msg.progress", call=name, forward=call.call))
        try:
            written = write_recorded(
                gw,
                writer,
                name=name,
                service=u.service,
                operation=u.operation,
                region=u.region,
                params=u.params,
                cli=cli,
                reverses=(call.seq, idx),
                tolerate=u.tolerate,
            )
        except audit.AuditWriteError as exc:  # not recorded, so not sent
            result.calls.append(CallOutcome(name, cli, "not-run", message=exc.message))
            failed = True
            continue
        res = written.response
        if written.ok:
            result.calls.append(CallOutcome(name, cli, "ok", res.error_code or "", written.note))
            continue
        result.calls.append(
            CallOutcome(name, cli, written.status, res.error_code or "", res.error_message)
        )
        if res.denied:
            result.missing_permission = missing_permission(res, u.params, entry.target)
        failed = True
    return failed


def _message(
    entry: AuditEntry, result: UndoResult, failed: bool, cannot: list[str], moved: list[str]
) -> str:
    messages: list[Any] = []
    if failed:
        bad = next(c for c in result.calls if c.status in ("failed", "unknown", "not-run"))
        messages.append(
            t(
                "undo.msg.failed",
                call=bad.call,
                code=bad.error_code or bad.status,
                message=bad.message,
            )
        )
    messages.extend(cannot)
    if moved:
        messages.append(t("undo.forced", drift="; ".join(moved)))
    if not messages:
        return t("undo.msg.reversed", fix=entry.fix_id, id=entry.id)
    return redact("; ".join(messages))
