"""The request budget of one diagnosis, counted where it cannot hide: at the HTTP proxy.

Each budget below is the exact number of HTTP requests one ``diagnose()`` sends for a
fixed scenario, per ``service:Action``, with the reason each call is there. A change
that adds a call (or a retry, or a call made twice) fails here until the budget is
updated on purpose, with the reason written next to it. Timings are not tested (the
benchmark measures them); counts are.

The simulated account cannot answer two calls the way AWS does, and the budgets say so:
``iam:SimulatePrincipalPolicy`` (moto sends an answer botocore cannot parse, so the
engine falls back to reading the policy documents: ``GetPolicy`` + ``GetPolicyVersion``
per managed policy) and ``sesv2:GetAccount`` (404, so step 5 asks ``ses:GetSendQuota``).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterator

import pytest

from sesfix.aws import regions
from sesfix.aws.connect import make_gateway
from sesfix.aws.gateway import CallRecord
from sesfix.aws.identity import OperatorSpec
from sesfix.demo.account import SCENARIOS, SimulatedAccount
from sesfix.diagnosis.engine import DiagnosisOptions, diagnose
from sesfix.diagnosis.report import Report
from tests.support.proxy import DelayProxy

OTHER_SES_REGIONS = len(regions.SES_REGIONS) - 1

# Shared by every scenario where the app's key works and an operator profile is given.
ROUND_1 = {
    # app: are the credentials valid, and whose are they (user name for the IAM steps)
    "sts:GetCallerIdentity": 2,  # + operator: is the operator usable, which account
    # operator: who owns the key (the user name when the app's own call is refused)
    "iam:GetAccessKeyLastUsed": 1,
    # app: the live test of step 3 (GetSendQuota: v1 spelling; GET /v2/email/account:
    # sesv2:GetAccount, sandbox and sending status for step 5)
    "ses:GetSendQuota": 1,
    "ses:GET /v2/email/account": 1,
    # operator: is the sender verified in the app's region (step 4)
    "ses:GetIdentityVerificationAttributes": 1,
}
ROUND_2_IAM = {
    "iam:ListAccessKeys": 1,  # key status and the two-key limit (step 2)
    "iam:SimulatePrincipalPolicy": 1,  # may the user send (step 1); moto cannot answer
    "iam:ListAttachedUserPolicies": 1,  # evidence: which policies the user has
    "iam:ListUserPolicies": 1,  # inline policies (evidence; evaluated if no simulation)
    "iam:ListGroupsForUser": 1,  # group policies (same)
    "iam:GetUser": 1,  # permissions boundary (same)
}

BUDGETS: dict[str, dict[str, int]] = {
    # The guide's incident: only AmazonS3FullAccess; the domain verified in the app's region.
    "seed": {
        **ROUND_1,
        **ROUND_2_IAM,
        # no simulation in moto: read the one managed policy (AmazonS3FullAccess)
        "iam:GetPolicy": 1,
        "iam:GetPolicyVersion": 1,
        # verified here, so DKIM is checked here (step 5), and no other region is searched
        "ses:GetIdentityDkimAttributes": 1,
        # delivery (step 4): the identity's default configuration set, DKIM tokens and MAIL
        # FROM in one sesv2 read; moto's answer lacks MailFromAttributes, so the v1 read of
        # the MAIL FROM domain follows (the DKIM tokens come from the read above, not again)
        "ses:GET /v2/email/identities/anyrent.shop": 1,
        "ses:GetIdentityMailFromDomainAttributes": 1,
        # the app may not read its quota (AccessDenied) and sesv2:GetAccount is a 404 in
        # moto: the operator reads the sandbox quota instead (step 5)
        "ses:GetSendQuota": 2,
    },
    # SES rights are fine; the domain is verified only in us-east-1.
    "wrong-region": {
        **ROUND_1,
        **ROUND_2_IAM,
        # no simulation in moto: read both managed policies (S3 and SES full access)
        "iam:GetPolicy": 2,
        "iam:GetPolicyVersion": 2,
        # not verified in the app's region: ask every other SES region where it is
        "ses:GetIdentityVerificationAttributes": 1 + OTHER_SES_REGIONS,
    },
}


@pytest.fixture
def counted(
    account: Callable[[str], SimulatedAccount],
    operator_profile: Callable[[], str],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Callable[[str], tuple[Report, list[CallRecord], DelayProxy]]]:
    """``counted("seed")``: one diagnosis of that scenario through a counting proxy."""
    proxies: list[DelayProxy] = []

    def run(scenario: str) -> tuple[Report, list[CallRecord], DelayProxy]:
        acct = account(scenario)
        profile = operator_profile()
        proxy = DelayProxy(acct.endpoint)
        proxies.append(proxy)
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.url)
        settings = acct.app_settings()
        operator = OperatorSpec(profile=profile)
        gateway = make_gateway(settings, operator)
        report = diagnose(settings, DiagnosisOptions(operator=operator), gateway=gateway)
        assert os.environ["AWS_ENDPOINT_URL"] == proxy.url
        return report, gateway.calls(), proxy

    yield run
    for proxy in proxies:
        proxy.stop()


def _explain(actual: Counter[str], budget: dict[str, int]) -> str:
    over = {k: v - budget.get(k, 0) for k, v in actual.items() if v > budget.get(k, 0)}
    under = {k: budget[k] - actual.get(k, 0) for k in budget if actual.get(k, 0) < budget[k]}
    return (
        f"requests over budget: {over}; under budget: {under}. If the change is meant, "
        "update BUDGETS in tests/test_request_budget.py and say there why the call is needed."
    )


@pytest.mark.parametrize("scenario", sorted(BUDGETS))
def test_requests_of_one_diagnosis_stay_within_the_budget(
    scenario: str, counted: Callable[[str], tuple[Report, list[CallRecord], DelayProxy]]
) -> None:
    report, records, proxy = counted(scenario)
    # The right verdict first: a budget met by a wrong diagnosis proves nothing.
    assert {f.id for f in report.errors} == set(SCENARIOS[scenario].expected_errors)
    actual = proxy.actions()
    budget = BUDGETS[scenario]
    assert actual == Counter(budget), _explain(actual, budget)
    # Every request at the wire is one gateway call: no hidden retry, no call around it.
    assert proxy.count == len(records)
    assert all(r.attempt == 1 for r in proxy.requests)


@pytest.mark.parametrize("scenario", sorted(BUDGETS))
def test_no_call_is_made_twice_in_one_diagnosis(
    scenario: str, counted: Callable[[str], tuple[Report, list[CallRecord], DelayProxy]]
) -> None:
    _, records, _ = counted(scenario)
    # CallRecord.cli is the call's AWS CLI spelling: it carries every parameter.
    seen = Counter((r.call, r.identity, r.region, r.cli) for r in records)
    twice = {key: n for key, n in seen.items() if n > 1}
    assert not twice, f"calls made more than once in one diagnosis: {twice}"
