"""Delivery readiness (issue 15): a test inbox, the suppression list, the DNS records.

* ``verify-recipient`` — ``ses:VerifyEmailIdentity`` for a test inbox in the app's region
  (in the sandbox SES sends only to verified addresses); production access is the real fix.
  Undo: delete that identity.
* ``unsuppress-recipient`` — ``sesv2:DeleteSuppressedDestination``; undone by
  ``PutSuppressedDestination`` with the reason AWS had recorded.
* ``show-dns-records`` — guidance: the zone-file lines to publish, from the report's DNS
  findings (no AWS call).
"""

from __future__ import annotations

from sesfix.fixes.context import (
    Fix,
    Inverse,
    PlanContext,
    ReadRefused,
    VerifyContext,
    findings,
    planned_call,
    required_read,
    undo_call,
)
from sesfix.fixes.model import InputField, Plan
from sesfix.locale import t

_DNS_FINDINGS = (
    "dns.dkim_records_missing",
    "dns.dkim_records_wrong",
    "dns.spf_missing",
    "dns.dmarc_missing",
    "dns.dmarc_not_aligned",
    "identity.mail_from_not_verified",
)


def _recipient(ctx: PlanContext, plan: Plan, finding_id: str) -> str | None:
    """The address to act on: ``--input recipient=...``, else the one the finding names."""
    given = ctx.inputs.get("recipient", "").strip()
    if not given:
        named = [f.data.get("recipient") for f in findings(ctx, finding_id)]
        given = next((str(n) for n in named if n), "")
    if not given:
        plan.inputs_needed.append(InputField("recipient", t("plans.delivery.recipient_label"), ""))
        plan.summary = t("plans.delivery.recipient_first")
        return None
    if "@" not in given or any(c.isspace() for c in given) or len(given) > 320:
        raise ReadRefused(t("plans.delivery.not_an_address", value=repr(given[:80])))
    return given


def _region(ctx: PlanContext) -> str:
    if not ctx.region:
        raise ReadRefused(t("plans.delivery.no_region"))
    return ctx.region


# --- verify-recipient -----------------------------------------------------------------------


def _plan_verify_recipient(ctx: PlanContext, plan: Plan) -> None:
    region = _region(ctx)
    to = _recipient(ctx, plan, "account.recipient_not_verified")
    if to is None:
        return
    attrs = required_read(
        ctx, ctx.read("ses", "get_identity_verification_attributes", region, Identities=[to])
    )
    status = (attrs.get("VerificationAttributes", {}).get(to) or {}).get("VerificationStatus")
    plan.warnings.append(t("plans.delivery.verify.test_only"))
    if status == "Success":
        plan.noop = True
        plan.noop_reason = t("plans.delivery.verify.already", to=to, region=region)
        return
    if status == "Pending":
        plan.warnings.append(t("plans.delivery.verify.pending_warning", to=to, region=region))
    plan.summary = t("plans.delivery.verify.summary", to=to, region=region)
    plan.verify = t("plans.delivery.verify.verify", to=to, region=region)
    plan.target["recipient"] = to  # undo deletes this identity, and only this one
    plan.calls.append(
        planned_call(
            "ses",
            "verify_email_identity",
            region,
            {"EmailAddress": to},
            t("plans.delivery.verify.purpose", to=to, region=region),
            ()
            if status
            else (undo_call("ses", "delete_identity", region, {"Identity": to}, tolerate=()),),
        )
    )


def _verify_recipient(v: VerifyContext) -> tuple[bool | None, str]:
    region = str(v.plan.target.get("region") or "")
    to = str(v.plan.inputs.get("recipient") or v.plan.calls[0].params["EmailAddress"])
    gw = v.gateway()

    def check() -> tuple[bool | None, str, bool]:
        r = gw.read(
            "operator", "ses", "get_identity_verification_attributes", region, Identities=[to]
        )
        if not r.ok:
            answered = t(
                "plans.delivery.verify.answered", call=r.record.call, outcome=r.record.outcome
            )
            return False, answered, False
        status = ((r.data or {}).get("VerificationAttributes", {}).get(to) or {}).get(
            "VerificationStatus"
        )
        if status == "Success":
            return True, t("plans.delivery.verify.success", to=to, region=region), True
        if status == "Pending":
            return True, t("plans.delivery.verify.pending", to=to), True
        shown = status or t("plans.delivery.verify.not_visible")
        return False, t("plans.delivery.verify.other", to=to, region=region, status=shown), False

    return v.poll(check)


VERIFY_RECIPIENT = Fix(
    id="verify-recipient",
    title="Verify a test recipient (sandbox)",
    kind="aws",
    undoable=True,
    description=(
        "ses:VerifyEmailIdentity for a test inbox in the app's region, so the sandbox lets "
        "mail reach it. Production access is the real fix for customers."
    ),
    plan=_plan_verify_recipient,
    verify=_verify_recipient,
    inverse={"ses:VerifyEmailIdentity": (Inverse("ses:DeleteIdentity"),)},
)


# --- unsuppress-recipient -------------------------------------------------------------------


def _plan_unsuppress(ctx: PlanContext, plan: Plan) -> None:
    region = _region(ctx)
    to = _recipient(ctx, plan, "recipient.suppressed")
    if to is None:
        return
    got = ctx.read("sesv2", "get_suppressed_destination", region, EmailAddress=to)
    if got.error_code == "NotFoundException":
        plan.noop = True
        plan.noop_reason = t("plans.delivery.unsuppress.not_listed", to=to, region=region)
        return
    data = required_read(ctx, got)
    entry = data.get("SuppressedDestination") or {}
    reason = str(entry.get("Reason") or "BOUNCE")
    if reason not in ("BOUNCE", "COMPLAINT"):
        reason = "BOUNCE"
    if reason == "COMPLAINT":
        plan.warnings.append(t("plans.delivery.unsuppress.complaint", to=to))
    else:
        plan.warnings.append(t("plans.delivery.unsuppress.bounce", to=to))
    plan.summary = t("plans.delivery.unsuppress.summary", to=to, region=region, reason=reason)
    plan.verify = t("plans.delivery.unsuppress.verify", to=to, region=region)
    plan.calls.append(
        planned_call(
            "sesv2",
            "delete_suppressed_destination",
            region,
            {"EmailAddress": to},
            t("plans.delivery.unsuppress.purpose", to=to, region=region),
            (
                undo_call(
                    "sesv2",
                    "put_suppressed_destination",
                    region,
                    {"EmailAddress": to, "Reason": reason},
                    tolerate=(),
                ),
            ),
        )
    )


def _verify_unsuppressed(v: VerifyContext) -> tuple[bool | None, str]:
    region = str(v.plan.target.get("region") or "")
    to = str(v.plan.calls[0].params["EmailAddress"])
    gw = v.gateway()

    def check() -> tuple[bool | None, str, bool]:
        r = gw.read("operator", "sesv2", "get_suppressed_destination", region, EmailAddress=to)
        if r.error_code == "NotFoundException":
            return True, t("plans.delivery.unsuppress.off", to=to, region=region), True
        if r.ok:
            return False, t("plans.delivery.unsuppress.still", to=to), False
        answered = t("plans.delivery.verify.answered", call=r.record.call, outcome=r.record.outcome)
        return False, answered, False

    return v.poll(check)


UNSUPPRESS_RECIPIENT = Fix(
    id="unsuppress-recipient",
    title="Remove the recipient from the suppression list",
    kind="aws",
    undoable=True,
    description=(
        "sesv2:DeleteSuppressedDestination for the recipient in the app's region; undone by "
        "putting it back with the reason AWS had recorded."
    ),
    plan=_plan_unsuppress,
    verify=_verify_unsuppressed,
    inverse={
        "ses:DeleteSuppressedDestination": (
            Inverse("ses:PutSuppressedDestination", same=("EmailAddress",)),
        )
    },
)


# --- show-dns-records -----------------------------------------------------------------------


def _plan_show_dns(ctx: PlanContext, plan: Plan) -> None:
    publish: list[str] = []
    zone: list[str] = []
    for f in findings(ctx, *_DNS_FINDINGS):
        publish += [str(r) for r in f.data.get("records") or ()]
        zone = zone or [str(line) for line in f.data.get("zone") or ()]
    publish = list(dict.fromkeys(publish))
    if not publish and not zone:
        plan.noop = True
        plan.noop_reason = t("plans.delivery.dns.none")
        return
    plan.summary = t("plans.delivery.dns.summary")
    if publish:
        plan.guidance += [t("plans.delivery.dns.missing"), *publish]
    if zone:
        plan.guidance += [t("plans.delivery.dns.everything"), *zone]
    plan.guidance.append(t("plans.delivery.dns.recheck"))


SHOW_DNS_RECORDS = Fix(
    id="show-dns-records",
    title="Show the DNS records to publish",
    kind="guidance",
    undoable=False,
    description=(
        "The DKIM CNAMEs, the MAIL FROM MX and SPF, and the DMARC record the domain needs, as "
        "zone-file lines to copy to the DNS host."
    ),
    plan=_plan_show_dns,
)

FIXES = (VERIFY_RECIPIENT, UNSUPPRESS_RECIPIENT, SHOW_DNS_RECORDS)
