"""Offline SMTP forensics: each finding from the variables alone, and none when all is right."""

from __future__ import annotations

import json

import pytest

from sesfix.findings import CATALOGUE
from sesfix.masking import Secret
from sesfix.smtp import derive, forensics
from sesfix.smtp.settings import SmtpSettings, endpoint_override, target

KEY_ID = "AKIAQSMTPTESTKEY0001"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYsmtpTESTKY"
OTHER_SECRET = "ZZalrXUtnFEMI/K7MDENG+bPxRfiCYotherKEY00"
HOST = "email-smtp.eu-west-1.amazonaws.com"
GOOD = derive.smtp_password(SECRET, "eu-west-1")


def settings(**over: str) -> SmtpSettings:
    values = {
        "EMAIL_PROVIDER": "smtp",
        "SMTP_HOST": HOST,
        "SMTP_PORT": "587",
        "SMTP_USERNAME": KEY_ID,
        "SMTP_PASSWORD": GOOD,
    }
    values.update(over)
    return SmtpSettings.from_mapping({k: v for k, v in values.items() if v != "<unset>"})


def lint(s: SmtpSettings, secret: str | None = SECRET, key_id: str | None = KEY_ID):  # type: ignore[no-untyped-def]
    return forensics.lint(s, secret=Secret(secret) if secret else None, secret_key_id=key_id)


def ids(found) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(f.id for f in found)


def test_right_settings_raise_nothing() -> None:
    assert lint(settings()) == []
    assert lint(settings(SMTP_PORT="465", SMTP_SECURE="true")) == []
    assert lint(settings(), secret=None) == []


def test_not_configured_means_not_checked() -> None:
    assert not SmtpSettings.from_mapping({"EMAIL_PROVIDER": "ses"}).configured
    assert forensics.lint(SmtpSettings.from_mapping({})) == []
    assert SmtpSettings.from_mapping({"SMTP_HOST": HOST}).configured
    assert SmtpSettings.from_mapping({"EMAIL_PROVIDER": " smtp "}).configured


def test_raw_secret_as_password() -> None:
    found = lint(settings(SMTP_PASSWORD=SECRET))
    assert ids(found) == ["smtp.password_is_secret_key"]
    assert "same value as AWS_SECRET_ACCESS_KEY" in found[0].evidence[0]
    # Without the secret at hand the shape still tells: 40 characters of the secret alphabet.
    shaped = lint(settings(SMTP_PASSWORD=OTHER_SECRET), secret=None)
    assert ids(shaped) == ["smtp.password_is_secret_key"]


def test_password_for_another_region() -> None:
    found = lint(settings(SMTP_PASSWORD=derive.smtp_password(SECRET, "us-east-1")))
    assert ids(found) == ["smtp.password_wrong_region"]
    assert found[0].data["derived_region"] == "us-east-1"
    assert found[0].data["region"] == "eu-west-1"
    assert "for us-east-1, but SMTP_HOST is in eu-west-1" in found[0].evidence[0]


def test_password_of_another_key() -> None:
    other = derive.smtp_password(OTHER_SECRET, "eu-west-1")
    assert ids(lint(settings(SMTP_PASSWORD=other))) == ["smtp.password_other_key"]
    # Not decidable when the secret sesfix holds belongs to another key than the username.
    assert lint(settings(SMTP_PASSWORD=other), key_id="AKIAQOTHERKEY0000002") == []
    # Nor without the secret.
    assert lint(settings(SMTP_PASSWORD=other), secret=None) == []
    # A value that is no SES password at all, when the secret is known.
    found = lint(settings(SMTP_PASSWORD="hunter2-is-not-it"))
    assert ids(found) == ["smtp.password_other_key"]


def test_password_from_this_secret_but_username_of_another_key() -> None:
    found = lint(settings(SMTP_USERNAME="AKIAQOTHERKEY0000002"), key_id=KEY_ID)
    assert ids(found) == ["smtp.username_not_key_id"]
    assert "AKIA…0001" in found[0].evidence[0]


def test_legacy_sigv2_password() -> None:
    found = lint(settings(SMTP_PASSWORD=derive.smtp_password_sigv2(SECRET)))
    assert ids(found) == ["smtp.password_legacy_sigv2"]
    assert found[0].severity == "warning"
    assert any("derived from AWS_SECRET_ACCESS_KEY" in e for e in found[0].evidence)


@pytest.mark.parametrize(
    ("username", "expect"),
    [
        ("ses-smtp-user.20240101-123456", "IAM user name the SES console creates"),
        ("ops@anyrent.shop", "email address"),
        ("AIDAQSMTPTESTUSER001", "an IAM user ID"),
        ("ASIAQSMTPTESTKEY0001", "temporary key"),
        ("akiaqsmtptestkey0001", "not AKIA followed by"),
    ],
)
def test_username_not_a_key_id(username: str, expect: str) -> None:
    found = lint(settings(SMTP_USERNAME=username), key_id=None)
    assert "smtp.username_not_key_id" in ids(found)
    text = " ".join(found[ids(found).index("smtp.username_not_key_id")].evidence)
    assert expect in text


def test_alias_spelling_is_read() -> None:
    s = SmtpSettings.from_mapping(
        {"SMTP_HOST": HOST, "SMTP_PORT": "587", "SMTP_USER": "x@y.z", "SMTP_PASS": SECRET}
    )
    assert s.username_variable == "SMTP_USER" and s.password_variable == "SMTP_PASS"
    found = forensics.lint(s)
    assert ids(found) == ["smtp.password_is_secret_key", "smtp.username_not_key_id"]
    assert all(f.data["variable"] in ("SMTP_USER", "SMTP_PASS") for f in found)


@pytest.mark.parametrize(
    ("host", "severity", "expect"),
    [
        ("smtp.gmail.com", "warning", "another provider"),
        ("email.eu-west-1.amazonaws.com", "error", "HTTPS API endpoint"),
        ("inbound-smtp.eu-west-1.amazonaws.com", "error", "receiving endpoint"),
        ("email-smtp.amazonaws.com", "error", "without a region"),
        ("email-smtp.xx-nowhere-9.amazonaws.com", "error", "not a region"),
    ],
)
def test_host_not_ses(host: str, severity: str, expect: str) -> None:
    found = [f for f in lint(settings(SMTP_HOST=host)) if f.id == "smtp.host_not_ses"]
    assert len(found) == 1
    assert found[0].severity == severity
    assert expect in found[0].evidence[0]


def test_region_without_smtp_endpoint() -> None:
    found = lint(settings(SMTP_HOST="email-smtp.eu-south-1.amazonaws.com"))
    assert "smtp.no_endpoint_in_region" in ids(found)


@pytest.mark.parametrize(
    ("port", "secure", "expect", "suggested"),
    [
        ("465", "false", "port 465 speaks implicit TLS", 465),  # keep the port, fix the flag
        ("587", "true", "port 587 speaks STARTTLS", 587),
        ("2525", None, "SES does not listen on port 2525", 587),
        ("five-eight-seven", None, "not a port number", 587),
        ("587", "perhaps", "neither true", 587),
    ],
)
def test_port_and_tls_mode(port: str, secure: str | None, expect: str, suggested: int) -> None:
    over = {"SMTP_PORT": port, **({"SMTP_SECURE": secure} if secure else {})}
    found = [f for f in lint(settings(**over)) if f.id == "smtp.tls_mode_mismatch"]
    assert len(found) == 1
    assert expect in " ".join(found[0].evidence)
    assert found[0].data["suggested_port"] == suggested


def test_whitespace_and_quotes_in_smtp_values() -> None:
    found = lint(settings(SMTP_PASSWORD=GOOD + "\n", SMTP_HOST=f'"{HOST}"'))
    assert ids(found) == ["credentials.quoted_value", "credentials.whitespace"]
    by_id = {f.id: f for f in found}
    assert by_id["credentials.whitespace"].data["variable"] == "SMTP_PASSWORD"
    assert by_id["credentials.quoted_value"].data["variable"] == "SMTP_HOST"


def test_missing_variables_when_provider_is_smtp() -> None:
    found = lint(settings(SMTP_PASSWORD="<unset>", SMTP_PORT=""))
    missing = sorted(f.data["variable"] for f in found if f.id == "config.missing_variable")
    assert missing == ["SMTP_PASSWORD", "SMTP_PORT"]


def test_no_secret_in_any_finding() -> None:
    cases = [
        settings(SMTP_PASSWORD=SECRET),
        settings(SMTP_PASSWORD=derive.smtp_password(SECRET, "us-east-1")),
        settings(SMTP_PASSWORD=derive.smtp_password(OTHER_SECRET, "eu-west-1") + " "),
        settings(SMTP_PASSWORD=derive.smtp_password_sigv2(SECRET), SMTP_USERNAME=OTHER_SECRET),
    ]
    for case in cases:
        text = json.dumps([f.to_json() for f in lint(case)])
        pw = case.password.reveal().strip() if case.password else ""
        for secret in (SECRET, OTHER_SECRET, pw, GOOD):
            assert secret not in text
        assert KEY_ID not in text  # masked AKIA…0001
    assert repr(settings()).count(GOOD) == 0 and KEY_ID not in repr(settings())


def test_findings_are_in_the_catalogue_with_their_steps() -> None:
    lint_ids = [i for i in CATALOGUE if i.startswith("smtp.")]
    assert {CATALOGUE[i].step for i in lint_ids if i not in _LIVE} == {2}
    assert {CATALOGUE[i].step for i in _LIVE} == {3}


_LIVE = {
    "smtp.port_blocked",
    "smtp.auth_failed",
    "smtp.connection_refused",
    "smtp.host_unknown",
    "smtp.tls_failed",
}


def test_endpoint_override_redirects_the_probe_not_the_region() -> None:
    s = settings(SMTP_PORT="465")
    t = target(s, {"SESFIX_SMTP_ENDPOINT": "127.0.0.1:2465"})
    assert t is not None
    assert (t.host, t.port, t.mode, t.redirected) == ("127.0.0.1", 2465, "implicit", True)
    assert s.region == "eu-west-1"
    plain = target(s, {})
    assert plain is not None and (plain.host, plain.port, plain.redirected) == (HOST, 465, False)
    assert endpoint_override({"SESFIX_SMTP_ENDPOINT": "[::1]:587"}) == ("::1", 587)
    from sesfix.errors import UsageError

    with pytest.raises(UsageError):
        endpoint_override({"SESFIX_SMTP_ENDPOINT": "nohost"})


def test_describe_shows_no_secret_and_masks_the_username() -> None:
    shown = settings(SMTP_PASSWORD=GOOD, SMTP_HOST="email-smtp.eu-west-1.amazonaws.com\x1b[2J")
    text = repr(shown.describe())
    assert GOOD not in text and KEY_ID not in text
    assert shown.describe()["SMTP_PASSWORD"] == "(set, 44 characters)"
    assert shown.describe()["SMTP_USERNAME"] == "AKIA…0001"
    assert "\x1b" not in text  # outside text made visible


def test_canonical_spelling_wins_over_the_alias() -> None:
    both = SmtpSettings.from_mapping({"SMTP_USERNAME": KEY_ID, "SMTP_USER": "someone"})
    assert (both.username, both.username_variable) == (KEY_ID, "SMTP_USERNAME")
