"""``sesfix logs`` decodes SES's messages with sesfix.delivery.rejected: MessageRejected
identity lists, the clock skew of 'Signature expired', throttling,
ConfigurationSetDoesNotExist and MailFromDomainNotVerified."""

from __future__ import annotations

from sesfix.logs import analyze_text

LOG = "\n".join(
    [
        "2026-11-30T08:00:00Z [Email Service] Sending email via AWS SES",
        "2026-11-30T08:00:01Z [Email Service] Error: MessageRejected: Email address is not "
        "verified. The following identities failed the check in region AP-SOUTHEAST-1: "
        "no-reply@anyrent.shop, customer@gmail.com",
        "2026-11-30T08:05:00Z [Email Service] Sending email via AWS SES",
        "2026-11-30T08:05:01Z [Email Service] Error: SignatureDoesNotMatch: Signature expired: "
        "20261130T075500Z is now earlier than 20261130T080000Z (20261130T080501Z - 5 min.)",
        "2026-11-30T08:10:00Z [Email Service] Sending email via AWS SES",
        "2026-11-30T08:10:01Z [Email Service] Error: ConfigurationSetDoesNotExist: "
        "Configuration set <transactional> does not exist.",
        "2026-11-30T08:15:00Z [Email Service] Sending email via AWS SES",
        "2026-11-30T08:15:01Z [Email Service] Error: MailFromDomainNotVerifiedException: "
        "The MAIL FROM domain mail.anyrent.shop is not verified",
        "2026-11-30T08:20:00Z [Email Service] Sending email via AWS SES",
        "2026-11-30T08:20:01Z [Email Service] Error: ThrottlingException: Maximum sending "
        "rate exceeded.",
    ]
)


def test_each_message_is_decoded() -> None:
    analysis = analyze_text(LOG)
    codes = analysis.codes
    rejected = codes["MessageRejected"].decoded
    assert any("no-reply@anyrent.shop" in d and "ap-southeast-1" in d for d in rejected)
    assert any("customer@gmail.com" in d for d in rejected)
    (skew,) = codes["SignatureDoesNotMatch"].decoded
    assert "10 min 1 s behind" in skew  # T3 - T1 = 08:05:01 - 07:55:00
    assert codes["SignatureDoesNotMatch"].finding_id == "credentials.clock_skew"
    assert codes["ConfigurationSetDoesNotExist"].finding_id == "config.configuration_set_missing"
    assert "transactional" in codes["ConfigurationSetDoesNotExist"].decoded[0]
    mail_from = codes["MailFromDomainNotVerifiedException"]
    assert mail_from.finding_id == "identity.mail_from_not_verified"
    assert any("per-second sending rate" in d for d in codes["ThrottlingException"].decoded)


def test_decoded_lines_are_evidence_and_json() -> None:
    analysis = analyze_text(LOG)
    by_id = {f.id: f for f in analysis.findings()}
    assert {
        "identity.not_verified",
        "credentials.clock_skew",
        "config.configuration_set_missing",
        "identity.mail_from_not_verified",
    } <= set(by_id)
    assert any(
        e.startswith("decoded: ") and "behind" in e
        for e in by_id["credentials.clock_skew"].evidence
    )
    data = analysis.to_json()
    assert data["codes"]["ConfigurationSetDoesNotExist"]["decoded"]


def test_hostile_identities_stay_visible_text() -> None:
    line = (
        "[Email Service] Error: MessageRejected: Email address is not verified. The following "
        "identities failed the check in region US-EAST-1: a@x.com, \x1b]8;;http://evil\x07b@y.com"
    )
    decoded = analyze_text(line).codes["MessageRejected"].decoded
    assert all("\x1b" not in d and "\x07" not in d for d in decoded)
