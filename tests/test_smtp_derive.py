"""The SES SMTP password derivation against published vectors, and the endpoint tables.

Vectors: hashicorp/terraform-provider-aws internal/service/iam/access_key_test.go
(TestSESSMTPPasswordFromSecretKeySigV4, TestSESSMTPPasswordFromSecretKey) — an independent
implementation known to authenticate against SES; the first is also in the issue.
"""

from __future__ import annotations

import pytest

from sesfix.aws.regions import SES_REGIONS
from sesfix.smtp import derive, endpoints

SIGV4_VECTORS = [
    ("eu-central-1", "some+secret+key", "BMXhUYlu5Z3gSXVQORxlVa7XPaz91aGWdfHxvkOZdWZ2"),
    ("eu-central-1", "another+secret+key", "BBbphbrQmrKMx42d1N6+C7VINYEBGI5v9VsZeTxwskfh"),
    ("us-west-1", "some+secret+key", "BH+jbMzper5WwlwUar9E1ySBqHa9whi0GPo+sJ0mVYJj"),
    ("us-west-1", "another+secret+key", "BKVmjjMDFk/qqw8EROW99bjCS65PF8WKvK5bSr4Y6EqF"),
]
SIGV2_VECTORS = [
    ("some+secret+key", "AnkqhOiWEcszZZzTMCQbOY1sPGoLFgMH9zhp4eNgSjo4"),
    ("another+secret+key", "Akwqr0Giwi8FsQFgW3DXWCC2DiiQ/jZjqLDWK8TeTBgL"),
]


@pytest.mark.parametrize(("region", "secret", "expected"), SIGV4_VECTORS)
def test_sigv4_vectors(region: str, secret: str, expected: str) -> None:
    assert derive.smtp_password(secret, region) == expected
    assert derive.password_form(expected) == "sigv4"


@pytest.mark.parametrize(("secret", "expected"), SIGV2_VECTORS)
def test_sigv2_vectors(secret: str, expected: str) -> None:
    assert derive.smtp_password_sigv2(secret) == expected
    assert derive.password_form(expected) == "sigv2"


def test_guide_snippet_is_the_same_algorithm() -> None:
    """The Python shown to people is runnable and gives the same answer."""
    namespace: dict[str, object] = {}
    exec(derive.GUIDE_SNIPPET, namespace)
    fn = namespace["smtp_password"]
    for region, secret, expected in SIGV4_VECTORS:
        assert fn(secret, region) == expected  # type: ignore[operator]


def test_origin_finds_the_region_and_only_from_the_right_secret() -> None:
    pw = derive.smtp_password("some+secret+key", "us-west-1")
    o = derive.origin(pw, "some+secret+key", endpoints.DERIVATION_REGIONS)
    assert (o.form, o.region, o.from_secret) == ("sigv4", "us-west-1", True)
    other = derive.origin(pw, "another+secret+key", endpoints.DERIVATION_REGIONS)
    assert (other.region, other.from_secret) == (None, False)
    legacy = derive.origin(SIGV2_VECTORS[0][1], "some+secret+key", ())
    assert (legacy.form, legacy.from_secret) == ("sigv2", True)


@pytest.mark.parametrize(
    "value",
    [
        "some+secret+key",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",  # a secret access key: 40 characters
        "C" + "A" * 43,  # 44 base64 characters, but the first byte is 0x08, no version
        "BMXhUYlu5Z3gSXVQORxlVa7XPaz91aGWdfHxvkOZdWZ!",  # not base64
    ],
)
def test_other_values_are_not_smtp_passwords(value: str) -> None:
    assert derive.password_form(value) == "other"


def test_regions_without_an_smtp_endpoint_come_from_the_guide() -> None:
    expected = {"af-south-1", "ap-southeast-3", "eu-south-1", "il-central-1", "me-south-1"}
    assert expected == endpoints.NO_SMTP_ENDPOINT
    assert set(SES_REGIONS) >= endpoints.NO_SMTP_ENDPOINT
    assert not endpoints.NO_SMTP_ENDPOINT & set(endpoints.SMTP_REGIONS)
    assert "eu-west-1" in endpoints.SMTP_REGIONS


@pytest.mark.parametrize(
    ("host", "region"),
    [
        ("email-smtp.eu-west-1.amazonaws.com", "eu-west-1"),
        (" Email-SMTP.us-east-1.amazonaws.com. ", "us-east-1"),
        ("email-smtp-fips.us-east-1.amazonaws.com", "us-east-1"),
        ("email-smtp.us-gov-west-1.amazonaws.com", "us-gov-west-1"),
        ("vpce-0abc123-xyz.email-smtp.ap-south-1.vpce.amazonaws.com", "ap-south-1"),
        ("email.eu-west-1.amazonaws.com", None),
        ("inbound-smtp.eu-west-1.amazonaws.com", None),
        ("smtp.gmail.com", None),
        ("email-smtp.eu-west-1.amazonaws.com.evil.example", None),
    ],
)
def test_region_of_host(host: str, region: str | None) -> None:
    assert endpoints.region_of_host(host) == region


def test_ports_and_secure_flags() -> None:
    assert [endpoints.tls_mode(p) for p in (25, 587, 2587, 465, 2465, 2525)] == [
        "starttls",
        "starttls",
        "starttls",
        "implicit",
        "implicit",
        None,
    ]
    assert endpoints.secure_mode("true") == "implicit"
    assert endpoints.secure_mode("ssl") == "implicit"
    assert endpoints.secure_mode("false") == "starttls"
    assert endpoints.secure_mode("tls") == "starttls"  # Laravel's 'tls' is STARTTLS
    assert endpoints.secure_mode("maybe") is None
    assert (
        endpoints.openssl_command("email-smtp.eu-west-1.amazonaws.com", 587, "starttls")
        == "openssl s_client -starttls smtp -connect email-smtp.eu-west-1.amazonaws.com:587"
    )
    assert (
        endpoints.openssl_command("email-smtp.eu-west-1.amazonaws.com", 465, "implicit")
        == "openssl s_client -connect email-smtp.eu-west-1.amazonaws.com:465"
    )
