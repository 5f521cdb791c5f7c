"""Undo a recorded change: the calls its audit entry recorded, newest first, as the operator.

Each undo call must be one the fix declares as an inverse of the forward call, with the
parameters that must match (the same user, the same policy) equal to the forward call's:
a recorded undo call that disagrees is not run, whatever the audit log says.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sesfix.aws.gateway import cli_command
from sesfix.errors import RefusedError, UsageError
from sesfix.fixes import audit
from sesfix.fixes.catalogue import FIXES
from sesfix.fixes.context import Progress, call_name, quiet
from sesfix.fixes.model import AuditCall, AuditEntry, CallOutcome, UndoCall, UndoResult
from sesfix.fixes.recorded import (
    missing_permission,
    operator_arn,
    operator_gateway,
    write_recorded,
)
from sesfix.masking import mask_key_id, redact

if TYPE_CHECKING:
    from sesfix.aws.gateway import Listener
    from sesfix.aws.identity import OperatorSpec

Step = tuple[AuditCall, int, UndoCall]


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


def _unfilled(u: UndoCall) -> bool:
    return any(u.params.get(name) in ("", None) for name in u.fill)


def _undo_steps(entry: AuditEntry, entries: list[AuditEntry]) -> tuple[list[Step], list[str]]:
    """The undo calls still to run (newest change first) and what cannot be undone."""
    fix = FIXES.get(entry.fix_id)
    done: set[tuple[int, int]] = set()
    for e in entries:
        if e.kind == "undo" and e.undoes == entry.id:
            for c in e.calls:
                if c.status == "ok" and c.reverses and len(c.reverses) == 2:
                    done.add((int(c.reverses[0]), int(c.reverses[1])))
    steps: list[Step] = []
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
            if fix is None or not fix.undo_allowed(call.call, call.params, u):
                cannot.append(
                    f"{call_name(u.service, u.operation)} is not how {entry.fix_id} undoes "
                    f"{call.call} for these parameters: not run (check it by hand: {call.cli})"
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
    say = progress or quiet
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
    calls = [call_name(u.service, u.operation) for _c, _i, u in steps]
    gw = operator_gateway(operator, listeners, calls)
    arn, _who = operator_arn(gw)
    writer = audit.EntryWriter(entry.fix_id, arn, entry.target, kind="undo", undoes=entry.id)
    result = UndoResult(entry.id, writer.id, "failed")
    failed = False
    for (call, idx, u), name in zip(steps, calls, strict=True):
        cli = _undo_cli(u)
        if failed:
            result.calls.append(CallOutcome(name, cli, "not-run"))
            continue
        say(f"{name} (undoing {call.call})")
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
    ok = [c for c in result.calls if c.status == "ok"]
    if not failed and not cannot:
        result.status = "undone"
    elif ok:
        result.status = "partial"
    writer.end(result.status)
    if result.status == "undone":
        audit.mark_undone(entry.id, writer.id)
        fix = FIXES.get(entry.fix_id)
        if fix is not None and fix.after_undo is not None:
            fix.after_undo(entry)
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
