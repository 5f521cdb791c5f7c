"""AWS behaviour moto cannot produce, answered by botocore's Stubber with AWS's documented
response shapes (Stubber validates them against the service model).

Only the named operation is stubbed; every other call of the run goes to the simulated
account, signed and authenticated as usual.
"""

from __future__ import annotations

import dataclasses
import datetime

import pytest

from sesfix.demo.account import ACCOUNT_ID, S3_FULL, SCENARIOS, SES_FULL
from sesfix.findings import Severity
from tests.support.engine import errors, gateway_for, one, run_with, stub_ops

SEND = ["ses:SendEmail", "ses:SendRawEmail"]
USER_ARN = f"arn:aws:iam::{ACCOUNT_ID}:user/rental-app"


def _result(action: str, decision: str, **extra: object) -> dict[str, object]:
    return {
        "EvalActionName": action,
        "EvalResourceName": "*",
        "EvalDecision": decision,
        "MatchedStatements": [],
        "MissingContextValues": [],
        **extra,
    }


def _simulate(results: list[dict[str, object]]):
    def prime(stubber):
        stubber.add_response(
            "simulate_principal_policy",
            {"EvaluationResults": results, "IsTruncated": False},
            expected_params={"PolicySourceArn": USER_ARN, "ActionNames": SEND},
        )

    return prime


def _policy_reads(gateway) -> list[str]:
    return [r.call for r in gateway.calls() if r.call in ("iam:GetPolicy", "iam:GetPolicyVersion")]


# --- iam:SimulatePrincipalPolicy -------------------------------------------------------------


def _exact_send_allowed(stubber):
    """The delivery check's second simulation: the exact send, on the sender's identity ARNs
    with the send's context (issue 15), allowed too."""
    arns = [
        f"arn:aws:ses:ap-southeast-1:{ACCOUNT_ID}:identity/anyrent.shop",
        f"arn:aws:ses:ap-southeast-1:{ACCOUNT_ID}:identity/no-reply@anyrent.shop",
    ]
    results = [
        _result(
            a,
            "allowed",
            ResourceSpecificResults=[
                {"EvalResourceName": arn, "EvalResourceDecision": "allowed"} for arn in arns
            ],
        )
        for a in SEND
    ]
    stubber.add_response(
        "simulate_principal_policy",
        {"EvaluationResults": results, "IsTruncated": False},
        expected_params={
            "PolicySourceArn": USER_ARN,
            "ActionNames": SEND,
            "ResourceArns": arns,
            "ContextEntries": [
                {
                    "ContextKeyName": "ses:FromAddress",
                    "ContextKeyValues": ["no-reply@anyrent.shop"],
                    "ContextKeyType": "string",
                },
                {
                    "ContextKeyName": "ses:ApiVersion",
                    "ContextKeyValues": ["2"],
                    "ContextKeyType": "string",
                },
            ],
        },
    )


def test_simulation_allowed(account):
    acct = account("healthy")
    settings, gw = gateway_for(acct)

    def prime(stubber):
        _simulate([_result(a, "allowed") for a in SEND])(stubber)
        _exact_send_allowed(stubber)

    stubbers = stub_ops(gw, "operator", "iam", "us-east-1", simulate_principal_policy=prime)
    report = run_with(settings, gw, acct)
    for s in stubbers:
        s.assert_no_pending_responses()
    assert report.healthy and report.context.can_send is True
    assert report.step(1).status == "pass"
    # The simulation answered: no policy document was fetched.
    assert _policy_reads(gw) == []


def test_simulation_implicit_deny_is_permission_missing(account):
    acct = account("seed")
    settings, gw = gateway_for(acct)
    stub_ops(
        gw,
        "operator",
        "iam",
        "us-east-1",
        simulate_principal_policy=_simulate([_result(a, "implicitDeny") for a in SEND]),
    )
    report = run_with(settings, gw, acct)
    assert errors(report) == ["iam.ses_permission_missing"]
    evidence = " ".join(one(report, "iam.ses_permission_missing").evidence)
    assert "implicitDeny" in evidence and "AmazonS3FullAccess" in evidence
    assert _policy_reads(gw) == []


def test_simulation_explicit_deny_names_the_policy(account):
    acct = account("healthy")
    settings, gw = gateway_for(acct)
    statement = {
        "SourcePolicyId": "NoMailPolicy",
        "SourcePolicyType": "IAM Policy",
        "StartPosition": {"Line": 1, "Column": 40},
        "EndPosition": {"Line": 1, "Column": 120},
    }
    stub_ops(
        gw,
        "operator",
        "iam",
        "us-east-1",
        simulate_principal_policy=_simulate(
            [_result(a, "explicitDeny", MatchedStatements=[statement]) for a in SEND]
        ),
    )
    report = run_with(settings, gw, acct)
    assert errors(report) == ["iam.ses_explicit_deny"]
    assert "NoMailPolicy" in " ".join(one(report, "iam.ses_explicit_deny").evidence)


def test_simulation_boundary(account):
    acct = account("healthy")
    settings, gw = gateway_for(acct)
    detail = {"PermissionsBoundaryDecisionDetail": {"AllowedByPermissionsBoundary": False}}
    stub_ops(
        gw,
        "operator",
        "iam",
        "us-east-1",
        simulate_principal_policy=_simulate([_result(a, "implicitDeny", **detail) for a in SEND]),
    )
    report = run_with(settings, gw, acct)
    assert errors(report) == ["iam.permissions_boundary_blocks"]


def test_boundary_found_by_own_evaluation(account):
    """moto keeps no user boundary; GetUser answers as AWS documents one, the evaluator
    then reads the boundary policy (AmazonS3FullAccess) from the account itself."""
    acct = account(
        dataclasses.replace(SCENARIOS["healthy"], name="boundary", managed_policies=(SES_FULL,))
    )
    settings, gw = gateway_for(acct)
    user = {
        "User": {
            "Path": "/",
            "UserName": "rental-app",
            "UserId": "AIDAEXAMPLEEXAMPLE01",
            "Arn": USER_ARN,
            "CreateDate": datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
            "PermissionsBoundary": {
                "PermissionsBoundaryType": "Policy",
                "PermissionsBoundaryArn": S3_FULL,
            },
        }
    }
    stub_ops(
        gw,
        "operator",
        "iam",
        "us-east-1",
        get_user=lambda s: s.add_response("get_user", user, {"UserName": "rental-app"}),
    )
    report = run_with(settings, gw, acct)
    assert errors(report) == ["iam.permissions_boundary_blocks"]
    evidence = " ".join(one(report, "iam.permissions_boundary_blocks").evidence)
    assert "AmazonS3FullAccess" in evidence and "AmazonSESFullAccess" in evidence


def test_simulation_forbidden_falls_back_to_evaluation(account):
    acct = account("seed")
    settings, gw = gateway_for(acct)
    stub_ops(
        gw,
        "operator",
        "iam",
        "us-east-1",
        simulate_principal_policy=lambda s: s.add_client_error(
            "simulate_principal_policy",
            "AccessDenied",
            "User: arn:aws:iam::123456789012:user/ops is not authorized to perform: "
            "iam:SimulatePrincipalPolicy",
            403,
        ),
    )
    report = run_with(settings, gw, acct)
    assert errors(report) == ["iam.ses_permission_missing"]
    assert "AmazonS3FullAccess" in " ".join(one(report, "iam.ses_permission_missing").evidence)
    denied = one(report, "probe.access_denied")
    assert denied.severity == Severity.INFO and denied.step == 1


# --- opt-in region ---------------------------------------------------------------------------


def _error(op: str, code: str, message: str, status: int = 403):
    return lambda s: s.add_client_error(op, code, message, status)


INVALID_TOKEN = "The security token included in the request is invalid."


def test_opt_in_region_not_enabled(account):
    region = "af-south-1"
    acct = account(
        dataclasses.replace(
            SCENARIOS["healthy"], name="opt-in", region=region, verified_regions=(region,)
        )
    )
    settings, gw = gateway_for(acct)
    # STS (us-east-1) accepts the key; everything in the disabled region rejects it.
    stub_ops(
        gw,
        "app",
        "ses",
        region,
        get_send_quota=_error("get_send_quota", "InvalidClientTokenId", INVALID_TOKEN),
    )
    stub_ops(
        gw,
        "app",
        "sesv2",
        region,
        get_account=_error("get_account", "UnrecognizedClientException", INVALID_TOKEN),
    )
    stub_ops(
        gw,
        "operator",
        "ses",
        region,
        get_identity_verification_attributes=_error(
            "get_identity_verification_attributes", "InvalidClientTokenId", INVALID_TOKEN
        ),
    )

    report = run_with(settings, gw, acct)
    assert errors(report) == ["region.opt_in_disabled"]
    assert region in " ".join(one(report, "region.opt_in_disabled").evidence)
    assert "credentials.key_not_found" not in report.finding_ids()
    assert report.step(2).status == "pass"
    # No further call is sent into a region known to be disabled.
    later = [r for r in gw.calls() if r.region == region and r.call == "ses:GetSendQuota"]
    assert [r.identity for r in later] == ["app"]


# --- clock skew ------------------------------------------------------------------------------

SKEW = (
    "Signature expired: 20261129T090000Z is now earlier than 20261129T091000Z "
    "(20261129T091500Z - 5 min.)"
)


def test_clock_skew(account):
    acct = account("healthy")
    settings, gw = gateway_for(acct, operator=False)
    region = acct.app_env["AWS_SES_REGION"]
    stub_ops(
        gw,
        "app",
        "sts",
        "us-east-1",
        get_caller_identity=_error("get_caller_identity", "SignatureDoesNotMatch", SKEW),
    )
    stub_ops(
        gw,
        "app",
        "ses",
        region,
        get_send_quota=_error("get_send_quota", "SignatureDoesNotMatch", SKEW),
        get_identity_verification_attributes=_error(
            "get_identity_verification_attributes", "SignatureDoesNotMatch", SKEW
        ),
    )
    stub_ops(
        gw,
        "app",
        "sesv2",
        region,
        get_account=_error("get_account", "InvalidSignatureException", SKEW),
    )

    report = run_with(settings, gw, acct, operator=False)
    assert errors(report) == ["credentials.clock_skew"]
    assert "Signature expired" in " ".join(one(report, "credentials.clock_skew").evidence)
    assert "credentials.secret_mismatch" not in report.finding_ids()


# --- sesv2:GetAccount ---------------------------------------------------------------------------


def _account(production: bool, sending: bool, enforcement: str = "HEALTHY") -> dict[str, object]:
    quota = (50000.0, 14.0) if production else (200.0, 1.0)
    return {
        "DedicatedIpAutoWarmupEnabled": False,
        "EnforcementStatus": enforcement,
        "ProductionAccessEnabled": production,
        "SendQuota": {"Max24HourSend": quota[0], "MaxSendRate": quota[1], "SentLast24Hours": 3.0},
        "SendingEnabled": sending,
        "SuppressionAttributes": {"SuppressedReasons": ["BOUNCE", "COMPLAINT"]},
        "Details": {
            "MailType": "TRANSACTIONAL",
            "WebsiteURL": "https://anyrent.shop",
            "ContactLanguage": "EN",
            "UseCaseDescription": "Sign-up and booking mail",
            "ReviewDetails": {"Status": "GRANTED" if production else "PENDING", "CaseId": "1"},
        },
    }


@pytest.mark.parametrize(
    ("production", "sending", "expect_errors", "sandbox"),
    [
        (True, True, [], False),
        (False, True, [], True),
        (True, False, ["account.sending_disabled"], False),
        # AWS paused the account after a review: the cause, not its symptom (issue 15)
        (True, None, ["account.paused"], False),
    ],
    ids=["production", "sandbox", "sending-disabled", "shutdown"],
)
def test_get_account(account, production, sending, expect_errors, sandbox):
    acct = account("healthy")
    settings, gw = gateway_for(acct)
    region = acct.app_env["AWS_SES_REGION"]
    body = _account(production, sending is not False, "SHUTDOWN" if sending is None else "HEALTHY")
    if sending is None:
        body["SendingEnabled"] = False
    stub_ops(
        gw, "app", "sesv2", region, get_account=lambda s: s.add_response("get_account", body, {})
    )
    report = run_with(settings, gw, acct)
    assert errors(report) == expect_errors
    assert report.context.sandbox is sandbox
    assert ("account.sandbox" in report.finding_ids()) is sandbox
    if sandbox:
        assert "sesv2:GetAccount" in " ".join(one(report, "account.sandbox").evidence)
    if sending is False:
        assert "HEALTHY" in " ".join(one(report, "account.sending_disabled").evidence)
        assert report.step(5).status == "fail"
    if sending is None:
        assert "EnforcementStatus SHUTDOWN" in " ".join(one(report, "account.paused").evidence)
        assert "account.sending_disabled" not in report.finding_ids()
        assert report.step(5).status == "fail"
    # GetAccount answered: the operator's fallback quota read is not made.
    assert not [r for r in gw.calls() if r.identity == "operator" and r.call == "ses:GetSendQuota"]
    # ... and sesv2 is not reported unreachable.
    assert "probe.unreachable" not in [
        f.id for f in report.findings if f.data.get("call") == "ses:GetAccount"
    ]


# --- what real AWS does that moto does not ----------------------------------------------------


def test_inactive_key_as_aws_answers_it(account):
    """moto accepts an inactive key; AWS answers InvalidClientTokenId. With the operator's
    view (Status Inactive) the cause is key_inactive, never key_not_found."""
    acct = account(
        dataclasses.replace(SCENARIOS["healthy"], name="inactive", key_status="Inactive")
    )
    settings, gw = gateway_for(acct)
    stub_ops(
        gw,
        "app",
        "sts",
        "us-east-1",
        get_caller_identity=_error("get_caller_identity", "InvalidClientTokenId", INVALID_TOKEN),
    )
    report = run_with(settings, gw, acct)
    assert errors(report) == ["credentials.key_inactive"]
    evidence = " ".join(one(report, "credentials.key_inactive").evidence)
    assert "Inactive" in evidence and "InvalidClientTokenId" in evidence
    assert report.context.app_user == "rental-app"  # from iam:GetAccessKeyLastUsed


def test_operator_of_another_account_reads_no_iam(account):
    acct = account("seed")
    settings, gw = gateway_for(acct)
    other = {
        "UserId": "AIDAOTHEROTHEROTHER1",
        "Account": "210987654321",
        "Arn": "arn:aws:iam::210987654321:user/ops",
    }
    stub_ops(
        gw,
        "operator",
        "sts",
        "us-east-1",
        get_caller_identity=lambda s: s.add_response("get_caller_identity", other, {}),
    )
    report = run_with(settings, gw, acct)
    cannot = one(report, "iam.cannot_inspect")
    assert "210987654321" in " ".join(cannot.evidence)
    assert not [
        r for r in gw.calls() if r.call.startswith("iam:") and r.call != "iam:GetAccessKeyLastUsed"
    ]
    # Still the cause, from the app's own AccessDenied.
    assert errors(report) == ["iam.ses_permission_missing"]


@pytest.mark.parametrize(
    ("code", "message", "changes", "expected"),
    [
        ("RequestExpired", "Request has expired.", {}, "credentials.clock_skew"),
        (
            "ExpiredToken",
            "The security token included in the request is expired",
            {"AWS_SESSION_TOKEN": "IQoJb3JpZ2luX2VjEXAMPLETOKEN"},
            "credentials.token_expired",
        ),
        (
            "IncompleteSignature",
            "Authorization header requires 'Credential' parameter.",
            {},
            "credentials.key_id_malformed",
        ),
    ],
    ids=["request-expired", "expired-token", "incomplete-signature"],
)
def test_other_rejections_name_their_cause(account, code, message, changes, expected):
    acct = account("healthy")
    if "AWS_SESSION_TOKEN" in changes:
        changes = {**changes, "AWS_ACCESS_KEY_ID": "ASIA" + acct.app_env["AWS_ACCESS_KEY_ID"][4:]}
    settings, gw = gateway_for(acct, changes)
    stub_ops(
        gw,
        "app",
        "sts",
        "us-east-1",
        get_caller_identity=_error("get_caller_identity", code, message, 400),
    )
    report = run_with(settings, gw, acct)
    assert errors(report) == [expected]
    assert code in " ".join(one(report, expected).evidence)


def test_throttled_quota_with_an_answering_get_account(account):
    """One probe throttled while another answers the same question: info, and the live
    test and the account step keep their verdicts."""
    acct = account("healthy")
    settings, gw = gateway_for(acct)
    region = acct.app_env["AWS_SES_REGION"]
    stub_ops(
        gw,
        "app",
        "ses",
        region,
        get_send_quota=_error("get_send_quota", "Throttling", "Rate exceeded", 400),
    )
    stub_ops(
        gw,
        "app",
        "sesv2",
        region,
        get_account=lambda s: s.add_response("get_account", _account(False, True), {}),
    )
    report = run_with(settings, gw, acct)
    assert report.healthy
    [throttled] = [
        f
        for f in report.findings
        if f.id == "probe.unreachable" and f.data["call"] == "ses:GetSendQuota"
    ]
    assert throttled.severity == Severity.INFO
    assert throttled.data["call"] == "ses:GetSendQuota" and throttled.data["region"] == region
    assert report.step(3).status == "pass"
    assert report.step(5).status == "warning"  # the sandbox, from sesv2:GetAccount


def test_simulation_allowed_with_missing_context_is_a_warning(account):
    acct = account("healthy")
    settings, gw = gateway_for(acct)
    results = [_result(a, "allowed", MissingContextValues=["ses:FromAddress"]) for a in SEND]
    stub_ops(gw, "operator", "iam", "us-east-1", simulate_principal_policy=_simulate(results))
    report = run_with(settings, gw, acct)
    assert report.healthy and report.context.can_send is True
    cannot = one(report, "iam.cannot_inspect")
    assert cannot.severity == Severity.WARNING and "ses:FromAddress" in cannot.evidence[0]
