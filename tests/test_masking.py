"""redact(): a value with the shape of a secret is masked wherever it sits, and ordinary
words, ids, ARNs and policy names are left alone (both ways are tested)."""

from __future__ import annotations

import base64
import hashlib
import random
import re
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sesfix.masking import MASK, looks_like_secret, mask_key_id, redact
from tests.conftest import SENTINEL_SECRET

B64 = string.ascii_letters + string.digits + "/+"


def _draws(alphabet: str, length: int, count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(alphabet) for _ in range(length)) for _ in range(count)]


SECRETS = [
    SENTINEL_SECRET,
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",  # AWS's documented example
    "wJalrXUtnFEMIKMDENGbPxRfiCYEXAMPLEKEYxqz",  # 40, no digits, no symbols
    "qYbRtkWzPLmVnXsJdHgFcBaTqWeRtYuIoPlKjHgF",  # 40 letters, no digits
    "BHIY1O6Cy3x3spxFeso/ZlMWKpw62CNiYYCUqUCcEFag",  # SES SMTP password shape (44, "B")
    "IQoJb3JpZ2luX2VjEHoaCXVzLWVhc3QtMSJHMEUCIQD",  # STS session token prefix
    "FwoGZXIvYXdzEBYaDHhBTEtmZWxzZXRva2Vu",  # older STS session token prefix
    "AbCdEfGh12" * 12,  # any base64 run of 100+ characters
    "k9Jd8Hs7Gf6Ds5Aq4Wz3Xc2Vb1NmLpOiUy",  # 34 characters, mixed case and digits
]

ORDINARY = [
    "AmazonSESFullAccess",
    "arn:aws:iam::123456789012:policy/AmazonSESFullAccess",
    "arn:aws:iam::123456789012:user/rental-app",
    "AWSServiceRoleForAmazonElasticsearchService",
    "AWSElasticBeanstalkMulticontainerDockerX",
    "AmazonSageMakerFullAccessAndReadOnlyAccess",
    "ThisIsAVeryLongCamelCaseIdentifierName",
    "AmazonEC2RoleforAWSCodeDeployLimitedAccess",
    "role/AWSLambdaBasicExecutionRole/Extra",
    "/home/user/Projects/MyApp/config/Settings",
    "0123456789abcdef0123456789abcdef01234567",  # a git id: hex, one case
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",  # SigV4-like hex
    "3f1a9c2e-8b7d-4e6f-a5c4-2b1d0e9f8a7c",  # a request id
    "email-smtp.ap-southeast-1.amazonaws.com",
    "The request signature we calculated does not match the signature you provided.",
    "SignatureDoesNotMatch InvalidClientTokenId MessageRejected",
    "sesfix-least-privilege-rental-app-2024",
    "abcdefghijklmnopqrstuvwxyzabcdefghijklmn",  # 40 lower-case letters
    "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMN",  # 40 upper-case letters
]


@pytest.mark.parametrize("secret", SECRETS)
def test_secret_shapes_are_masked_in_any_variable(secret: str) -> None:
    assert looks_like_secret(secret)
    for template in (
        "{}",
        "EMAIL_PROVIDER={}",
        'AWS_SES_REGION="{}"',
        "the value {} is not a region",
        "<Message>bad {}</Message>",
        "aws sts get-access-key-info --access-key-id {} --region us-east-1",
        '{{"AWS_ACCESS_KEY_ID": "{}"}}',
    ):
        text = template.format(secret)
        out = redact(text)
        assert secret not in out
        assert secret[5:20] not in out
        assert MASK in out


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_words_ids_and_arns_are_left_alone(text: str) -> None:
    assert redact(text) == text
    assert redact(f"policy {text} attached") == f"policy {text} attached"


def test_key_ids_are_masked_and_a_secret_in_the_key_id_slot_shows_nothing() -> None:
    assert redact("key AKIAIOSFODNN7EXAMPLE used") == "key AKIA…MPLE used"
    assert redact("ASIAIOSFODNN7EXAMPLE") == "ASIA…MPLE"
    assert mask_key_id("AKIAIOSFODNN7EXAMPLE") == "AKIA…MPLE"
    # key and secret swapped: not even four characters of the secret are shown
    assert mask_key_id(SENTINEL_SECRET) == MASK
    assert mask_key_id(f' "{SENTINEL_SECRET}"\n') == MASK
    assert mask_key_id("akiaiosfodnn7example") == "akia…mple"  # lower-case: a malformed id


def test_given_secrets_are_removed_whatever_their_shape() -> None:
    assert redact("password hunter2-is-long here", "hunter2-is-long") == "password ******** here"


def test_random_secret_keys_are_masked_almost_always() -> None:
    """A measurement, not a promise of 100%: random 40-character secrets of the base64
    alphabet are caught at least 99.8% of the time, letters-only ones at least 98.5%."""
    mixed = _draws(B64, 40, 5000, seed=11)
    letters = _draws(string.ascii_letters, 40, 5000, seed=12)
    assert sum(map(looks_like_secret, mixed)) >= 0.998 * len(mixed)
    assert sum(map(looks_like_secret, letters)) >= 0.985 * len(letters)
    for length in (30, 36, 50, 60):
        draws = _draws(B64, length, 1000, seed=length)
        assert sum(map(looks_like_secret, draws)) >= 0.99 * len(draws), length


def test_smtp_passwords_are_always_masked() -> None:
    rng = random.Random(7)
    for _ in range(2000):
        digest = hashlib.sha256(rng.randbytes(16)).digest()
        password = base64.b64encode(bytes([4]) + digest).decode()
        assert looks_like_secret(password), "an SES SMTP password was not recognised"


def test_the_gateways_cli_rendering_is_redacted() -> None:
    """Every call's AWS CLI line goes through redact(): a secret that ended up as a
    parameter (key and secret swapped) never shows in the command a person would copy."""
    from sesfix.aws.gateway import Gateway
    from sesfix.aws.identity import Identities

    gateway = Gateway(Identities(None, None))
    result = gateway.read("app", "sts", "get_access_key_info", "us-east-1", AccessKeyId=SECRETS[1])
    assert SECRETS[1] not in result.record.cli
    assert "--access-key-id ********" in result.record.cli
    key = gateway.read(
        "app", "sts", "get_access_key_info", "us-east-1", AccessKeyId="AKIAIOSFODNN7EXAMPLE"
    )
    assert "--access-key-id AKIA…MPLE" in key.record.cli


@given(st.text(alphabet=st.sampled_from(B64 + " =:-._\n\"'"), max_size=400))
def test_redact_leaves_no_secret_shape_and_is_stable(text: str) -> None:
    out = redact(text)
    assert redact(out) == out
    assert not [run for run in _RUNS.findall(out) if looks_like_secret(run)]


_RUNS = re.compile(r"(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{16,}={0,2}(?![A-Za-z0-9/+=])")
