"""Key fixes against moto with auth enforced: rotate (and the 2-key limit), retire, reactivate.

The new key's secret goes to a real Secret Service (a private gnome-keyring when the session
has none), as sesfix stores secrets only in an OS keyring.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from sesfix import secrets as sk
from sesfix.demo.account import SCENARIOS
from sesfix.diagnosis.engine import DiagnosisOptions, diagnose
from sesfix.fixes import apply_plan, plan_fix, undo
from sesfix.locations import audit_log_path
from sesfix.settings import AppSettings
from tests.test_fixes_iam import iam_state


def plan_for(acc: Any, fix_id: str, settings: AppSettings | None = None, **inputs: str):  # type: ignore[no-untyped-def]
    settings = settings or acc.app_settings()
    report = diagnose(settings, DiagnosisOptions(operator=acc.operator))
    plan = plan_fix(fix_id, report, settings, operator=acc.operator, inputs=inputs or None)
    return settings, report, plan


def with_key(settings: AppSettings, key_id: str, secret: Any) -> AppSettings:
    return replace(settings, access_key_id=key_id, secret_access_key=secret)


def test_rotate_creates_a_working_key_keeps_the_old_one_and_never_logs_the_secret(
    account, os_keyring
):
    acc = account("lost-secret")
    old_key = acc.app_key_id
    settings, report, plan = plan_for(acc, "rotate-access-key")
    assert "credentials.secret_mismatch" in report.finding_ids()
    assert [c.call for c in plan.calls] == ["iam:CreateAccessKey"]
    result = apply_plan(
        plan, settings=settings, operator=acc.operator, confirmed=True, verify_timeout=10
    )
    assert result.status == "applied", result.message
    new = result.new_key
    assert new is not None and new.access_key_id != old_key
    assert result.verified is True, result.verification_detail
    assert "works for SES" in result.verification_detail
    # stored in the keyring under the app's label, shown nowhere else
    stored = sk.load_credentials(new.keyring_label)
    assert new.keyring_stored and stored is not None
    assert stored.access_key_id == new.access_key_id and stored.secret_access_key == new.secret
    log = audit_log_path().read_text()
    assert new.secret.reveal() not in log
    assert new.secret.reveal() not in repr(result)
    # --yes never touches the old key
    keys = dict(iam_state(acc)["keys"])
    assert keys[old_key] == "Active" and keys[new.access_key_id] == "Active"

    # again: the pending key is reported instead of creating a third
    _s, _r, again = plan_for(acc, "rotate-access-key")
    assert again.noop and "already created" in again.noop_reason

    # the old key may not be retired while the app's variables still hold it
    _s, _r, retire = plan_for(acc, "retire-old-key")
    assert retire.refused and "not proven" in retire.refused

    # the app now runs with the new key: retire deactivates the old one, undo reactivates
    switched = with_key(settings, new.access_key_id, new.secret)
    _s, report2, retire = plan_for(acc, "retire-old-key", switched)
    assert report2.step(2).status == "pass"
    assert retire.applicable, retire.refused
    assert [(c.call, c.params["Status"]) for c in retire.calls] == [
        ("iam:UpdateAccessKey", "Inactive")
    ]
    assert retire.calls[0].params["AccessKeyId"] == old_key
    done = apply_plan(
        retire, settings=switched, operator=acc.operator, confirmed=True, verify_timeout=5
    )
    assert done.status == "applied" and done.verified is True, done.verification_detail
    assert dict(iam_state(acc)["keys"])[old_key] == "Inactive"
    _s, _r, twice = plan_for(acc, "retire-old-key", switched)
    assert twice.noop and "already Inactive" in twice.noop_reason

    back = undo(None, operator=acc.operator, confirmed=True)
    assert back.status == "undone", back.message
    assert dict(iam_state(acc)["keys"])[old_key] == "Active"


def test_undo_of_a_rotation_deletes_the_new_key_and_forgets_it(account, os_keyring):
    acc = account("lost-secret")
    before = iam_state(acc)
    settings, _r, plan = plan_for(acc, "rotate-access-key")
    result = apply_plan(
        plan, settings=settings, operator=acc.operator, confirmed=True, verify_timeout=10
    )
    assert result.new_key is not None
    assert undo(None, operator=acc.operator, confirmed=True).status == "undone"
    assert iam_state(acc) == before
    assert sk.load_credentials(result.new_key.keyring_label) is None


def test_two_keys_the_person_must_choose_which_one_goes(account, os_keyring):
    acc = account("lost-secret")
    iam = acc.operator_client("iam")
    second = iam.create_access_key(UserName="rental-app")["AccessKey"]["AccessKeyId"]
    settings, _r, plan = plan_for(acc, "rotate-access-key")
    assert not plan.applicable and [i.name for i in plan.inputs_needed] == ["delete_key"]
    field = plan.inputs_needed[0]
    assert "2 access keys" in field.label
    assert all("…" in c for c in field.choices) and len(field.choices) == 2
    assert any("the key in the app's variables" in w for w in plan.warnings)
    from sesfix.errors import UsageError

    with pytest.raises(UsageError):
        apply_plan(plan, settings=settings, operator=acc.operator, confirmed=True)
    assert len(iam_state(acc)["keys"]) == 2

    from sesfix.masking import mask_key_id

    _s, _r, chosen = plan_for(acc, "rotate-access-key", delete_key=mask_key_id(second))
    assert [c.call for c in chosen.calls] == ["iam:DeleteAccessKey", "iam:CreateAccessKey"]
    assert any("cannot be restored" in w for w in chosen.warnings)
    result = apply_plan(
        chosen, settings=settings, operator=acc.operator, confirmed=True, verify_timeout=10
    )
    assert result.status == "applied" and result.new_key is not None
    keys = dict(iam_state(acc)["keys"])
    assert second not in keys and acc.app_key_id in keys and result.new_key.access_key_id in keys
    # undo deletes the new key; the deleted one cannot come back, and undo says so
    back = undo(None, operator=acc.operator, confirmed=True)
    assert back.status == "partial" and "cannot be undone" in back.message


def test_reactivate_an_inactive_key(account):
    acc = account(replace(SCENARIOS["healthy"], name="inactive", key_status="Inactive"))
    settings, _r, plan = plan_for(acc, "reactivate-access-key")
    assert [(c.call, c.params["Status"]) for c in plan.calls] == [("iam:UpdateAccessKey", "Active")]
    result = apply_plan(
        plan, settings=settings, operator=acc.operator, confirmed=True, verify_timeout=5
    )
    assert result.status == "applied" and result.verified is True, result.verification_detail
    _s, _r, again = plan_for(acc, "reactivate-access-key")
    assert again.noop
    assert undo(None, operator=acc.operator, confirmed=True).status == "undone"
    assert dict(iam_state(acc)["keys"])[acc.app_key_id] == "Inactive"


def test_rotation_refused_for_a_user_that_does_not_exist_or_a_key_nobody_owns(account):
    acc = account("seed")
    settings, _r, plan = plan_for(acc, "rotate-access-key", user="ghost")
    assert plan.refused == "IAM user ghost does not exist in account 123456789012"
    unknown = with_key(settings, "AKIAZZZZZZZZZZZZZZZZ", settings.secret_access_key)
    _s, _r, plan = plan_for(acc, "rotate-access-key", unknown)
    assert "owns the key AKIA…ZZZZ" in plan.refused or "belongs to account" in plan.refused
    assert not plan.calls


def test_cli_rotation_shows_no_secret_off_a_terminal_and_keeps_it_in_the_keyring(
    account, operator_profile, os_keyring, tmp_path, capsys
):
    from sesfix.cli import main
    from tests.test_fixes_cli import env_file

    acc = account("lost-secret")
    ops = operator_profile()
    envfile = env_file(acc, tmp_path)
    args = ["fix", "rotate-access-key", "--env-file", envfile, "--operator-profile", ops]
    assert main([*args, "--yes", "--verify-timeout", "10"]) == 0
    out = capsys.readouterr().out
    [label] = sk.list_labels()
    stored = sk.load_credentials(label)
    assert stored is not None
    assert stored.secret_access_key.reveal() not in out
    assert "secret not printed: output is not a terminal" in out
    assert f"stored in the OS keyring under '{label}'" in out
    assert "Verification: verified" in out
    assert main([*args, "--yes"]) == 0  # a pending key: nothing new
    assert "already created the key" in capsys.readouterr().out
    assert len(iam_state(acc)["keys"]) == 2


def test_cli_rotation_refuses_when_the_secret_could_go_nowhere(
    account, operator_profile, tmp_path, capsys
):
    from sesfix.cli import main
    from tests.test_fixes_cli import env_file

    acc = account("lost-secret")  # conftest pins the fail keyring; output is not a terminal
    before = iam_state(acc)
    envfile = env_file(acc, tmp_path)
    ops = operator_profile()
    code = main(
        ["fix", "rotate-access-key", "--env-file", envfile, "--operator-profile", ops, "-y"]
    )
    assert code == 2
    assert "could be neither stored" in capsys.readouterr().err
    assert iam_state(acc) == before


def test_a_key_of_another_account_is_refused(account):
    acc = account("seed")
    settings = acc.app_settings()
    report = diagnose(settings, DiagnosisOptions(operator=acc.operator))
    report.context.app_account = "210987654321"
    plan = plan_fix("attach-ses-full-access", report, settings, operator=acc.operator)
    assert plan.refused.startswith("the app's key belongs to account 210987654321")
    assert not plan.calls
