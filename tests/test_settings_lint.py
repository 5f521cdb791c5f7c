"""The static lint of the app's six variables (no network)."""

from __future__ import annotations

import pytest

from sesfix.aws import regions
from sesfix.diagnosis.credentials import lint
from sesfix.settings import (
    EMAIL_FROM,
    KEY_ID,
    PROVIDER,
    REGION,
    SECRET,
    TOKEN,
    VARIABLES,
    AppSettings,
    clean,
    read_env_file,
)

# AWS's documented example secret: 40 characters of the secret alphabet. (conftest's
# SENTINEL_SECRET is 41 characters, so the lint rightly calls it malformed.)
SENTINEL_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

GOOD = {
    KEY_ID: "AKIAIOSFODNN7EXAMPLE",
    SECRET: SENTINEL_SECRET,
    REGION: "ap-southeast-1",
    PROVIDER: "ses",
    EMAIL_FROM: "no-reply@anyrent.shop",
}


def lint_of(**changes: str | None) -> list:
    env = dict(GOOD)
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return lint(AppSettings.from_mapping(env, "test"))


def ids(findings) -> list[str]:
    return [f.id for f in findings]


def text(findings) -> str:
    return " ".join(e for f in findings for e in f.evidence)


def test_good_values_have_no_finding():
    assert lint_of() == []


def test_display_name_form_is_fine():
    assert lint_of(**{EMAIL_FROM: "Rental Shop <no-reply@anyrent.shop>"}) == []
    settings = AppSettings.from_mapping(
        {**GOOD, EMAIL_FROM: "Rental Shop <No-Reply@AnyRent.Shop>"}, "t"
    )
    assert settings.domain == "anyrent.shop"
    assert settings.sender_address == "No-Reply@AnyRent.Shop"


@pytest.mark.parametrize(
    ("suffix", "described"),
    [
        (" ", "trailing space"),
        ("\n", "trailing newline"),
        ("\r\n", "trailing carriage return"),
        ("\t", "trailing tab"),
        ("\u00a0", "no-break space"),
        ("\u200b", "zero width space"),
    ],
)
@pytest.mark.parametrize("variable", [KEY_ID, SECRET, REGION, PROVIDER, EMAIL_FROM])
def test_invisible_characters_at_the_end(variable, suffix, described):
    found = lint_of(**{variable: GOOD[variable] + suffix})
    ws = [f for f in found if f.id == "credentials.whitespace"]
    assert len(ws) == 1, ids(found)
    assert ws[0].data["variable"] == variable
    assert ws[0].evidence[0].startswith(f"{variable}: ")
    assert described in text(ws).lower()
    assert SENTINEL_SECRET not in text(found)


@pytest.mark.parametrize("variable", VARIABLES)
def test_leading_space_in_each_variable(variable):
    value = GOOD.get(variable, "IQoJb3JpZ2luX2VjEXAMPLETOKEN")
    found = lint_of(**{variable: " " + value})
    ws = [f for f in found if f.id == "credentials.whitespace"]
    assert [f.data["variable"] for f in ws] == [variable]
    assert "leading space" in text(ws)


def test_inner_space_in_the_key_id():
    found = lint_of(**{KEY_ID: "AKIAIOSF ODNN7EXAMPLE"})
    assert "inner space" in text([f for f in found if f.id == "credentials.whitespace"])


def test_whitespace_only_session_token_is_named():
    found = lint_of(**{TOKEN: "  "})
    assert [f.data["variable"] for f in found if f.id == "credentials.whitespace"] == [TOKEN]


@pytest.mark.parametrize("quote", ['"{}"', "'{}'", "\u201c{}\u201d", "`{}`"])
@pytest.mark.parametrize("variable", [KEY_ID, SECRET, REGION, EMAIL_FROM])
def test_quotes(variable, quote):
    found = lint_of(**{variable: quote.format(GOOD[variable])})
    quoted = [f for f in found if f.id == "credentials.quoted_value"]
    assert [f.data["variable"] for f in quoted] == [variable]
    # The quoted value itself is not a second finding (region.invalid, malformed key ...).
    assert ids(found) == ["credentials.quoted_value"], ids(found)
    assert SENTINEL_SECRET not in text(found)


@pytest.mark.parametrize("variable", [KEY_ID, SECRET, REGION, PROVIDER, EMAIL_FROM])
@pytest.mark.parametrize("value", [None, "", "   "])
def test_missing_or_empty(variable, value):
    found = lint_of(**{variable: value})
    missing = [f for f in found if f.id == "config.missing_variable"]
    assert [f.data["variable"] for f in missing] == [variable]
    assert ("not set" if value is None else "empty") in text(missing)


def test_session_token_is_optional():
    assert lint_of(**{TOKEN: None}) == []


@pytest.mark.parametrize(
    ("key_id", "why"),
    [
        ("AIDAIOSFODNN7EXAMPLE", "an IAM user ID"),
        ("AROAIOSFODNN7EXAMPLE", "an IAM role ID"),
        ("AKIAIOSFODNN7EXAMPL", "19 characters"),
        ("akiaiosfodnn7example", "lower-case"),
        ("XKIAIOSFODNN7EXAMPLE", "not AKIA or ASIA"),
    ],
)
def test_malformed_key_id(key_id, why):
    found = lint_of(**{KEY_ID: key_id})
    assert "credentials.key_id_malformed" in ids(found)
    assert why in text(found)
    assert key_id not in text(found)  # masked


def test_temporary_key_without_and_with_token():
    assert ids(lint_of(**{KEY_ID: "ASIAIOSFODNN7EXAMPLE"})) == [
        "credentials.temporary_key_without_token"
    ]
    assert lint_of(**{KEY_ID: "ASIAIOSFODNN7EXAMPLE", TOKEN: "IQoJb3JpZ2luX2VjEXAMPLE"}) == []


def test_stale_token_beside_a_long_term_key():
    assert ids(lint_of(**{TOKEN: "IQoJb3JpZ2luX2VjEXAMPLE"})) == ["credentials.stale_session_token"]


def test_smtp_password_in_place_of_the_secret():
    smtp = "BAbCdEfGhIjKlMnOpQrStUvWxYz0123456789+/abcd"
    smtp = smtp + "=" * (44 - len(smtp))
    assert len(smtp) == 44
    found = lint_of(**{SECRET: smtp})
    assert ids(found) == ["credentials.smtp_password_as_secret"]
    assert smtp not in text(found)


@pytest.mark.parametrize(
    ("secret", "why"),
    [(SENTINEL_SECRET[:39], "39 characters"), (SENTINEL_SECRET[:-1] + "!", "outside")],
)
def test_malformed_secret(secret, why):
    found = lint_of(**{SECRET: secret})
    assert ids(found) == ["credentials.secret_malformed"]
    assert why in text(found)
    assert secret not in text(found)


@pytest.mark.parametrize("provider", ["sendgrid", "console", "SES", "amazon-ses"])
def test_provider_not_ses(provider):
    found = lint_of(**{PROVIDER: provider})
    assert ids(found) == ["config.provider_not_ses"]


def test_provider_smtp_is_ses_through_smtp():
    """EMAIL_PROVIDER=smtp sends through SES's SMTP interface (issue 14): the SMTP checks
    judge it; the AWS variables become optional for the app (info, not error)."""
    assert ids(lint_of(**{PROVIDER: "smtp"})) == []
    found = lint_of(**{PROVIDER: "smtp", SECRET: None})
    assert ids(found) == ["config.missing_variable"]
    assert found[0].severity == "info"


@pytest.mark.parametrize(
    ("region", "hint"),
    [
        ("ap-southeast-9", "did you mean"),
        ("AP-SOUTHEAST-1", "lower case"),
        ("singapore", "not a region where SES is offered"),
        ("ap-east-1", "not a region where SES is offered"),  # a region, but no SES there
    ],
)
def test_invalid_region(region, hint):
    found = lint_of(**{REGION: region})
    assert ids(found) == ["region.invalid"]
    assert hint in text(found)


@pytest.mark.parametrize("value", ["no-reply", "Rental Shop", "no-reply@localhost"])
def test_unusable_email_from(value):
    assert ids(lint_of(**{EMAIL_FROM: value})) == ["config.email_from_invalid"]


def test_clean_removes_what_the_lint_finds():
    assert clean('  "AKIAIOSFODNN7EXAMPLE"\u200b\n') == "AKIAIOSFODNN7EXAMPLE"
    assert clean("\u00a0ses\u00a0") == "ses"


def test_describe_never_shows_a_secret():
    settings = AppSettings.from_mapping({**GOOD, TOKEN: "IQoJb3JpZ2luX2VjEXAMPLE"}, "t")
    shown = repr(settings.describe()) + repr(settings)
    assert SENTINEL_SECRET not in shown and "IQoJb3JpZ2luX2VjEXAMPLE" not in shown
    assert GOOD[KEY_ID] not in shown
    assert "AKIA…MPLE" in shown


def test_env_file_keeps_values_exactly(tmp_path):
    path = tmp_path / "app.env"
    path.write_text(
        f'AWS_ACCESS_KEY_ID="AKIAIOSFODNN7EXAMPLE "\nAWS_SECRET_ACCESS_KEY={SENTINEL_SECRET}\n'
        "EMAIL_FROM='Rental Shop <no-reply@anyrent.shop>'\n"
    )
    values = read_env_file(path)
    assert values[KEY_ID] == "AKIAIOSFODNN7EXAMPLE "
    assert values[SECRET] == SENTINEL_SECRET
    assert values[EMAIL_FROM] == "Rental Shop <no-reply@anyrent.shop>"


def test_region_list_matches_botocore():
    import boto3

    known = set(boto3.session.Session().get_available_regions("ses"))
    assert known <= set(regions.SES_REGIONS), sorted(known - set(regions.SES_REGIONS))
    assert set(regions.OPT_IN_REGIONS) - {"ap-east-1"} <= set(regions.SES_REGIONS) | {"ap-east-1"}


# ---- a secret in the key ID's place; oversized values (no network) -----------------------


@pytest.mark.parametrize(
    "value",
    [
        SENTINEL_SECRET,  # a secret access key
        "B" + "x7Kq2Lm9Np4Rs8Tv1Wy5Za3Cd6Ef0Gh2Jk4Mn6Pq8Rs0T=",  # an SMTP password's shape
        "IQoJb3JpZ2luX2VjE" + "Hb3Kx9Lm2Np5Qr8Tv" * 20,  # a session token's shape
    ],
    ids=["secret", "smtp-password", "session-token"],
)
def test_a_secret_in_the_key_id_is_key_and_secret_swapped(value: str) -> None:
    findings = lint_of(**{KEY_ID: value, SECRET: "AKIAIOSFODNN7EXAMPLE"})
    assert ids(findings) == ["credentials.key_and_secret_swapped"]
    evidence = text(findings)
    assert value not in evidence and value[:4] + "…" not in evidence and value[-4:] not in evidence
    assert "AKIA…MPLE" in evidence  # the key ID found in the secret's place, masked
    settings = AppSettings.from_mapping({**GOOD, KEY_ID: value}, "test")
    assert settings.masked_key_id == "(a secret-shaped value, not shown)"
    assert settings.describe()[KEY_ID] == "(a secret-shaped value, not shown)"
    # Nothing of the pair is left to sign with.
    probe = settings.for_probes()
    assert probe.access_key_id is None and probe.secret_access_key is None


@pytest.mark.parametrize(
    ("variable", "finding"),
    [
        (KEY_ID, "credentials.key_id_malformed"),
        (SECRET, "credentials.secret_malformed"),
        (TOKEN, "credentials.secret_malformed"),
        (REGION, "region.invalid"),
        (PROVIDER, "config.provider_not_ses"),
        (EMAIL_FROM, "config.email_from_invalid"),
    ],
)
def test_an_oversized_value_is_one_finding_by_length(variable: str, finding: str) -> None:
    value = ("no-reply@" if variable == EMAIL_FROM else "") + "Q7z" * 1700
    findings = lint_of(**{variable: value})
    named = [f for f in findings if f.data.get("variable") == variable]
    assert [f.id for f in named] == [finding]
    assert named[0].severity == "error"
    assert str(len(value)) in text(named) and "not shown" in text(named)
    assert "Q7zQ7zQ7z" not in text(findings)
    settings = AppSettings.from_mapping({**GOOD, variable: value}, "test")
    assert settings.for_probes().raw(variable) is None
