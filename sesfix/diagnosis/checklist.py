"""The guide's eight-item SOLUTION CHECKLIST (and two delivery items), judged from a report.

Pure data (no Textual): each item is ticked or crossed from what AWS answered,
never from what the person clicked. ``unknown`` means the probes could not tell.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sesfix.diagnosis.report import Report
from sesfix.findings import Severity
from sesfix.settings import EMAIL_FROM, KEY_ID, PROVIDER, REGION, SECRET, AppSettings

ItemState = Literal["pass", "fail", "warning", "unknown"]

#: Keys of the guide's eight items, in its order, then the delivery items (texts are in the
#: message catalogues).
ITEMS = (
    "iam",
    "key_id",
    "secret",
    "whitespace",
    "region",
    "provider",
    "domain",
    "production",
    # delivery readiness (issue 15)
    "authentication",
    "deliverability",
)


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    state: ItemState
    #: Finding ids that decided the state (empty for a pass).
    because: tuple[str, ...] = ()


def _missing(report: Report, variable: str) -> bool:
    return any(
        f.id == "config.missing_variable" and f.data.get("variable") == variable
        for f in report.findings
    )


def _about(report: Report, finding_ids: tuple[str, ...], variable: str | None = None) -> list[str]:
    out = []
    for f in report.findings:
        if f.id not in finding_ids:
            continue
        if variable is not None and f.data.get("variable") not in (None, variable):
            continue
        out.append(f.id)
    return out


def judge(report: Report | None, settings: AppSettings | None = None) -> list[ChecklistItem]:
    """The eight items' states; all ``unknown`` before the first diagnosis."""
    if report is None:
        return [ChecklistItem(k, "unknown") for k in ITEMS]
    ctx = report.context
    app_known = ctx.app_arn is not None
    items: list[ChecklistItem] = []

    def add(key: str, fails: list[str], passed: bool, warns: list[str] | None = None) -> None:
        if fails:
            items.append(ChecklistItem(key, "fail", tuple(dict.fromkeys(fails))))
        elif warns:
            items.append(ChecklistItem(key, "warning", tuple(dict.fromkeys(warns))))
        elif passed:
            items.append(ChecklistItem(key, "pass"))
        else:
            items.append(ChecklistItem(key, "unknown"))

    # 1. The IAM user may use SES.
    iam_fail = _about(
        report,
        (
            "iam.ses_permission_missing",
            "iam.ses_explicit_deny",
            "iam.permissions_boundary_blocks",
            "iam.send_raw_email_missing",
            "iam.identity_not_in_resource",
            "iam.condition_blocks",
            "iam.scp_denies",
        ),
    )
    add("iam", iam_fail, ctx.can_send is True or report.step(1).status == "pass")

    # 2. AWS_ACCESS_KEY_ID is right.
    key_fail = _about(
        report,
        (
            "credentials.key_not_found",
            "credentials.key_id_malformed",
            "credentials.key_inactive",
            "credentials.temporary_key_without_token",
            "credentials.stale_session_token",
            "credentials.token_expired",
        ),
    )
    key_fail += ["config.missing_variable"] if _missing(report, KEY_ID) else []
    key_fail += _about(report, ("credentials.quoted_value",), KEY_ID)
    add("key_id", key_fail, app_known)

    # 3. AWS_SECRET_ACCESS_KEY is right.
    secret_fail = _about(
        report,
        (
            "credentials.secret_mismatch",
            "credentials.secret_malformed",
            "credentials.smtp_password_as_secret",
        ),
    )
    secret_fail += ["config.missing_variable"] if _missing(report, SECRET) else []
    secret_fail += _about(report, ("credentials.quoted_value",), SECRET)
    add("secret", secret_fail, app_known)

    # 4. No trailing spaces (or other invisible characters, or quotes).
    ws = _about(report, ("credentials.whitespace", "credentials.quoted_value"))
    has_values = settings is None or any(settings.present().values())
    add("whitespace", ws, has_values)

    # 5. The region matches the one where SES is set up.
    region_fail = _about(
        report, ("region.invalid", "region.identity_not_in_region", "region.opt_in_disabled")
    )
    region_fail += ["config.missing_variable"] if _missing(report, REGION) else []
    add("region", region_fail, report.step(4).status == "pass")

    # 6. EMAIL_PROVIDER is ses.
    prov_fail = _about(report, ("config.provider_not_ses",))
    prov_fail += ["config.missing_variable"] if _missing(report, PROVIDER) else []
    prov_fail += _about(report, ("credentials.whitespace", "credentials.quoted_value"), PROVIDER)
    add("provider", prov_fail, settings is None or bool(settings.provider))

    # 7. The domain is verified in SES (in the app's region).
    dom_fail = _about(report, ("identity.not_verified", "region.identity_not_in_region"))
    dom_fail += ["config.missing_variable"] if _missing(report, EMAIL_FROM) else []
    dom_fail += _about(report, ("config.email_from_invalid",))
    add("domain", dom_fail, bool(ctx.region) and ctx.region in ctx.verified_regions)

    # 8. Production access (out of the sandbox). The sandbox is a warning, not a failure:
    #    mail to the simulator and to verified addresses still goes out.
    sending = _about(report, ("account.sending_disabled",))
    sandbox = _about(report, ("account.sandbox",))
    add("production", sending, ctx.sandbox is False, sandbox)
    items += _delivery_items(report)
    return items


_AUTHENTICATION = (
    "dns.dkim_records_missing",
    "dns.dkim_records_wrong",
    "identity.mail_from_not_verified",
    "dns.spf_missing",
    "dns.dmarc_missing",
    "dns.dmarc_not_aligned",
)
_DELIVERABILITY = (
    "account.paused",
    "account.under_review",
    "account.send_quota_low",
    "account.recipient_not_verified",
    "recipient.suppressed",
    "config.configuration_set_missing",
)


def _delivery_items(report: Report) -> list[ChecklistItem]:
    """9. The domain authenticates its mail (DKIM, MAIL FROM, SPF, DMARC), as DNS shows it.
    10. The account delivers: not paused or under review, quota, the recipient reachable
    (verified in the sandbox, not suppressed), the configuration set exists."""
    out: list[ChecklistItem] = []
    for key, ids, step in (
        ("authentication", _AUTHENTICATION, 4),
        ("deliverability", _DELIVERABILITY, 5),
    ):
        found = [f for f in report.findings if f.id in ids]
        fails = tuple(dict.fromkeys(f.id for f in found if f.severity == Severity.ERROR))
        warns = tuple(dict.fromkeys(f.id for f in found if f.severity == Severity.WARNING))
        if fails:
            out.append(ChecklistItem(key, "fail", fails))
        elif warns:
            out.append(ChecklistItem(key, "warning", warns))
        elif report.step(step).status in ("pass", "warning") and not (
            key == "authentication" and any(f.id == "dns.unanswered" for f in report.findings)
        ):
            out.append(ChecklistItem(key, "pass"))
        else:
            out.append(ChecklistItem(key, "unknown"))
    return out


def all_good(items: list[ChecklistItem]) -> bool:
    """True when nothing is crossed or unknown (warnings such as the sandbox are allowed)."""
    return all(i.state in ("pass", "warning") for i in items)
