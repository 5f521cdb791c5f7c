"""SMTP replies and TLS errors as mail libraries log them, decoded into finding ids."""

from __future__ import annotations

import pytest

from sesfix.findings import CATALOGUE
from sesfix.smtp import logs

LINES = [
    # nodemailer
    (
        "Error: Invalid login: 535 Authentication Credentials Invalid",
        "SMTP-535",
        "smtp.auth_failed",
    ),
    # Python smtplib
    (
        "smtplib.SMTPAuthenticationError: (535, b'Authentication Credentials Invalid')",
        "SMTP-535",
        "smtp.auth_failed",
    ),
    ("535 5.7.8 Authentication credentials invalid", "SMTP-535", "smtp.auth_failed"),
    (
        "SMTPSenderRefused: (530, b'Must issue a STARTTLS command first', 'a@b.c')",
        "SMTP-530-STARTTLS",
        "smtp.tls_mode_mismatch",
    ),
    ("530 Authentication required", "SMTP-530", "smtp.auth_failed"),
    (
        "Error: Message failed: 554 Message rejected: Email address is not verified. The "
        "following identities failed the check in region EU-WEST-1: no-reply@anyrent.shop",
        "MessageRejected",
        None,  # an AWS code: sesfix.logs maps it as it maps the API's MessageRejected
    ),
    (
        "454 Throttling failure: Maximum sending rate exceeded.",
        "Throttling",
        None,
    ),
    (
        "454 Maximum SigV2 SMTP sending rate exceeded",
        "SMTP-454-SigV2",
        "smtp.password_legacy_sigv2",
    ),
    (
        "Error: 140736989807552:error:1408F10B:SSL routines:ssl3_get_record:wrong version number",
        "TLS-wrong-version-number",
        "smtp.tls_mode_mismatch",
    ),
    (
        "[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)",
        "TLS-wrong-version-number",
        "smtp.tls_mode_mismatch",
    ),
    ("Error: Greeting never received", "SMTP-greeting-never-received", "smtp.tls_mode_mismatch"),
    ("Error: connect ETIMEDOUT 52.16.1.2:587", "SMTP-connect-timeout", "smtp.port_blocked"),
    (
        "Error: Connection timeout { code: 'ETIMEDOUT', command: 'CONN' }",
        "SMTP-connect-timeout",
        "smtp.port_blocked",
    ),
    (
        "Error: connect ECONNREFUSED 127.0.0.1:465",
        "SMTP-connection-refused",
        "smtp.connection_refused",
    ),
    (
        "Error: getaddrinfo ENOTFOUND email-smtp.eu-south-1.amazonaws.com",
        "SMTP-host-not-found",
        "smtp.host_unknown",
    ),
]


@pytest.mark.parametrize(("line", "code", "finding"), LINES)
def test_decodes(line: str, code: str, finding: str | None) -> None:
    decoded = logs.decode(line)
    assert decoded is not None, line
    assert (decoded.code, decoded.finding) == (code, finding)
    if finding:
        assert finding in CATALOGUE


@pytest.mark.parametrize(
    "line",
    [
        "GET /orders/535 200 12ms",
        "Email sent successfully to 530 customers",
        "listening on port 587",
        "upstream connect ETIMEDOUT 10.0.0.1:5432",  # a database, not SMTP
        "",
    ],
)
def test_leaves_other_lines_alone(line: str) -> None:
    assert logs.decode(line) is None


def test_every_code_has_a_meaning_and_known_findings() -> None:
    for code, finding in logs.CODE_FINDINGS.items():
        assert logs.MEANINGS[code]
        assert finding in CATALOGUE
    for finding, related in logs.RELATED.items():
        assert finding in CATALOGUE and all(r in CATALOGUE for r in related)


def test_aws_equivalent_codes_map_like_the_api() -> None:
    from sesfix.logs import finding_id_for

    decoded = logs.decode("554 Message rejected: Email address is not verified.")
    assert decoded is not None
    assert finding_id_for(decoded.code, "Email address is not verified") == "identity.not_verified"


def test_sesfix_logs_reports_smtp_failures_with_their_finding_ids() -> None:
    """The log analysis (``sesfix logs``) asks the SMTP decoder about lines it finds no AWS
    code in; the findings carry the SMTP ids and the secret never shows."""
    from sesfix.logs import analyze_text

    password = "BMXhUYlu5Z3gSXVQORxlVa7XPaz91aGWdfHxvkOZdWZ2"
    log = "\n".join(
        [
            "2026-11-30T10:15:30.454Z 📤 [Email Service - SES] Sending email via AWS SES...",
            "2026-11-30T10:15:31.530Z ❌ [Email Service - SES] Error: Invalid login: 535 "
            f"Authentication Credentials Invalid (pass={password})",
            "2026-11-30T10:20:00.000Z Error: connect ETIMEDOUT 52.16.1.2:587",
            "2026-11-30T10:21:00.000Z [SSL: WRONG_VERSION_NUMBER] wrong version number",
            "2026-11-30T10:22:00.454Z GET /health 200",  # a time stamp with 454: nothing
        ]
    )
    analysis = analyze_text(log, secrets=[password])
    assert sorted(analysis.codes) == [
        "SMTP-535",
        "SMTP-connect-timeout",
        "TLS-wrong-version-number",
    ]
    ids = {f.id for f in analysis.findings()}
    assert {"smtp.auth_failed", "smtp.port_blocked", "smtp.tls_mode_mismatch"} <= ids
    assert analysis.codes["SMTP-535"].meaning.startswith("SES refused the SMTP username")
    import json

    assert password not in json.dumps(analysis.to_json(), default=str)
