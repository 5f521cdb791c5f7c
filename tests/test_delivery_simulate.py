"""The exact send, simulated. The user's policies live in moto's IAM (auth enforced) and
are read by the operator; ``iam:SimulatePrincipalPolicy``, which moto does not implement,
is answered by botocore's Stubber in AWS's documented shape (the expected parameters prove
the send's context is what is simulated). Without a stub, moto's own answer (no such
API) is the "simulation unavailable" path: sesfix evaluates the policies itself."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.stub import Stubber

from sesfix.aws.conditions import SendContext
from sesfix.aws.gateway import Gateway
from sesfix.delivery import simulate as S
from sesfix.demo.account import ACCOUNT_ID, S3_FULL, Scenario, SimulatedAccount
from tests.support.engine import gateway_for, stub_ops

REGION = "ap-southeast-1"
USER = "rental-app"
SENDER = "no-reply@anyrent.shop"
TO = "customer@gmail.com"
DOMAIN_ARN = f"arn:aws:ses:{REGION}:{ACCOUNT_ID}:identity/anyrent.shop"
ADDRESS_ARN = f"arn:aws:ses:{REGION}:{ACCOUNT_ID}:identity/{SENDER}"
TO_ARN = f"arn:aws:ses:{REGION}:{ACCOUNT_ID}:identity/{TO}"
CTX = SendContext(SENDER, (TO,), "AnyRent", "2")

Load = Callable[[Scenario | str], SimulatedAccount]


def scenario(*statements: dict[str, Any], name: str = "t") -> Scenario:
    return Scenario(
        name,
        "test",
        managed_policies=(S3_FULL,),
        inline_policies=(
            ("ses-sending", {"Version": "2012-10-17", "Statement": list(statements)}),
        ),
    )


def sim_answer(decisions: dict[tuple[str, str], str], *, orgs: bool = True) -> dict[str, Any]:
    """AWS's shape: one EvaluationResult per action, ResourceSpecificResults per ARN."""
    results = []
    for action in S.ACTIONS:
        specific = [
            {
                "EvalResourceName": arn,
                "EvalResourceDecision": decisions.get((action, arn), "implicitDeny"),
                "MatchedStatements": (
                    [
                        {
                            "SourcePolicyId": "ses-sending",
                            "SourcePolicyType": "user",
                            "StartPosition": {"Line": 1, "Column": 40},
                            "EndPosition": {"Line": 1, "Column": 120},
                        }
                    ]
                    if decisions.get((action, arn)) == "allowed"
                    else []
                ),
                "MissingContextValues": [],
            }
            for arn in (DOMAIN_ARN, ADDRESS_ARN)
        ]
        overall = (
            "allowed"
            if all(s["EvalResourceDecision"] == "allowed" for s in specific)
            else "implicitDeny"
        )
        results.append(
            {
                "EvalActionName": action,
                "EvalResourceName": "*",
                "EvalDecision": overall,
                "MatchedStatements": [],
                "MissingContextValues": [],
                "OrganizationsDecisionDetail": {"AllowedByOrganizations": orgs},
                "ResourceSpecificResults": specific,
            }
        )
    return {"EvaluationResults": results, "IsTruncated": False}


def expected_params() -> dict[str, Any]:
    return {
        "PolicySourceArn": f"arn:aws:iam::{ACCOUNT_ID}:user/{USER}",
        "ActionNames": ["ses:SendEmail", "ses:SendRawEmail"],
        "ResourceArns": [DOMAIN_ARN, ADDRESS_ARN],
        "ContextEntries": [
            {
                "ContextKeyName": "ses:FromAddress",
                "ContextKeyValues": [SENDER],
                "ContextKeyType": "string",
            },
            {
                "ContextKeyName": "ses:ApiVersion",
                "ContextKeyValues": ["2"],
                "ContextKeyType": "string",
            },
            {
                "ContextKeyName": "ses:Recipients",
                "ContextKeyValues": [TO],
                "ContextKeyType": "stringList",
            },
            {
                "ContextKeyName": "ses:FromDisplayName",
                "ContextKeyValues": ["AnyRent"],
                "ContextKeyType": "string",
            },
        ],
    }


def with_simulation(gw: Gateway, answer: dict[str, Any]) -> list[Stubber]:
    def prime(stubber: Stubber) -> None:
        stubber.add_response("simulate_principal_policy", answer, expected_params())

    return stub_ops(gw, "operator", "iam", "us-east-1", simulate_principal_policy=prime)


def run(load: Load, sc: Scenario, answer: dict[str, Any] | None) -> tuple[S.Outcome, Gateway]:  # type: ignore[name-defined]
    acct = load(sc)
    _, gw = gateway_for(acct)
    stubs = with_simulation(gw, answer) if answer is not None else []
    out = S.check_send(gw, user=USER, account=ACCOUNT_ID, region=REGION, ctx=CTX, sandbox=False)
    for s in stubs:
        s.assert_no_pending_responses()
    return out, gw


SEND_ONLY = {"Sid": "SendOnly", "Effect": "Allow", "Action": "ses:SendEmail", "Resource": "*"}


def test_send_raw_missing_from_the_simulation(account: Load) -> None:
    answer = sim_answer(
        {("ses:SendEmail", DOMAIN_ARN): "allowed", ("ses:SendEmail", ADDRESS_ARN): "allowed"}
    )
    out, _ = run(account, scenario(SEND_ONLY), answer)
    assert [f.id for f in out.findings] == ["iam.send_raw_email_missing"]
    f = out.findings[0]
    assert f.data["decided_by"] == "simulation"
    assert f"ses:SendRawEmail on {DOMAIN_ARN}: implicitDeny" in f.evidence
    assert any("user policy ses-sending, line 1" in e for e in f.evidence)


def test_resource_scoped_elsewhere_names_the_statement(account: Load) -> None:
    other = f"arn:aws:ses:{REGION}:{ACCOUNT_ID}:identity/other.shop"
    st = {
        "Sid": "OtherShop",
        "Effect": "Allow",
        "Action": ["ses:SendEmail", "ses:SendRawEmail"],
        "Resource": other,
    }
    out, _ = run(account, scenario(st), sim_answer({}))
    assert {f.id for f in out.findings} == {"iam.identity_not_in_resource"}
    f = out.findings[0]
    assert "OtherShop" in f.evidence[0] and other in f.evidence[0]
    assert f.data["resource"] == DOMAIN_ARN


def test_condition_on_from_address_is_named(account: Load) -> None:
    st = {
        "Sid": "OnlyNewsletter",
        "Effect": "Allow",
        "Action": "ses:Send*",
        "Resource": "*",
        "Condition": {"StringEquals": {"ses:FromAddress": "news@anyrent.shop"}},
    }
    out, _ = run(account, scenario(st), sim_answer({}))
    assert {f.id for f in out.findings} == {"iam.condition_blocks"}
    text = " ".join(out.findings[0].evidence)
    assert "OnlyNewsletter" in text and "ses:FromAddress" in text and "news@anyrent.shop" in text


def test_scp_denial(account: Load) -> None:
    full = {"Sid": "All", "Effect": "Allow", "Action": "ses:*", "Resource": "*"}
    out, _ = run(account, scenario(full), sim_answer({}, orgs=False))
    assert [f.id for f in out.findings] == ["iam.scp_denies"]
    assert "AllowedByOrganizations false" in out.findings[0].evidence[0]


def test_allowed_send_has_no_findings(account: Load) -> None:
    full = {"Sid": "All", "Effect": "Allow", "Action": "ses:*", "Resource": "*"}
    every = {(a, r): "allowed" for a in S.ACTIONS for r in (DOMAIN_ARN, ADDRESS_ARN)}
    out, _ = run(account, scenario(full), sim_answer(every))
    assert out.findings == [] and not out.unknown


def test_without_simulation_sesfix_evaluates_and_says_what_it_cannot_see(account: Load) -> None:
    out, gw = run(account, scenario(SEND_ONLY), None)  # moto has no SimulatePrincipalPolicy
    assert [f.id for f in out.findings] == ["iam.send_raw_email_missing"]
    assert out.findings[0].data["decided_by"] == "evaluation"
    assert any("cannot see SCPs" in n for n in out.notes)
    sim = [r for r in gw.calls() if r.call == "iam:SimulatePrincipalPolicy"]
    assert len(sim) == 1 and sim[0].outcome != "ok"


def test_without_simulation_an_unknown_condition_stays_unknown(account: Load) -> None:
    st = {
        "Sid": "FromOffice",
        "Effect": "Allow",
        "Action": "ses:Send*",
        "Resource": "*",
        "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
    }
    out, _ = run(account, scenario(st), None)
    assert out.findings == [] and out.unknown
    assert any("could not evaluate" in n and "aws:SourceIp" in n for n in out.notes)


def test_policies_of_groups_are_read(account: Load) -> None:
    sc = Scenario(
        "grp",
        "test",
        managed_policies=(),
        groups=(("mailers", ("arn:aws:iam::aws:policy/AmazonSESFullAccess",)),),
    )
    acct = account(sc)
    _, gw = gateway_for(acct)
    docs, boundary, out = S.fetch_policies(gw, USER)
    assert not out.unknown and boundary is None
    assert [d.source for d in docs] == ["managed policy AmazonSESFullAccess of group mailers"]
    # allowed through the group: the own evaluation (no simulation in moto) finds nothing
    out2 = S.check_send(gw, user=USER, account=ACCOUNT_ID, region=REGION, ctx=CTX, sandbox=False)
    assert out2.findings == [] and not out2.unknown


def test_sandbox_adds_the_recipient_arn() -> None:
    res = S.send_resources(REGION, ACCOUNT_ID, SENDER, [TO], sandbox=True)
    assert res.all == (DOMAIN_ARN, ADDRESS_ARN, TO_ARN)
    assert res.required == (DOMAIN_ARN, TO_ARN)
    assert S.send_resources(
        REGION, ACCOUNT_ID, SENDER, [TO], sandbox=False, address_verified=True
    ).required == (ADDRESS_ARN,)


def test_sandbox_recipient_outside_the_resource_without_documents() -> None:
    res = S.send_resources(REGION, ACCOUNT_ID, SENDER, [TO], sandbox=True)
    pairs = [
        S.Pair(a, r, "implicitDeny" if r == TO_ARN else "allowed")
        for a in S.ACTIONS
        for r in res.all
    ]
    found = S.judge_send(pairs, res, None, decided_by="simulation")
    assert {f.id for f in found} == {"iam.identity_not_in_resource"}
    assert all(f.data["resource"] == TO_ARN for f in found)


def test_an_answer_for_every_resource_holds_for_each_arn(account: Load) -> None:
    """A simulator that ignores ResourceArns answers with EvalResourceName '*' (the practice
    account's did when asked without them): that answer is read as the answer for each identity ARN."""
    results = [
        {
            "EvalActionName": a,
            "EvalResourceName": "*",
            "EvalDecision": "allowed" if a == "ses:SendEmail" else "implicitDeny",
            "MatchedStatements": [],
            "MissingContextValues": [],
        }
        for a in S.ACTIONS
    ]
    out, _ = run(account, scenario(SEND_ONLY), {"EvaluationResults": results, "IsTruncated": False})
    assert [f.id for f in out.findings] == ["iam.send_raw_email_missing"]
    assert f"ses:SendRawEmail on {DOMAIN_ARN}: implicitDeny" in out.findings[0].evidence


# --- the practice account's simulator judges the exact send, as AWS's does -----------------


@pytest.fixture
def practice(moto_server: SimulatedAccount) -> Iterator[SimulatedAccount]:
    """The practice front (fill_gaps) beside the shared server: it answers
    SimulatePrincipalPolicy, which moto lacks, with the ResourceArns and ContextEntries."""
    server = SimulatedAccount.start(fill_gaps=True)
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        (
            {
                "Sid": "OtherShop",
                "Effect": "Allow",
                "Action": "ses:Send*",
                "Resource": f"arn:aws:ses:{REGION}:{ACCOUNT_ID}:identity/other.shop",
            },
            {"iam.identity_not_in_resource"},
        ),
        (
            {
                "Sid": "OnlyNewsletter",
                "Effect": "Allow",
                "Action": "ses:Send*",
                "Resource": "*",
                "Condition": {"StringEquals": {"ses:FromAddress": "news@anyrent.shop"}},
            },
            {"iam.condition_blocks"},
        ),
        (
            {
                "Sid": "OnlyOurSender",
                "Effect": "Allow",
                "Action": "ses:Send*",
                "Resource": [DOMAIN_ARN, ADDRESS_ARN],
                "Condition": {"StringEquals": {"ses:FromAddress": SENDER}},
            },
            set(),
        ),
    ],
    ids=["resource-elsewhere", "condition-blocks", "allowed"],
)
def test_practice_simulation_judges_resources_and_context(
    practice: SimulatedAccount,
    statement: dict[str, Any],
    expected: set[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    practice.load(scenario(statement))
    monkeypatch.setenv("AWS_ENDPOINT_URL", practice.endpoint)
    _, gw = gateway_for(practice)
    out = S.check_send(gw, user=USER, account=ACCOUNT_ID, region=REGION, ctx=CTX, sandbox=False)
    assert {f.id for f in out.findings} == expected
    assert not out.unknown
    sim = [r for r in gw.calls() if r.call == "iam:SimulatePrincipalPolicy"]
    assert sim and all(r.outcome == "ok" for r in sim)
    for f in out.findings:
        assert f.data["decided_by"] == "simulation"
