"""Least privilege for sesfix itself (sesfix/policies/*.json), against the simulated account.

* the documents are valid and tight (no wildcards, no NotAction);
* they are complete: every call sesfix makes as the operator, recorded while it diagnoses
  every scenario and applies and undoes every AWS fix, is in the job's document;
* they are enough: an operator with exactly that document gets the same diagnosis as an
  administrator, and can apply and undo the fix;
* they are necessary, and sesfix says so: with one action removed, a finding (or the fix's
  result) names the missing action.

moto evaluates the actions of identity policies, but not their resources (it matches
every request against ``*``) nor condition keys other than ``sts:ExternalId`` (a statement
with any other condition never matches there). The shipped documents keep their scoped
resources and ``iam:PolicyARN`` conditions, which AWS evaluates; the simulated account is
given the same actions with ``Resource: *`` and no Condition blocks, and a test checks the
conditions are the ones meant. What is proven here is the set of actions.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from sesfix import policies
from sesfix.aws.gateway import Gateway
from sesfix.aws.identity import OperatorSpec, StaticCredentials
from sesfix.demo.account import S3_FULL, SCENARIOS, Scenario, SimulatedAccount
from sesfix.diagnosis.engine import DiagnosisOptions, diagnose
from sesfix.diagnosis.report import Report
from sesfix.fixes import FIX_CATALOGUE, apply_plan, plan_fix, undo
from sesfix.masking import Secret
from sesfix.settings import AppSettings
from tests.support.fixsetups import FIX_SETUPS

Loader = Callable[[Scenario | str], SimulatedAccount]

AWS_FIXES = sorted(f.id for f in FIX_CATALOGUE.values() if f.kind == "aws")

#: A user with groups, an inline policy and a boundary: exercises every IAM read.
EVERY_READ = Scenario(
    "every-read",
    "groups, inline policies and a permissions boundary",
    managed_policies=(S3_FULL,),
    inline_policies=(
        ("s3-extra", {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}),
    ),
    groups=(("mailers", ("arn:aws:iam::aws:policy/AmazonSESFullAccess",)),),
    boundary="arn:aws:iam::aws:policy/AmazonS3FullAccess",
)  # fmt: skip


def load(account: Loader, scenario: Scenario | str) -> SimulatedAccount:
    acct = account(scenario)
    if scenario is EVERY_READ or scenario == EVERY_READ.name:
        acct.operator_client("iam").put_group_policy(
            GroupName="mailers",
            PolicyName="group-inline",
            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "ses:GetSendQuota", "Resource": "*"}]}),
        )  # fmt: skip
    return acct


def moto_form(doc: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    for statement in out["Statement"]:
        statement.pop("Condition", None)
        statement["Resource"] = "*"
    return out


def without(doc: dict[str, Any], action: str) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    for statement in out["Statement"]:
        statement["Action"] = [a for a in statement["Action"] if a != action]
    out["Statement"] = [s for s in out["Statement"] if s["Action"]]
    return out


_counter = iter(range(10_000))


def operator_with(acct: SimulatedAccount, doc: dict[str, Any]) -> OperatorSpec:
    """A new IAM user with exactly ``doc`` (inline), as sesfix's operator."""
    iam = acct.operator_client("iam")
    name = f"limited-operator-{next(_counter)}"
    iam.create_user(UserName=name)
    iam.put_user_policy(
        UserName=name, PolicyName="sesfix-operator", PolicyDocument=json.dumps(moto_form(doc))
    )
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return OperatorSpec(
        credentials=StaticCredentials(key["AccessKeyId"], Secret(key["SecretAccessKey"]))
    )


@contextmanager
def recording() -> Iterator[set[str]]:
    """Every call made as the operator while the block runs."""
    seen: set[str] = set()
    real = Gateway._call

    def record(self: Gateway, kind, identity, service, operation, region, step, params):  # type: ignore[no-untyped-def]
        result = real(self, kind, identity, service, operation, region, step, params)
        if identity == "operator":
            seen.add(result.record.call)
        return result

    Gateway._call = record  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        Gateway._call = real  # type: ignore[method-assign]


def check(acct: SimulatedAccount, operator: OperatorSpec | None) -> Report:
    return diagnose(acct.app_settings(), DiagnosisOptions(operator=operator))


def summary(report: Report) -> list[str]:
    return sorted(report.finding_ids())


def text_of(report: Report) -> str:
    return json.dumps([f.to_json() for f in report.findings])


# ---- the documents ---------------------------------------------------------------------------


def test_one_document_per_aws_fix_and_all_tight() -> None:
    assert policies.available() == AWS_FIXES
    for fix_id in [None, *AWS_FIXES]:
        doc = policies.load(fix_id)
        assert doc["Version"] == "2012-10-17"
        for statement in doc["Statement"]:
            assert statement["Effect"] == "Allow"
            assert "NotAction" not in statement and "NotResource" not in statement
            assert statement["Action"] and all("*" not in a for a in statement["Action"])
            assert statement.get("Sid")
    # Attaching is limited to the one policy each fix attaches (AWS checks iam:PolicyARN).
    for fix_id, arn in (
        ("attach-ses-full-access", "arn:aws:iam::aws:policy/AmazonSESFullAccess"),
        ("create-custom-policy", "arn:aws:iam::*:policy/RentalShopSESPermissions"),
    ):
        [attach] = [
            s for s in policies.load(fix_id)["Statement"] if "iam:AttachUserPolicy" in s["Action"]
        ]
        condition = attach["Condition"]
        assert next(iter(condition.values()))["iam:PolicyARN"] == arn
    diagnose_actions = policies.actions(policies.load())
    assert not {a for a in diagnose_actions if a.split(":")[1].startswith(("Put", "Create",
        "Delete", "Attach", "Detach", "Update", "Set", "Verify"))}  # fmt: skip


# ---- complete: every operator call is in the document ------------------------------------------


def test_the_diagnose_document_covers_every_operator_call(account: Loader) -> None:
    allowed = policies.actions(policies.load()) | policies.ALWAYS_ALLOWED
    seen: set[str] = set()
    for scenario in [*SCENARIOS.values(), EVERY_READ]:
        acct = load(account, scenario)
        with recording() as calls:
            check(acct, acct.operator)
            # A key ID nobody owns: sesfix asks which account owns it.
            stranger = AppSettings.from_mapping(
                {**acct.app_env, "AWS_ACCESS_KEY_ID": "AKIAZZZZZZZZZZZZZZZZ"}, "test"
            )
            diagnose(stranger, DiagnosisOptions(operator=acct.operator))
        seen |= calls
    assert seen - allowed == set()
    # And nothing in it is dead weight (iam:GetUserPolicy etc. need the every-read user).
    unused = policies.actions(policies.load()) - seen
    # moto lacks sesv2:GetAccount; a configuration set is read only when the app names one
    # (SES_CONFIGURATION_SET or --configuration-set), which no scenario does
    assert unused <= {"ses:GetAccount", "ses:DescribeConfigurationSet"}, unused


@pytest.mark.parametrize("fix_id", sorted(FIX_SETUPS))
def test_each_fix_document_covers_its_calls(fix_id: str, account: Loader) -> None:
    scenario, inputs = FIX_SETUPS[fix_id]
    acct = account(scenario)
    settings = acct.app_settings()
    report = check(acct, acct.operator)
    allowed = policies.actions(policies.operator_policy(fix_id)) | policies.ALWAYS_ALLOWED
    with recording() as calls:
        plan = plan_fix(fix_id, report, settings, operator=acct.operator, inputs=inputs or None)
        assert plan.applicable, plan.refused
        result = apply_plan(
            plan, settings=settings, operator=acct.operator, confirmed=True, verify_timeout=0
        )
        if result.status == "applied":
            undo(None, operator=acct.operator, confirmed=True)
    assert calls - allowed == set()
    writes = policies.actions(policies.load(fix_id))
    assert writes & calls, "the fix's own document should be used"


# ---- enough: exactly the document does the job -----------------------------------------------


@pytest.mark.parametrize("scenario", [*SCENARIOS, "every-read"])
def test_exactly_the_diagnose_document_gives_the_administrators_diagnosis(
    scenario: str, account: Loader
) -> None:
    acct = load(account, EVERY_READ if scenario == "every-read" else scenario)
    admin = check(acct, acct.operator)
    limited = check(acct, operator_with(acct, policies.load()))
    assert summary(limited) == summary(admin)
    assert "AccessDenied" not in text_of(limited).replace(
        "as the app answered AccessDenied", ""
    ) or "AccessDenied" in text_of(admin)


@pytest.mark.parametrize("fix_id", sorted(FIX_SETUPS))
def test_exactly_the_fix_document_applies_and_undoes_it(fix_id: str, account: Loader) -> None:
    scenario, inputs = FIX_SETUPS[fix_id]
    acct = account(scenario)
    settings = acct.app_settings()
    op = operator_with(acct, policies.operator_policy(fix_id))
    report = check(acct, op)
    plan = plan_fix(fix_id, report, settings, operator=op, inputs=inputs or None)
    assert plan.applicable, plan.refused
    result = apply_plan(plan, settings=settings, operator=op, confirmed=True, verify_timeout=0)
    assert result.missing_permission is None, result.message
    if fix_id == "request-production-access":
        # moto has no sesv2:PutAccountDetails: the call was allowed, then not implemented.
        assert result.status == "failed" and "404" in result.message
        return
    assert result.status == "applied", result.message
    back = undo(None, operator=op, confirmed=True)
    assert back.status == "undone", back.message


# ---- necessary: one action less is named -----------------------------------------------------

#: Operator actions the seed scenario's diagnosis uses (see the completeness test).
SEED_READS = [
    "iam:GetAccessKeyLastUsed",
    "iam:GetPolicy",
    "iam:GetPolicyVersion",
    "iam:GetUser",
    "iam:ListAccessKeys",
    "iam:ListAttachedUserPolicies",
    "iam:ListGroupsForUser",
    "iam:ListUserPolicies",
    "iam:SimulatePrincipalPolicy",
    "ses:GetIdentityDkimAttributes",
    "ses:GetIdentityVerificationAttributes",
    "ses:GetSendQuota",
]


@pytest.mark.parametrize("action", SEED_READS)
def test_diagnosis_names_a_missing_read(action: str, account: Loader) -> None:
    acct = account("seed")
    report = check(acct, operator_with(acct, without(policies.load(), action)))
    assert action in text_of(report), (action, [(f.id, f.evidence) for f in report.findings])
    # The cause is still found where the rest of the document allows it.
    if action not in ("iam:GetUser", "iam:ListAttachedUserPolicies", "iam:ListUserPolicies",
                      "iam:ListGroupsForUser", "iam:GetPolicy", "iam:GetPolicyVersion",
                      "iam:GetAccessKeyLastUsed"):  # fmt: skip
        assert "iam.ses_permission_missing" in report.finding_ids()


def _fix_writes() -> list[tuple[str, str]]:
    out = []
    for fix_id in sorted(FIX_SETUPS):
        for action in sorted(policies.actions(policies.load(fix_id))):
            out.append((fix_id, action))
    return out


#: Actions only undo or a rarer branch of the fix uses (named when they are needed).
UNDO_OR_BRANCH_ONLY = {
    "iam:DetachUserPolicy",
    "iam:DeletePolicy",
    "iam:DeleteAccessKey",
    "iam:CreatePolicyVersion",
    "iam:DeletePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:ListPolicyVersions",
    "ses:DeleteIdentity",
    "ses:SetIdentityDkimEnabled",
    "ses:PutSuppressedDestination",
}


@pytest.mark.parametrize(("fix_id", "action"), _fix_writes())
def test_a_fix_names_a_missing_write(fix_id: str, action: str, account: Loader) -> None:
    if action == "ses:PutAccountDetails":
        pytest.skip("moto has no sesv2:PutAccountDetails, so it cannot refuse it either")
    scenario, inputs = FIX_SETUPS[fix_id]
    acct = account(scenario)
    settings = acct.app_settings()
    op = operator_with(acct, without(policies.operator_policy(fix_id), action))
    report = check(acct, op)
    plan = plan_fix(fix_id, report, settings, operator=op, inputs=inputs or None)
    if action in UNDO_OR_BRANCH_ONLY:
        assert plan.applicable, plan.refused
        result = apply_plan(plan, settings=settings, operator=op, confirmed=True, verify_timeout=0)
        if result.status != "applied":
            return
        back = undo(None, operator=op, confirmed=True)
        if action in {c.call for c in back.calls}:
            assert back.missing_permission is not None
            assert back.missing_permission.action == action, back.message
        return
    if not plan.applicable:
        assert plan.missing_permission is not None and plan.missing_permission.action == action
        return
    result = apply_plan(plan, settings=settings, operator=op, confirmed=True, verify_timeout=0)
    assert result.status in ("failed", "partial")
    assert result.missing_permission is not None, result.message
    assert result.missing_permission.action == action
    assert action in result.message
