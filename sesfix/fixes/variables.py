"""Guidance fixes: what lives outside AWS (the app's variables, the clock, the operator).

No AWS call. Each line says exactly which variable to change to what; secrets are never
shown (only their length), key IDs are masked. Where the change is a plain variable edit
the plan also carries it as data (:attr:`Plan.changes`), derived from the report's
findings and the current values, which practice mode applies as it is.
"""

from __future__ import annotations

import json
import string
from typing import TYPE_CHECKING

from sesfix.aws import regions
from sesfix.fixes.context import Fix, PlanContext, PlanStep, findings
from sesfix.fixes.model import Plan, VariableChange
from sesfix.fixes.targets import source_text
from sesfix.locale import t
from sesfix.masking import Secret, mask_key_id, redact
from sesfix.settings import (
    EMAIL_FROM,
    KEY_ID,
    PROVIDER,
    REGION,
    SECRET,
    SECRET_VARIABLES,
    TOKEN,
    VARIABLES,
    clean,
    whitespace_spots,
)
from sesfix.text import visible

if TYPE_CHECKING:
    from sesfix.findings import Finding


def _relevant(ctx: PlanContext) -> list[Finding]:
    """The findings that name this fix: the evidence the learner sees."""
    return [f for f in ctx.report.findings if ctx.fix_id in f.fixes]


def _change(plan: Plan, name: str, value: str | None) -> None:
    plan.changes.append(VariableChange(name, Secret(value) if value is not None else None))


# ---- the variable changes, as data ----------------------------------------------------------


def _region_change(ctx: PlanContext, plan: Plan) -> None:
    for f in _relevant(ctx):
        found = f.data.get("verified_regions") or []
        if found:
            _change(plan, REGION, str(found[0]))
            return


def _clean_changes(ctx: PlanContext, plan: Plan) -> None:
    names: list[str] = []
    for f in _relevant(ctx):
        variable = f.data.get("variable")
        if variable in VARIABLES:
            names.append(str(variable))
        elif f.id == "credentials.key_id_malformed":
            names.append(KEY_ID)
        elif f.id == "credentials.secret_malformed":
            names.append(SECRET)
    for name in dict.fromkeys(names):
        value = ctx.settings.raw(name)
        if value is not None and clean(value) != value:
            _change(plan, name, clean(value))


def _provider_change(ctx: PlanContext, plan: Plan) -> None:
    if _relevant(ctx):
        _change(plan, PROVIDER, "ses")


def _token_change(ctx: PlanContext, plan: Plan) -> None:
    if _relevant(ctx):
        _change(plan, TOKEN, None)


# ---- the guidance ------------------------------------------------------------------------------


def _redeploy(ctx: PlanContext) -> str:
    return t("plans.vars.redeploy", source=source_text(ctx.settings.source))


_SECRET_ALPHABET = frozenset(string.ascii_letters + string.digits + "/+=")


def _secret_shaped(value: str) -> bool:
    """A long run of the secret alphabet with mixed kinds of characters: a pasted secret."""
    v = clean(value)
    if not v or not set(v) <= _SECRET_ALPHABET:
        return False
    kinds = sum(
        (
            any(c.isupper() for c in v),
            any(c.islower() for c in v),
            any(c.isdigit() for c in v),
            any(c in "/+=" for c in v),
        )
    )
    return (len(v) >= 30 and kinds >= 2) or (len(v) >= 16 and kinds >= 3)


def _echo(ctx: PlanContext, value: str) -> str:
    """A plain variable's value for a guidance line: never ``repr``, never a secret.

    A value holding the app's secret or session token, or shaped like a secret, is
    described by its length only; anything else is quoted as visible text with key IDs
    masked.
    """
    secrets = [ctx.settings.raw(SECRET), ctx.settings.raw(TOKEN)]
    if any(x and len(clean(x)) >= 6 and clean(x) in value for x in secrets):
        return t("plans.vars.echo.secret", length=len(value))
    if _secret_shaped(value):
        return t("plans.vars.echo.shaped", length=len(value))
    return '"' + redact(visible(value, limit=120), *secrets) + '"'


def _shown(ctx: PlanContext, name: str, value: str | None) -> str:
    if value is None:
        return t("plans.vars.not_set")
    if name == KEY_ID:
        return t("plans.vars.key_shown", key=mask_key_id(value), length=len(value))
    if name in SECRET_VARIABLES:
        return t("plans.vars.length", length=len(value))
    return _echo(ctx, value)


def _spots(value: str) -> list[str]:
    """The invisible characters of ``value``, by position, in the reader's language."""
    return [
        t(
            "plans.vars.spot",
            where=t(f"evidence.lint.where.{s.where}"),
            char=s.name,
            code=s.code,
            position=s.position,
            length=s.length,
        )
        for s in whitespace_spots(value)
    ]


def _region_target(ctx: PlanContext) -> str | None:
    here = ctx.region
    others = [r for r in ctx.report.context.verified_regions if r and r != here]
    if others:
        return others[0]
    raw = ctx.settings.region
    if raw and regions.is_ses_region(clean(raw).lower()):
        return clean(raw).lower()
    if raw:
        hint = regions.closest_region_names(clean(raw))
        if hint:
            return hint[0]
    return None


def _set_variable(ctx: PlanContext, plan: Plan) -> None:
    missing = [str(f.data.get("variable")) for f in findings(ctx, "config.missing_variable")]
    domain = ctx.domain or t("plans.vars.your_domain")
    region = _region_target(ctx) or t("plans.vars.hint.region_example")
    hints = {
        KEY_ID: t("plans.vars.hint.key_id"),
        SECRET: t("plans.vars.hint.secret"),
        REGION: t("plans.vars.hint.region", region=region),
        PROVIDER: "ses",
        EMAIL_FROM: t("plans.vars.hint.email_from", domain=domain),
    }
    for name in missing:
        if name in hints:
            plan.guidance.append(t("plans.vars.set_to", name=name, hint=hints[name]))
    for f in findings(ctx, "config.email_from_invalid"):
        now = f.evidence[0] if f.evidence else "?"
        plan.guidance.append(
            t("plans.vars.email_from_invalid", name=EMAIL_FROM, domain=domain, now=now)
        )
    if not plan.guidance:
        plan.noop = True
        plan.noop_reason = t("plans.vars.all_set")
        return
    plan.guidance.append(_redeploy(ctx))


def _set_provider(ctx: PlanContext, plan: Plan) -> None:
    _provider_change(ctx, plan)
    value = ctx.settings.provider
    if value is not None and value == "ses":
        plan.noop = True
        plan.noop_reason = t("plans.vars.provider_already")
        return
    plan.guidance.append(
        t("plans.vars.provider_set", name=PROVIDER, now=_shown(ctx, PROVIDER, value))
    )
    plan.guidance.append(_redeploy(ctx))


def _clean_variable(ctx: PlanContext, plan: Plan) -> None:
    _clean_changes(ctx, plan)
    names: list[str] = []
    for f in findings(ctx, "credentials.whitespace", "credentials.quoted_value"):
        name = str(f.data.get("variable", ""))
        if name and name not in names:
            names.append(name)
    for name in names:
        raw = ctx.settings.raw(name) or ""
        fixed = clean(raw)
        problems = _spots(raw)
        what = "; ".join(problems[:3]) if problems else t("plans.vars.quotes")
        sizes = {"length": len(fixed), "now": len(raw), "what": what}
        if name == KEY_ID:
            line = t("plans.vars.clean.key_id", name=KEY_ID, key=mask_key_id(fixed), **sizes)
        elif name in SECRET_VARIABLES:
            line = t("plans.vars.clean.secret", name=name, **sizes)
        else:
            now = _echo(ctx, raw)
            line = t(
                "plans.vars.clean.other", name=name, fixed=_echo(ctx, fixed), now=now, what=what
            )
        plan.guidance.append(line)
    if not names:
        plan.noop = True
        plan.noop_reason = t("plans.vars.clean.nothing")
        return
    plan.guidance.append(t("plans.vars.clean.paste"))
    plan.guidance.append(_redeploy(ctx))


def _set_region(ctx: PlanContext, plan: Plan) -> None:
    _region_change(ctx, plan)
    target = _region_target(ctx)
    now = ctx.settings.region
    if (
        target
        and now is not None
        and now == target
        and not findings(
            ctx, "region.identity_not_in_region", "region.invalid", "region.opt_in_disabled"
        )
    ):
        plan.noop = True
        plan.noop_reason = t("plans.vars.region_already", region=target)
        return
    shown_now = _shown(ctx, REGION, now)
    if target:
        verified = bool(ctx.domain) and target in ctx.report.context.verified_regions
        key = "plans.vars.region.set_verified" if verified else "plans.vars.region.set"
        plan.guidance.append(t(key, name=REGION, region=target, now=shown_now, domain=ctx.domain))
    else:
        domain = ctx.domain or t("plans.vars.the_sender")
        plan.guidance.append(
            t("plans.vars.region.unknown", name=REGION, domain=domain, now=shown_now)
        )
    plan.guidance.append(t("plans.vars.region.per_region"))
    if target:
        _smtp_follows_region(ctx, plan, target)
    plan.guidance.append(_redeploy(ctx))


def _smtp_follows_region(ctx: PlanContext, plan: Plan, target: str) -> None:
    """An app that sends through SES's SMTP endpoint sends in SMTP_HOST's region, whatever
    AWS_SES_REGION says: the host moves with the region, and its SMTP password, derived for
    one region, must be derived again (derive-smtp-password)."""
    from sesfix.smtp import endpoints
    from sesfix.smtp.settings import HOST, from_app

    smtp = from_app(ctx.settings)
    if smtp.region is None or smtp.region == target:
        return
    if target in endpoints.NO_SMTP_ENDPOINT:
        plan.guidance.append(t("plans.vars.region.smtp_none", region=target, name=HOST))
        return
    _change(plan, HOST, endpoints.endpoint(target))
    plan.guidance.append(
        t(
            "plans.vars.region.smtp_host",
            name=HOST,
            host=endpoints.endpoint(target),
            now=visible(smtp.clean_host or "", limit=120),
            region=target,
        )
    )


def _add_token(ctx: PlanContext, plan: Plan) -> None:
    key = mask_key_id(ctx.settings.access_key_id)
    plan.guidance.append(t("plans.vars.token.add", name=TOKEN, key=key))
    plan.guidance.append(t("plans.vars.token.better"))
    plan.guidance.append(_redeploy(ctx))


def _long_term(ctx: PlanContext, plan: Plan) -> None:
    plan.guidance.append(t("plans.vars.long_term", key_name=KEY_ID, secret_name=SECRET))
    if ctx.settings.session_token is not None:
        now = _shown(ctx, TOKEN, ctx.settings.raw(TOKEN))
        plan.guidance.append(t("plans.vars.long_term.delete_token", name=TOKEN, now=now))
    plan.guidance.append(_redeploy(ctx))


def _remove_token(ctx: PlanContext, plan: Plan) -> None:
    _token_change(ctx, plan)
    if ctx.settings.session_token is None:
        plan.noop = True
        plan.noop_reason = t("plans.vars.token.not_set", name=TOKEN)
        return
    plan.guidance.append(
        t(
            "plans.vars.token.remove",
            name=TOKEN,
            now=_shown(ctx, TOKEN, ctx.settings.raw(TOKEN)),
            key_name=KEY_ID,
            key=mask_key_id(ctx.settings.access_key_id),
        )
    )
    plan.guidance.append(_redeploy(ctx))


def _sync_clock(ctx: PlanContext, plan: Plan) -> None:
    for f in findings(ctx, "credentials.clock_skew"):
        plan.guidance.extend(t("plans.vars.clock.aws_said", message=e) for e in f.evidence[1:2])
    plan.guidance.extend(
        t(f"plans.vars.clock.{step}")
        for step in ("intro", "linux", "macos", "windows", "containers")
    )


def _operator_profile(ctx: PlanContext, plan: Plan) -> None:
    read_policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": [
                    "iam:GetUser",
                    "iam:ListAccessKeys",
                    "iam:GetAccessKeyLastUsed",
                    "iam:ListAttachedUserPolicies",
                    "iam:ListUserPolicies",
                    "iam:GetUserPolicy",
                    "iam:ListGroupsForUser",
                    "iam:ListAttachedGroupPolicies",
                    "iam:ListGroupPolicies",
                    "iam:GetGroupPolicy",
                    "iam:GetPolicy",
                    "iam:GetPolicyVersion",
                    "iam:SimulatePrincipalPolicy",
                    "ses:GetIdentityVerificationAttributes",
                    "ses:GetIdentityDkimAttributes",
                    "ses:GetSendQuota",
                    "ses:GetAccount",
                ],
                "Resource": "*",
            }
        ],
    }
    plan.guidance.append(t("plans.vars.operator"))
    plan.guidance.append(json.dumps(read_policy, indent=2))


def _enable_region(ctx: PlanContext, plan: Plan) -> None:
    region = ctx.region or (clean(ctx.settings.region).lower() if ctx.settings.region else "?")
    plan.guidance.append(t("plans.vars.opt_in.enable", region=region))
    plan.guidance.append(t("plans.vars.opt_in.other", name=REGION))


def _guide(fix_id: str, title: str, description: str, plan: PlanStep) -> Fix:
    return Fix(
        id=fix_id,
        title=title,
        kind="guidance",
        undoable=False,
        description=description,
        plan=plan,
    )


FIXES = (
    _guide(
        "set-variable",
        "Set the missing variable",
        "Give the app the variable it needs.",
        _set_variable,
    ),
    _guide(
        "set-email-provider",
        "Set EMAIL_PROVIDER=ses",
        "The app sends through SES only when EMAIL_PROVIDER is exactly 'ses'.",
        _set_provider,
    ),
    _guide(
        "clean-variable",
        "Remove invisible characters and quotes from a variable",
        "Paste the value again without spaces, newlines or quotes around it.",
        _clean_variable,
    ),
    _guide(
        "set-ses-region",
        "Set AWS_SES_REGION to the region where the sender is verified",
        "SES identities are per region; the app must use the region that holds its sender.",
        _set_region,
    ),
    _guide(
        "add-session-token",
        "Add AWS_SESSION_TOKEN for the temporary key",
        "A temporary ASIA… key works only with its session token (and expires).",
        _add_token,
    ),
    _guide(
        "use-long-term-key",
        "Use a long-term access key of an IAM user",
        "A server app should not run on temporary credentials.",
        _long_term,
    ),
    _guide(
        "remove-session-token",
        "Remove the stale AWS_SESSION_TOKEN",
        "A session token beside a long-term key makes AWS reject the request.",
        _remove_token,
    ),
    _guide("sync-clock", "Synchronise the clock", "Turn on NTP time sync.", _sync_clock),
    _guide(
        "use-operator-profile",
        "Give sesfix an operator profile that may read IAM",
        "With --operator-profile sesfix reads the user's policies instead of guessing.",
        _operator_profile,
    ),
    _guide(
        "enable-opt-in-region",
        "Enable the opt-in region for the account",
        "Account > AWS Regions > Enable; or choose another region.",
        _enable_region,
    ),
)
