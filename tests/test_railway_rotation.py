"""After a rotation the new key reaches Railway through stdin only, and is re-checked."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import pytest

from sesfix import railway
from sesfix.commands.to_railway import after_rotation
from sesfix.masking import Secret
from tests.support.fake_railway import FakeRailway, install


class NewKey:
    """The shape of sesfix.fixes.model.NewKey that the Railway push uses."""

    def __init__(self, key_id: str, secret: str) -> None:
        self.access_key_id = key_id
        self.secret = Secret(secret)


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeRailway:
    return install(tmp_path, monkeypatch)


def _new_key_for(acct) -> NewKey:  # type: ignore[no-untyped-def]
    iam = acct.operator_client("iam")
    created = iam.create_access_key(UserName=acct.scenario.user)["AccessKey"]
    return NewKey(created["AccessKeyId"], created["SecretAccessKey"])


def test_rotated_key_reaches_railway_through_stdin_and_rechecks(account, fake) -> None:
    acct = account("lost-secret")
    fake.set_variables(acct.app_env)  # the deployed, broken pair
    before = railway.recheck(attempts=1)
    assert "credentials.secret_mismatch" in before.finding_ids()

    key = _new_key_for(acct)
    out = io.StringIO()
    args = argparse.Namespace(service="api", environment="production", skip_deploys=False)
    rc = after_rotation(key, args, out, confirmed=True)
    text = out.getvalue()
    assert rc == 0, text
    assert "redeploys" in text and "work with AWS" in text
    secret = key.secret.reveal()
    assert secret not in text

    calls = fake.calls()
    sets = [c for c in calls if c["argv"][:2] == ["variable", "set"]]
    assert [c["argv"] for c in sets] == [
        [
            "variable",
            "set",
            "--stdin",
            "AWS_ACCESS_KEY_ID",
            "-s",
            "api",
            "-e",
            "production",
            "--skip-deploys",
        ],
        ["variable", "set", "--stdin", "AWS_SECRET_ACCESS_KEY", "-s", "api", "-e", "production"],
    ]
    assert [c["stdin"] for c in sets] == [key.access_key_id + "\n", secret + "\n"]
    assert secret not in json.dumps([c["argv"] for c in calls])
    assert fake.variables()["AWS_SECRET_ACCESS_KEY"] == secret
    assert fake.deploys() == 1


def test_not_confirmed_changes_nothing(fake) -> None:
    out = io.StringIO()
    args = argparse.Namespace(service=None, environment=None, skip_deploys=False)
    rc = after_rotation(NewKey("AKIAIOSFODNN7EXAMPLE", "x" * 40), args, out, ask=False)
    assert rc == 2 and fake.calls() == []


def test_railway_failure_keeps_the_key_and_says_what_to_do(fake) -> None:
    fake.set_mode("unauthorized")
    out = io.StringIO()
    args = argparse.Namespace(service="api", environment=None, skip_deploys=True)
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    rc = after_rotation(NewKey("AKIAIOSFODNN7EXAMPLE", secret), args, out, confirmed=True)
    text = out.getvalue()
    assert rc == 1
    assert "railway login" in text and "keyring" in text and "without redeploying" in text
    assert secret not in text


def test_fix_rotate_access_key_to_railway_headless(
    account, fake, operator_profile, os_keyring, capsys
) -> None:
    """`sesfix fix rotate-access-key --from-railway -s api --to-railway --yes`.

    Output is not a terminal, so the new secret goes to the OS keyring (a real Secret
    Service) and to Railway; Railway alone would be refused before the key is created."""
    from sesfix.cli import main

    acct = account("lost-secret")
    fake.set_variables(acct.app_env)
    profile = operator_profile()
    rc = main(
        [
            "fix",
            "rotate-access-key",
            "--from-railway",
            "-s",
            "api",
            "--to-railway",
            "--yes",
            "--operator-profile",
            profile,
            "--verify-timeout",
            "10",
        ]
    )
    captured = capsys.readouterr()
    new_secret = fake.variables()["AWS_SECRET_ACCESS_KEY"]
    assert rc == 0, captured.out + captured.err
    assert new_secret != acct.app_env["AWS_SECRET_ACCESS_KEY"]
    assert new_secret not in captured.out + captured.err
    assert new_secret not in json.dumps([c["argv"] for c in fake.calls()])
    sets = [c for c in fake.calls() if c["argv"][:2] == ["variable", "set"]]
    assert [c["stdin"] for c in sets][-1] == new_secret + "\n"
    assert "work with AWS" in captured.out


def test_to_railway_only_with_rotation(fake, capsys) -> None:
    from sesfix.cli import main

    rc = main(["fix", "attach-ses-full-access", "--to-railway", "--yes"])
    assert rc == 2 and "rotate-access-key" in capsys.readouterr().err
