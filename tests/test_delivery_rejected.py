"""Decoding SES's error texts: MessageRejected identity lists, clock skew, throttling,
configuration sets and MAIL FROM (pure functions: the live check and ``sesfix logs``)."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from sesfix.delivery import rejected as R

SANDBOX = (
    "Message rejected: Email address is not verified. The following identities failed the "
    "check in region AP-SOUTHEAST-1: no-reply@anyrent.shop, customer@gmail.com, "
    "bounces@other.example"
)


def test_identity_list_and_region_are_decoded() -> None:
    got = R.decode_message_rejected(SANDBOX)
    assert got is not None
    assert got.region == "ap-southeast-1"
    assert got.identities == (
        "no-reply@anyrent.shop",
        "customer@gmail.com",
        "bounces@other.example",
    )


def test_each_identity_gets_its_role() -> None:
    got = R.decode_message_rejected(SANDBOX)
    assert got is not None
    roles = dict(
        got.roles(
            "No-Reply@anyrent.shop", ["customer@gmail.com"], return_path="bounces@other.example"
        )
    )
    assert roles == {
        "no-reply@anyrent.shop": "sender",
        "customer@gmail.com": "recipient",
        "bounces@other.example": "return-path",
    }
    domain_only = R.decode_message_rejected(
        "Email address is not verified. The following identities failed the check in region "
        "US-EAST-1: anyrent.shop"
    )
    assert domain_only is not None
    assert domain_only.roles("a@anyrent.shop") == [("anyrent.shop", "sender-domain")]


def test_decode_maps_roles_to_findings() -> None:
    decoded = R.decode(
        SANDBOX,
        "MessageRejected",
        sender="no-reply@anyrent.shop",
        recipients=["customer@gmail.com"],
        return_path="bounces@other.example",
    )
    assert [(d.kind, d.finding_id) for d in decoded] == [
        ("message_rejected", "identity.not_verified"),
        ("message_rejected", "account.recipient_not_verified"),
        ("message_rejected", "identity.not_verified"),
    ]
    assert "sandbox" in decoded[1].summary and "Return-Path" in decoded[2].summary
    unknown = R.decode(SANDBOX)
    assert {d.finding_id for d in unknown} == {None}


def test_not_verified_without_a_list_still_counts() -> None:
    got = R.decode("554 Message rejected: Email address is not verified.")
    assert [(d.kind, d.data["identities"]) for d in got] == [("message_rejected", [])]


def test_signature_expired_gives_the_skew() -> None:
    text = (
        "SignatureDoesNotMatch: Signature expired: 20190716T113306Z is now earlier than "
        "20190716T113408Z (20190716T113908Z - 5 min.)"
    )
    skew = R.decode_clock_skew(text)
    assert skew is not None
    assert skew.skew == timedelta(minutes=6, seconds=2)  # T3 - T1
    assert "6 min 2 s behind" in skew.describe()
    (d,) = R.decode(text)
    assert d.finding_id == "credentials.clock_skew" and d.data["skew_seconds"] == 362


def test_signature_not_yet_current_is_a_clock_ahead() -> None:
    text = (
        "Signature not yet current: 20231020T121500Z is still later than 20231020T120500Z "
        "(20231020T120000Z + 5 min.)"
    )
    skew = R.decode_clock_skew(text)
    assert skew is not None and skew.skew == timedelta(minutes=-15)
    assert "15 min ahead of" in skew.describe()


def test_impossible_timestamps_are_not_a_skew() -> None:
    assert (
        R.decode_clock_skew(
            "Signature expired: 20191399T999999Z is now earlier than 20190716T113408Z (20190716T113908Z - 5 min.)"
        )
        is None
    )


def test_throttling_kinds() -> None:
    assert R.throttling("Throttling", "Maximum sending rate exceeded.") == "rate"
    assert R.throttling(None, "554 Throttling failure: Daily message quota exceeded.") == "daily"
    assert R.throttling("TooManyRequestsException", "") == "api"
    assert R.throttling("MessageRejected", "Email address is not verified.") is None


def test_configuration_set_and_mail_from() -> None:
    assert R.configuration_set_missing(
        "ConfigurationSetDoesNotExist", "Configuration set <transactional> does not exist."
    ) == (True, "transactional")
    assert R.configuration_set_missing(
        None, "An error occurred (ConfigurationSetDoesNotExistException)"
    ) == (True, None)
    assert R.configuration_set_missing("MessageRejected", "no") == (False, None)
    (d,) = R.decode("Configuration set <tx> does not exist.")
    assert (
        d.finding_id == "config.configuration_set_missing" and d.data["configuration_set"] == "tx"
    )
    assert R.mail_from_not_verified("MailFromDomainNotVerifiedException", "")
    assert R.mail_from_not_verified(
        None, "Message rejected: MAIL FROM domain mail.x.com is not verified"
    )
    assert not R.mail_from_not_verified(None, "all good")


def test_hostile_identity_text_is_bounded() -> None:
    text = "failed the check in region US-EAST-1: " + ", ".join(f"a{i}@x.com" for i in range(500))
    got = R.decode_message_rejected(text)
    assert got is not None and len(got.identities) == 50
    spaced = R.decode_message_rejected("failed the check in region US-EAST-1: a b c, \x1b[31m@x")
    assert spaced is not None and spaced.identities == ()


@given(
    st.text(max_size=400), st.one_of(st.none(), st.sampled_from(["Throttling", "MessageRejected"]))
)
def test_decode_never_fails(text: str, code: str | None) -> None:
    for d in R.decode(text, code, sender="a@b.c", recipients=["d@e.f"]):
        assert d.kind in {
            "message_rejected",
            "clock_skew",
            "throttled",
            "configuration_set_missing",
            "mail_from_not_verified",
        }
