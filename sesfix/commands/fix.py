"""``sesfix fix FIX_ID``: diagnose, show the plan, ask, apply as the operator, verify.

Exit 0: applied and verified (or nothing to do). 1: refused, failed, or not verified.
2: usage, or not confirmed (no terminal to ask on and no ``--yes``): nothing changed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

from sesfix.commands.common import add_source_arguments, resolve_sources, source_label
from sesfix.commands.fix_text import render_plan, render_result
from sesfix.errors import RefusedError, UsageError
from sesfix.locale import t

if TYPE_CHECKING:
    from sesfix.fixes.model import Plan
    from sesfix.settings import AppSettings

__all__ = ["add_arguments", "confirm", "progress_to", "render_plan", "render_result", "run"]

HELP = "preview a fix, and apply it as the operator after you confirm"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "fix_id", metavar="FIX_ID", help="the fix to apply, e.g. attach-ses-full-access"
    )
    parser.add_argument("-y", "--yes", action="store_true", help="apply without asking")
    parser.add_argument("--dry-run", action="store_true", help="print the plan and change nothing")
    # SUPPRESS: given after the subcommand it wins; not given, `sesfix --lang vi fix` stands.
    parser.add_argument(
        "--lang",
        choices=["en", "vi"],
        default=argparse.SUPPRESS,
        help="language of the text (ids, CLI lines and JSON field names never change)",
    )
    parser.add_argument(
        "-i",
        "--input",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a value the fix needs or a variant (e.g. get_account=yes, scope=sender, "
        "delete_key=AKIA…WXYZ, mail_type=TRANSACTIONAL); repeatable",
    )
    from sesfix.config import VERIFY_TIMEOUT

    parser.add_argument(
        "--verify-timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="how long to wait for the change to propagate "
        f"(default {VERIFY_TIMEOUT.default:g}; env {VERIFY_TIMEOUT.name})",
    )
    parser.add_argument("--json", action="store_true", help="print the plan and result as JSON")
    add_source_arguments(parser)
    from sesfix.commands import to_railway

    to_railway.add_arguments(parser)


def verify_timeout(args: argparse.Namespace) -> float:
    """``--verify-timeout``, else SESFIX_VERIFY_TIMEOUT, else the default; UsageError if invalid."""
    import math

    from sesfix.config import VERIFY_TIMEOUT

    value = getattr(args, "verify_timeout", None)
    if value is None:
        return VERIFY_TIMEOUT.read()
    if not math.isfinite(value) or not (VERIFY_TIMEOUT.minimum <= value <= VERIFY_TIMEOUT.maximum):
        raise UsageError(
            t(
                "cmdtext.bad_verify_timeout",
                value=f"{value:g}",
                low=f"{VERIFY_TIMEOUT.minimum:g}",
                high=f"{VERIFY_TIMEOUT.maximum:g}",
            )
        )
    return float(value)


def parse_inputs(values: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(t("cmdtext.bad_input", item=repr(item)))
        out[name.strip()] = value
    return out


def progress_to(stream: TextIO) -> Callable[[str], None]:
    def say(message: str) -> None:
        stream.write(f"  … {message}\n")
        stream.flush()

    return say


def can_ask() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def confirm(question: str, *, yes: bool, out: TextIO) -> bool:
    """``--yes``, or a y/N answer on the terminal. Without a terminal: RefusedError (exit 2)."""
    if yes:
        return True
    if not can_ask():
        raise RefusedError(t("fixcli.no_terminal"))
    out.write(f"{question} [y/N] ")
    out.flush()
    try:
        answer = input()
    except EOFError:
        answer = ""
    return answer.strip().lower() in ("y", "yes")


def run(args: argparse.Namespace) -> int:
    from sesfix.diagnosis.engine import DiagnosisOptions, diagnose
    from sesfix.fixes import apply_plan, fix_spec, plan_fix
    from sesfix.locale import detect_language, set_language

    set_language(detect_language(getattr(args, "lang", None)))
    spec = fix_spec(args.fix_id)
    if getattr(args, "to_railway", False) and spec.id not in _HANDS_OVER:
        raise UsageError(t("smtpcli.to_railway_only"))
    inputs = parse_inputs(args.input)
    args.verify_timeout = verify_timeout(args)  # checked before any probe
    from sesfix.commands.output import safe_stream

    # Every line goes out with outside text made visible and secrets masked (the one
    # exception, a new secret shown once on a terminal, writes to the stream underneath).
    out, err = safe_stream(sys.stdout), safe_stream(sys.stderr)
    with resolve_sources(args) as sources:
        if not args.json:
            err.write(
                t("fixcli.diagnosing", fix=spec.id, source=source_label(sources.settings.source))
                + "\n"
            )
        settings = sources.settings
        report = diagnose(settings, DiagnosisOptions(operator=sources.operator))
        if args.dry_run and sources.operator is None and spec.kind == "aws":
            return _sketch(spec.id, report, args.json, out)
        plan = plan_fix(spec.id, report, settings, operator=sources.operator, inputs=inputs)
        if spec.id == "derive-smtp-password" and plan.inputs_needed and _may_ask(args):
            # No secret at hand: the person types it (never echoed, never an --input).
            typed = _ask_secret(settings, out)
            if typed is not None:
                settings = typed
                plan = plan_fix(spec.id, report, typed, operator=sources.operator, inputs=inputs)
        # --yes never answers a question for the person (e.g. which key to delete)
        if plan.inputs_needed and not (args.dry_run or args.json or args.yes) and can_ask():
            for field in plan.inputs_needed:
                inputs[field.name] = _ask_input(field, out)
            plan = plan_fix(spec.id, report, settings, operator=sources.operator, inputs=inputs)
        if args.json:
            return _run_json(args, plan, sources)
        render_plan(plan, out)
        if plan.refused:
            out.write("\n" + t("fixcli.refused", why=plan.refused) + "\n")
            if plan.missing_permission:
                out.write(plan.missing_permission.describe() + "\n")
            return 1
        if plan.kind == "guidance" or plan.noop:
            if spec.id == "derive-smtp-password" and plan.changes and not args.dry_run:
                from sesfix.commands.to_railway import hand_over_smtp

                return hand_over_smtp(plan, settings, args, out)
            return 0
        if plan.inputs_needed:
            names = " ".join(f"--input {i.name}=…" for i in plan.inputs_needed)
            out.write("\n" + t("fixcli.needs_values", names=names) + "\n")
            return 2
        if args.dry_run:
            out.write("\n" + t("fixcli.dry_run") + "\n")
            return 0
        if spec.id == "rotate-access-key":  # before the key exists: where will its secret go?
            from sesfix.fixes.destinations import check_secret_destinations

            check_secret_destinations(
                terminal=out.isatty(),
                to_railway=bool(getattr(args, "to_railway", False)),
                service=getattr(args, "service", None),
                environment=getattr(args, "environment", None),
            )
        if not confirm("\n" + t("fixcli.ask"), yes=args.yes, out=out):
            out.write(t("fixcli.not_confirmed") + "\n")
            return 2
        result = apply_plan(
            plan,
            settings=settings,
            operator=sources.operator,
            confirmed=True,
            progress=progress_to(err),
            verify_timeout=args.verify_timeout,
        )
        render_result(result, out)
        if result.new_key is not None and not getattr(args, "to_railway", False):
            from sesfix.commands.to_railway import renew_smtp_after_rotation

            renew_smtp_after_rotation(result.new_key, settings, out)
        if getattr(args, "to_railway", False) and result.new_key is not None:
            from sesfix.commands.to_railway import after_rotation

            pushed = after_rotation(
                result.new_key, args, out, operator=sources.operator, confirmed=args.yes
            )
            if pushed != 0:
                return pushed
    return 0 if result.status == "applied" and result.verified is not False else 1


def _sketch(fix_id: str, report: object, as_json: bool, out: TextIO) -> int:
    """``--dry-run`` without an operator: the plan's shape, and what could not be read."""
    from sesfix.commands.fix_text import render_sketch, sketch
    from sesfix.fixes.catalogue import fix_entry

    fix = fix_entry(fix_id)
    if as_json:
        doc = {"schema": "sesfix.fix/1", "without_operator": sketch(fix, report)}  # type: ignore[arg-type]
        from sesfix.commands.output import dump_json

        dump_json(doc, sys.stdout)
        return 0
    render_sketch(fix, report, out)  # type: ignore[arg-type]
    out.write("\n" + t("fixcli.dry_run") + "\n")
    return 0


_HANDS_OVER = ("rotate-access-key", "derive-smtp-password")


def _may_ask(args: argparse.Namespace) -> bool:
    return not (args.dry_run or args.json) and can_ask()


def _ask_secret(settings: AppSettings, out: TextIO) -> AppSettings | None:
    """The secret access key, typed without echo; settings carrying it, or None."""
    import getpass
    from dataclasses import replace

    from sesfix.masking import Secret, mask_key_id

    key_id = settings.access_key_id
    try:
        typed = getpass.getpass(
            t("smtpcli.ask_secret", key=mask_key_id(key_id)),
            stream=out,
        )
    except (EOFError, KeyboardInterrupt):
        return None
    if not typed.strip():
        return None
    return replace(settings, secret_access_key=Secret(typed.strip()))


def _run_json(args: argparse.Namespace, plan: Plan, sources: object) -> int:
    from sesfix.fixes import apply_plan

    doc: dict[str, object] = {"schema": "sesfix.fix/1", "plan": plan.to_json()}
    code = 0
    if plan.refused:
        code = 1
    elif plan.inputs_needed:
        code = 2
    elif plan.applicable and not args.dry_run:
        if not args.yes:
            raise RefusedError(t("cmdtext.json_needs_yes"))
        if plan.fix_id == "rotate-access-key":
            raise UsageError(t("cmdtext.rotate_json"))
        result = apply_plan(
            plan,
            settings=sources.settings,  # type: ignore[attr-defined]
            operator=sources.operator,  # type: ignore[attr-defined]
            confirmed=True,
            verify_timeout=args.verify_timeout,
        )
        doc["result"] = {
            "status": result.status,
            "entry_id": result.entry_id,
            "verified": result.verified,
            "verification": result.verification_detail,
            "message": result.message,
            "calls": [c.__dict__ for c in result.calls],
            "guidance": result.guidance,
        }
        code = 0 if result.status == "applied" and result.verified is not False else 1
    from sesfix.commands.output import dump_json

    dump_json(doc, sys.stdout)
    return code


def _ask_input(field: object, out: TextIO) -> str:
    label = getattr(field, "label", "")
    choices = getattr(field, "choices", ())
    default = getattr(field, "default", "")
    hint = f" ({' / '.join(choices)})" if choices else ""
    dflt = f" [{default}]" if default else ""
    if getattr(field, "help", ""):
        out.write(f"  {field.help}\n")  # type: ignore[attr-defined]
    out.write(f"{label}{hint}{dflt}: ")
    out.flush()
    try:
        answer = input().strip()
    except EOFError:
        answer = ""
    return answer or str(default)
