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
    whitespace_problems,
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
    return (
        f"Change it where the app reads it ({ctx.settings.source}), then redeploy the app so it "
        "picks the new value up (on Railway a restart is not enough: redeploy)."
    )


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
        return f"(the secret's value, {len(value)} characters, not shown)"
    if _secret_shaped(value):
        return f"(a value shaped like a secret, {len(value)} characters, not shown)"
    return '"' + redact(visible(value, limit=120), *secrets) + '"'


def _shown(ctx: PlanContext, name: str, value: str | None) -> str:
    if value is None:
        return "not set"
    if name == KEY_ID:
        return f"{mask_key_id(value)}, {len(value)} characters"
    if name in SECRET_VARIABLES:
        return f"{len(value)} characters"
    return _echo(ctx, value)


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
    hints = {
        KEY_ID: "the access key ID of the app's IAM user (AKIA…, 20 characters); "
        "`sesfix fix rotate-access-key` creates a new pair if you have none",
        SECRET: "the secret of that key (40 characters); it is shown only when the key is "
        "created — if it is lost, run `sesfix fix rotate-access-key`",
        REGION: f"the SES region where the sender is verified ({_region_target(ctx) or 'e.g. ap-southeast-1'})",
        PROVIDER: "ses",
        EMAIL_FROM: f"the sender, e.g. 'Shop <no-reply@{ctx.domain or 'your-verified-domain'}>'",
    }
    for name in missing:
        if name in hints:
            plan.guidance.append(f"Set {name} to {hints[name]}.")
    for f in findings(ctx, "config.email_from_invalid"):
        plan.guidance.append(
            f"Set {EMAIL_FROM} to an address at your verified domain, e.g. "
            f"'Shop <no-reply@{ctx.domain or 'your-verified-domain'}>' (now: {f.evidence[0] if f.evidence else '?'})."
        )
    if not plan.guidance:
        plan.noop = True
        plan.noop_reason = "every required variable is set"
        return
    plan.guidance.append(_redeploy(ctx))


def _set_provider(ctx: PlanContext, plan: Plan) -> None:
    _provider_change(ctx, plan)
    value = ctx.settings.provider
    if value is not None and value == "ses":
        plan.noop = True
        plan.noop_reason = "EMAIL_PROVIDER is already 'ses'"
        return
    plan.guidance.append(
        f"Set {PROVIDER} to ses (exactly, lower case; now {_shown(ctx, PROVIDER, value)})."
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
        problems = whitespace_problems(raw)
        what = "; ".join(problems[:3]) if problems else "quotes around the value"
        if name == KEY_ID:
            plan.guidance.append(
                f"Set {KEY_ID} to {mask_key_id(fixed)} with nothing else: {len(fixed)} characters "
                f"(now {len(raw)}: {what})."
            )
        elif name in SECRET_VARIABLES:
            plan.guidance.append(
                f"Paste {name} again without spaces, newlines or quotes: {len(fixed)} characters "
                f"(now {len(raw)}: {what}). If you no longer have the secret, run "
                "`sesfix fix rotate-access-key`."
            )
        else:
            plan.guidance.append(
                f"Set {name} to {_echo(ctx, fixed)} (now {_echo(ctx, raw)}: {what})."
            )
    if not names:
        plan.noop = True
        plan.noop_reason = "no variable has invisible characters or quotes"
        return
    plan.guidance.append(
        "Type or paste the value into the dashboard's field directly; do not copy it with its "
        "quotes from a .env file or a CSV."
    )
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
        plan.noop_reason = f"AWS_SES_REGION is already {target}"
        return
    if target:
        plan.guidance.append(
            f"Set {REGION} to {target} (now {_shown(ctx, REGION, now)})"
            + (
                f": {ctx.domain} is verified there."
                if ctx.domain and target in ctx.report.context.verified_regions
                else "."
            )
        )
    else:
        plan.guidance.append(
            f"Set {REGION} to the SES region where {ctx.domain or 'the sender'} is verified "
            f"(now {_shown(ctx, REGION, now)}); region names are lower case, e.g. ap-southeast-1."
        )
    plan.guidance.append(
        "Sandbox status and quotas are per region: check the new region's account status too."
    )
    plan.guidance.append(_redeploy(ctx))


def _add_token(ctx: PlanContext, plan: Plan) -> None:
    plan.guidance.append(
        f"Set {TOKEN} to the session token issued together with the temporary key "
        f"{mask_key_id(ctx.settings.access_key_id)} (it expires with the key)."
    )
    plan.guidance.append(
        "Better for a server app: a long-term key of an IAM user (see use-long-term-key)."
    )
    plan.guidance.append(_redeploy(ctx))


def _long_term(ctx: PlanContext, plan: Plan) -> None:
    plan.guidance.append(
        f"Replace {KEY_ID} and {SECRET} with a long-term key (AKIA…) of the app's IAM user; "
        "`sesfix fix rotate-access-key --operator-profile NAME` creates one and stores it in "
        "the keyring."
    )
    if ctx.settings.session_token is not None:
        plan.guidance.append(
            f"Delete {TOKEN} (now {_shown(ctx, TOKEN, ctx.settings.raw(TOKEN))}): a long-term "
            "key takes no session token."
        )
    plan.guidance.append(_redeploy(ctx))


def _remove_token(ctx: PlanContext, plan: Plan) -> None:
    _token_change(ctx, plan)
    if ctx.settings.session_token is None:
        plan.noop = True
        plan.noop_reason = f"{TOKEN} is not set"
        return
    plan.guidance.append(
        f"Delete the variable {TOKEN} (now {_shown(ctx, TOKEN, ctx.settings.raw(TOKEN))}) — "
        f"not just empty it: it belongs to temporary keys, and {KEY_ID} "
        f"({mask_key_id(ctx.settings.access_key_id)}) is a long-term key."
    )
    plan.guidance.append(_redeploy(ctx))


def _sync_clock(ctx: PlanContext, plan: Plan) -> None:
    for f in findings(ctx, "credentials.clock_skew"):
        plan.guidance.extend(f"AWS said: {e}" for e in f.evidence[1:2])
    plan.guidance.extend(
        [
            "Turn on network time on the machine that signs the requests:",
            "Linux: sudo timedatectl set-ntp true   (check with: timedatectl status)",
            "macOS: System Settings > General > Date & Time > Set time automatically",
            "Windows: Settings > Time & language > Sync now",
            "Containers use the host's clock: fix the host.",
        ]
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
    plan.guidance.append(
        "Run sesfix with --operator-profile NAME (or SESFIX_OPERATOR_PROFILE=NAME), where NAME "
        "is an AWS CLI profile (aws configure --profile NAME) of the app's account allowed to "
        "read IAM. A minimal read-only policy:"
    )
    plan.guidance.append(json.dumps(read_policy, indent=2))


def _enable_region(ctx: PlanContext, plan: Plan) -> None:
    region = ctx.region or (clean(ctx.settings.region).lower() if ctx.settings.region else "?")
    plan.guidance.append(
        f"Enable the opt-in region {region} for the account: AWS console > Account > AWS Regions "
        f"> {region} > Enable, or: aws account enable-region --region-name {region}"
    )
    plan.guidance.append(
        f"Or set {REGION} to a region enabled by default where the sender is verified "
        "(see set-ses-region). Enabling can take minutes to hours."
    )


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
