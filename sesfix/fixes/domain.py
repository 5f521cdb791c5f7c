"""The sender's domain: create its SES identity and Easy DKIM tokens, and show the DNS records."""

from __future__ import annotations

from typing import Any

from sesfix.aws.identity import IdentityName
from sesfix.fixes.context import (
    Answers,
    Fix,
    Inverse,
    PlanContext,
    ReadRefused,
    VerifyContext,
    planned_call,
    required_read,
    undo_call,
)
from sesfix.fixes.model import ApplyResult, Plan
from sesfix.locale import t


def dns_records(domain: str, token: str | None, dkim_tokens: list[str]) -> list[str]:
    out = []
    if token:
        out.append(f'_amazonses.{domain}  TXT  "{token}"')
    for tok in dkim_tokens:
        out.append(f"{tok}._domainkey.{domain}  CNAME  {tok}.dkim.amazonses.com")
    return out


def _plan_verify_domain(ctx: PlanContext, plan: Plan) -> None:
    region, domain = ctx.region, ctx.domain
    if not domain:
        raise ReadRefused(t("plans.domain.no_domain"))
    if not region:
        raise ReadRefused(t("plans.domain.no_region"))
    attrs = required_read(
        ctx, ctx.read("ses", "get_identity_verification_attributes", region, Identities=[domain])
    )
    mine = attrs.get("VerificationAttributes", {}).get(domain)
    status = mine.get("VerificationStatus") if mine else None
    token = mine.get("VerificationToken") if mine else None
    dk = required_read(
        ctx, ctx.read("ses", "get_identity_dkim_attributes", region, Identities=[domain])
    )
    dkim = dk.get("DkimAttributes", {}).get(domain, {})
    dkim_tokens = list(dkim.get("DkimTokens", []) or [])
    elsewhere = [r for r in ctx.report.context.verified_regions if r and r != region]
    if elsewhere:
        plan.warnings.append(
            t(
                "plans.domain.elsewhere",
                domain=domain,
                regions=", ".join(elsewhere),
                first=elsewhere[0],
                region=region,
            )
        )
    plan.verify = t("plans.domain.verify", region=region, domain=domain)
    undo_delete = (undo_call("ses", "delete_identity", region, {"Identity": domain}, tolerate=()),)
    if status is None:
        plan.summary = t("plans.domain.create.summary", domain=domain, region=region)
        plan.calls.append(
            planned_call(
                "ses",
                "verify_domain_identity",
                region,
                {"Domain": domain},
                t("plans.domain.create.identity", domain=domain, region=region),
                undo_delete,
            )
        )
        plan.calls.append(
            planned_call(
                "ses",
                "verify_domain_dkim",
                region,
                {"Domain": domain},
                t("plans.domain.create.dkim", domain=domain, region=region),
                covered=True,  # deleting the new identity removes its DKIM tokens too
            )
        )
        return
    if status in ("Failed", "TemporaryFailure"):
        plan.warnings.append(t("plans.domain.failed", domain=domain, region=region, status=status))
        plan.calls.append(
            planned_call(
                "ses",
                "verify_domain_identity",
                region,
                {"Domain": domain},
                t("plans.domain.restart", domain=domain, region=region),
            )
        )
    if not dkim_tokens or not dkim.get("DkimEnabled", True):
        plan.calls.append(
            planned_call(
                "ses",
                "verify_domain_dkim",
                region,
                {"Domain": domain},
                t("plans.domain.create.dkim", domain=domain, region=region),
                (
                    undo_call(
                        "ses",
                        "set_identity_dkim_enabled",
                        region,
                        {"Identity": domain, "DkimEnabled": False},
                        tolerate=(),
                    ),
                ),
            )
        )
    records = dns_records(domain, token, dkim_tokens)
    if not plan.calls:
        plan.noop = True
        plan.noop_reason = t(
            "plans.domain.exists",
            domain=domain,
            region=region,
            status=status,
            dkim=dkim.get("DkimVerificationStatus", "NotStarted"),
        )
        if status != "Success" or dkim.get("DkimVerificationStatus") != "Success":
            plan.guidance = [t("plans.domain.publish"), *records]
        return
    plan.summary = t("plans.domain.complete.summary", domain=domain, region=region, status=status)
    plan.guidance = [t("plans.domain.known"), *records] if records else []


def _records_from_answers(
    plan: Plan, answers: Answers, target: dict[str, Any], result: ApplyResult
) -> None:
    """The DNS records to publish, from the tokens AWS just issued."""
    token: str | None = None
    dkim: list[str] = []
    for index, call in enumerate(plan.calls):
        data = answers.get(index, {})
        if call.operation == "verify_domain_identity":
            token = data.get("VerificationToken")
        elif call.operation == "verify_domain_dkim":
            dkim = list(data.get("DkimTokens", []))
    domain = str(target.get("domain") or "")
    records = dns_records(domain, token, dkim)
    if records:
        result.guidance = [t("plans.domain.publish_after"), *records]


def _verify_domain(v: VerifyContext) -> tuple[bool | None, str]:

    region = str(v.plan.target.get("region") or "")
    domain = str(v.plan.target.get("domain") or "")
    gw = v.gateway()

    def check() -> tuple[bool | None, str, bool]:
        identity: IdentityName = "app" if gw.identities.has_app else "operator"
        r = gw.read(
            identity, "ses", "get_identity_verification_attributes", region, Identities=[domain]
        )
        if not r.ok and identity == "app":
            r = gw.read(
                "operator",
                "ses",
                "get_identity_verification_attributes",
                region,
                Identities=[domain],
            )
        if not r.ok:
            return (
                False,
                t("plans.domain.verify.answered", call=r.record.call, outcome=r.record.outcome),
                False,
            )
        status = (
            (r.data or {})
            .get("VerificationAttributes", {})
            .get(domain, {})
            .get("VerificationStatus")
        )
        if status == "Success":
            return True, t("plans.domain.verify.success", domain=domain, region=region), False
        if status == "Pending":
            return True, t("plans.domain.verify.pending", domain=domain, region=region), False
        shown = status or t("plans.domain.verify.not_visible")
        return (
            False,
            t("plans.domain.verify.other", domain=domain, region=region, status=shown),
            False,
        )

    return v.poll(check)


VERIFY_DOMAIN = Fix(
    id="verify-domain",
    title="Verify the sender's domain in the app's SES region",
    kind="aws",
    undoable=True,
    description=(
        "Create the domain identity (ses:VerifyDomainIdentity) and Easy DKIM tokens "
        "(ses:VerifyDomainDkim) in the app's region, and show the DNS records to add."
    ),
    plan=_plan_verify_domain,
    verify=_verify_domain,
    after_apply=_records_from_answers,
    inverse={
        # a new identity is deleted (with its DKIM tokens); restarting the verification of an
        # existing one cannot be taken back
        "ses:VerifyDomainIdentity": (Inverse("ses:DeleteIdentity"),),
        "ses:VerifyDomainDkim": (Inverse("ses:SetIdentityDkimEnabled"),),
    },
)

FIXES = (VERIFY_DOMAIN,)
