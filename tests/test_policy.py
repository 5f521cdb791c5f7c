"""The small IAM evaluator used when iam:SimulatePrincipalPolicy is unavailable."""

from __future__ import annotations

import json
import urllib.parse

import pytest

from sesfix.aws.policy import PolicyDoc, evaluate, parse_document

SEND = ("ses:SendEmail", "ses:SendRawEmail")


def doc(*statements: dict, source: str = "managed policy P") -> PolicyDoc:
    return PolicyDoc(source, {"Version": "2012-10-17", "Statement": list(statements)})


def allow(action, resource="*", **extra):
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action, resource="*", **extra):
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def decisions(ev) -> dict[str, str]:
    return {a: v.decision for a, v in ev.verdicts.items()}


def test_s3_only_is_implicit_deny():
    s3 = doc(allow(["s3:*", "s3-object-lambda:*"]), source="managed policy AmazonS3FullAccess")
    ev = evaluate(SEND, [s3], None)
    assert decisions(ev) == {a: "implicitDeny" for a in SEND}
    assert not ev.all_allowed()


@pytest.mark.parametrize(
    "action",
    ["ses:*", "*", ["ses:SendEmail", "ses:SendRawEmail"], "SES:send*", "ses:Send*Em?il"],
)
def test_allow_by_wildcards_and_case(action):
    ev = evaluate(SEND, [doc(allow(action))], None)
    assert ev.all_allowed(), decisions(ev)


def test_only_send_email_leaves_raw_missing():
    ev = evaluate(SEND, [doc(allow("ses:SendEmail"))], None)
    assert decisions(ev) == {"ses:SendEmail": "allowed", "ses:SendRawEmail": "implicitDeny"}


def test_explicit_deny_beats_allow_and_names_the_statement():
    ev = evaluate(
        SEND,
        [
            doc(allow("ses:*")),
            doc({**deny("ses:Send*"), "Sid": "NoMail"}, source="inline policy X"),
        ],
        None,
    )
    verdict = ev.verdicts["ses:SendEmail"]
    assert verdict.decision == "explicitDeny"
    assert "inline policy X" in verdict.denied_by[0].describe()
    assert "NoMail" in verdict.denied_by[0].describe()


def test_not_action_allow_and_deny():
    everything_but_iam = {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}
    assert evaluate(SEND, [doc(everything_but_iam)], None).all_allowed()
    deny_all_but_s3 = {"Effect": "Deny", "NotAction": "s3:*", "Resource": "*"}
    ev = evaluate(SEND, [doc(allow("*")), doc(deny_all_but_s3)], None)
    assert set(decisions(ev).values()) == {"explicitDeny"}


def test_resource_of_another_service_does_not_apply():
    ev = evaluate(SEND, [doc(allow("*", "arn:aws:s3:::*"))], None)
    assert set(decisions(ev).values()) == {"implicitDeny"}
    ev = evaluate(SEND, [doc(allow("ses:*", "arn:aws:ses:*:123456789012:identity/*"))], None)
    assert ev.all_allowed()


def test_boundary_must_allow_too():
    ses = doc(allow("ses:*"), source="managed policy AmazonSESFullAccess")
    s3_boundary = doc(allow("s3:*"), source="permissions boundary AmazonS3FullAccess")
    ev = evaluate(SEND, [ses], s3_boundary)
    assert all(v.boundary_blocks for v in ev.verdicts.values())
    assert set(decisions(ev).values()) == {"implicitDeny"}
    assert evaluate(SEND, [ses], doc(allow("*"))).all_allowed()


def test_conditional_deny_is_not_a_hard_deny():
    conditional = deny("ses:*", Condition={"StringNotEquals": {"ses:FromAddress": "x@y.z"}})
    ev = evaluate(SEND, [doc(allow("ses:*")), doc(conditional)], None)
    assert ev.all_allowed()
    assert ev.verdicts["ses:SendEmail"].denied_by[0].conditional


def test_single_statement_object_and_string_action():
    ev = evaluate(SEND, [PolicyDoc("p", {"Statement": allow("ses:*")})], None)
    assert ev.all_allowed()


def test_parse_document_plain_and_url_encoded():
    body = {"Version": "2012-10-17", "Statement": [allow("ses:*")]}
    text = json.dumps(body)
    assert parse_document(text) == body
    assert parse_document(urllib.parse.quote(text)) == body
    assert parse_document(body) is body
    with pytest.raises(ValueError):
        parse_document("[1, 2]")
    with pytest.raises(TypeError):
        parse_document(None)  # type: ignore[arg-type]
