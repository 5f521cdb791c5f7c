# ruff: noqa: F811 - pytest fixtures imported from tests.support.smtp_server
"""No SMTP secret leaves the process: ``sesfix check`` (human and JSON) and ``sesfix fix
derive-smtp-password`` run as separate processes with the debug log at its most verbose,
against the simulated account and a real SMTP server on loopback; stdout, stderr and every
file under HOME are grepped for the secret, the SMTP passwords and every 12-character piece."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sesfix.demo.smtp import Certificates, PracticeSmtpServer
from sesfix.masking import Secret
from sesfix.smtp import derive
from tests.support.leakcheck import assert_no_leak, files_under
from tests.support.smtp_server import certificates  # noqa: F401

REGION = "ap-southeast-1"


@pytest.mark.parametrize(
    ("password_kind", "args"),
    [
        ("raw-secret", ["check"]),
        ("raw-secret", ["check", "--json"]),
        ("other-region", ["check", "--json"]),
        ("right", ["check"]),
        ("raw-secret", ["fix", "derive-smtp-password"]),
    ],
)
def test_smtp_secrets_never_leak(
    password_kind: str,
    args: list[str],
    account,
    certificates: Certificates,
    isolated_world: Path,
    tmp_path: Path,
) -> None:  # type: ignore[no-untyped-def]
    acct = account("healthy")
    secret = acct.app_env["AWS_SECRET_ACCESS_KEY"]
    key_id = acct.app_env["AWS_ACCESS_KEY_ID"]
    right = derive.smtp_password(secret, REGION)
    other = derive.smtp_password(secret, "us-east-1")
    password = {"raw-secret": secret, "other-region": other, "right": right}[password_kind]
    server = PracticeSmtpServer(key_id, Secret(secret), REGION, certificates).start()
    try:
        inputs = tmp_path / "inputs"  # outside HOME: the test's own inputs hold the secret
        inputs.mkdir()
        env_file = inputs / "app.env"
        app = {
            **acct.app_env,
            "EMAIL_PROVIDER": "smtp",
            "SMTP_HOST": f"email-smtp.{REGION}.amazonaws.com",
            "SMTP_PORT": "587",
            "SMTP_USER": key_id,
            "SMTP_PASS": password,
        }
        env_file.write_text("".join(f'{k}="{v}"\n' for k, v in app.items()))
        env = {
            **os.environ,
            "SESFIX_DEBUG": "1",
            "SESFIX_SMTP_ENDPOINT": f"127.0.0.1:{server.starttls_port}",
            "SSL_CERT_FILE": str(certificates.ca_file),
        }
        proc = subprocess.run(
            [sys.executable, "-m", "sesfix", *args, "--env-file", str(env_file)],
            env=env,
            capture_output=True,
            timeout=120,
            cwd=env["HOME"],
        )
        assert proc.returncode in (0, 1), proc.stderr.decode(errors="replace")[-2000:]
        assert server.attempts, "the probe never reached the SMTP server"
        produced = {"stdout": proc.stdout, "stderr": proc.stderr, **files_under(isolated_world)}
        assert_no_leak(produced, secret, right, other)
        assert key_id.encode() not in proc.stdout + proc.stderr  # masked AKIA…WXYZ
    finally:
        server.stop()
