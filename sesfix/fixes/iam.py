"""IAM permission fixes: attach AmazonSESFullAccess, or create and attach a custom policy;
and the guidance for what sesfix must not change itself (an explicit Deny, a boundary).

Each fix is one :class:`~sesfix.fixes.context.Fix`; the catalogue registers them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sesfix.aws import meanings, policy
from sesfix.fixes import documents as D
from sesfix.fixes.context import (
    IAM_REGION,
    Fix,
    Inverse,
    PlanContext,
    ReadRefused,
    VerifyContext,
    findings,
    planned_call,
    required_read,
    resolve_user,
    undo_call,
)
from sesfix.fixes.model import InputField, Plan, PlannedCall
from sesfix.locale import t


def _attached_arns(ctx: PlanContext) -> list[str]:
    data = required_read(
        ctx, ctx.read("iam", "list_attached_user_policies", UserName=ctx.user), ctx.user_arn()
    )
    return [p["PolicyArn"] for p in data.get("AttachedPolicies", [])]


def _attach(ctx: PlanContext, arn: str, name: str) -> PlannedCall:
    params = {"UserName": ctx.user, "PolicyArn": arn}
    return planned_call(
        "iam",
        "attach_user_policy",
        IAM_REGION,
        params,
        t("plans.iam.attach_purpose", name=name, user=ctx.user),
        (undo_call("iam", "detach_user_policy", IAM_REGION, dict(params)),),
    )


def _blocked_warnings(ctx: PlanContext, plan: Plan) -> None:
    ids = set(ctx.report.finding_ids())
    if "iam.ses_explicit_deny" in ids:
        plan.warnings.append(t("plans.iam.blocked_deny"))
    if "iam.permissions_boundary_blocks" in ids:
        plan.warnings.append(t("plans.iam.blocked_boundary"))


def _iam_verify_text(ctx: PlanContext) -> str:
    return t("plans.iam.verify", region=ctx.region or t("plans.iam.its_region"))


# ---- attach-ses-full-access ----------------------------------------------------------------


def _plan_attach_full(ctx: PlanContext, plan: Plan) -> None:
    resolve_user(ctx)
    plan.summary = t("plans.iam.full.summary", user=ctx.user, account=ctx.account)
    plan.verify = _iam_verify_text(ctx)
    if D.SES_FULL_ACCESS in _attached_arns(ctx):
        plan.noop = True
        plan.noop_reason = t("plans.iam.full.noop", user=ctx.user)
        return
    plan.calls.append(_attach(ctx, D.SES_FULL_ACCESS, "AmazonSESFullAccess"))
    plan.warnings.append(t("plans.iam.full.broad"))
    _blocked_warnings(ctx, plan)


# ---- create-custom-policy ------------------------------------------------------------------


def _plan_custom(ctx: PlanContext, plan: Plan) -> None:
    resolve_user(ctx)
    name = ctx.inputs.get("policy_name", D.POLICY_NAME).strip() or D.POLICY_NAME
    get_account = ctx.flag("get_account")
    scope = ctx.inputs.get("scope", "all").strip().lower()
    plan.options = [
        InputField(
            "get_account",
            t("plans.iam.opt.get_account"),
            default="no",
            choices=("no", "yes"),
        ),
        InputField(
            "scope",
            t("plans.iam.opt.scope"),
            default="all",
            choices=("all", "sender"),
            help=t("plans.iam.opt.scope_help", region=ctx.region or t("plans.iam.opt.app_region")),
        ),
        InputField("policy_name", t("plans.iam.opt.policy_name"), default=D.POLICY_NAME),
    ]
    if scope not in ("all", "sender"):
        raise ReadRefused(t("plans.iam.bad_scope", scope=repr(scope)))
    scope_to: list[str] | None = None
    if scope == "sender":
        if not (ctx.region and ctx.domain and ctx.account):
            raise ReadRefused(t("plans.iam.scope_needs"))
        scope_to = D.identity_arns(ctx.region, ctx.account, ctx.domain, ctx.sender)
        plan.warnings.append(t("plans.iam.scoped", arns=", ".join(scope_to)))
    doc = D.custom_policy(get_account=get_account, scope_to=scope_to)
    plan.documents[name] = doc
    arn = f"arn:aws:iam::{ctx.account}:policy/{name}"
    plan.verify = _iam_verify_text(ctx)
    attached = arn in _attached_arns(ctx)
    pol = ctx.read("iam", "get_policy", PolicyArn=arn)
    variant = []
    if get_account:
        variant.append(t("plans.iam.variant.get_account"))
    if scope_to:
        variant.append(t("plans.iam.variant.scoped", region=ctx.region))
    what = f"{name} ({', '.join(variant)})" if variant else name
    if pol.error_code == "NoSuchEntity":
        plan.summary = t("plans.iam.custom.create", what=what, user=ctx.user, account=ctx.account)
        plan.calls.append(
            planned_call(
                "iam",
                "create_policy",
                IAM_REGION,
                {
                    "PolicyName": name,
                    "PolicyDocument": D.compact(doc),
                    "Description": "SES sending for the app (created by sesfix)",
                },
                t("plans.iam.custom.create_purpose", name=name),
                (undo_call("iam", "delete_policy", IAM_REGION, {"PolicyArn": arn}),),
            )
        )
        plan.calls.append(_attach(ctx, arn, name))
        _blocked_warnings(ctx, plan)
        return
    data = required_read(ctx, pol, arn)
    default = str(data["Policy"].get("DefaultVersionId") or "v1")
    ver = required_read(
        ctx, ctx.read("iam", "get_policy_version", PolicyArn=arn, VersionId=default), arn
    )
    current = policy.parse_document(ver["PolicyVersion"]["Document"])
    if D.same_document(current, doc):
        if attached:
            plan.noop = True
            plan.noop_reason = t("plans.iam.custom.noop", name=name, user=ctx.user)
            return
        plan.summary = t("plans.iam.custom.attach_only", name=name, user=ctx.user)
        plan.calls.append(_attach(ctx, arn, name))
        _blocked_warnings(ctx, plan)
        return
    plan.diff = D.diff(current, doc, f"{name} {default} (current default)", f"{name} (new)")
    plan.summary = t(
        "plans.iam.custom.new_version" if attached else "plans.iam.custom.new_version_attach",
        name=name,
        user=ctx.user,
        default=default,
    )
    versions = required_read(ctx, ctx.read("iam", "list_policy_versions", PolicyArn=arn), arn)
    listed = versions.get("Versions", [])
    if len(listed) >= 5:
        non_default = [v for v in listed if not v.get("IsDefaultVersion")]
        oldest = min(non_default, key=_version_age)
        vid = str(oldest["VersionId"])
        old_doc = required_read(
            ctx, ctx.read("iam", "get_policy_version", PolicyArn=arn, VersionId=vid), arn
        )
        old_document = policy.parse_document(old_doc["PolicyVersion"]["Document"])
        plan.warnings.append(
            t(
                "plans.iam.custom.five_versions",
                name=name,
                count=len(listed),
                version=vid,
                created=oldest.get("CreateDate", "?"),
            )
        )
        plan.calls.append(
            planned_call(
                "iam",
                "delete_policy_version",
                IAM_REGION,
                {"PolicyArn": arn, "VersionId": vid},
                t("plans.iam.custom.make_room", version=vid),
                (
                    undo_call(
                        "iam",
                        "create_policy_version",
                        IAM_REGION,
                        {
                            "PolicyArn": arn,
                            "PolicyDocument": D.compact(old_document),
                            "SetAsDefault": False,
                        },
                        tolerate=(),
                    ),
                ),
            )
        )
    plan.calls.append(
        planned_call(
            "iam",
            "create_policy_version",
            IAM_REGION,
            {"PolicyArn": arn, "PolicyDocument": D.compact(doc), "SetAsDefault": True},
            t("plans.iam.custom.add_version", name=name),
            (
                undo_call(
                    "iam",
                    "set_default_policy_version",
                    IAM_REGION,
                    {"PolicyArn": arn, "VersionId": default},
                ),
                undo_call(
                    "iam",
                    "delete_policy_version",
                    IAM_REGION,
                    {"PolicyArn": arn, "VersionId": ""},
                    fill={"VersionId": "PolicyVersion.VersionId"},
                ),
            ),
        )
    )
    if not attached:
        plan.calls.append(_attach(ctx, arn, name))
    _blocked_warnings(ctx, plan)


def _version_age(version: Mapping[str, Any]) -> tuple[str, int]:
    """Oldest first: by creation date, then by number (IAM dates have 1 s resolution)."""
    vid = str(version.get("VersionId", "v0"))
    number = int(vid[1:]) if vid[1:].isdigit() else 0
    return str(version.get("CreateDate", "")), number


# ---- verification ---------------------------------------------------------------------------


def _verify_iam(v: VerifyContext) -> tuple[bool | None, str]:
    from sesfix.diagnosis.engine import DiagnosisOptions, diagnose

    region = v.plan.target.get("region")
    gw = v.gateway()
    if not gw.identities.has_app or not region:
        return None, t("plans.iam.verify.missing")

    def check() -> tuple[bool | None, str, bool]:
        r = gw.read("app", "ses", "get_send_quota", region)
        if r.ok:
            return True, t("plans.iam.verify.allowed", region=region), False
        if r.error_code in meanings.AUTH_FAILURES:
            return None, t("plans.iam.verify.auth_fails", code=r.error_code), True
        return False, t("plans.iam.verify.answers", outcome=r.record.outcome), False

    verdict, detail = v.poll(check)
    if not verdict:
        return verdict, detail
    v.say(t("plans.iam.verify.running"))
    report = diagnose(v.settings, DiagnosisOptions(operator=v.operator), listeners=v.listeners)
    step1 = report.step(1).status
    if step1 == "pass":
        return True, t("plans.iam.verify.step1_pass", detail=detail)
    ids = ", ".join(f.id for f in report.findings_for(1)) or t("plans.iam.verify.no_finding")
    return False, t(
        "plans.iam.verify.step1_not", detail=detail, status=t(f"state.{step1}"), ids=ids
    )


# ---- guidance: what only the policy's owner can change -------------------------------------


def _remove_deny(ctx: PlanContext, plan: Plan) -> None:
    for f in findings(ctx, "iam.ses_explicit_deny"):
        plan.guidance.extend(f"· {e}" for e in f.evidence)
    plan.guidance.append(t("plans.iam.deny.guidance"))


def _relax_boundary(ctx: PlanContext, plan: Plan) -> None:
    for f in findings(ctx, "iam.permissions_boundary_blocks"):
        plan.guidance.extend(f"· {e}" for e in f.evidence)
    statement = {
        "Sid": "AllowSesSending",
        "Effect": "Allow",
        "Action": list(D.GUIDE_ACTIONS),
        "Resource": "*",
    }
    plan.guidance.append(t("plans.iam.boundary.guidance", user=ctx.user or "?"))
    plan.guidance.append(json.dumps(statement, indent=2))


_USER_POLICY = ("UserName", "PolicyArn")

ATTACH_SES_FULL_ACCESS = Fix(
    id="attach-ses-full-access",
    title="Attach AmazonSESFullAccess to the app's IAM user",
    kind="aws",
    undoable=True,
    description="The guide's option 1: the AWS-managed policy allowing ses:* on every resource.",
    plan=_plan_attach_full,
    verify=_verify_iam,
    inverse={"iam:AttachUserPolicy": (Inverse("iam:DetachUserPolicy", _USER_POLICY),)},
)

CREATE_CUSTOM_POLICY = Fix(
    id="create-custom-policy",
    title="Create RentalShopSESPermissions and attach it",
    kind="aws",
    undoable=True,
    description=(
        "The guide's option 2: a customer-managed policy with only the sending actions "
        "(ses:SendEmail, ses:SendRawEmail, ses:GetSendStatistics, ses:GetSendQuota)."
    ),
    plan=_plan_custom,
    verify=_verify_iam,
    inverse={
        "iam:CreatePolicy": (Inverse("iam:DeletePolicy"),),
        "iam:AttachUserPolicy": (Inverse("iam:DetachUserPolicy", _USER_POLICY),),
        "iam:DeletePolicyVersion": (Inverse("iam:CreatePolicyVersion", ("PolicyArn",)),),
        "iam:CreatePolicyVersion": (
            Inverse("iam:SetDefaultPolicyVersion", ("PolicyArn",)),
            Inverse("iam:DeletePolicyVersion", ("PolicyArn",)),
        ),
    },
)

REMOVE_EXPLICIT_DENY = Fix(
    id="remove-explicit-deny",
    title="Change or remove the statement that denies sending",
    kind="guidance",
    undoable=False,
    description="An explicit Deny beats every Allow; it must be edited by whoever owns that policy.",
    plan=_remove_deny,
)

RELAX_PERMISSIONS_BOUNDARY = Fix(
    id="relax-permissions-boundary",
    title="Allow SES in the user's permissions boundary",
    kind="guidance",
    undoable=False,
    description="The boundary must allow ses:SendEmail and ses:SendRawEmail too.",
    plan=_relax_boundary,
)

FIXES = (
    ATTACH_SES_FULL_ACCESS,
    CREATE_CUSTOM_POLICY,
    REMOVE_EXPLICIT_DENY,
    RELAX_PERMISSIONS_BOUNDARY,
)
