"""An operator without the rights a fix needs: a clear message naming the IAM action, a
minimal policy granting it, and no change left unrecorded — even halfway through."""

from __future__ import annotations

import json
from typing import Any

from sesfix.aws.identity import OperatorSpec, StaticCredentials
from sesfix.diagnosis.engine import DiagnosisOptions, diagnose
from sesfix.fixes import apply_plan, list_entries, plan_fix, undo
from sesfix.masking import Secret
from tests.test_fixes_iam import iam_state

READS = ["iam:Get*", "iam:List*", "ses:Get*", "ses:List*", "sts:GetAccessKeyInfo"]


def limited_operator(acc: Any, name: str, actions: list[str]) -> OperatorSpec:
    iam = acc.operator_client("iam")
    iam.create_user(UserName=name)
    doc = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}],
    }
    iam.put_user_policy(UserName=name, PolicyName="limited", PolicyDocument=json.dumps(doc))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return OperatorSpec(
        credentials=StaticCredentials(key["AccessKeyId"], Secret(key["SecretAccessKey"]))
    )


def test_read_only_operator_changes_nothing_and_is_told_what_it_lacks(account):
    acc = account("seed")
    readonly = limited_operator(acc, "readonly-op", READS)
    before = iam_state(acc)
    settings = acc.app_settings()
    report = diagnose(settings, DiagnosisOptions(operator=readonly))
    plan = plan_fix("attach-ses-full-access", report, settings, operator=readonly)
    assert plan.applicable, plan.refused  # reading is allowed, so the plan is exact
    result = apply_plan(plan, settings=settings, operator=readonly, confirmed=True)
    assert result.status == "failed"
    missing = result.missing_permission
    assert missing is not None and missing.action == "iam:AttachUserPolicy"
    assert missing.policy["Statement"][0] == {
        "Effect": "Allow",
        "Action": ["iam:AttachUserPolicy"],
        "Resource": "arn:aws:iam::123456789012:user/rental-app",
    }
    assert "not allowed to call iam:AttachUserPolicy" in result.message
    assert "Done before it: nothing" in result.message
    assert iam_state(acc) == before
    [entry] = list_entries()
    assert entry.status == "failed" and entry.calls[0].error_code == "AccessDenied"
    assert entry.operator_arn.endswith(":user/readonly-op")


def test_failure_halfway_is_recorded_and_undo_finishes_it(account):
    acc = account("seed")
    half = limited_operator(acc, "half-op", [*READS, "iam:CreatePolicy"])
    before = iam_state(acc)
    settings = acc.app_settings()
    report = diagnose(settings, DiagnosisOptions(operator=half))
    plan = plan_fix("create-custom-policy", report, settings, operator=half)
    result = apply_plan(plan, settings=settings, operator=half, confirmed=True)
    assert result.status == "partial"
    assert [(c.call, c.status) for c in result.calls] == [
        ("iam:CreatePolicy", "ok"),
        ("iam:AttachUserPolicy", "failed"),
    ]
    assert result.missing_permission and result.missing_permission.action == "iam:AttachUserPolicy"
    assert "Done before it: iam:CreatePolicy" in result.message
    assert "sesfix undo --last" in result.message
    [entry] = list_entries()
    assert entry.status == "partial" and entry.changed_anything
    assert [c.status for c in entry.calls] == ["ok", "failed"]

    # the limited operator may not delete the policy either: undo says so, and stays possible
    denied = undo(None, operator=half, confirmed=True)
    assert denied.status == "failed"
    assert denied.missing_permission and denied.missing_permission.action == "iam:DeletePolicy"
    assert not list_entries()[0].undone_by

    done = undo(None, operator=acc.operator, confirmed=True)
    assert done.status == "undone", done.message
    assert iam_state(acc) == before


def test_operator_that_cannot_even_read_iam_is_refused_at_plan_time(account):
    acc = account("seed")
    blind = limited_operator(acc, "blind-op", ["sts:GetCallerIdentity"])
    settings = acc.app_settings()
    report = diagnose(settings, DiagnosisOptions(operator=blind))
    plan = plan_fix("create-custom-policy", report, settings, operator=blind)
    assert not plan.applicable and not plan.calls
    assert plan.refused.startswith("the operator identity may not call iam:GetUser")
    assert plan.missing_permission is not None
    assert plan.missing_permission.policy["Statement"][0]["Action"] == ["iam:GetUser"]
    result = apply_plan(plan, settings=settings, operator=blind, confirmed=True)
    assert result.status == "failed" and result.missing_permission == plan.missing_permission
    assert list_entries() == []  # nothing was attempted, so nothing to record
