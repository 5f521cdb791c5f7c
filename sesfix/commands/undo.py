"""``sesfix undo [--last | ENTRY_ID]``: reverse a change sesfix recorded, after confirmation.

Exit 0: undone (or nothing left to undo). 1: failed or partial. 2: usage / not confirmed.
"""

from __future__ import annotations

import argparse
import sys

from sesfix.commands.common import add_source_arguments, resolve_sources
from sesfix.errors import UsageError

HELP = "reverse a change sesfix applied (from its audit log)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("entry_id", nargs="?", metavar="ENTRY_ID", help="the audit entry to undo")
    parser.add_argument(
        "--last", action="store_true", help="the last change not yet undone (the default)"
    )
    parser.add_argument("--list", action="store_true", help="list the recorded changes")
    parser.add_argument("-y", "--yes", action="store_true", help="undo without asking")
    add_source_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from sesfix.commands.fix import confirm, progress_to
    from sesfix.fixes import list_entries, undo, undo_preview

    out = sys.stdout
    if args.list:
        for e in list_entries():
            state = f"undone by {e.undone_by}" if e.undone_by else e.status
            what = f"undoes {e.undoes}" if e.kind == "undo" else e.fix_id
            user = e.target.get("user") or "?"
            out.write(f"{e.id}  {e.time}  {e.kind:<5} {what:<28} user {user:<16} {state}\n")
        return 0
    if args.last and args.entry_id:
        raise UsageError("give either --last or an ENTRY_ID, not both")
    entry, commands = undo_preview(args.entry_id)
    out.write(
        f"Undo {entry.fix_id} ({entry.id}, applied {entry.time} by {entry.operator_arn or '?'}, "
        f"user {entry.target.get('user') or '?'}):\n"
    )
    for cmd in commands:
        out.write(f"  $ {cmd}\n" if not cmd.startswith("#") else f"  {cmd}\n")
    if entry.undone_by:
        out.write(f"Already undone by {entry.undone_by}.\n")
        return 0
    if not any(not c.startswith("#") for c in commands):
        out.write("Nothing left that can be undone.\n")
        return 0
    if getattr(args, "operator_profile", None) is None and entry.target.get("operator_profile"):
        args.operator_profile = entry.target["operator_profile"]
    with resolve_sources(args) as sources:
        if not confirm("Run these commands?", yes=args.yes, out=out):
            out.write("Not confirmed: nothing was changed.\n")
            return 2
        result = undo(
            entry.id,
            operator=sources.operator,
            confirmed=True,
            progress=progress_to(sys.stderr),
        )
    for c in result.calls:
        out.write(f"  {c.status:<8} {c.call}{' ' + c.message if c.message else ''}\n")
    out.write(f"Result: {result.status} — {result.message}\n")
    if result.missing_permission:
        out.write(result.missing_permission.describe() + "\n")
    return 0 if result.status in ("undone", "nothing") else 1
