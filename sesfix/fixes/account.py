"""The SES account: ask AWS for production access; resume sending (guidance)."""

from __future__ import annotations

from sesfix.fixes.context import (
    Fix,
    PlanContext,
    ReadRefused,
    VerifyContext,
    planned_call,
)
from sesfix.fixes.model import InputField, Plan
from sesfix.locale import t

MAIL_TYPES = ("TRANSACTIONAL", "MARKETING")


def _plan_production(ctx: PlanContext, plan: Plan) -> None:
    region = ctx.region
    if not region:
        raise ReadRefused(t("plans.domain.no_region"))
    acct = ctx.read("sesv2", "get_account", region)
    if acct.ok and acct.data:
        if acct.data.get("ProductionAccessEnabled"):
            plan.noop = True
            plan.noop_reason = t("plans.account.already", region=region)
            return
        review = (acct.data.get("Details") or {}).get("ReviewDetails") or {}
        if review.get("Status") == "PENDING":
            plan.noop = True
            plan.noop_reason = t(
                "plans.account.pending", region=region, case=review.get("CaseId", "?")
            )
            return
    elif acct.denied:
        plan.warnings.append(t("plans.account.unknown_denied"))
    else:
        plan.warnings.append(t("plans.account.unknown", region=region, outcome=acct.record.outcome))
    website_default = f"https://{ctx.domain}" if ctx.domain else ""
    fields = {
        "mail_type": InputField(
            "mail_type",
            t("plans.account.mail_type"),
            "TRANSACTIONAL",
            MAIL_TYPES,
            t("plans.account.mail_type_help"),
        ),
        "website_url": InputField("website_url", t("plans.account.website"), website_default),
        "use_case": InputField("use_case", t("plans.account.use_case")),
    }
    plan.options = [
        InputField("contact_language", t("plans.account.contact_language"), "EN", ("EN", "JA"))
    ]
    values: dict[str, str] = {}
    for name, spec in fields.items():
        value = ctx.inputs.get(name, "").strip()
        if not value:
            plan.inputs_needed.append(spec)
        else:
            values[name] = value
    if plan.inputs_needed:
        plan.summary = t("plans.account.type_fields")
        return
    mail_type = values["mail_type"].upper()
    if mail_type not in MAIL_TYPES:
        raise ReadRefused(
            t("plans.account.bad_mail_type", types=", ".join(MAIL_TYPES), value=repr(mail_type))
        )
    if not values["website_url"].startswith(("http://", "https://")):
        raise ReadRefused(t("plans.account.bad_url"))
    if len(values["use_case"]) > 5000:
        raise ReadRefused(t("plans.account.too_long"))
    lang = ctx.inputs.get("contact_language", "EN").strip().upper() or "EN"
    plan.summary = t("plans.account.summary", region=region)
    plan.verify = t("plans.account.verify", region=region)
    plan.calls.append(
        planned_call(
            "sesv2",
            "put_account_details",
            region,
            {
                "MailType": mail_type,
                "WebsiteURL": values["website_url"],
                "ContactLanguage": lang,
                "UseCaseDescription": values["use_case"],
                "ProductionAccessEnabled": True,
            },
            t("plans.account.purpose", region=region),
        )
    )


def _verify_production(v: VerifyContext) -> tuple[bool | None, str]:

    region = str(v.plan.target.get("region") or "")
    gw = v.gateway()
    r = gw.read("operator", "sesv2", "get_account", region)
    if not r.ok or not r.data:
        return None, t("plans.account.verify.unread", outcome=r.record.outcome)
    if r.data.get("ProductionAccessEnabled"):
        return True, t("plans.account.verify.enabled", region=region)
    review = (r.data.get("Details") or {}).get("ReviewDetails") or {}
    status = review.get("Status")
    if status:
        case = review.get("CaseId", "?")
        return True, t("plans.account.verify.reviewing", status=status, case=case)
    return False, t("plans.account.verify.none")


def _resume_sending(ctx: PlanContext, plan: Plan) -> None:
    region = ctx.region or "?"
    plan.guidance.append(t("plans.account.resume.console", region=region))
    plan.guidance.append(t("plans.account.resume.self", region=region))


REQUEST_PRODUCTION_ACCESS = Fix(
    id="request-production-access",
    title="Ask AWS to take the SES account out of the sandbox",
    kind="aws",
    undoable=False,
    description=(
        "sesv2:PutAccountDetails with the mail type, website and use case you type; AWS "
        "reviews the request (usually within a day)."
    ),
    plan=_plan_production,
    verify=_verify_production,
    inverse={"ses:PutAccountDetails": ()},  # a request AWS reviews cannot be taken back
    failure_hint=(
        "Request production access in the SES console instead: Account dashboard > "
        "Request production access."
    ),
)

RESUME_SENDING = Fix(
    id="resume-sending",
    title="Ask AWS to resume sending",
    kind="guidance",
    undoable=False,
    description="Sending was paused by AWS; it is resumed after the review in the SES console.",
    plan=_resume_sending,
)

FIXES = (REQUEST_PRODUCTION_ACCESS, RESUME_SENDING)
