"""The delivery fixes against the practice account (moto with auth; its suppression list and
DNS on loopback): verify-recipient, unsuppress-recipient (undone with the recorded reason),
show-dns-records (guidance from the report)."""

from __future__ import annotations

from collections.abc import Callable

from sesfix.demo import sesv2
from sesfix.demo.account import ACCOUNT_ID, SimulatedAccount
from sesfix.fixes import apply_plan, plan_fix, undo
from tests.test_fixes_keys import plan_for

REGION = "ap-southeast-1"
INBOX = "owner@gmail.com"
Load = Callable[[str], SimulatedAccount]


def identities(acc: SimulatedAccount) -> list[str]:
    return list(acc.operator_client("ses", REGION).list_identities()["Identities"])


def test_verify_recipient_then_undo(account: Load) -> None:
    acc = account("sandbox-recipient")
    settings, report, plan = plan_for(acc, "verify-recipient")
    assert "account.recipient_not_verified" in report.finding_ids()
    assert any("request-production-access" in w for w in plan.warnings)  # the real fix
    assert [(c.call, c.params) for c in plan.calls] == [
        ("ses:VerifyEmailIdentity", {"EmailAddress": INBOX})
    ]
    assert (
        plan.calls[0].cli
        == f"aws ses verify-email-identity --email-address {INBOX} --region {REGION}"
    )
    result = apply_plan(
        plan, settings=settings, operator=acc.operator, confirmed=True, verify_timeout=5
    )
    assert result.status == "applied" and result.verified, result.verification_detail
    assert INBOX in identities(acc)
    _s, after, again = plan_for(acc, "verify-recipient", recipient=INBOX)
    assert "account.recipient_not_verified" not in after.finding_ids()
    assert again.noop and "already verified" in again.noop_reason
    back = undo(None, operator=acc.operator, confirmed=True)
    assert back.status == "undone", back.message
    assert INBOX not in identities(acc)


def test_verify_recipient_asks_for_the_address_without_a_finding(account: Load) -> None:
    acc = account("healthy")
    _settings, _report, plan = plan_for(acc, "verify-recipient")
    assert [f.name for f in plan.inputs_needed] == ["recipient"] and not plan.calls


def test_unsuppress_then_undo_puts_it_back_with_its_reason(account: Load) -> None:
    acc = account("suppressed-recipient")
    settings, report, plan = plan_for(acc, "unsuppress-recipient")
    assert "recipient.suppressed" in report.finding_ids()
    (call,) = plan.calls
    assert (call.call, call.params) == ("ses:DeleteSuppressedDestination", {"EmailAddress": INBOX})
    assert [(u.operation, u.params) for u in call.undo] == [
        ("put_suppressed_destination", {"EmailAddress": INBOX, "Reason": "BOUNCE"})
    ]
    result = apply_plan(
        plan, settings=settings, operator=acc.operator, confirmed=True, verify_timeout=5
    )
    assert result.status == "applied" and result.verified, result.verification_detail
    assert sesv2.listed(ACCOUNT_ID, REGION) == []
    _s, after, again = plan_for(acc, "unsuppress-recipient", recipient=INBOX)
    assert after.healthy, after.finding_ids()
    assert again.noop
    assert undo(None, operator=acc.operator, confirmed=True).status == "undone"
    assert sesv2.listed(ACCOUNT_ID, REGION) == [INBOX]


def test_a_complaint_is_warned_about_and_restored_as_a_complaint(account: Load) -> None:
    acc = account("healthy")
    sesv2.suppress(ACCOUNT_ID, REGION, INBOX, "COMPLAINT")
    settings, _report, plan = plan_for(acc, "unsuppress-recipient", recipient=INBOX)
    assert any("spam" in w for w in plan.warnings)
    assert plan.calls[0].undo[0].params["Reason"] == "COMPLAINT"
    apply_plan(plan, settings=settings, operator=acc.operator, confirmed=True, verify_timeout=0)
    assert undo(None, operator=acc.operator, confirmed=True).status == "undone"
    got = acc.operator_client("sesv2", REGION).get_suppressed_destination(EmailAddress=INBOX)
    assert got["SuppressedDestination"]["Reason"] == "COMPLAINT"


def test_show_dns_records_prints_the_zone_lines(account: Load) -> None:
    acc = account("dkim-not-published")
    settings, report, plan = plan_for(acc, "show-dns-records")
    assert plan.kind == "guidance" and not plan.calls
    cnames = [line for line in plan.guidance if line.split()[2:4] == ["IN", "CNAME"]]
    assert not any("\t" in line for line in plan.guidance)  # spaces: a screen shows a tab as \t
    assert len(cnames) >= 3 and all(line.endswith(".dkim.amazonses.com.") for line in cnames)
    assert any(line.startswith("_dmarc.anyrent.shop.") for line in plan.guidance)
    healthy = account("healthy")
    _s, _r, nothing = plan_for(healthy, "show-dns-records")
    assert nothing.noop and not nothing.guidance
    del settings, report


def test_aws_fixes_need_the_operator(account: Load) -> None:
    acc = account("sandbox-recipient")
    settings, report, _plan = plan_for(acc, "verify-recipient")
    refused = plan_fix("verify-recipient", report, settings, operator=None)
    assert refused.refused and not refused.calls
