# ruff: noqa: F811 - pytest fixtures imported from tests.support.smtp_server
"""The SMTP password handed over like a rotated secret: the OS keyring (a real Secret
Service), Railway through stdin (the fake railway CLI), and renewed with a rotated key —
each proven by the loopback SMTP server accepting the result."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import pytest

from sesfix import cli
from sesfix.commands.to_railway import after_rotation
from sesfix.demo.smtp import Certificates, PracticeSmtpServer
from sesfix.masking import Secret
from sesfix.smtp import derive
from tests.support.fake_railway import FakeRailway, install
from tests.support.smtp_server import certificates, closed_port  # noqa: F401

REGION = "ap-southeast-1"
HOST = f"email-smtp.{REGION}.amazonaws.com"


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeRailway:
    return install(tmp_path, monkeypatch)


def smtp_vars(key_id: str, password: str) -> dict[str, str]:
    return {
        "EMAIL_PROVIDER": "smtp",
        "SMTP_HOST": HOST,
        "SMTP_PORT": "587",
        "SMTP_USERNAME": key_id,
        "SMTP_PASSWORD": password,
    }


def serve(key_id: str, secret: str, certs: Certificates, monkeypatch) -> PracticeSmtpServer:  # type: ignore[no-untyped-def]
    server = PracticeSmtpServer(key_id, Secret(secret), REGION, certs).start()
    monkeypatch.setenv("SESFIX_SMTP_ENDPOINT", f"127.0.0.1:{server.starttls_port}")
    monkeypatch.setenv("SSL_CERT_FILE", str(certs.ca_file))
    return server


def test_rotation_renews_the_smtp_password_on_railway(
    account, fake: FakeRailway, certificates: Certificates, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    acct = account("healthy")
    old_secret = acct.app_env["AWS_SECRET_ACCESS_KEY"]
    fake.set_variables(
        {
            **acct.app_env,
            **smtp_vars(
                acct.app_env["AWS_ACCESS_KEY_ID"], derive.smtp_password(old_secret, REGION)
            ),
        }
    )
    created = acct.operator_client("iam").create_access_key(UserName=acct.scenario.user)
    key_id, secret = created["AccessKey"]["AccessKeyId"], created["AccessKey"]["SecretAccessKey"]
    server = serve(key_id, secret, certificates, monkeypatch)  # SES knows only the new key now
    try:

        class NewKey:
            access_key_id = key_id

            def __init__(self) -> None:
                self.secret = Secret(secret)

        out = io.StringIO()
        args = argparse.Namespace(service="api", environment=None, skip_deploys=False)
        rc = after_rotation(NewKey(), args, out, confirmed=True)
        text = out.getvalue()
        assert rc == 0, text
        assert "SMTP_USERNAME, SMTP_PASSWORD renewed" in text
        new_password = derive.smtp_password(secret, REGION)
        deployed = fake.variables()
        assert deployed["SMTP_PASSWORD"] == new_password
        assert deployed["SMTP_USERNAME"] == key_id
        sets = [c for c in fake.calls() if c["argv"][:2] == ["variable", "set"]]
        assert [c["argv"][3] for c in sets] == [
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "SMTP_USERNAME",
            "SMTP_PASSWORD",
        ]
        argv = json.dumps([c["argv"] for c in fake.calls()])
        assert new_password not in argv and secret not in argv
        assert new_password not in text and secret not in text
        # The re-check after the push logged in with the renewed password.
        assert server.attempts and server.attempts[-1].accepted
    finally:
        server.stop()


def test_derive_cli_writes_to_railway_through_stdin(
    account, fake: FakeRailway, certificates: Certificates, monkeypatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    acct = account("healthy")
    secret = acct.app_env["AWS_SECRET_ACCESS_KEY"]
    key_id = acct.app_env["AWS_ACCESS_KEY_ID"]
    fake.set_variables({**acct.app_env, **smtp_vars(key_id, secret)})  # the raw secret: 535
    server = serve(key_id, secret, certificates, monkeypatch)
    try:
        code = cli.main(
            ["fix", "derive-smtp-password", "--from-railway", "-s", "api", "--to-railway", "--yes"]
        )
        out, err = capsys.readouterr()
        assert code == 0, out + err
        want = derive.smtp_password(secret, REGION)
        assert fake.variables()["SMTP_PASSWORD"] == want
        sets = [c for c in fake.calls() if c["argv"][:2] == ["variable", "set"]]
        assert [c["argv"][3] for c in sets] == ["SMTP_PASSWORD"]
        assert sets[0]["stdin"] == want + "\n"
        assert want not in out + err and secret not in out + err
        assert "Not kept in the OS keyring" in out  # the tests' fail backend
        assert "The deployed SMTP credentials log in" in out
        # Diagnosing the deployed variables again: SES's SMTP accepts the login.
        assert cli.main(["check", "--json", "--from-railway", "-s", "api"]) == 0
        capsys.readouterr()
        assert server.attempts[-1].accepted
    finally:
        server.stop()


def test_derive_keeps_the_password_in_the_os_keyring(
    account, os_keyring, closed_port, tmp_path: Path, monkeypatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    from sesfix.secrets import load_credentials

    acct = account("healthy")
    secret = acct.app_env["AWS_SECRET_ACCESS_KEY"]
    key_id = acct.app_env["AWS_ACCESS_KEY_ID"]
    env_file = tmp_path / "app.env"
    env = {**acct.app_env, **smtp_vars(key_id, derive.smtp_password(secret, "eu-west-1"))}
    env_file.write_text("".join(f'{k}="{v}"\n' for k, v in env.items()))
    monkeypatch.setenv("SESFIX_SMTP_ENDPOINT", f"127.0.0.1:{closed_port.port}")  # refused
    code = cli.main(["fix", "derive-smtp-password", "--env-file", str(env_file)])
    out, _ = capsys.readouterr()
    assert code == 0, out
    label = f"smtp:{key_id[:4]}…{key_id[-4:]}:{REGION}"
    assert f"Kept in the OS keyring under '{label}'" in out
    stored = load_credentials(label)
    assert stored is not None
    assert stored.access_key_id == key_id
    assert stored.secret_access_key.reveal() == derive.smtp_password(secret, REGION)
    assert derive.smtp_password(secret, REGION) not in out  # not a terminal: not printed


def test_rotation_without_railway_renews_the_smtp_password_in_the_keyring(
    account, os_keyring, operator_profile, closed_port, tmp_path: Path, monkeypatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    from sesfix.secrets import list_labels, load_credentials

    acct = account("healthy")
    secret = acct.app_env["AWS_SECRET_ACCESS_KEY"]
    key_id = acct.app_env["AWS_ACCESS_KEY_ID"]
    env = {**acct.app_env, **smtp_vars(key_id, derive.smtp_password(secret, REGION))}
    env_file = tmp_path / "app.env"
    env_file.write_text("".join(f'{k}="{v}"\n' for k, v in env.items()))
    monkeypatch.setenv("SESFIX_SMTP_ENDPOINT", f"127.0.0.1:{closed_port.port}")
    profile = operator_profile()
    code = cli.main(
        [
            "fix", "rotate-access-key", "--env-file", str(env_file),
            "--operator-profile", profile, "--yes", "--verify-timeout", "20",
        ]
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0, out + err
    app_labels = [x for x in list_labels() if x.startswith("app:")]
    assert len(app_labels) == 1, (list_labels(), out)
    new = load_credentials(app_labels[0])
    assert new is not None and new.access_key_id != key_id
    label = f"smtp:{new.access_key_id[:4]}…{new.access_key_id[-4:]}:{REGION}"
    assert f"kept in the OS keyring under '{label}'" in out
    smtp = load_credentials(label)
    assert smtp is not None and smtp.access_key_id == new.access_key_id
    renewed = derive.smtp_password(new.secret_access_key.reveal(), REGION)
    assert smtp.secret_access_key.reveal() == renewed
    assert renewed not in out + err  # not a terminal: not printed
