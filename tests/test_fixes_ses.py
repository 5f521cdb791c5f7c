"""SES fixes: verify-domain against moto; request-production-access against moto (which has
no sesv2:PutAccountDetails, like an account refusing it) and, for AWS's documented success,
botocore's Stubber with the real response shapes."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import boto3
from botocore.stub import Stubber

from sesfix.aws.identity import Identities
from sesfix.demo.account import SCENARIOS
from sesfix.diagnosis.engine import DiagnosisOptions, diagnose
from sesfix.fixes import apply_plan, list_entries, plan_fix, undo
from tests.test_fixes_keys import plan_for


def identities_in(acc: Any, region: str) -> list[str]:
    return list(acc.operator_client("ses", region).list_identities()["Identities"])


def test_verify_domain_where_it_is_verified_elsewhere(account):
    acc = account("wrong-region")
    settings, report, plan = plan_for(acc, "verify-domain")
    assert "region.identity_not_in_region" in report.finding_ids()
    assert any("us-east-1" in w and "AWS_SES_REGION" in w for w in plan.warnings)
    assert [(c.call, c.region) for c in plan.calls] == [
        ("ses:VerifyDomainIdentity", "ap-southeast-1"),
        ("ses:VerifyDomainDkim", "ap-southeast-1"),
    ]
    assert plan.calls[0].cli == (
        "aws ses verify-domain-identity --domain anyrent.shop --region ap-southeast-1"
    )
    result = apply_plan(
        plan, settings=settings, operator=acc.operator, confirmed=True, verify_timeout=5
    )
    assert result.status == "applied" and result.verified is True, result.verification_detail
    txt = [g for g in result.guidance if "_amazonses.anyrent.shop  TXT" in g]
    cnames = [g for g in result.guidance if "._domainkey.anyrent.shop  CNAME" in g]
    assert len(txt) == 1 and len(cnames) == 3
    after = diagnose(settings, DiagnosisOptions(operator=acc.operator))
    assert after.step(4).status == "pass"
    _s, _r, again = plan_for(acc, "verify-domain")
    assert again.noop and "already exists in ap-southeast-1" in again.noop_reason

    assert undo(None, operator=acc.operator, confirmed=True).status == "undone"
    assert "anyrent.shop" not in identities_in(acc, "ap-southeast-1")
    assert "anyrent.shop" in identities_in(acc, "us-east-1")


def test_set_ses_region_guidance_names_the_verified_region(account):
    acc = account("wrong-region")
    _s, _r, plan = plan_for(acc, "set-ses-region")
    assert plan.kind == "guidance" and not plan.calls
    assert plan.guidance[0].startswith('Set AWS_SES_REGION to us-east-1 (now "ap-southeast-1")')


def test_verify_domain_nowhere_verified(account):
    acc = account(replace(SCENARIOS["healthy"], name="unverified", verified_regions=()))
    settings, report, plan = plan_for(acc, "verify-domain")
    assert "identity.not_verified" in report.finding_ids()
    assert not plan.warnings
    result = apply_plan(
        plan, settings=settings, operator=acc.operator, confirmed=True, verify_timeout=5
    )
    assert result.status == "applied" and result.verified is True
    assert "anyrent.shop" in identities_in(acc, "ap-southeast-1")


INPUTS = {
    "mail_type": "TRANSACTIONAL",
    "website_url": "https://anyrent.shop",
    "use_case": "Sign-up confirmations and rental receipts to our own customers.",
}


def test_production_access_needs_typed_fields_and_moto_refuses_it(account):
    acc = account("healthy")
    settings, _report, plan = plan_for(acc, "request-production-access")
    assert {i.name for i in plan.inputs_needed} == {"mail_type", "website_url", "use_case"}
    assert not plan.applicable
    _s, _r, plan = plan_for(acc, "request-production-access", **INPUTS)
    assert plan.applicable and plan.calls[0].call == "ses:PutAccountDetails"
    assert any("could not be read" in w for w in plan.warnings)  # moto has no sesv2 GetAccount
    result = apply_plan(plan, settings=settings, operator=acc.operator, confirmed=True)
    assert result.status == "failed" and result.verified is None
    assert "AWS did not accept ses:PutAccountDetails" in result.message
    assert "SES console" in result.message
    [entry] = list_entries()
    assert entry.status == "failed" and entry.calls[0].status == "failed"
    assert not entry.changed_anything


GET_ACCOUNT_SANDBOX: dict[str, Any] = {
    "DedicatedIpAutoWarmupEnabled": False,
    "EnforcementStatus": "HEALTHY",
    "ProductionAccessEnabled": False,
    "SendQuota": {"Max24HourSend": 200.0, "MaxSendRate": 1.0, "SentLast24Hours": 0.0},
    "SendingEnabled": True,
}


def test_production_access_documented_success_with_stubber(account, monkeypatch):
    acc = account("healthy")
    settings = acc.app_settings()
    report = diagnose(settings, DiagnosisOptions(operator=acc.operator))
    stubbed = boto3.client(
        "sesv2",
        region_name="ap-southeast-1",
        aws_access_key_id="AKIASTUBSTUBSTUBSTUB",
        aws_secret_access_key="stub-secret-not-used-anywhere-0000000000",
    )
    stub = Stubber(stubbed)
    stub.add_response("get_account", GET_ACCOUNT_SANDBOX, {})
    stub.add_response(
        "put_account_details",
        {},
        {
            "MailType": "TRANSACTIONAL",
            "WebsiteURL": "https://anyrent.shop",
            "ContactLanguage": "EN",
            "UseCaseDescription": INPUTS["use_case"],
            "ProductionAccessEnabled": True,
        },
    )
    reviewed = {
        **GET_ACCOUNT_SANDBOX,
        "Details": {
            "MailType": "TRANSACTIONAL",
            "WebsiteURL": "https://anyrent.shop",
            "ContactLanguage": "EN",
            "UseCaseDescription": INPUTS["use_case"],
            "ReviewDetails": {"Status": "PENDING", "CaseId": "12345678901"},
        },
    }
    stub.add_response("get_account", reviewed, {})
    stub.activate()
    real = Identities.client

    def client(self: Identities, identity: str, service: str, region: str) -> Any:
        if service == "sesv2":
            assert identity == "operator"
            return stubbed
        return real(self, identity, service, region)  # type: ignore[arg-type]

    monkeypatch.setattr(Identities, "client", client)
    plan = plan_fix(
        "request-production-access", report, settings, operator=acc.operator, inputs=INPUTS
    )
    assert plan.applicable and not plan.warnings
    result = apply_plan(plan, settings=settings, operator=acc.operator, confirmed=True)
    assert result.status == "applied", result.message
    assert result.verified is True and "PENDING" in result.verification_detail
    stub.assert_no_pending_responses()

    # once under review, asking again is a no-op
    stub.add_response("get_account", reviewed, {})
    again = plan_fix(
        "request-production-access", report, settings, operator=acc.operator, inputs=INPUTS
    )
    assert again.noop and "under review" in again.noop_reason
