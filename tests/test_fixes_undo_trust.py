"""Changes land on the account they were made for (issue 11), through the real CLI in-process.

AWS is moto's server with IAM auth enforced, behind the counting proxy where writes are
counted. Two accounts: the scenario's (123456789012) and another one (111111111111) whose
operator is made through moto's multi-account support (an assumed role's keys create a
user there; that user's keys then act in 111111111111).
"""

from __future__ import annotations

import datetime as dt
import json
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from sesfix.cli import main
from sesfix.demo.account import ACCOUNT_ID, SimulatedAccount
from sesfix.fixes import audit, list_entries
from sesfix.locations import practice_audit_log_path, real_audit_log_path
from tests.support.proxy import DelayProxy, RequestInfo
from tests.test_fixes_cli import env_file
from tests.test_fixes_iam import iam_state

OTHER_ACCOUNT = "111111111111"
_READS = ("Get", "List", "Simulate", "Describe")


@pytest.fixture(autouse=True)
def english_afterwards() -> Iterator[None]:
    """``--lang vi`` sets the process's language: put English back for the next test."""
    from sesfix.locale import set_language

    yield
    set_language("en")


def writes(proxy: DelayProxy) -> list[str]:
    def mutating(r: RequestInfo) -> bool:
        return bool(r.action) and not r.action.startswith(_READS)

    return [r.label for r in proxy.snapshot() if mutating(r)]


def other_account_operator(acct: SimulatedAccount) -> tuple[str, str]:
    """Keys of an administrator of account 111111111111 in the same moto server."""
    import boto3
    from botocore.config import Config

    acct.set_auth(False)
    try:
        creds = acct.client("sts").assume_role(
            RoleArn=f"arn:aws:iam::{OTHER_ACCOUNT}:role/setup", RoleSessionName="setup"
        )["Credentials"]
        iam = boto3.client(
            "iam",
            endpoint_url=acct.endpoint,
            region_name="us-east-1",
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
            config=Config(proxies={}),
        )
        iam.create_user(UserName="other-operator")
        iam.attach_user_policy(
            UserName="other-operator", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess"
        )
        key = iam.create_access_key(UserName="other-operator")["AccessKey"]
    finally:
        acct.set_auth(True)
    return key["AccessKeyId"], key["SecretAccessKey"]


def write_profiles(home: Path, acct: SimulatedAccount, monkeypatch: pytest.MonkeyPatch) -> None:
    """Profiles ``ops`` (the scenario's operator) and ``other`` (account 111111111111)."""
    op = acct.operator
    assert op is not None and op.credentials is not None
    other_id, other_secret = other_account_operator(acct)
    path = home / "aws-credentials"
    path.write_text(
        "[ops]\n"
        f"aws_access_key_id = {op.credentials.access_key_id}\n"
        f"aws_secret_access_key = {op.credentials.secret_access_key.reveal()}\n"
        "[other]\n"
        f"aws_access_key_id = {other_id}\n"
        f"aws_secret_access_key = {other_secret}\n"
    )
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(path))


def apply(envfile: str, fix_id: str = "attach-ses-full-access", *extra: str) -> int:
    return main(
        [
            "fix",
            fix_id,
            "--env-file",
            envfile,
            "--operator-profile",
            "ops",
            "--yes",
            "--verify-timeout",
            "0",
            *extra,
        ]
    )


def rewrite_log(change: Callable[[list[dict[str, Any]]], list[dict[str, Any]]]) -> None:
    path = real_audit_log_path()
    records = [json.loads(x) for x in path.read_text().splitlines()]
    path.write_text("".join(json.dumps(r) + "\n" for r in change(records)))


# ---- the account ---------------------------------------------------------------------------


def test_every_entry_records_account_operator_origin_and_time(account, operator_profile, tmp_path):
    acct = account("seed")
    operator_profile()
    assert apply(env_file(acct, tmp_path)) == 0
    [begin] = [
        json.loads(x)
        for x in real_audit_log_path().read_text().splitlines()
        if json.loads(x)["type"] == "begin"
    ]
    assert begin["account"] == ACCOUNT_ID
    assert begin["operator_arn"] == f"arn:aws:iam::{ACCOUNT_ID}:user/sesfix-operator"
    assert begin["origin"] == "real"
    when = dt.datetime.fromisoformat(begin["time"].replace("Z", "+00:00"))
    assert abs((dt.datetime.now(dt.UTC) - when).total_seconds()) < 120


def test_undo_refuses_an_operator_of_another_account_naming_both(
    counted, isolated_world, monkeypatch, tmp_path, capsys
):
    acct, proxy = counted("seed")
    write_profiles(isolated_world, acct, monkeypatch)
    assert apply(env_file(acct, tmp_path)) == 0
    after_fix = iam_state(acct)
    proxy.reset()
    capsys.readouterr()
    code = main(["undo", "--last", "--yes", "--operator-profile", "other"])
    out = capsys.readouterr().out
    assert code == 1
    assert f"made in account {ACCOUNT_ID}" in out and f"works in account {OTHER_ACCOUNT}" in out
    assert writes(proxy) == []  # asked AWS who the operator is, then nothing
    assert "sts:GetCallerIdentity" in {r.label for r in proxy.snapshot()}
    assert iam_state(acct) == after_fix
    # the same through the engine (the wizard's path): refused, nothing sent
    from sesfix.aws.identity import OperatorSpec
    from sesfix.fixes import undo

    result = undo(None, operator=OperatorSpec(profile="other"), confirmed=True)
    assert result.status == "refused" and OTHER_ACCOUNT in result.message
    assert writes(proxy) == [] and iam_state(acct) == after_fix
    # the right operator can
    assert main(["undo", "--last", "--yes", "--operator-profile", "ops"]) == 0
    assert writes(proxy) == ["iam:DetachUserPolicy"]


# ---- practice ------------------------------------------------------------------------------


def test_practice_ignores_operator_profiles_talks_only_to_loopback_and_keeps_its_own_log(
    isolated_world, monkeypatch, capsys
):
    # A real-looking profile named by the flag and by the environment: neither may be used.
    creds = isolated_world / "aws-credentials"
    creds.write_text(
        "[prod]\naws_access_key_id = AKIAPRODPRODPRODPROD\n"
        "aws_secret_access_key = prodprodprodprodprodprodprodprodprodprod\n"
    )
    config = isolated_world / "aws-config"
    config.write_text(
        "[profile prod]\nregion = us-east-1\nendpoint_url = https://iam.amazonaws.com\n"
    )
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(creds))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("SESFIX_OPERATOR_PROFILE", "prod")
    peers: list[str] = []
    real_connect = socket.socket.connect

    def connect(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            peers.append(str(address[0]))
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    code = main(
        [
            "fix",
            "attach-ses-full-access",
            "--demo",
            "seed",
            "--operator-profile",
            "prod",
            "--yes",
            "--verify-timeout",
            "0",
        ]
    )
    out = capsys.readouterr().out
    assert code in (0, 1), out
    assert "Result: applied" in out
    assert peers and set(peers) <= {"127.0.0.1", "::1", "localhost"}, set(peers)
    # the practice entry is in the practice log, made by the practice operator
    [entry] = audit.read_entries(practice_audit_log_path())
    assert entry.origin == "practice:seed"
    assert entry.operator_arn.endswith(":user/sesfix-operator")
    assert not real_audit_log_path().exists() or not list_entries()
    # ...and never appears outside practice
    assert main(["undo", "--list"]) == 0
    listing = capsys.readouterr().out
    assert entry.id not in listing and "No change is recorded" in listing
    assert "undo --list --demo" in listing
    assert main(["undo", "--last", "--yes", "--operator-profile", "prod"]) == 2
    assert "No change is recorded in the audit log" in capsys.readouterr().err
    assert main(["undo", "--list", "--demo"]) == 0
    assert entry.id in capsys.readouterr().out
    # that practice account is gone: a later practice run never undoes its changes
    assert main(["undo", "--last", "--demo", "--yes"]) == 2
    assert "this practice run has changed nothing" in capsys.readouterr().err
    assert main(["undo", entry.id, "--demo", "--yes"]) == 1
    assert "earlier practice account, which no longer exists" in capsys.readouterr().out


# ---- drift ---------------------------------------------------------------------------------


def test_undo_refuses_over_a_later_default_version_and_force_says_what_it_drops(
    counted, operator_profile, tmp_path, capsys
):
    from sesfix.fixes.documents import POLICY_NAME

    acct, proxy = counted("seed")
    operator_profile()
    iam = acct.operator_client("iam")
    arn = f"arn:aws:iam::{ACCOUNT_ID}:policy/{POLICY_NAME}"
    old_doc = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "ses:GetSendQuota", "Resource": "*"}],
    }
    iam.create_policy(PolicyName=POLICY_NAME, PolicyDocument=json.dumps(old_doc))
    iam.attach_user_policy(UserName="rental-app", PolicyArn=arn)
    assert apply(env_file(acct, tmp_path), "create-custom-policy") == 0
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v2"
    deny = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Action": "ses:*", "Resource": "*"}],
    }
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(deny), SetAsDefault=True)
    before = iam_state(acct)
    proxy.reset()
    capsys.readouterr()
    assert main(["undo", "--last", "--yes", "--operator-profile", "ops"]) == 1
    out = capsys.readouterr().out
    assert "AWS changed since this fix" in out
    assert "default version of " + arn + " is now v3, not v2" in out
    assert "--force" in out
    assert writes(proxy) == [] and iam_state(acct) == before
    assert main(["undo", "--last", "--yes", "--force", "--operator-profile", "ops"]) == 0
    out = capsys.readouterr().out
    assert "makes v1 the default over v3 and deletes v2" in out
    assert "undone with --force over what changed since" in out
    assert writes(proxy) == ["iam:SetDefaultPolicyVersion", "iam:DeletePolicyVersion"]
    versions = {v["VersionId"] for v in iam.list_policy_versions(PolicyArn=arn)["Versions"]}
    assert versions == {"v1", "v3"}  # v3 dropped from default, said so; v2 gone
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v1"


def test_a_key_deactivated_after_rotation_is_drift(account, operator_profile, os_keyring):
    from sesfix.diagnosis.engine import DiagnosisOptions, diagnose
    from sesfix.fixes import apply_plan, plan_fix, undo

    acct = account("lost-secret")
    settings = acct.app_settings()
    report = diagnose(settings, DiagnosisOptions(operator=acct.operator))
    plan = plan_fix("rotate-access-key", report, settings, operator=acct.operator)
    result = apply_plan(
        plan, settings=settings, operator=acct.operator, confirmed=True, verify_timeout=0
    )
    assert result.new_key is not None
    acct.operator_client("iam").update_access_key(
        UserName="rental-app", AccessKeyId=result.new_key.access_key_id, Status="Inactive"
    )
    back = undo(None, operator=acct.operator, confirmed=True)
    assert back.status == "refused"
    assert back.drift == [
        f"the new key {result.new_key.masked} is now Inactive, not Active as the fix created it"
    ]
    assert result.new_key.access_key_id in {k[0] for k in iam_state(acct)["keys"]}


# ---- the audit log is not trusted ----------------------------------------------------------


def test_a_tampered_or_wrong_typed_line_is_reported_by_line_and_never_run(
    counted, operator_profile, tmp_path, capsys
):
    acct, proxy = counted("seed")
    operator_profile()
    assert apply(env_file(acct, tmp_path)) == 0
    [entry] = list_entries()

    def tamper(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for r in records:
            if r["type"] == "result" and r.get("undo"):
                r["undo"] = [
                    {
                        "service": "iam",
                        "operation": "create_user",
                        "region": "us-east-1",
                        "params": {"UserName": "intruder"},
                    }
                ]
        return [
            *records,
            {"v": 1, "type": "intent", "entry": entry.id, "seq": "two", "call": 5},
            {"v": 1, "type": "begin", "entry": "x", "fix_id": 7, "target": "user"},
            {"v": 1, "type": "result", "entry": entry.id, "seq": 1, "status": ["ok"]},
        ]

    rewrite_log(tamper)
    lines = real_audit_log_path().read_text().splitlines()
    tampered_line = next(i for i, x in enumerate(lines, 1) if "create_user" in x)
    proxy.reset()
    capsys.readouterr()
    assert main(["undo", "--list"]) == 0  # wrong-typed lines never crash the list
    listed = capsys.readouterr()
    assert entry.id in listed.out
    for n in (len(lines) - 2, len(lines) - 1, len(lines)):
        assert f"line {n}:" in listed.err
    assert "Traceback" not in listed.out + listed.err
    assert main(["undo", "--last", "--yes"]) == 0
    out = capsys.readouterr().out
    assert f"audit log line {tampered_line}: iam:CreateUser is not how" in out
    assert "skipped, not run" in out and "Nothing left that can be undone" in out
    assert writes(proxy) == []
    iam = acct.operator_client("iam")
    assert "intruder" not in {u["UserName"] for u in iam.list_users()["Users"]}


def test_an_undo_call_aimed_at_another_user_is_refused_against_the_recorded_target(
    counted, operator_profile, tmp_path, capsys
):
    acct, proxy = counted("seed")
    operator_profile()
    assert apply(env_file(acct, tmp_path)) == 0

    # forward call and its undo both edited to name another user: the inverse's "same
    # user" rule holds, the entry's recorded target does not
    def retarget(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for r in records:
            if r["type"] == "intent":
                r["params"]["UserName"] = "sesfix-operator"
            for u in r.get("undo") or []:
                u["params"]["UserName"] = "sesfix-operator"
        return records

    rewrite_log(retarget)
    proxy.reset()
    capsys.readouterr()
    assert main(["undo", "--last", "--yes", "--operator-profile", "ops"]) == 0
    out = capsys.readouterr().out
    assert "user 'sesfix-operator' is not the entry's user 'rental-app'" in out
    assert writes(proxy) == []


# ---- --last and time -----------------------------------------------------------------------


def test_last_refuses_a_change_older_than_24_h_unless_named(
    account, operator_profile, tmp_path, capsys
):
    acct = account("seed")
    operator_profile()
    assert apply(env_file(acct, tmp_path)) == 0
    [entry] = list_entries()
    old = (dt.datetime.now(dt.UTC) - dt.timedelta(days=2, hours=3)).isoformat(timespec="seconds")

    def age(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for r in records:
            if r["type"] == "begin":
                r["time"] = old.replace("+00:00", "Z")
        return records

    rewrite_log(age)
    capsys.readouterr()
    assert main(["undo", "--last", "--yes", "--operator-profile", "ops"]) == 2
    err = capsys.readouterr().err
    assert "applied 2 d 3 h ago" in err and "last 24 h" in err
    assert f"sesfix undo {entry.id}" in err
    assert iam_state(acct)["attached"]  # still attached
    assert main(["undo", entry.id, "--yes", "--operator-profile", "ops"]) == 0
    assert "applied 2 d 3 h ago" in capsys.readouterr().out


# ---- writing the log -----------------------------------------------------------------------


def test_a_short_write_leaves_no_half_line_and_is_an_error(tmp_path, monkeypatch):
    import os

    path = tmp_path / "audit.jsonl"
    audit.append({"type": "end", "entry": "a", "status": "applied"}, path)
    whole = path.read_bytes()
    monkeypatch.setattr(audit, "_raw_write", lambda fd, data: os.write(fd, data[:10]))
    with pytest.raises(audit.AuditWriteError, match="short write"):
        audit.append({"type": "end", "entry": "b", "status": "applied"}, path)
    assert path.read_bytes() == whole


def _full_disk_on(monkeypatch: pytest.MonkeyPatch, marker: bytes) -> None:
    import errno
    import os

    def write(fd: int, data: bytes) -> int:
        if marker in data:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return os.write(fd, data)

    monkeypatch.setattr(audit, "_raw_write", write)


def test_a_full_disk_at_the_intent_sends_nothing(counted, monkeypatch):
    from sesfix.diagnosis.engine import DiagnosisOptions, diagnose
    from sesfix.fixes import apply_plan, plan_fix

    acct, proxy = counted("seed")
    settings = acct.app_settings()
    report = diagnose(settings, DiagnosisOptions(operator=acct.operator))
    plan = plan_fix("attach-ses-full-access", report, settings, operator=acct.operator)
    _full_disk_on(monkeypatch, b'"type":"intent"')
    proxy.reset()
    result = apply_plan(plan, settings=settings, operator=acct.operator, confirmed=True)
    assert result.status == "failed" and "No space left on device" in result.message
    assert writes(proxy) == []


def test_a_full_disk_while_recording_create_access_key_still_hands_over_the_key(
    account, os_keyring, monkeypatch
):
    import io

    from sesfix import secrets as sk
    from sesfix.commands.fix_text import render_result
    from sesfix.diagnosis.engine import DiagnosisOptions, diagnose
    from sesfix.fixes import apply_plan, plan_fix

    acct = account("lost-secret")
    settings = acct.app_settings()
    report = diagnose(settings, DiagnosisOptions(operator=acct.operator))
    plan = plan_fix("rotate-access-key", report, settings, operator=acct.operator)
    _full_disk_on(monkeypatch, b'"type":"result"')
    result = apply_plan(
        plan, settings=settings, operator=acct.operator, confirmed=True, verify_timeout=0
    )
    assert result.status == "applied"
    key = result.new_key
    assert key is not None and key.access_key_id.startswith("AKIA") and len(key.secret) == 40
    assert key.keyring_stored
    stored = sk.load_credentials(key.keyring_label)
    assert stored is not None and stored.access_key_id == key.access_key_id
    assert stored.secret_access_key.reveal() == key.secret.reveal()
    assert "No space left on device" in result.audit_incomplete
    assert "audit log is incomplete" in result.message and key.masked in result.message
    shown = io.StringIO()
    render_result(result, shown)
    assert "The audit log is incomplete" in shown.getvalue()
    assert key.masked in shown.getvalue()
    assert key.access_key_id in {k[0] for k in iam_state(acct)["keys"]}


# ---- undo --list ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "text"),
    [("en", "No change is recorded in the audit log"), ("vi", "chưa ghi thay đổi nào")],
)
def test_undo_list_on_an_empty_log_says_so(lang, text, capsys):
    assert main(["--lang", lang, "undo", "--list"]) == 0
    assert text in capsys.readouterr().out


def test_undo_list_shows_account_origin_age_title_and_state(
    account, operator_profile, tmp_path, capsys
):
    acct = account("seed")
    operator_profile()
    assert apply(env_file(acct, tmp_path)) == 0
    capsys.readouterr()
    assert main(["undo", "--list"]) == 0
    line = capsys.readouterr().out.strip()
    assert f"account {ACCOUNT_ID}" in line and "  real  " in line
    assert "s ago" in line and "Attach AmazonSESFullAccess to the app's IAM user" in line
    assert line.endswith("— applied")
    assert main(["--lang", "vi", "undo", "--list"]) == 0
    vi = capsys.readouterr().out
    assert f"tài khoản {ACCOUNT_ID}" in vi and "đã áp dụng" in vi


def test_within_one_practice_run_undo_works_and_stays_in_the_practice_log(isolated_world):
    import argparse

    from sesfix.commands.common import resolve_sources
    from sesfix.diagnosis.engine import DiagnosisOptions, diagnose
    from sesfix.fixes import apply_plan, plan_fix, undo
    from sesfix.locations import practice_scenario

    args = argparse.Namespace(demo="seed", operator_profile=None, env_file=None)
    with resolve_sources(args) as sources:
        assert sources.settings is not None  # the practice account is ready from here on
        assert practice_scenario() == "seed"
        assert sources.operator is not None and sources.operator.profile is None
        report = diagnose(sources.settings, DiagnosisOptions(operator=sources.operator))
        plan = plan_fix(
            "attach-ses-full-access", report, sources.settings, operator=sources.operator
        )
        applied = apply_plan(
            plan,
            settings=sources.settings,
            operator=sources.operator,
            confirmed=True,
            verify_timeout=0,
        )
        assert applied.status == "applied"
        back = undo(None, operator=sources.operator, confirmed=True)
        assert back.status == "undone", back.message
    assert practice_scenario() is None
    kinds = [e.kind for e in audit.read_entries(practice_audit_log_path())]
    assert kinds == ["apply", "undo"]
    assert not real_audit_log_path().exists()


def test_an_identity_deleted_after_verify_domain_is_drift(account):
    from sesfix.diagnosis.engine import DiagnosisOptions, diagnose
    from sesfix.fixes import apply_plan, plan_fix, undo

    acct = account("wrong-region")
    settings = acct.app_settings()
    report = diagnose(settings, DiagnosisOptions(operator=acct.operator))
    plan = plan_fix("verify-domain", report, settings, operator=acct.operator)
    applied = apply_plan(
        plan, settings=settings, operator=acct.operator, confirmed=True, verify_timeout=0
    )
    assert applied.status == "applied"
    [entry] = list_entries()
    region, domain = entry.target["region"], entry.target["domain"]
    acct.operator_client("ses", region).delete_identity(Identity=domain)
    back = undo(None, operator=acct.operator, confirmed=True)
    assert back.status == "refused"
    assert back.drift == [f"the SES identity {domain} no longer exists in {region}"]
    forced = undo(None, operator=acct.operator, confirmed=True, force=True)
    assert forced.status == "undone" and "no longer exists" in forced.message
