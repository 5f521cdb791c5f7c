"""IAM fixes against moto's server with authentication enforced: apply, verify, idempotence, undo."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sesfix.diagnosis.engine import DiagnosisOptions, diagnose
from sesfix.errors import RefusedError
from sesfix.fixes import apply_plan, list_entries, plan_fix, undo
from sesfix.fixes.documents import POLICY_NAME, SES_FULL_ACCESS


def iam_state(acc: Any, user: str = "rental-app") -> dict[str, Any]:
    """What undo must restore exactly: attached policies, local policies, keys."""
    iam = acc.operator_client("iam")
    attached = sorted(
        p["PolicyArn"] for p in iam.list_attached_user_policies(UserName=user)["AttachedPolicies"]
    )
    local = []
    for p in iam.list_policies(Scope="Local")["Policies"]:
        versions = iam.list_policy_versions(PolicyArn=p["Arn"])["Versions"]
        local.append(
            (
                p["Arn"],
                p["DefaultVersionId"],
                sorted(
                    (v["VersionId"], json.dumps(v["Document"], sort_keys=True)) for v in versions
                ),
            )
        )
    keys = sorted(
        (k["AccessKeyId"], k["Status"])
        for k in iam.list_access_keys(UserName=user)["AccessKeyMetadata"]
    )
    return {"attached": attached, "local": sorted(local), "keys": keys}


def app_can_send_quota(acc: Any) -> bool:
    import botocore.exceptions

    from sesfix.aws.identity import StaticCredentials
    from sesfix.masking import Secret

    creds = StaticCredentials(
        acc.app_env["AWS_ACCESS_KEY_ID"], Secret(acc.app_env["AWS_SECRET_ACCESS_KEY"])
    )
    try:
        acc.client("ses", acc.app_env["AWS_SES_REGION"], creds).get_send_quota()
    except botocore.exceptions.ClientError as exc:
        assert exc.response["Error"]["Code"] == "AccessDenied"
        return False
    return True


def _plan(acc: Any, fix_id: str, **inputs: str):  # type: ignore[no-untyped-def]
    settings = acc.app_settings()
    report = diagnose(settings, DiagnosisOptions(operator=acc.operator))
    return (
        settings,
        report,
        plan_fix(fix_id, report, settings, operator=acc.operator, inputs=inputs or None),
    )


@pytest.mark.parametrize("fix_id", ["attach-ses-full-access", "create-custom-policy"])
def test_iam_fix_from_seed_passes_step1_is_idempotent_and_undoes_exactly(account, fix_id):
    acc = account("seed")
    before = iam_state(acc)
    assert not app_can_send_quota(acc)
    settings, report, plan = _plan(acc, fix_id)
    assert report.step(1).status == "fail"
    assert plan.applicable and not plan.noop and not plan.refused
    assert all(c.cli.startswith("aws iam ") for c in plan.calls)
    progress: list[str] = []
    result = apply_plan(
        plan,
        settings=settings,
        operator=acc.operator,
        confirmed=True,
        progress=progress.append,
        verify_timeout=5,
    )
    assert result.status == "applied", result.message
    assert result.verified is True, result.verification_detail
    assert "step 1" in result.verification_detail
    assert progress
    assert app_can_send_quota(acc)
    after_report = diagnose(settings, DiagnosisOptions(operator=acc.operator))
    assert after_report.step(1).status == "pass"

    # twice: nothing changes, and it says so
    changed = iam_state(acc)
    _s, _r, again = _plan(acc, fix_id)
    assert again.noop and again.noop_reason and not again.calls
    second = apply_plan(again, settings=settings, operator=acc.operator, confirmed=True)
    assert second.status == "noop" and second.calls == []
    assert iam_state(acc) == changed

    entries = list_entries()
    assert [e.fix_id for e in entries] == [fix_id]
    assert entries[0].status == "applied" and entries[0].verified is True

    undone = undo(None, operator=acc.operator, confirmed=True)
    assert undone.status == "undone", undone.message
    assert iam_state(acc) == before
    assert not app_can_send_quota(acc)
    assert list_entries()[0].undone_by == undone.undo_entry_id


def test_custom_policy_with_other_document_adds_a_version_and_undo_restores_it(account):
    acc = account("seed")
    iam = acc.operator_client("iam")
    old = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "ses:GetSendQuota", "Resource": "*"}],
    }
    arn = iam.create_policy(PolicyName=POLICY_NAME, PolicyDocument=json.dumps(old))["Policy"]["Arn"]
    for _ in range(4):  # IAM's limit: 5 versions
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(old))
    before = iam_state(acc)
    settings, _report, plan = _plan(acc, "create-custom-policy", get_account="yes")
    assert "ses:SendRawEmail" in plan.diff and "ses:GetAccount" in plan.diff
    assert any("at most 5 versions" in w and "v2" in w for w in plan.warnings)
    assert [c.call for c in plan.calls] == [
        "iam:DeletePolicyVersion",
        "iam:CreatePolicyVersion",
        "iam:AttachUserPolicy",
    ]
    result = apply_plan(
        plan, settings=settings, operator=acc.operator, confirmed=True, verify_timeout=5
    )
    assert result.status == "applied" and result.verified is True, result.verification_detail
    versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert len(versions) == 5
    undone = undo(None, operator=acc.operator, confirmed=True)
    assert undone.status == "undone", undone.message
    after = iam_state(acc)
    # The deleted version comes back with the same document (IAM gives it a new id).
    assert after["attached"] == before["attached"] and after["keys"] == before["keys"]
    (b_arn, b_default, b_versions), (a_arn, a_default, a_versions) = (
        before["local"][0],
        after["local"][0],
    )
    assert a_arn == b_arn
    assert sorted(d for _v, d in a_versions) == sorted(d for _v, d in b_versions)
    assert dict(a_versions)[a_default] == dict(b_versions)[b_default]


def test_scoped_variant_names_the_sender_identity(account):
    acc = account("seed")
    settings, _report, plan = _plan(acc, "create-custom-policy", scope="sender")
    doc = plan.documents[POLICY_NAME]
    send = doc["Statement"][0]
    assert send["Action"] == ["ses:SendEmail", "ses:SendRawEmail"]
    assert "arn:aws:ses:ap-southeast-1:123456789012:identity/anyrent.shop" in send["Resource"]
    result = apply_plan(
        plan, settings=settings, operator=acc.operator, confirmed=True, verify_timeout=5
    )
    assert result.status == "applied" and result.verified is True, result.verification_detail


def test_unconfirmed_apply_sends_nothing(account, monkeypatch):
    acc = account("seed")
    settings, _report, plan = _plan(acc, "attach-ses-full-access")
    before = iam_state(acc)
    sent = count_api_calls(monkeypatch)
    with pytest.raises(RefusedError):
        apply_plan(plan, settings=settings, operator=acc.operator, confirmed=False)
    assert sent == []
    assert iam_state(acc) == before
    assert list_entries() == []


def count_api_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every API operation botocore sends from now on (below the gateway, at the wire)."""
    from botocore.client import BaseClient

    sent: list[str] = []
    original = BaseClient._make_api_call

    def spy(self: Any, operation_name: str, api_params: Any) -> Any:
        sent.append(operation_name)
        return original(self, operation_name, api_params)

    monkeypatch.setattr(BaseClient, "_make_api_call", spy)
    return sent


def test_seed_has_no_ses_full_access_to_start_with(account):
    acc = account("seed")
    assert SES_FULL_ACCESS not in iam_state(acc)["attached"]


DENIED_XML = (
    b'<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><Error><Type>Sender'
    b"</Type><Code>AccessDenied</Code><Message>User is not authorized to perform: "
    b"ses:GetSendQuota</Message></Error><RequestId>1</RequestId></ErrorResponse>"
)


def _slow_propagation(acc: Any):  # type: ignore[no-untyped-def]
    """AWS still answering the app AccessDenied after the change (IAM is eventually consistent)."""
    from tests.support.proxy import DelayProxy, Respond, when

    hook = when(
        Respond(403, DENIED_XML),
        action="GetSendQuota",
        region="ap-southeast-1",
    )
    return DelayProxy(acc.endpoint, fault=hook)


def test_verification_backs_off_until_its_timeout(account, monkeypatch):
    import time

    acc = account("seed")
    settings, _report, plan = _plan(acc, "attach-ses-full-access")
    with _slow_propagation(acc) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.url)
        started = time.monotonic()
        waits: list[str] = []
        result = apply_plan(
            plan,
            settings=settings,
            operator=acc.operator,
            confirmed=True,
            verify_timeout=3.5,
            progress=waits.append,
        )
        elapsed = time.monotonic() - started
    assert result.status == "applied" and result.verified is False
    assert result.verification_detail.startswith("not confirmed after 3.5 s")
    assert 3.0 <= elapsed < 10
    pauses = [w for w in waits if w.startswith("waiting")]
    assert [p.split()[1] for p in pauses][:2] == ["1", "2"]  # back-off doubles
    assert proxy.actions()["email:GetSendQuota"] + proxy.actions()["ses:GetSendQuota"] >= 3
    assert list_entries()[0].verified is False


def test_verification_wait_can_be_cancelled(account, monkeypatch):
    import threading
    import time

    acc = account("seed")
    settings, _report, plan = _plan(acc, "attach-ses-full-access")
    cancel = threading.Event()
    threading.Timer(0.5, cancel.set).start()
    with _slow_propagation(acc) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.url)
        started = time.monotonic()
        result = apply_plan(
            plan,
            settings=settings,
            operator=acc.operator,
            confirmed=True,
            verify_timeout=60,
            cancel=cancel,
        )
    assert time.monotonic() - started < 5
    assert result.status == "applied" and result.verified is None
    assert "stopped on request" in result.verification_detail
    assert app_can_send_quota(acc)  # the change itself stays applied (and recorded)
    assert list_entries()[0].status == "applied"
