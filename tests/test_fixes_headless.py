"""``sesfix fix`` headless: where a new secret may go (checked before the key exists), guidance
that never echoes a secret, and ``--dry-run`` without an operator; writes counted at the proxy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sesfix.cli import main
from tests.conftest import SENTINEL_SECRET
from tests.support import fake_railway
from tests.test_fixes_cli import env_file
from tests.test_fixes_iam import iam_state
from tests.test_fixes_undo_trust import english_afterwards, writes  # noqa: F401


def rotate(envfile: str, *extra: str) -> int:
    return main(
        [
            "fix",
            "rotate-access-key",
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


# ---- where the new secret goes, checked before CreateAccessKey -----------------------------


@pytest.mark.parametrize(
    ("railway", "expected"),
    [
        ("absent", "Railway cannot take the new key (the Railway CLI (`railway`) is not installed"),
        ("unauthorized", "Railway cannot take the new key (the Railway CLI is not logged in"),
        ("unlinked", "Railway cannot take the new key (this directory is not linked"),
        ("ok", "Railway alone is not enough"),
        ("not asked", "could be neither stored (no usable OS keyring"),
    ],
)
def test_rotation_without_a_keeper_for_the_secret_is_refused_before_any_write(
    railway, expected, counted, operator_profile, tmp_path, monkeypatch, capsys
):
    acct, proxy = counted("lost-secret")  # conftest pins the fail keyring; stdout is no tty
    operator_profile()
    envfile = env_file(acct, tmp_path)
    before = iam_state(acct)
    extra: list[str] = []
    if railway == "absent":
        fake_railway.remove_from_path(monkeypatch, tmp_path)
    elif railway != "not asked":
        fake = fake_railway.install(tmp_path, monkeypatch)
        fake.set_variables(acct.app_env)
        if railway != "ok":
            fake.set_mode(railway)
    if railway != "not asked":
        extra = ["--to-railway"]
    proxy.reset()
    capsys.readouterr()
    assert rotate(envfile, *extra) == 2
    captured = capsys.readouterr()
    assert expected in captured.err
    assert "no key was created" in captured.err
    assert "kept in the OS keyring" not in captured.out + captured.err
    assert writes(proxy) == []
    assert iam_state(acct) == before


def test_a_requested_railway_that_cannot_take_it_is_refused_even_with_a_keyring(
    counted, operator_profile, os_keyring, tmp_path, monkeypatch, capsys
):
    acct, proxy = counted("lost-secret")
    operator_profile()
    fake = fake_railway.install(tmp_path, monkeypatch)
    fake.set_mode("unlinked")
    proxy.reset()
    assert rotate(env_file(acct, tmp_path), "--to-railway") == 2
    assert "not linked" in capsys.readouterr().err
    assert writes(proxy) == []


# ---- guidance never echoes a secret --------------------------------------------------------


@pytest.mark.parametrize(
    ("variable", "value", "fix_id"),
    [
        ("EMAIL_PROVIDER", SENTINEL_SECRET, "set-email-provider"),
        ("AWS_SES_REGION", SENTINEL_SECRET, "set-ses-region"),
        ("EMAIL_FROM", f" {SENTINEL_SECRET}", "clean-variable"),
        ("EMAIL_PROVIDER", "{secret}", "set-email-provider"),
    ],
)
def test_a_secret_pasted_into_a_plain_variable_is_never_echoed(
    variable, value, fix_id, account, tmp_path, capsys
):
    acct = account("seed")
    env = dict(acct.app_env)
    env[variable] = value.format(secret=env["AWS_SECRET_ACCESS_KEY"])
    path = tmp_path / "app.env"
    path.write_text("".join(f'{k}="{v}"\n' for k, v in env.items()))
    code = main(["fix", fix_id, "--env-file", str(path)])
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert code == 0, text
    assert SENTINEL_SECRET not in text and env["AWS_SECRET_ACCESS_KEY"] not in text
    assert "not shown)" in text
    assert "'" + SENTINEL_SECRET[:8] not in text  # no repr() of it either
    assert main(["fix", fix_id, "--env-file", str(path), "--json"]) == 0
    doc = capsys.readouterr().out
    assert SENTINEL_SECRET not in doc and env["AWS_SECRET_ACCESS_KEY"] not in doc


def test_a_plain_value_is_shown_as_visible_text_not_repr(account, tmp_path, capsys):
    acct = account("seed")
    env = {**acct.app_env, "EMAIL_PROVIDER": "SES\x1b[2J"}
    path = tmp_path / "app.env"
    path.write_text("".join(f'{k}="{v}"\n' for k, v in env.items()))
    assert main(["fix", "set-email-provider", "--env-file", str(path)]) == 0
    out = capsys.readouterr().out
    assert 'now "SES\\e[2J"' in out and "\x1b" not in out


# ---- --dry-run without an operator ---------------------------------------------------------


def test_dry_run_without_an_operator_shows_the_plan_with_a_note(counted, tmp_path, capsys):
    acct, proxy = counted("seed")
    envfile = env_file(acct, tmp_path)
    assert main(["fix", "create-custom-policy", "--env-file", envfile, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Fix create-custom-policy" in out
    assert "iam:CreatePolicy (undo: iam:DeletePolicy)" in out
    assert "IAM user rental-app, Account 123456789012" in out  # labels, as in the wizard
    assert "without an operator identity sesfix could not read" in out
    assert "which IAM user owns the app's key" in out and "--operator-profile" in out
    assert "Dry run: nothing was changed." in out
    assert main(["fix", "create-custom-policy", "--env-file", envfile, "--dry-run", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    shape = doc["without_operator"]
    assert shape["fix_id"] == "create-custom-policy"
    assert {"call": "iam:AttachUserPolicy", "undo": ["iam:DetachUserPolicy"]} in shape["may_call"]
    assert shape["unread"]
    assert (
        main(["--lang", "vi", "fix", "create-custom-policy", "--env-file", envfile, "--dry-run"])
        == 0
    )
    vi = capsys.readouterr().out
    assert "Chạy thử: không có gì bị thay đổi." in vi and "không có danh tính operator" in vi
    assert writes(proxy) == []
    # without --dry-run, applying still needs an operator
    assert main(["fix", "create-custom-policy", "--env-file", envfile, "--yes"]) == 1
    assert "needs an operator identity" in capsys.readouterr().out
    assert writes(proxy) == []


def test_fix_texts_follow_the_language_and_json_fields_do_not(
    account, operator_profile, tmp_path: Path, capsys
):
    acct = account("seed")
    operator_profile()
    envfile = env_file(acct, tmp_path)
    base = ["fix", "attach-ses-full-access", "--env-file", envfile, "--operator-profile", "ops"]
    assert main(["--lang", "vi", *base, "--dry-run"]) == 0
    captured = capsys.readouterr()
    assert "Các lệnh gọi AWS, với danh tính operator" in captured.out
    assert "chẩn đoán trước" in captured.err
    assert main(["--lang", "vi", *base, "--dry-run", "--json"]) == 0
    vi_doc = json.loads(capsys.readouterr().out)
    assert main(["--lang", "en", *base, "--dry-run", "--json"]) == 0
    en_doc = json.loads(capsys.readouterr().out)
    assert vi_doc.keys() == en_doc.keys() and vi_doc["plan"].keys() == en_doc["plan"].keys()


def test_english_fix_titles_in_the_catalogue_are_the_declared_ones() -> None:
    """locale never imports the fixes (they use it): fixes.en.json repeats each title."""
    from sesfix.fixes.catalogue import FIXES
    from sesfix.locale import catalogue

    en = catalogue("en")
    assert {fid: en[f"fix.{fid}.title"] for fid in FIXES} == {
        fid: fix.title for fid, fix in FIXES.items()
    }
