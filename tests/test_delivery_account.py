"""Account health, recipients, configuration sets and the sender identity.

moto's server (IAM auth enforced) answers what it implements: identity verification,
DKIM tokens and MAIL FROM over the SES v1 API, configuration sets. botocore's Stubber
answers, in AWS's documented shapes, what it does not: sesv2 GetAccount's enforcement
fields, GetSuppressedDestination and GetEmailIdentity's full answer.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from botocore.stub import Stubber

from sesfix.aws.gateway import Gateway
from sesfix.delivery import account as A
from sesfix.demo.account import SimulatedAccount
from tests.support.engine import gateway_for, stub_ops

REGION = "ap-southeast-1"
DOMAIN = "anyrent.shop"
TO = "customer@gmail.com"

Load = Callable[[str], SimulatedAccount]


def not_suppressed(stubber: Stubber) -> None:
    stubber.add_client_error(
        "get_suppressed_destination",
        service_error_code="NotFoundException",
        service_message=f"Email address {TO} does not exist on your suppression list.",
        http_status_code=404,
        expected_params={"EmailAddress": TO},
    )


def suppressed(stubber: Stubber) -> None:
    stubber.add_response(
        "get_suppressed_destination",
        {
            "SuppressedDestination": {
                "EmailAddress": TO,
                "Reason": "BOUNCE",
                "LastUpdateTime": datetime.datetime(2026, 11, 2, 8, 30, tzinfo=datetime.UTC),
                "Attributes": {"MessageId": "0100018c-msg", "FeedbackId": "0100018c-fb"},
            }
        },
        {"EmailAddress": TO},
    )


def setup(load: Load) -> tuple[SimulatedAccount, Gateway]:
    acct = load("healthy")
    _, gw = gateway_for(acct)
    return acct, gw


def called(gw: Gateway) -> list[str]:
    return [f"{r.call}@{r.region}" for r in gw.calls()]


# --- recipients ---------------------------------------------------------------------------


def test_sandbox_recipient_not_verified(account: Load) -> None:
    _, gw = setup(account)
    stubs = stub_ops(gw, "operator", "sesv2", REGION, get_suppressed_destination=not_suppressed)
    out = A.check_recipient(gw, "operator", REGION, TO, sandbox=True)
    assert [f.id for f in out.findings] == ["account.recipient_not_verified"]
    f = out.findings[0]
    assert f.data["recipient"] == TO and f.data["region"] == REGION
    assert f"{TO} in {REGION}: not an identity" in f.evidence
    assert not out.unknown
    for s in stubs:
        s.assert_no_pending_responses()


def test_verified_recipient_or_its_domain_passes(account: Load) -> None:
    acct, gw = setup(account)
    acct.operator_client("ses", REGION).verify_email_identity(EmailAddress=TO)
    stub_ops(gw, "operator", "sesv2", REGION, get_suppressed_destination=not_suppressed)
    assert A.check_recipient(gw, "operator", REGION, TO, sandbox=True).findings == []
    # verified in another region only: still not verified here
    acct2, gw2 = setup(account)
    acct2.operator_client("ses", "us-east-1").verify_email_identity(EmailAddress=TO)
    stub_ops(gw2, "operator", "sesv2", REGION, get_suppressed_destination=not_suppressed)
    out = A.check_recipient(gw2, "operator", REGION, TO, sandbox=True)
    assert [f.id for f in out.findings] == ["account.recipient_not_verified"]


def test_out_of_the_sandbox_the_recipient_is_not_looked_up(account: Load) -> None:
    _, gw = setup(account)
    stub_ops(gw, "operator", "sesv2", REGION, get_suppressed_destination=not_suppressed)
    out = A.check_recipient(gw, "operator", REGION, TO, sandbox=False)
    assert out.findings == []
    assert called(gw) == [f"ses:GetSuppressedDestination@{REGION}"]


def test_suppressed_recipient(account: Load) -> None:
    _, gw = setup(account)
    stub_ops(gw, "operator", "sesv2", REGION, get_suppressed_destination=suppressed)
    out = A.check_recipient(gw, "operator", REGION, TO, sandbox=False)
    (f,) = out.findings
    assert f.id == "recipient.suppressed" and f.data["reason"] == "BOUNCE"
    assert any("0100018c-msg" in e for e in f.evidence)


def test_suppression_lookup_denied_is_unknown_not_clean(account: Load) -> None:
    _, gw = setup(account)

    def denied(stubber: Stubber) -> None:
        stubber.add_client_error(
            "get_suppressed_destination",
            service_error_code="AccessDeniedException",
            service_message="User is not authorized to perform: ses:GetSuppressedDestination",
            http_status_code=403,
        )

    stub_ops(gw, "app", "sesv2", REGION, get_suppressed_destination=denied)
    out = A.check_recipient(gw, "app", REGION, TO, sandbox=False)
    assert out.findings == [] and out.unknown
    assert "not allowed" in out.notes[0]


def test_mailbox_simulator_needs_no_call(account: Load) -> None:
    _, gw = setup(account)
    out = A.check_recipient(gw, "operator", REGION, "success@simulator.amazonses.com", sandbox=True)
    assert out.findings == [] and gw.calls() == []


# --- configuration sets -------------------------------------------------------------------


def test_configuration_set_exists(account: Load) -> None:
    acct, gw = setup(account)
    acct.operator_client("ses", REGION).create_configuration_set(ConfigurationSet={"Name": "tx"})
    out = A.check_configuration_set(gw, "operator", REGION, "tx", named_by="SES_CONFIGURATION_SET")
    assert out.findings == [] and not out.unknown


def test_configuration_set_in_another_region(account: Load) -> None:
    acct, gw = setup(account)
    acct.operator_client("ses", "us-east-1").create_configuration_set(
        ConfigurationSet={"Name": "tx"}
    )
    out = A.check_configuration_set(
        gw,
        "operator",
        REGION,
        "tx",
        named_by="SES_CONFIGURATION_SET",
        other_regions=["us-east-1", "eu-west-1", REGION],
    )
    (f,) = out.findings
    assert f.id == "config.configuration_set_missing"
    assert f.data["elsewhere"] == ["us-east-1"] and f.data["configuration_set"] == "tx"
    assert "ConfigurationSetDoesNotExist" in f.evidence[0]


def test_configuration_set_check_denied_is_unknown(account: Load) -> None:
    _, gw_app = gateway_for(account("seed"))  # seed: the app's user may only use S3
    out = A.check_configuration_set(gw_app, "app", REGION, "tx", named_by="--configuration-set")
    assert out.findings == [] and out.unknown


# --- the identity -------------------------------------------------------------------------

TOKENS = [
    "abcdefghijklmnopqrstuvwxyz234567",
    "bcdefghijklmnopqrstuvwxyz2345678",
    "cdefghijklmnopqrstuvwxyz23456789",
]


def full_identity(stubber: Stubber) -> None:
    stubber.add_response(
        "get_email_identity",
        {
            "IdentityType": "DOMAIN",
            "FeedbackForwardingStatus": True,
            "VerifiedForSendingStatus": True,
            "DkimAttributes": {
                "SigningEnabled": True,
                "Status": "PENDING",
                "Tokens": TOKENS,
                "SigningAttributesOrigin": "AWS_SES",
            },
            "MailFromAttributes": {
                "MailFromDomain": f"mail.{DOMAIN}",
                "MailFromDomainStatus": "FAILED",
                "BehaviorOnMxFailure": "REJECT_MESSAGE",
            },
            "Policies": {},
            "Tags": [],
            "ConfigurationSetName": "deleted-default",
            "VerificationStatus": "SUCCESS",
        },
        {"EmailIdentity": DOMAIN},
    )


def test_identity_from_get_email_identity(account: Load) -> None:
    _, gw = setup(account)
    stub_ops(gw, "operator", "sesv2", REGION, get_email_identity=full_identity)
    info, out = A.read_identity(gw, "operator", REGION, DOMAIN)
    assert info is not None and out.notes == []
    assert info.dkim_tokens == tuple(TOKENS) and info.dkim_status == "PENDING"
    assert (info.mail_from, info.mail_from_status, info.mail_from_behavior) == (
        f"mail.{DOMAIN}",
        "FAILED",
        "REJECT_MESSAGE",
    )
    assert info.default_configuration_set == "deleted-default"
    assert called(gw) == [f"ses:GetEmailIdentity@{REGION}"]  # one call answers everything
    # the default set does not exist in the simulated account
    out2 = A.check_default_configuration_set(gw, "operator", info)
    (f,) = out2.findings
    assert f.id == "config.configuration_set_missing"
    assert f.data["named_by"] == f"the default configuration set of identity {DOMAIN}"


def test_identity_falls_back_to_the_v1_reads(account: Load) -> None:
    acct, gw = setup(account)
    acct.operator_client("ses", REGION).set_identity_mail_from_domain(
        Identity=DOMAIN, MailFromDomain=f"mail.{DOMAIN}"
    )

    def denied(stubber: Stubber) -> None:
        stubber.add_client_error(
            "get_email_identity", service_error_code="AccessDeniedException", http_status_code=403
        )

    stub_ops(gw, "operator", "sesv2", REGION, get_email_identity=denied)
    info, out = A.read_identity(gw, "operator", REGION, DOMAIN)
    assert info is not None
    assert len(info.dkim_tokens) == 3 and info.dkim_status == "SUCCESS"
    assert info.mail_from == f"mail.{DOMAIN}" and info.mail_from_status == "SUCCESS"
    assert not info.default_set_known and "default configuration set" in out.notes[0]
    assert called(gw) == [
        f"ses:GetEmailIdentity@{REGION}",
        f"ses:GetIdentityDkimAttributes@{REGION}",
        f"ses:GetIdentityMailFromDomainAttributes@{REGION}",
    ]
    auth = info.domain_auth()
    assert auth.dkim_tokens == info.dkim_tokens and auth.region == REGION


def test_unknown_identity(account: Load) -> None:
    _, gw = setup(account)

    def missing(stubber: Stubber) -> None:
        stubber.add_client_error(
            "get_email_identity", service_error_code="NotFoundException", http_status_code=404
        )

    stub_ops(gw, "operator", "sesv2", REGION, get_email_identity=missing)
    info, _ = A.read_identity(gw, "operator", REGION, DOMAIN)
    assert info is not None and not info.exists


# --- account health -----------------------------------------------------------------------


def get_account(enforcement: str, **extra: Any) -> Callable[[Stubber], None]:
    answer: dict[str, Any] = {
        "DedicatedIpAutoWarmupEnabled": False,
        "EnforcementStatus": enforcement,
        "ProductionAccessEnabled": True,
        "SendQuota": {"Max24HourSend": 50000.0, "MaxSendRate": 14.0, "SentLast24Hours": 120.0},
        "SendingEnabled": enforcement != "SHUTDOWN",
        "SuppressionAttributes": {"SuppressedReasons": ["BOUNCE", "COMPLAINT"]},
        "Details": {
            "MailType": "TRANSACTIONAL",
            "WebsiteURL": "https://anyrent.shop",
            "ContactLanguage": "EN",
            "UseCaseDescription": "rental confirmations",
            "ReviewDetails": {"Status": "GRANTED", "CaseId": "170000000000"},
        },
    }
    answer.update(extra)

    def prime(stubber: Stubber) -> None:
        stubber.add_response("get_account", answer, {})

    return prime


@pytest.mark.parametrize(
    ("enforcement", "expected"),
    [("HEALTHY", []), ("PROBATION", ["account.under_review"]), ("SHUTDOWN", ["account.paused"])],
)
def test_enforcement_status(account: Load, enforcement: str, expected: list[str]) -> None:
    _, gw = setup(account)
    stub_ops(gw, "operator", "sesv2", REGION, get_account=get_account(enforcement))
    health, out = A.read_account(gw, "operator", REGION)
    assert health is not None and not out.unknown
    found = A.judge_account(health)
    assert [f.id for f in found] == expected
    if found:
        assert any("case 170000000000" in e for e in found[0].evidence)
        assert any("BOUNCE, COMPLAINT" in e for e in found[0].evidence)


def test_quota_against_the_needed_rate(account: Load) -> None:
    _, gw = setup(account)
    quota = {"Max24HourSend": 200.0, "MaxSendRate": 1.0, "SentLast24Hours": 200.0}
    stub_ops(
        gw,
        "operator",
        "sesv2",
        REGION,
        get_account=get_account("HEALTHY", SendQuota=quota, ProductionAccessEnabled=False),
    )
    health, _ = A.read_account(gw, "operator", REGION)
    assert health is not None and health.sandbox is True
    (f,) = A.judge_account(health, needed_rate=5)
    assert f.id == "account.send_quota_low"
    assert any("used up" in e for e in f.evidence)
    assert any("needs 5 messages per second" in e for e in f.evidence)
    fine = A.AccountHealth.from_get_account(
        {"SendQuota": {"Max24HourSend": -1.0, "MaxSendRate": 50.0, "SentLast24Hours": 9e9}}, REGION
    )
    assert A.judge_account(fine, needed_rate=10) == []  # -1: unlimited


def test_get_account_unanswered(account: Load) -> None:
    _, gw = setup(account)

    def throttled(stubber: Stubber) -> None:
        stubber.add_client_error(
            "get_account", service_error_code="TooManyRequestsException", http_status_code=429
        )

    stub_ops(gw, "operator", "sesv2", REGION, get_account=throttled)
    health, out = A.read_account(gw, "operator", REGION)
    assert health is None and out.unknown


def test_xml_error_of_a_rest_service_is_classified_by_its_code() -> None:
    """moto's authorisation layer answers SESv2 (REST/JSON) with a Query-style XML error;
    the gateway reads its <Code> so a refusal is named AccessDenied, not '403'."""
    from botocore.exceptions import ClientError

    from sesfix.aws.gateway import classify

    body = (
        '<?xml version="1.0" encoding="utf-8"?><ErrorResponse><Errors><Error><Code>AccessDenied'
        "</Code><Message>User: x is not authorized to perform: ses:GetSuppressedDestination"
        "</Message></Error></Errors></ErrorResponse>"
    )
    exc = ClientError(
        {"Error": {"Code": "403", "Message": body}, "ResponseMetadata": {"HTTPStatusCode": 403}},
        "GetSuppressedDestination",
    )
    code, message, status, unreachable = classify(exc)
    assert (code, status, unreachable) == ("AccessDenied", 403, False)
    assert message.startswith("User: x is not authorized") and "<" not in message
