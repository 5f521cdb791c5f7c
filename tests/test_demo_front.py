"""The practice account's front (sesfix.demo.front): it answers as AWS does where moto does not.

Real HTTP to a practice server on loopback (``SimulatedAccount.start(fill_gaps=True)``), real
botocore clients, IAM authentication enforced. Each answer is read back through botocore's
parsers, so a shape AWS would not send fails here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import botocore.exceptions
import pytest

from sesfix.aws.identity import StaticCredentials
from sesfix.demo.account import SCENARIOS, SES_FULL, Scenario, SimulatedAccount
from sesfix.masking import Secret

SEND = ["ses:SendEmail", "ses:SendRawEmail"]
USER_ARN = "arn:aws:iam::123456789012:user/rental-app"


@pytest.fixture
def practice(moto_server: SimulatedAccount) -> Iterator[SimulatedAccount]:
    """A second server in this process, with the gaps filled (moto's state is shared: the
    test loads its scenario into it, like ``account`` does)."""
    server = SimulatedAccount.start(fill_gaps=True)
    try:
        yield server
    finally:
        server.stop()


def app_creds(acct: SimulatedAccount) -> StaticCredentials:
    return StaticCredentials(
        acct.app_env["AWS_ACCESS_KEY_ID"], Secret(acct.app_env["AWS_SECRET_ACCESS_KEY"])
    )


def simulate(acct: SimulatedAccount, arn: str = USER_ARN) -> dict[str, str]:
    answer = acct.operator_client("iam").simulate_principal_policy(
        PolicySourceArn=arn, ActionNames=SEND
    )
    return {r["EvalActionName"]: r for r in answer["EvaluationResults"]}


def error_of(call: object) -> dict[str, object]:
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call()  # type: ignore[operator]
    return dict(info.value.response["Error"]) | {
        "status": info.value.response["ResponseMetadata"]["HTTPStatusCode"]
    }


def test_simulate_principal_policy_decisions(practice: SimulatedAccount) -> None:
    practice.load("seed")
    results = simulate(practice)
    assert {a: r["EvalDecision"] for a, r in results.items()} == dict.fromkeys(SEND, "implicitDeny")
    practice.load("healthy")
    results = simulate(practice)
    assert {a: r["EvalDecision"] for a, r in results.items()} == dict.fromkeys(SEND, "allowed")
    matched = results["ses:SendEmail"]["MatchedStatements"]
    assert [(m["SourcePolicyId"], m["SourcePolicyType"]) for m in matched] == [
        ("AmazonSESFullAccess", "aws-managed")
    ]


def test_simulate_sees_inline_group_and_deny(practice: SimulatedAccount) -> None:
    deny = {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "NoMail", "Effect": "Deny", "Action": "ses:SendRawEmail", "Resource": "*"}
        ],
    }
    scenario = Scenario(
        "grouped",
        "SES through a group, raw mail denied inline",
        managed_policies=(),
        groups=(("mailers", (SES_FULL,)),),
        inline_policies=(("no-raw", deny),),
    )
    practice.load(scenario)
    results = simulate(practice)
    assert results["ses:SendEmail"]["EvalDecision"] == "allowed"
    assert results["ses:SendRawEmail"]["EvalDecision"] == "explicitDeny"
    [statement] = results["ses:SendRawEmail"]["MatchedStatements"]
    assert statement["SourcePolicyId"] == "no-raw" and statement["SourcePolicyType"] == "user"


def test_simulate_with_a_condition_it_was_not_given_is_not_an_allow(
    practice: SimulatedAccount,
) -> None:
    only_from = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "ses:*",
                "Resource": "*",
                "Condition": {"StringEquals": {"ses:FromAddress": "no-reply@anyrent.shop"}},
            }
        ],
    }
    practice.load(
        Scenario("cond", "conditional", managed_policies=(), inline_policies=(("from", only_from),))
    )
    result = simulate(practice)["ses:SendEmail"]
    assert result["EvalDecision"] == "implicitDeny"
    assert result["MissingContextValues"] == ["ses:FromAddress"]


def test_simulate_is_refused_to_a_caller_without_the_permission(
    practice: SimulatedAccount,
) -> None:
    practice.load("healthy")  # the app's user: S3 and SES, no IAM
    iam = practice.client("iam", creds=app_creds(practice))
    err = error_of(
        lambda: iam.simulate_principal_policy(PolicySourceArn=USER_ARN, ActionNames=SEND)
    )
    assert err["Code"] == "AccessDenied" and err["status"] == 403
    assert "iam:SimulatePrincipalPolicy" in str(err["Message"])
    unknown = practice.client(
        "iam", creds=StaticCredentials("AKIAUNKNOWN000000000", Secret("x" * 40))
    )
    err = error_of(
        lambda: unknown.simulate_principal_policy(PolicySourceArn=USER_ARN, ActionNames=SEND)
    )
    assert err["Code"] == "InvalidClientTokenId"
    err = error_of(
        lambda: practice.operator_client("iam").simulate_principal_policy(
            PolicySourceArn="arn:aws:iam::123456789012:user/nobody", ActionNames=SEND
        )
    )
    assert err["Code"] == "NoSuchEntity" and err["status"] == 404


def test_get_account_reports_the_sandbox_and_what_was_sent(practice: SimulatedAccount) -> None:
    practice.load("healthy")
    creds = app_creds(practice)
    sesv2 = practice.client("sesv2", "ap-southeast-1", creds)
    account = sesv2.get_account()
    assert account["ProductionAccessEnabled"] is False
    assert account["SendingEnabled"] is True and account["EnforcementStatus"] == "HEALTHY"
    assert account["SendQuota"]["Max24HourSend"] == 200.0
    assert account["SendQuota"]["SentLast24Hours"] == 0.0
    practice.client("ses", "ap-southeast-1", creds).send_email(
        Source="no-reply@anyrent.shop",
        Destination={"ToAddresses": ["success@simulator.amazonses.com"]},
        Message={"Subject": {"Data": "x"}, "Body": {"Text": {"Data": "x"}}},
    )
    assert sesv2.get_account()["SendQuota"]["SentLast24Hours"] == 1.0
    practice.load(replace(SCENARIOS["healthy"], name="live", production_access=True))
    account = practice.client("sesv2", "ap-southeast-1", app_creds(practice)).get_account()
    assert account["ProductionAccessEnabled"] is True
    assert account["SendQuota"]["Max24HourSend"] > 200


def test_sesv2_errors_come_in_sesv2s_own_format(practice: SimulatedAccount) -> None:
    practice.load("seed")  # S3 only
    sesv2 = practice.client("sesv2", "ap-southeast-1", app_creds(practice))
    err = error_of(sesv2.get_account)
    assert err["Code"] == "AccessDeniedException" and err["status"] == 403
    assert "ses:GetAccount" in str(err["Message"])
    err = error_of(sesv2.list_email_identities)  # moto's own refusal, rewritten
    assert err["Code"] == "AccessDeniedException"
    wrong = StaticCredentials(practice.app_env["AWS_ACCESS_KEY_ID"], Secret("w" * 40))
    err = error_of(practice.client("sesv2", "ap-southeast-1", wrong).get_account)
    assert err["Code"] == "InvalidSignatureException"


@pytest.mark.parametrize("fill_gaps", [False, True])
def test_an_inactive_key_is_refused_everywhere(
    moto_server: SimulatedAccount, practice: SimulatedAccount, fill_gaps: bool
) -> None:
    """AWS refuses every request signed with an Inactive key; moto alone does not."""
    acct = practice if fill_gaps else moto_server
    acct.load("inactive-key")
    creds = app_creds(acct)
    for service, call in (("sts", "get_caller_identity"), ("ses", "get_send_quota")):
        client = acct.client(service, "ap-southeast-1", creds)
        err = error_of(getattr(client, call))
        assert err["Code"] == "InvalidClientTokenId", (service, err)
    if fill_gaps:
        err = error_of(acct.client("sesv2", "ap-southeast-1", creds).get_account)
        assert err["Code"] == "UnrecognizedClientException"
    # Reactivated, the same key works again: the refusal follows IAM's state, not the scenario.
    acct.operator_client("iam").update_access_key(
        UserName="rental-app", AccessKeyId=creds.access_key_id, Status="Active"
    )
    assert acct.client("sts", "us-east-1", creds).get_caller_identity()["Arn"] == USER_ARN


def test_the_shared_test_server_leaves_the_gaps(moto_server: SimulatedAccount) -> None:
    """Without fill_gaps the calls moto lacks stay unanswered, so the engine's fall-backs
    (an account that cannot answer them) keep their tests."""
    moto_server.load("healthy")
    from botocore.parsers import ResponseParserError

    with pytest.raises(ResponseParserError):  # moto's own answer: an HTML error page
        moto_server.operator_client("iam").simulate_principal_policy(
            PolicySourceArn=USER_ARN, ActionNames=SEND
        )


def test_production_access_request_goes_under_review(practice: SimulatedAccount) -> None:
    practice.load("healthy")
    sesv2 = practice.operator_client("sesv2", "ap-southeast-1")
    err = error_of(lambda: sesv2.put_account_details(MailType="LETTERS", WebsiteURL="https://x"))
    assert err["Code"] == "BadRequestException"
    sesv2.put_account_details(
        MailType="TRANSACTIONAL",
        WebsiteURL="https://anyrent.shop",
        UseCaseDescription="Sign-up confirmations.",
        ProductionAccessEnabled=True,
    )
    account = sesv2.get_account()
    assert account["ProductionAccessEnabled"] is False  # AWS reviews first
    assert account["Details"]["ReviewDetails"]["Status"] == "PENDING"
    assert account["Details"]["MailType"] == "TRANSACTIONAL"
    elsewhere = practice.operator_client("sesv2", "eu-west-1").get_account()
    assert "Details" not in elsewhere  # the request is per region
    practice.load("seed")  # an app user with S3 only may not ask
    app = practice.client("sesv2", "ap-southeast-1", app_creds(practice))
    err = error_of(
        lambda: app.put_account_details(MailType="TRANSACTIONAL", WebsiteURL="https://x")
    )
    assert err["Code"] == "AccessDeniedException"
    assert "Details" not in practice.operator_client("sesv2", "ap-southeast-1").get_account()
