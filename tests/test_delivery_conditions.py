"""sesfix's own evaluation of the exact send (when IAM simulation is unavailable):
Resource ARNs with wildcards and the common string conditions on the send's keys."""

from __future__ import annotations

from typing import Any

import pytest

from sesfix.aws.conditions import SendContext, evaluate_condition, evaluate_send, resource_matches
from sesfix.aws.policy import PolicyDoc

DOMAIN_ARN = "arn:aws:ses:ap-southeast-1:123456789012:identity/anyrent.shop"
ADDRESS_ARN = "arn:aws:ses:ap-southeast-1:123456789012:identity/no-reply@anyrent.shop"
CTX = SendContext("no-reply@anyrent.shop", ("a@gmail.com", "b@yahoo.com"), "AnyRent", "2")


def doc(*statements: dict[str, Any], source: str = "inline policy p") -> PolicyDoc:
    return PolicyDoc(source, {"Version": "2012-10-17", "Statement": list(statements)})


def allow(action: Any = "ses:*", resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {
        "Sid": extra.pop("Sid", "S"),
        "Effect": "Allow",
        "Action": action,
        "Resource": resource,
        **extra,
    }


def one(
    policies: list[PolicyDoc],
    action: str = "ses:SendRawEmail",
    arn: str = DOMAIN_ARN,
    ctx: SendContext = CTX,
    boundary: PolicyDoc | None = None,
):  # type: ignore[no-untyped-def]
    (v,) = evaluate_send(policies, boundary, [action], [arn], ctx)
    return v


@pytest.mark.parametrize(
    ("pattern", "arn", "expected"),
    [
        ("*", DOMAIN_ARN, True),
        ("arn:aws:ses:*:123456789012:identity/*", DOMAIN_ARN, True),
        ("arn:aws:ses:ap-southeast-1:123456789012:identity/anyrent.shop", DOMAIN_ARN, True),
        ("arn:aws:ses:ap-southeast-1:123456789012:identity/other.shop", DOMAIN_ARN, False),
        ("arn:aws:ses:us-east-1:123456789012:identity/anyrent.shop", DOMAIN_ARN, False),
        ("arn:aws:ses:ap-southeast-?:123456789012:identity/*@anyrent.shop", ADDRESS_ARN, True),
        ("arn:aws:ses:ap-southeast-1:123456789012:identity/AnyRent.shop", DOMAIN_ARN, False),
    ],
)
def test_resource_patterns(pattern: str, arn: str, expected: bool) -> None:
    assert resource_matches({"Resource": pattern}, arn) is expected
    assert resource_matches({"NotResource": pattern}, arn) is (not expected)


def test_allowed_everywhere() -> None:
    v = one([doc(allow())])
    assert v.decision == "allowed" and v.allowed_by[0].sid == "S"


def test_send_email_only() -> None:
    p = [doc(allow("ses:SendEmail"))]
    assert one(p, "ses:SendEmail").decision == "allowed"
    v = one(p, "ses:SendRawEmail")
    assert v.decision == "implicitDeny" and v.misses == ()


def test_resource_scoped_to_another_identity_is_a_resource_miss() -> None:
    other = "arn:aws:ses:ap-southeast-1:123456789012:identity/other.shop"
    v = one([doc(allow(["ses:SendEmail", "ses:SendRawEmail"], other, Sid="OnlyOther"))])
    assert v.decision == "implicitDeny"
    (miss,) = v.misses
    assert miss.reason == "resource" and miss.resources == (other,) and miss.ref.sid == "OnlyOther"


def test_from_address_condition() -> None:
    cond = {"StringLike": {"ses:FromAddress": "*@other.shop"}}
    v = one([doc(allow(Condition=cond, Sid="FromOther"))])
    assert v.decision == "implicitDeny"
    (miss,) = v.misses
    assert miss.reason == "condition" and miss.ref.sid == "FromOther"
    (c,) = miss.conditions
    assert (
        c.key == "ses:FromAddress" and c.result is False and "no-reply@anyrent.shop" in c.describe()
    )
    ok = one([doc(allow(Condition={"StringEquals": {"ses:FromAddress": "no-reply@anyrent.shop"}}))])
    assert ok.decision == "allowed"


@pytest.mark.parametrize(
    ("operator", "key", "values", "expected"),
    [
        ("ForAllValues:StringLike", "ses:Recipients", ["*@gmail.com", "*@yahoo.com"], True),
        ("ForAllValues:StringLike", "ses:Recipients", ["*@gmail.com"], False),
        ("ForAnyValue:StringLike", "ses:Recipients", ["*@gmail.com"], True),
        ("ForAnyValue:StringEquals", "ses:Recipients", ["c@x.com"], False),
        ("StringEquals", "ses:FromDisplayName", "AnyRent", True),
        ("StringEqualsIgnoreCase", "ses:FromDisplayName", "anyrent", True),
        ("StringNotEquals", "ses:ApiVersion", "1", True),
        ("StringEquals", "ses:ApiVersion", "1", False),
        ("StringNotLike", "ses:FromAddress", "*@anyrent.shop", False),
        ("StringLike", "SES:fromaddress", "no-reply@*", True),
    ],
)
def test_condition_operators(operator: str, key: str, values: Any, expected: bool) -> None:
    assert evaluate_condition(operator, key, values, CTX).result is expected


def test_absent_keys() -> None:
    bare = SendContext("no-reply@anyrent.shop")  # no recipients, no display name
    assert evaluate_condition("StringEquals", "ses:FromDisplayName", "x", bare).result is False
    assert (
        evaluate_condition("StringEqualsIfExists", "ses:FromDisplayName", "x", bare).result is True
    )
    assert evaluate_condition("StringNotEquals", "ses:FromDisplayName", "x", bare).result is True
    assert (
        evaluate_condition("ForAllValues:StringLike", "ses:Recipients", "*@x", bare).result is True
    )
    assert (
        evaluate_condition("ForAnyValue:StringLike", "ses:Recipients", "*@x", bare).result is False
    )


@pytest.mark.parametrize(
    ("operator", "key", "values"),
    [
        ("IpAddress", "aws:SourceIp", "10.0.0.0/8"),
        ("StringEquals", "aws:PrincipalTag/team", "mail"),
        ("StringLike", "ses:FromAddress", "${aws:username}@anyrent.shop"),
        ("StringEquals", "ses:Recipients", "a@gmail.com"),  # multivalued without a set operator
        ("ForSomeValues:StringLike", "ses:Recipients", "*"),
    ],
)
def test_what_cannot_be_evaluated_is_said_not_guessed(operator: str, key: str, values: Any) -> None:
    check = evaluate_condition(operator, key, values, CTX)
    assert check.result is None and check.why
    v = one([doc(allow(Condition={operator: {key: values}}))])
    assert v.decision == "unknown" and v.unevaluated
    assert v.allowed_by[0].conditional  # described as "a Condition sesfix cannot evaluate"


def test_conditional_deny_decides_and_is_named() -> None:
    deny = {
        "Sid": "OnlyCorp",
        "Effect": "Deny",
        "Action": "ses:Send*",
        "Resource": "*",
        "Condition": {"StringNotLike": {"ses:FromAddress": "*@corp.example"}},
    }
    v = one([doc(allow(), deny)])
    assert v.decision == "explicitDeny" and v.denied_by[0].sid == "OnlyCorp"
    assert v.deny_conditions[0].key == "ses:FromAddress"


def test_boundary_caps_the_send() -> None:
    boundary = PolicyDoc("the permissions boundary", {"Statement": [allow("ses:SendEmail")]})
    assert one([doc(allow())], boundary=boundary).decision == "implicitDeny"
    assert one([doc(allow())], boundary=boundary).boundary_blocks
    assert one([doc(allow())], "ses:SendEmail", boundary=boundary).decision == "allowed"
