"""The debug log at its most verbose, against the simulated account: no SigV4 signature
in any form botocore logs it, no session token, no secret (known or only secret-shaped)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from sesfix import debuglog
from sesfix.demo.account import SimulatedAccount
from tests.conftest import SENTINEL_SECRET
from tests.support.leakcheck import assert_no_leak

Loader = Callable[[str], SimulatedAccount]

# Never wrapped in a Secret anywhere: only the filter's patterns can catch them.
OPERATOR_TOKEN = "FwoGZXIvYXdzEBYaDOperatorToken/" + "Zm9vYmFy" * 30
UNWRAPPED_SECRET = "qYbRtkWzPLmVnXsJdHgFcBaTqWeRtYuIoPlKjHgF"
HEX64 = re.compile(r"(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])")


def _signatures_left(text: str) -> list[str]:
    """Every hex signature still readable after a signature marker."""
    pattern = r"(?:Signature=|X-Amz-Signature=|Signature%3D|Signature:\s*)([0-9a-f]{16,})"
    return re.findall(pattern, text, flags=re.IGNORECASE)


def test_debug_log_of_a_real_diagnosis_holds_no_signature_token_or_secret(
    account: Loader,
    isolated_world: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from sesfix.cli import main

    acct = account("seed")
    op = acct.operator
    assert op is not None and op.credentials is not None
    creds = isolated_world / "aws-credentials"
    creds.write_text(
        "[ops]\n"
        f"aws_access_key_id = {op.credentials.access_key_id}\n"
        f"aws_secret_access_key = {op.credentials.secret_access_key.reveal()}\n"
        f"aws_session_token = {OPERATOR_TOKEN}\n"
    )
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(creds))
    for name, value in acct.app_env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_SESSION_TOKEN", SENTINEL_SECRET + "Zm9v" * 30)
    monkeypatch.setenv("SESFIX_DEBUG", "1")
    monkeypatch.setenv("SESFIX_MAX_ATTEMPTS", "1")
    try:
        main(["check", "--operator-profile", "ops", "--json"])
        # What a presigned URL and an unwrapped secret would look like in a log line.
        import botocore.session

        session = botocore.session.Session()
        session.set_credentials(op.credentials.access_key_id, UNWRAPPED_SECRET, OPERATOR_TOKEN)
        client = session.create_client("sts", region_name="us-east-1")
        url = client.generate_presigned_url("get_caller_identity")
        logging.getLogger("sesfix").debug("presigned %s and secret %s", url, UNWRAPPED_SECRET)
    finally:
        debuglog.disable()
    capsys.readouterr()
    log = (isolated_world / ".local/state/sesfix/debug.log").read_text()
    # It really is the most verbose log: botocore's signing dumps are in it.
    assert "CanonicalRequest" in log and "StringToSign" in log and "Signature:" in log
    assert "Sending http request" in log and "presigned" in log
    assert not _signatures_left(log), "a SigV4 signature is readable in the debug log"
    assert "X-Amz-Signature=********" in log
    assert_no_leak(
        {"debug.log": log},
        OPERATOR_TOKEN,
        SENTINEL_SECRET,
        UNWRAPPED_SECRET,
        op.credentials.secret_access_key.reveal(),
        acct.app_env["AWS_SECRET_ACCESS_KEY"],
    )


def test_scrub_covers_each_form_botocore_uses() -> None:
    sig = "ab12" * 16
    forms = [
        f"Signature:\n{sig}",
        f"'Authorization': b'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261130/"
        f"us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature={sig}'",
        f"https://sts.amazonaws.com/?X-Amz-Credential=x&X-Amz-Signature={sig}",
        f"X-Amz-Signature%3D{sig}",
    ]
    for form in forms:
        out = debuglog.scrub(form)
        assert sig not in out, form
        assert "********" in out
    token = "IQoJb3JpZ2luX2VjEHoaCXVzLWVhc3QtMSJHMEUCIQD" + "x" * 200
    for form in (
        f"x-amz-security-token:{token}\nhost:sts.amazonaws.com",
        f"X-Amz-Security-Token={token.replace('/', '%2F')}&X-Amz-Date=1",
        f"'X-Amz-Security-Token': b'{token}'",
    ):
        assert_no_leak({"scrubbed": debuglog.scrub(form)}, token)
    # Not secrets, kept for debugging: payload hashes, dates, scopes.
    keep = "20261130/us-east-1/sts/aws4_request\n" + "e3b0c442" * 8
    assert debuglog.scrub(keep) == keep
