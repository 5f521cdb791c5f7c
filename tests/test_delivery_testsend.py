"""The wizard's Test send, when SES rejects it: the MessageRejected message decoded into the
identities it names, each checked in SES (verified in the region? the sandbox?).

AWS is the simulated account on loopback with IAM authentication enforced; its SES refuses
an unverified recipient of an account in the sandbox with AWS's own text
(:mod:`sesfix.demo.sending`). The shared server has no ``sesv2:GetAccount`` (moto lacks it),
so there the sandbox stays unknown; the practice account (``fill_gaps``) answers it.
"""

from __future__ import annotations

from typing import Any

from sesfix.diagnosis.testsend import send_test_email
from sesfix.lang import set_language
from sesfix.sources import SourceSpec, open_source
from sesfix.tui.app import make_app
from tests.support.screen import screen_text
from tests.support.wizard import settle

RECIPIENT = "owner@gmail.com"


def test_an_unverified_recipient_in_the_sandbox_is_named_and_checked() -> None:
    with open_source(SourceSpec(kind="practice", scenario="sandbox-recipient")) as source:
        result = send_test_email(source.settings, RECIPIENT)
    assert not result.ok and result.error_code == "MessageRejected"
    assert "failed the check in region AP-SOUTHEAST-1: owner@gmail.com" in result.message
    report = result.rejection
    assert report is not None
    assert report.region == "ap-southeast-1"
    [check] = report.checks
    assert (check.identity, check.role) == (RECIPIENT, "recipient")
    assert (check.status, check.domain_status, check.verified) == ("absent", "absent", False)
    assert report.sandbox is True  # from sesv2:GetAccount, ProductionAccessEnabled false
    assert report.advice() == ["recipient"]
    text = "\n".join(report.lines())
    assert "owner@gmail.com (a recipient): not an identity in this region" in text
    assert "The account is in the sandbox in ap-southeast-1" in text
    assert "verify-recipient" in text
    assert result.record is not None and result.record.call == "ses:SendEmail"


def test_a_verified_recipient_is_sent_to_and_nothing_is_decoded() -> None:
    # suppressed-recipient: the learner verified owner@gmail.com as a test inbox.
    with open_source(SourceSpec(kind="practice", scenario="suppressed-recipient")) as source:
        result = send_test_email(source.settings, RECIPIENT)
    assert result.ok, result.lines
    assert result.rejection is None


def test_an_unverified_sender_is_named_as_the_sender_in_vietnamese_too() -> None:
    with open_source(SourceSpec(kind="practice", scenario="unverified-domain")) as source:
        result = send_test_email(source.settings)  # to the mailbox simulator
    assert result.error_code == "MessageRejected"
    report = result.rejection
    assert report is not None
    [check] = report.checks
    assert (check.identity, check.role, check.verified) == (
        "no-reply@anyrent.shop",
        "sender",
        False,
    )
    assert report.advice() == ["sender"]
    set_language("vi")
    try:
        text = "\n".join(report.lines())
    finally:
        set_language("en")
    assert "no-reply@anyrent.shop (địa chỉ người gửi): không phải identity ở region này" in text
    assert "fix verify-domain" in text


def test_a_read_the_app_may_not_make_is_asked_as_the_operator_else_left_open(
    account: Any,
) -> None:
    """send-raw-missing: the app may SendEmail but not GetIdentityVerificationAttributes."""
    acct = account("send-raw-missing")
    alone = send_test_email(acct.app_settings(), RECIPIENT)
    assert alone.error_code == "MessageRejected"
    assert alone.rejection is not None
    [check] = alone.rejection.checks
    assert check.role == "recipient"
    assert check.status is None and check.verified is None  # not asked is not "absent"
    assert alone.rejection.advice() == []
    assert any(
        "ses:GetIdentityVerificationAttributes as app: AccessDenied" in n
        for n in alone.rejection.notes
    )
    helped = send_test_email(acct.app_settings(), RECIPIENT, operator=acct.operator)
    assert helped.rejection is not None
    [check] = helped.rejection.checks
    assert (check.status, check.verified) == ("absent", False)
    # The shared server has no sesv2:GetAccount: the sandbox stays an open question.
    assert helped.rejection.sandbox is None
    assert any("is the account in the sandbox" in n for n in helped.rejection.notes)


async def test_the_wizard_shows_the_decoded_rejection_on_the_test_send_page(
    account: Any,
) -> None:
    acct = account("sandbox-recipient")
    app = make_app(settings=acct.app_settings(), operator=acct.operator, lang="en")
    app.stable_output = True
    async with app.run_test(size=(110, 44)) as pilot:
        await settle(pilot, app)
        await pilot.press("t")
        await pilot.pause(0.1)
        box = app.screen.query_one("#testsend-to")
        box.focus()
        await pilot.press("ctrl+e", "ctrl+u", *RECIPIENT, "enter")
        await settle(pilot, app)
        text = screen_text(app)
    assert "Error: MessageRejected" in text
    assert "owner@gmail.com (a recipient): not an identity in this region" in text
    assert "Whether the account is in the sandbox in ap-southeast-1 is not known." in text


def test_advice_is_one_sentence_per_role() -> None:
    """Two unverified recipients outside the sandbox: one piece of advice, not two."""
    from sesfix.delivery.rejection import NOT_AN_IDENTITY, IdentityCheck, RejectionReport

    report = RejectionReport(
        "ap-southeast-1",
        (
            IdentityCheck("a@example.com", "recipient", NOT_AN_IDENTITY, NOT_AN_IDENTITY),
            IdentityCheck("b@example.com", "recipient", NOT_AN_IDENTITY, NOT_AN_IDENTITY),
            IdentityCheck("no-reply@anyrent.shop", "sender", "Pending", NOT_AN_IDENTITY),
        ),
        sandbox=False,
    )
    assert report.advice() == ["recipient_production", "sender"]
