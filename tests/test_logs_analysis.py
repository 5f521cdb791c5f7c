"""sesfix.logs on samples in the shapes apps and Railway print."""

from __future__ import annotations

import json

import pytest

from sesfix import findings as F
from sesfix import logs
from sesfix.diagnosis.report import Context, Report
from sesfix.logs import analyze, analyze_text

KEY_ID = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

GUIDE_SUCCESS = """\
🔧 [Email Service - SES] Initializing AWS SES client...
📤 [Email Service - SES] Sending email via AWS SES...
✅ [Email Service - SES] Email sent successfully
"""

GUIDE_NOT_CONFIGURED = """\
2026-11-29 10:41:07 ❌ [Email Service - SES] AWS credentials not configured...
2026-11-29 10:42:13 ❌ [Email Service - SES] AWS credentials not configured...
"""

GUIDE_ERROR_OBJECT = """\
2026-11-29T10:42:00.101Z 🔧 [Email Service - SES] Initializing AWS SES client...
2026-11-29T10:42:00.180Z 📤 [Email Service - SES] Sending email via AWS SES...
2026-11-29T10:42:00.734Z ❌ [Email Service - SES] Error: {
  message: "The security token included in the request is invalid.",
  code: "InvalidClientTokenId"
}
2026-11-29T10:42:00.740Z POST /api/auth/resend-verification 500 - {"success":false,"code":"EMAIL_SEND_FAILED","message":"AWS SES error (InvalidClientTokenId): The security token included in the request is invalid."}
"""


def railway_json(text: str, start: str = "2026-11-29T10:42:00") -> list[str]:
    """How ``railway logs --json`` prints each line of a (multi-line) console output."""
    return [
        json.dumps(
            {
                "message": line,
                "timestamp": f"{start}.{i:03d}Z",
                "severity": "error" if "Error" in line else "info",
                "attributes": {"level": "info"},
            }
        )
        for i, line in enumerate(text.splitlines())
    ]


def test_guide_success_sequence() -> None:
    a = analyze_text(GUIDE_SUCCESS)
    assert a.stage == "success" and a.ok
    assert [s[1] for s in a.steps()] == ["✓", "✓", "✓", "✓"]
    assert a.findings() == []
    assert "mail is sent" in a.summary()


def test_credentials_not_configured() -> None:
    a = analyze_text(GUIDE_NOT_CONFIGURED)
    assert a.stage == "credentials_not_loaded"
    assert a.steps()[0][1] == "✗" and a.steps()[1][1] == "✗"
    (f,) = a.findings()
    assert f.id == "config.missing_variable"
    assert "2 times, first at 10:41, last at 10:42" in f.evidence[0]


def test_multiline_js_error_object() -> None:
    a = analyze_text(GUIDE_ERROR_OBJECT)
    assert a.stage == "api_failed"
    assert a.failing_code == "InvalidClientTokenId"
    c = a.codes["InvalidClientTokenId"]
    # The error object, the HTTP response and its message name the same failure once.
    assert c.count == 1 and c.first_at is not None and c.first_line == 3
    assert "security token" in c.sample
    (f,) = a.findings()
    assert f.id == "credentials.key_not_found"
    assert f.evidence[0].startswith("seen in the logs: InvalidClientTokenId at 10:42, once")
    assert "inactive key" in f.evidence[0]  # the FACTS causes
    assert f.data["source"] == "logs"


def test_railway_json_lines_give_the_same_answer() -> None:
    plain = analyze_text(GUIDE_ERROR_OBJECT)
    railway = analyze(railway_json(GUIDE_ERROR_OBJECT))
    assert railway.json_lines > 0
    assert railway.stage == plain.stage
    assert railway.codes.keys() == plain.codes.keys()
    assert railway.codes["InvalidClientTokenId"].first_at == "2026-11-29T10:42:00.002Z"


def test_ansi_colour_and_bare_error_code() -> None:
    a = analyze(
        [
            "\x1b[36m🔧 [Email Service - SES] Initializing AWS SES client...\x1b[0m",
            "\x1b[31m❌ [Email Service - SES] Error: SignatureDoesNotMatch\x1b[0m",
        ]
    )
    assert a.failing_code == "SignatureDoesNotMatch"
    assert [f.id for f in a.findings()] == ["credentials.secret_mismatch"]


def test_signature_expired_is_clock_skew() -> None:
    a = analyze(
        [
            "SignatureDoesNotMatch: Signature expired: 20261129T101500Z is now earlier than "
            "20261129T102000Z (20261129T102500Z - 5 min.)"
        ]
    )
    assert [f.id for f in a.findings()] == ["credentials.clock_skew"]


@pytest.mark.parametrize(
    ("message", "finding"),
    [
        (
            "User: arn:aws:iam::123456789012:user/rental-app is not authorized to perform: "
            "ses:SendEmail on resource: arn:aws:ses:ap-southeast-1:123456789012:identity/x",
            "iam.ses_permission_missing",
        ),
        (
            "User: arn:aws:iam::123456789012:user/rental-app is not authorized to perform: "
            "ses:SendEmail with an explicit deny in an identity-based policy",
            "iam.ses_explicit_deny",
        ),
    ],
)
def test_botocore_access_denied(message: str, finding: str) -> None:
    line = (
        "Traceback ... botocore.exceptions.ClientError: An error occurred (AccessDenied) "
        f"when calling the SendEmail operation: {message}"
    )
    a = analyze(["2026-11-29 10:42:01,332 ERROR mailer " + line])
    assert a.stage == "api_failed" and a.failing_code == "AccessDenied"
    assert [f.id for f in a.findings()] == [finding]


def test_message_rejected_names_the_region() -> None:
    a = analyze(
        [
            "MessageRejected: Email address is not verified. The following identities failed "
            "the check in region AP-SOUTHEAST-1: no-reply@anyrent.shop"
        ]
    )
    c = a.codes["MessageRejected"]
    assert c.regions == {"ap-southeast-1"}
    (f,) = a.findings()
    assert f.id == "identity.not_verified"
    assert any("region.identity_not_in_region" in e for e in f.evidence)


def test_pino_json_with_error_fields_and_epoch_time() -> None:
    line = json.dumps(
        {
            "level": 50,
            "time": 1764412920000,  # 2025-11-29T10:42:00Z
            "msg": "send failed",
            "err": {
                "type": "Error",
                "message": "The request signature we calculated does not match",
                "name": "SignatureDoesNotMatch",
                "$metadata": {"httpStatusCode": 403},
            },
        }
    )
    a = analyze([line])
    c = a.codes["SignatureDoesNotMatch"]
    assert logs.short_time(c.first_at) == "10:42"


def test_java_and_xml_shapes() -> None:
    a = analyze(
        [
            "com.amazonaws.services.simpleemail.model.AmazonSimpleEmailServiceException: The "
            "security token included in the request is invalid. (Service: "
            "AmazonSimpleEmailService; Status Code: 403; Error Code: InvalidClientTokenId; "
            "Request ID: 7f2e)",
        ]
    )
    assert a.failing_code == "InvalidClientTokenId"
    b = analyze(["<Error><Code>ExpiredToken</Code><Message>expired</Message></Error>"])
    assert [f.id for f in b.findings()] == ["credentials.token_expired"]


def test_no_credentials_from_sdks() -> None:
    a = analyze(["botocore.exceptions.NoCredentialsError: Unable to locate credentials"])
    assert a.stage == "credentials_not_loaded"
    assert [f.id for f in a.findings()] == ["config.missing_variable"]
    b = analyze(["CredentialsProviderError: Could not load credentials from any providers"])
    assert b.stage == "credentials_not_loaded"


def test_throttling_only_in_an_error_structure() -> None:
    assert analyze(["Throttling enabled for the image queue"]).codes == {}
    assert "Throttling" in analyze(["❌ [Email Service - SES] Error: Throttling"]).codes
    assert "ThrottlingException" in analyze(["ThrottlingException: Rate exceeded"]).codes


def test_unknown_code_in_the_error_object_is_kept_without_a_finding() -> None:
    a = analyze_text(
        "❌ [Email Service - SES] Error: {\n  message: 'x',\n  code: 'InvalidRenderingParameter'\n}"
    )
    assert a.failing_code == "InvalidRenderingParameter"
    assert a.findings() == []


def test_error_without_a_code() -> None:
    a = analyze_text("❌ [Email Service - SES] Error: {\n  message: 'socket hang up'\n}\n")
    assert a.stage == "api_failed" and a.failing_code is None
    assert "without a code" in a.summary()


def test_no_outcome_and_no_markers_and_service_only() -> None:
    assert analyze(["🔧 [Email Service - SES] Initializing AWS SES client..."]).stage == (
        "no_outcome"
    )
    assert analyze(["GET / 200", "listening on :3000"]).stage == "no_markers"
    svc = analyze(["[Email Service - SES] provider=console"])
    assert svc.stage == "client_not_initialised"


def test_success_after_failure_and_failure_after_success() -> None:
    fail = "❌ [Email Service - SES] Error: InvalidClientTokenId"
    ok = "✅ [Email Service - SES] Email sent successfully"
    a = analyze([fail, ok])
    assert a.stage == "success" and "earlier failures: InvalidClientTokenId" in a.summary()
    assert analyze([ok, fail]).stage == "api_failed"


def test_repeated_attempts_are_counted() -> None:
    attempt = [
        "10:40:00 📤 [Email Service - SES] Sending email via AWS SES...",
        "10:40:01 ❌ [Email Service - SES] Error: AccessDenied",
        "10:40:01 AccessDenied: not authorized",  # the stack trace: same failure
    ]
    a = analyze(attempt * 3)
    assert a.codes["AccessDenied"].count == 3


def test_timestamps_in_common_shapes() -> None:
    for line, expected in [
        ("Nov 29 10:42:01 host app[12]: ❌ [Email Service - SES] Error: ExpiredToken", "10:42"),
        ("[10:42:01] ❌ [Email Service - SES] Error: ExpiredToken", "10:42"),
        ("2026-11-29 10:42:01.331 ❌ [Email Service - SES] Error: ExpiredToken", "10:42"),
    ]:
        c = analyze([line]).codes["ExpiredToken"]
        assert logs.short_time(c.first_at) == expected, line


def test_crlf_and_bytes_stream(tmp_path) -> None:
    path = tmp_path / "app.log"
    path.write_bytes(GUIDE_ERROR_OBJECT.replace("\n", "\r\n").encode() + b"\xff\xfe junk\n")
    a = logs.analyze_file(path)
    assert a.failing_code == "InvalidClientTokenId"
    assert a.lines == GUIDE_ERROR_OBJECT.count("\n") + 1


def test_secrets_and_key_ids_are_redacted() -> None:
    lines = [
        f"❌ [Email Service - SES] Error: InvalidClientTokenId key={KEY_ID} secret={SECRET}",
        f"config loaded AWS_SECRET_ACCESS_KEY=my-own-secret-value AccessDenied {KEY_ID}",
    ]
    a = analyze(lines, secrets=["my-own-secret-value"])
    text = json.dumps(a.to_json(), ensure_ascii=False)
    assert KEY_ID not in text and SECRET not in text and "my-own-secret-value" not in text
    assert "AKIA…MPLE" in text


def test_very_long_line_is_cut(tmp_path) -> None:
    path = tmp_path / "big.log"
    path.write_text("x" * (logs.MAX_LINE * 3) + " AccessDenied\n")
    a = logs.analyze_file(path)
    assert a.lines == 4 and "AccessDenied" in a.codes


def test_to_json_round_trips() -> None:
    out = analyze_text(GUIDE_ERROR_OBJECT).to_json()
    assert json.loads(json.dumps(out))["schema"] == "sesfix.logs/1"
    assert out["findings"][0]["id"] == "credentials.key_not_found"


# ---- correlate --------------------------------------------------------------------------


def _report(*found: F.Finding) -> Report:
    return Report(steps=[], findings=list(found), context=Context())


def test_correlate_inactive_key() -> None:
    a = analyze(["2026-11-29T10:42:00Z ❌ [Email Service - SES] Error: InvalidClientTokenId"])
    report = _report(
        F.make("credentials.key_inactive", "AKIA…MPLE of IAM user rental-app has Status Inactive")
    )
    verdict, sentence = logs.correlate(a, report)
    assert verdict.startswith("the live check's verdict leads: credentials.key_inactive")
    assert sentence.startswith("the logs show InvalidClientTokenId at 10:42; the live probe shows")
    assert "inactive" in sentence.lower()


def test_correlate_healthy_now() -> None:
    a = analyze(["❌ [Email Service - SES] Error: SignatureDoesNotMatch"])
    verdict, sentence = logs.correlate(a, _report())
    assert "no error in the variables checked" in verdict
    assert "passes now" in sentence and "redeploy" in sentence


def test_correlate_other_cause_and_stale_variables() -> None:
    a = analyze(["❌ [Email Service - SES] Error: SignatureDoesNotMatch"])
    verdict, sentence = logs.correlate(a, _report(F.make("iam.ses_permission_missing", "x")))
    assert verdict.startswith("the live check's verdict leads: iam.ses_permission_missing")
    assert "fix: sesfix fix attach-ses-full-access" in verdict
    assert "does not reproduce" in sentence and "iam.ses_permission_missing" in sentence
    nc = analyze_text(GUIDE_NOT_CONFIGURED)
    _verdict, s2 = logs.correlate(nc, _report())
    assert "not redeployed" in s2
    ok = analyze_text(GUIDE_SUCCESS)
    _verdict, s3 = logs.correlate(ok, _report(F.make("credentials.secret_mismatch", "x")))
    assert "not the ones the running service uses" in s3


def test_marker_less_failures_seconds_apart_count_separately() -> None:
    lines = []
    for i in range(4):
        lines += [
            f"2026-11-29 10:42:{10 * i:02d},001 ERROR mailer send failed",
            f"botocore.exceptions.ClientError: An error occurred (AccessDenied) when calling the "
            f"SendEmail operation (attempt {i})",
            "  during handling of the above exception",
        ]
    a = analyze(lines)
    assert a.codes["AccessDenied"].count == 4
