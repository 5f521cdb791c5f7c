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

MAIL_TYPES = ("TRANSACTIONAL", "MARKETING")


def _plan_production(ctx: PlanContext, plan: Plan) -> None:
    region = ctx.region
    if not region:
        raise ReadRefused("AWS_SES_REGION is not a valid SES region: set it first (set-ses-region)")
    acct = ctx.read("sesv2", "get_account", region)
    if acct.ok and acct.data:
        if acct.data.get("ProductionAccessEnabled"):
            plan.noop = True
            plan.noop_reason = f"the SES account already has production access in {region}"
            return
        review = (acct.data.get("Details") or {}).get("ReviewDetails") or {}
        if review.get("Status") == "PENDING":
            plan.noop = True
            plan.noop_reason = (
                f"a production access request for {region} is already under review "
                f"(case {review.get('CaseId', '?')})"
            )
            return
    elif acct.denied:
        plan.warnings.append(
            "the operator may not call ses:GetAccount, so whether a request is already pending "
            "is unknown; AWS will say so"
        )
    else:
        plan.warnings.append(
            f"the account's status in {region} could not be read (sesv2:GetAccount answered "
            f"{acct.record.outcome}); AWS will say if a request already exists"
        )
    website_default = f"https://{ctx.domain}" if ctx.domain else ""
    fields = {
        "mail_type": InputField(
            "mail_type",
            "Mail type",
            "TRANSACTIONAL",
            MAIL_TYPES,
            "sign-up and receipts are transactional",
        ),
        "website_url": InputField("website_url", "Website URL", website_default),
        "use_case": InputField(
            "use_case",
            "Use case: what mail you send, to whom, how recipients opt in, how you handle "
            "bounces and complaints",
        ),
    }
    plan.options = [InputField("contact_language", "Contact language", "EN", ("EN", "JA"))]
    values: dict[str, str] = {}
    for name, spec in fields.items():
        value = ctx.inputs.get(name, "").strip()
        if not value:
            plan.inputs_needed.append(spec)
        else:
            values[name] = value
    if plan.inputs_needed:
        plan.summary = "Type the request's fields first (AWS reviews them)."
        return
    mail_type = values["mail_type"].upper()
    if mail_type not in MAIL_TYPES:
        raise ReadRefused(f"mail_type must be one of {', '.join(MAIL_TYPES)}, not {mail_type!r}")
    if not values["website_url"].startswith(("http://", "https://")):
        raise ReadRefused("website_url must start with http:// or https://")
    if len(values["use_case"]) > 5000:
        raise ReadRefused("use_case is longer than AWS's 5000 characters")
    lang = ctx.inputs.get("contact_language", "EN").strip().upper() or "EN"
    plan.summary = (
        f"Ask AWS to move the SES account out of the sandbox in {region}. AWS reviews the "
        "request (usually within a day); this cannot be undone from here."
    )
    plan.verify = f"as the operator: sesv2:GetAccount in {region} shows the review"
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
            f"request production access in {region}",
        )
    )


def _verify_production(v: VerifyContext) -> tuple[bool | None, str]:

    region = str(v.plan.target.get("region") or "")
    gw = v.gateway()
    r = gw.read("operator", "sesv2", "get_account", region)
    if not r.ok or not r.data:
        return None, f"the request was accepted; its status could not be read ({r.record.outcome})"
    if r.data.get("ProductionAccessEnabled"):
        return True, f"production access is enabled in {region}"
    review = (r.data.get("Details") or {}).get("ReviewDetails") or {}
    status = review.get("Status")
    if status:
        return (
            True,
            f"AWS is reviewing the request (status {status}, case {review.get('CaseId', '?')})",
        )
    return False, "AWS accepted the call but shows no review yet"


def _resume_sending(ctx: PlanContext, plan: Plan) -> None:
    region = ctx.region or "?"
    plan.guidance.append(
        f"AWS paused sending in {region}. Open the SES console in {region} > Account dashboard "
        "and answer the review or enforcement notice; AWS resumes sending after it."
    )
    plan.guidance.append(
        "If sending was paused on purpose from this account, resume it with: "
        f"aws sesv2 put-account-sending-attributes --sending-enabled --region {region}"
    )


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
