"""``sesfix undo [--last | ENTRY_ID]``: reverse a change sesfix recorded, after confirmation.

Before anything is asked, undo reads (as the operator) who the operator is and how AWS
stands now: it refuses a change made in another account, and one AWS has moved on from
unless ``--force``. ``--last`` takes only a change of the last 24 h; older ones are named
by their entry id. Practice changes (``--demo``) live in their own audit log.

Exit 0: undone (or nothing left to undo). 1: refused, failed or partial. 2: usage / not
confirmed.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, TextIO

from sesfix.commands.common import add_source_arguments, resolve_sources
from sesfix.errors import UsageError

if TYPE_CHECKING:
    from sesfix.fixes.model import AuditEntry, UndoResult

HELP = "reverse a change sesfix applied (from its audit log)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("entry_id", nargs="?", metavar="ENTRY_ID", help="the audit entry to undo")
    # SUPPRESS: given after the subcommand it wins; not given, `sesfix --lang vi undo` stands.
    parser.add_argument(
        "--lang",
        choices=["en", "vi"],
        default=argparse.SUPPRESS,
        help="language of the text (ids, CLI lines and JSON field names never change)",
    )
    parser.add_argument(
        "--last",
        action="store_true",
        help="the last change not yet undone (the default); only one of the last 24 h",
    )
    parser.add_argument("--list", action="store_true", help="list the recorded changes")
    parser.add_argument("-y", "--yes", action="store_true", help="undo without asking")
    parser.add_argument(
        "--force",
        action="store_true",
        help="undo even though AWS changed since the fix (what changed is shown and dropped)",
    )
    add_source_arguments(parser)


def _language(args: argparse.Namespace) -> None:
    from sesfix.locale import detect_language, set_language

    set_language(detect_language(getattr(args, "lang", None)))


def run(args: argparse.Namespace) -> int:
    from sesfix.locations import enter_practice

    _language(args)
    demo = getattr(args, "demo", None)
    leave = enter_practice(demo) if demo else None
    try:
        return _run(args)
    finally:
        if leave is not None:
            leave()


def _state(e: AuditEntry) -> str:
    from sesfix.locale import t

    if e.undone_by:
        return t("undo.list.undone_by", id=e.undone_by)
    return t(f"undo.state.{e.status}") if e.status in _STATES else e.status[:20]


_STATES = ("applied", "partial", "failed", "noop", "interrupted", "undone", "nothing")


def list_changes(out: TextIO, err: TextIO) -> int:
    """``undo --list``: account, origin, age, fix title and state of every recorded change."""
    from sesfix.fixes.audit import read_log
    from sesfix.fixes.reverse import age_text, entry_account, entry_age
    from sesfix.locale import has, t
    from sesfix.locations import audit_log_path, practice_audit_log_path, practice_scenario
    from sesfix.text import visible

    log = read_log()
    for problem in log.problems:
        err.write(visible(t("undo.list.skipped", problem=problem)) + "\n")
    if not log.entries:
        out.write(t("undo.list.empty", path=str(audit_log_path())) + "\n")
    for e in log.entries:
        age = entry_age(e)
        title = t(f"fix.{e.fix_id}.title") if has(f"fix.{e.fix_id}.title") else e.fix_id
        what = t("undo.list.undo_of", id=e.undoes) if e.kind == "undo" else title
        out.write(
            visible(
                f"{e.id}  {t('undo.list.account')} {entry_account(e) or '?'}  "
                f"{e.origin}  {t('undo.ago', age=age_text(age)) if age is not None else '?'}  "
                f"{what} ({e.fix_id})  — {_state(e)}",
                limit=400,
            )
            + "\n"
        )
    if practice_scenario() is None:
        practice = practice_audit_log_path()
        if practice.exists() and practice.stat().st_size > 0:
            out.write(t("undo.list.practice_apart") + "\n")
    return 0


def _run(args: argparse.Namespace) -> int:
    from sesfix.commands.fix import confirm, progress_to
    from sesfix.commands.output import safe_stream
    from sesfix.fixes import undo
    from sesfix.fixes.recorded import operator_gateway
    from sesfix.fixes.reverse import age_text, check_undo, entry_account, entry_age, plan_undo
    from sesfix.locale import t
    from sesfix.locations import practice_scenario
    from sesfix.text import visible

    # Every line goes out with outside text made visible and secrets masked.
    out, err = safe_stream(sys.stdout), safe_stream(sys.stderr)
    if args.list:
        return list_changes(out, err)
    if args.last and args.entry_id:
        raise UsageError(t("undo.last_and_id"))
    plan = plan_undo(args.entry_id)
    entry = plan.entry
    for problem in plan.problems:
        err.write(visible(t("undo.list.skipped", problem=problem)) + "\n")
    age = entry_age(entry)
    out.write(
        visible(
            t(
                "undo.cli.header",
                fix=entry.fix_id,
                id=entry.id,
                age=t("undo.ago", age=age_text(age)) if age is not None else "?",
                operator=entry.operator_arn or "?",
                user=entry.target.get("user") or "?",
                account=entry_account(entry) or "?",
                origin=entry.origin,
            ),
            limit=600,
        )
        + "\n"
    )
    for cmd in plan.commands():
        out.write(visible(f"  $ {cmd}", limit=2000) + "\n")
    for note in plan.cannot:
        out.write(visible(f"  # {note}", limit=600) + "\n")
    if entry.undone_by:
        out.write(t("undo.cli.already", id=entry.undone_by) + "\n")
        return 0
    if not plan.steps:
        out.write(t("undo.cli.nothing_left") + "\n")
        return 0
    if (
        getattr(args, "operator_profile", None) is None
        and practice_scenario() is None
        and entry.target.get("operator_profile")
    ):
        args.operator_profile = entry.target["operator_profile"]
    with resolve_sources(args) as sources:
        if sources.operator is None:
            raise UsageError(t("undo.needs_operator"))
        gw = operator_gateway(sources.operator, (), ())  # reads only: no write is allowed
        refusal, moved = check_undo(gw, plan)
        if refusal:
            out.write(visible(t("undo.cli.refused", why=refusal), limit=800) + "\n")
            return 1
        if moved:
            out.write(t("undo.cli.drift") + "\n")
            for d in moved:
                out.write(visible(f"  ≠ {d}", limit=600) + "\n")
            if not args.force:
                out.write(t("undo.cli.drift_refused") + "\n")
                return 1
            out.write(t("undo.cli.forcing") + "\n")
        if not confirm(t("undo.cli.ask"), yes=args.yes, out=out):
            out.write(t("undo.cli.not_confirmed") + "\n")
            return 2
        result = undo(
            entry.id,
            operator=sources.operator,
            confirmed=True,
            progress=progress_to(err),
            force=args.force,
        )
    return render_undo(result, out)


def render_undo(result: UndoResult, out: TextIO) -> int:
    from sesfix.locale import t
    from sesfix.text import visible

    for c in result.calls:
        out.write(visible(f"  {c.status:<8} {c.call}{' ' + c.message if c.message else ''}") + "\n")
    out.write(
        visible(
            t("undo.cli.result", status=t(f"undo.state.{result.status}"), message=result.message),
            limit=2000,
        )
        + "\n"
    )
    if result.missing_permission:
        out.write(result.missing_permission.describe() + "\n")
    return 0 if result.status in ("undone", "nothing") else 1
