"""The fix registry. A fix id, once published, is a public contract (like finding ids).

Each fix is declared once, as a :class:`~sesfix.fixes.context.Fix` in its family's module;
:data:`PUBLISHED` below is the order they are shown in. ``answers`` is derived from
:data:`sesfix.findings.CATALOGUE`, so a finding that names a fix and the fix that answers
it can never disagree.

Adding a fix: declare it in its family's module (plan, verify, the inverse of each write),
add its id to :data:`PUBLISHED`, add its texts to the locale files and its tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from sesfix.errors import UsageError
from sesfix.findings import CATALOGUE as FINDINGS
from sesfix.fixes import account, delivery, domain, iam, keys, smtp, variables
from sesfix.fixes.context import (
    Fix,
    PlanContext,
    ReadRefused,
    operator_gate,
)
from sesfix.fixes.model import FixSpec, Plan
from sesfix.locale import has, t
from sesfix.masking import mask_key_id
from sesfix.settings import clean

if TYPE_CHECKING:
    from sesfix.aws.gateway import Listener
    from sesfix.aws.identity import OperatorSpec
    from sesfix.diagnosis.report import Report
    from sesfix.settings import AppSettings

#: Every fix id, in the order people see them.
PUBLISHED: tuple[str, ...] = (
    "attach-ses-full-access",
    "create-custom-policy",
    "rotate-access-key",
    "retire-old-key",
    "reactivate-access-key",
    "verify-domain",
    "request-production-access",
    "set-variable",
    "set-email-provider",
    "clean-variable",
    "set-ses-region",
    "add-session-token",
    "use-long-term-key",
    "remove-session-token",
    "sync-clock",
    "remove-explicit-deny",
    "relax-permissions-boundary",
    "use-operator-profile",
    "enable-opt-in-region",
    "resume-sending",
    "derive-smtp-password",
    "set-smtp-port",
    "switch-to-ses-api",
    # delivery readiness (issue 15)
    "verify-recipient",
    "unsuppress-recipient",
    "show-dns-records",
)


def _registry() -> dict[str, Fix]:
    declared: dict[str, Fix] = {}
    for family in (iam, keys, domain, account, variables, smtp, delivery):
        for fix in family.FIXES:
            if fix.id in declared:
                raise RuntimeError(f"fix {fix.id} is declared twice")
            declared[fix.id] = fix
    if set(declared) != set(PUBLISHED):
        raise RuntimeError(
            "declared and published fixes differ: "
            + ", ".join(sorted(set(declared) ^ set(PUBLISHED)))
        )
    return {fid: declared[fid] for fid in PUBLISHED}


#: fix id -> its declared object (plan, verify, hooks, inverses).
FIXES: Mapping[str, Fix] = _registry()


def _answers(fix_id: str) -> tuple[str, ...]:
    return tuple(f.id for f in FINDINGS.values() if fix_id in f.fixes)


FIX_CATALOGUE: dict[str, FixSpec] = {
    fix.id: FixSpec(
        id=fix.id,
        title=fix.title,
        kind=fix.kind,
        answers=_answers(fix.id),
        needs_operator=fix.kind == "aws",
        undoable=fix.undoable,
        description=fix.description,
    )
    for fix in FIXES.values()
}

#: The fixes that change only what lives outside AWS (the app's variables, the clock...).
GUIDANCE_FIXES = frozenset(fid for fid, fix in FIXES.items() if fix.kind == "guidance")


def fix_spec(fix_id: str) -> FixSpec:
    """The spec of ``fix_id``; ``UsageError`` (exit 2) naming the known ids otherwise."""
    spec = FIX_CATALOGUE.get(fix_id)
    if spec is None:
        raise UsageError(
            f"unknown fix {fix_id!r}", hint="known fixes: " + ", ".join(sorted(FIX_CATALOGUE))
        )
    return spec


def fix_entry(fix_id: str) -> Fix:
    """The declared fix ``fix_id``; ``UsageError`` for an unknown id."""
    fix_spec(fix_id)
    return FIXES[fix_id]


def plan_fix(
    fix_id: str,
    report: Report,
    settings: AppSettings,
    *,
    operator: OperatorSpec | None,
    inputs: Mapping[str, str] | None = None,
    listeners: tuple[Listener, ...] = (),
) -> Plan:
    """What ``fix_id`` would change, from ``report``'s context; makes read calls only.

    Raises ``UsageError`` for an unknown fix id. Never writes to AWS. For a fix that
    needs typed values (``request-production-access``, choosing which key to delete)
    the plan lists ``inputs_needed`` until ``inputs`` supplies them.
    """
    spec = fix_spec(fix_id)
    fix = FIXES[fix_id]
    rc = report.context
    ctx = PlanContext(
        fix_id=fix_id,
        report=report,
        settings=settings,
        operator=operator,
        inputs={k: str(v) for k, v in (inputs or {}).items()},
        listeners=listeners,
        user=rc.app_user,
        account=rc.app_account,
        region=rc.region,
        domain=rc.domain,
        sender=rc.sender,
        key_id=clean(settings.access_key_id) if settings.access_key_id else None,
    )
    # Written in the reader's language (the English texts are the fixes' own); ids are not.
    described = f"plans.description.{fix_id}"
    summary = t(described) if has(described) else spec.description
    plan = Plan(fix_id=fix_id, title=t(f"fix.{fix_id}.title"), kind=spec.kind, summary=summary)
    plan.inputs = dict(ctx.inputs)
    if fix.kind == "guidance":
        fix.plan(ctx, plan)
        plan.summary = plan.summary or t("plans.guidance_default")
    else:
        try:
            refused = operator_gate(ctx)
            if not refused:
                fix.plan(ctx, plan)
                _check_declared(fix, plan)
            else:
                plan.refused = refused
        except ReadRefused as exc:
            plan.refused = exc.reason
            plan.missing_permission = exc.missing
    own = dict(plan.target)  # what the fix itself named (e.g. the recipient it acts on)
    plan.target = {
        "user": ctx.user,
        "account": ctx.account,
        "region": ctx.region,
        "domain": ctx.domain,
        "key_id": mask_key_id(ctx.key_id) if ctx.key_id else None,
        "operator_arn": ctx.operator_arn,
        "operator_profile": operator.profile if operator else None,
        "source": settings.source,
    }
    plan.target.update({k: v for k, v in own.items() if k not in plan.target})
    return plan


def _check_declared(fix: Fix, plan: Plan) -> None:
    """Every planned write and each of its undo calls is one the fix declares."""
    for call in plan.calls:
        if call.call not in fix.inverse:
            raise RuntimeError(f"{fix.id} plans {call.call} but does not declare its inverse")
        for u in call.undo:
            if not fix.undo_allowed(call.call, call.params, u):
                raise RuntimeError(
                    f"{fix.id} plans an undo of {call.call} that its declared inverses refuse"
                )
