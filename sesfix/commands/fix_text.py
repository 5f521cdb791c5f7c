"""What ``sesfix fix`` prints: the plan, the result, and the plan's shape without an operator.

Every frame line comes from the message catalogues (``fixes.<lang>.json``), so ``--lang vi``
or the locale applies; ids, calls and CLI lines stay as they are. Text from outside sesfix
(AWS messages, policy documents, values) goes through :func:`sesfix.text.visible`.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, TextIO

from sesfix.locale import t
from sesfix.text import visible

if TYPE_CHECKING:
    from sesfix.diagnosis.report import Report
    from sesfix.fixes.context import Fix
    from sesfix.fixes.model import ApplyResult, Plan


def _line(text: object) -> str:
    return visible(text, limit=None, keep_newlines=True)


def _status(status: str) -> str:
    key = f"undo.state.{status}"
    from sesfix.locale import has

    return t(key) if has(key) else status


def render_plan(plan: Plan, out: TextIO) -> None:
    from sesfix.aws.gateway import cli_command
    from sesfix.masking import redact

    out.write(_line(t("fixcli.heading", fix=plan.fix_id, title=plan.title)) + "\n")
    if plan.summary:
        out.write(_line(plan.summary) + "\n")
    target = {k: v for k, v in plan.target.items() if v and k != "source"}
    if target:
        from sesfix.fixes.targets import target_line

        shown = target_line(target)
        out.write(_line(t("fixcli.target", target=shown)) + "\n")
    if plan.noop:
        out.write("\n" + _line(t("fixcli.nothing", reason=plan.noop_reason)) + "\n")
    if plan.calls:
        out.write("\n" + t("fixcli.calls") + "\n")
        for n, call in enumerate(plan.calls, 1):
            out.write(_line(f"  {n}. {call.call} — {call.purpose}\n     $ {call.cli}") + "\n")
            for u in call.undo:
                fill = {k: f"<{path} {t('fixcli.from_answer')}>" for k, path in u.fill.items()}
                undo_cli = redact(
                    cli_command(u.service, u.operation, u.region, {**u.params, **fill})
                )
                out.write(_line(f"     {t('fixcli.undo')}: {undo_cli}") + "\n")
    for name, doc in plan.documents.items():
        out.write("\n" + _line(t("fixcli.document", name=name)) + "\n")
        out.write(_line(json.dumps(doc, indent=2)) + "\n")
    if plan.diff:
        out.write("\n" + t("fixcli.diff") + "\n" + _line(plan.diff) + "\n")
    if plan.guidance:
        out.write("\n" + "\n".join(_line(g) for g in plan.guidance) + "\n")
    for w in plan.warnings:
        out.write(_line(f"! {w}") + "\n")
    for field in plan.inputs_needed:
        choices = t("fixcli.one_of", choices=", ".join(field.choices)) if field.choices else ""
        out.write(
            _line(t("fixcli.needs", name=field.name, label=field.label, choices=choices)) + "\n"
        )
    if plan.options and plan.applicable:
        variants = "; ".join(
            t("fixcli.variant", name=o.name, label=o.label, default=o.default or t("fixcli.none"))
            for o in plan.options
        )
        out.write(_line(t("fixcli.variants", variants=variants)) + "\n")
    if plan.verify and plan.applicable:
        out.write(_line(t("fixcli.then_verify", verify=plan.verify)) + "\n")


def render_result(result: ApplyResult, out: TextIO) -> None:
    marks = {"ok": "✓", "failed": "✗", "not-run": "·", "unknown": "?"}
    out.write("\n")
    for c in result.calls:
        extra = f" {c.error_code}" if c.error_code else ""
        out.write(_line(f"  {marks[c.status]} {c.call} {c.status}{extra}") + "\n")
    entry = t("fixcli.entry", id=result.entry_id) if result.entry_id else ""
    out.write(t("fixcli.result", status=_status(result.status)) + entry + "\n")
    if result.message:
        out.write(_line(result.message) + "\n")
    if result.missing_permission:
        out.write(result.missing_permission.describe() + "\n")
    if result.new_key is not None:
        key = result.new_key
        if out.isatty():
            from sesfix.commands.output import unsafe

            # The one thing written past the output filter: the new secret, shown once.
            unsafe(out).write(
                "\n" + t("fixcli.new_key_once") + "\n"
                f"  AWS_ACCESS_KEY_ID={key.access_key_id}\n"
                f"  AWS_SECRET_ACCESS_KEY={key.secret.reveal()}\n"
            )
        else:
            out.write("\n" + t("fixcli.new_key_hidden", key=key.masked) + "\n")
    if result.verified is not None or result.verification_detail:
        verdict = t(f"fixcli.verdict.{str(result.verified).lower()}")
        out.write(
            _line(t("fixcli.verification", verdict=verdict, detail=result.verification_detail))
            + "\n"
        )
    for line in result.guidance:
        out.write(_line(line) + "\n")
    if result.audit_incomplete:
        out.write(_line(t("fixcli.audit_incomplete", why=result.audit_incomplete)) + "\n")


#: What planning each kind of write reads first, as the operator.
_UNREAD = {
    "iam:AttachUserPolicy": "fixcli.unread.attached",
    "iam:CreatePolicy": "fixcli.unread.policy",
    "iam:CreatePolicyVersion": "fixcli.unread.policy",
    "iam:CreateAccessKey": "fixcli.unread.keys",
    "iam:UpdateAccessKey": "fixcli.unread.keys",
    "ses:VerifyDomainIdentity": "fixcli.unread.identity",
    "ses:PutAccountDetails": "fixcli.unread.account_details",
}


def unread(fix: Fix) -> list[str]:
    """What planning ``fix`` must read as the operator (and so cannot without one)."""
    keys = ["fixcli.unread.account", "fixcli.unread.user"]
    for call in fix.inverse:
        key = _UNREAD.get(call)
        if key and key not in keys:
            keys.append(key)
    return [t(k) for k in keys]


def _target(report: Report) -> dict[str, str]:
    rc = report.context
    found = {"user": rc.app_user, "account": rc.app_account, "region": rc.region}
    return {k: str(v) for k, v in found.items() if v}


def sketch(fix: Fix, report: Report) -> dict[str, object]:
    """The plan's shape without an operator (for ``--json``): target, calls, what is unread."""
    return {
        "fix_id": fix.id,
        "title": fix.title,
        "summary": fix.description,
        "target": _target(report),
        "may_call": [
            {"call": forward, "undo": [inv.call for inv in inverses]}
            for forward, inverses in fix.inverse.items()
        ],
        "unread": unread(fix),
    }


def render_sketch(fix: Fix, report: Report, out: TextIO) -> None:
    """``fix X --dry-run`` without an operator: the shape of the plan and what is unknown."""
    out.write(_line(t("fixcli.heading", fix=fix.id, title=fix.title)) + "\n")
    from sesfix.locale import has

    described = f"plans.description.{fix.id}"  # the fix's own English, or its translation
    out.write(_line(t(described) if has(described) else fix.description) + "\n")
    target = _target(report)
    if target:
        from sesfix.fixes.targets import target_line

        shown = target_line(target)
        out.write(_line(t("fixcli.target_from_app", target=shown)) + "\n")
    out.write("\n" + t("fixcli.sketch.calls") + "\n")
    for forward, inverses in fix.inverse.items():
        undo = ", ".join(inv.call for inv in inverses) or t("fixcli.sketch.irreversible")
        out.write(f"  · {forward} ({t('fixcli.undo')}: {undo})\n")
    out.write("\n" + _line(t("fixcli.sketch.note", unread="; ".join(unread(fix)))) + "\n")
