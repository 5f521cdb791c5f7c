"""What came back for a call, and whether it is AWS's answer at all.

AWS's every answer carries a request ID and the operation's shape; an HTML page (a proxy's,
a captive portal's) at any status, an error without AWS's error code, or a 200 whose body is
not the operation's is something else answering, which the gateway reports as unreachable,
never as a verdict. Also here: the gateway's own words (English; the diagnosis shows them in
the reader's language) and the last gate before a request leaves (:func:`not_sendable`).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from sesfix.aws.identity import Identities, IdentityName

#: The gateway's own words about a call, in English (records, JSON, the CLI's probe lines).
#: The diagnosis shows them in the reader's language: :func:`sesfix.diagnosis.evidence.ev`
#: finds these texts in a value and uses the catalogue's ``gateway.<name>`` instead.
WORDS: dict[str, str] = {
    "bound_reached": "not asked: the diagnosis' bound of {seconds} s was reached",
    "bound_passed": "no complete answer before the diagnosis' bound of {seconds} s",
    "call_deadline": "no complete answer within {seconds} s",
    "cancelled": "given up: the diagnosis was cancelled",
    "write_deadline": "no complete answer within {seconds} s: the change may or may not have been made",
    "timeout": "no answer in time ({error})",
    "no_connect": "could not connect to the endpoint",
    "closed": "the connection closed mid-answer",
    "bad_format": "the endpoint sent an answer that is not AWS's format",
    "no_credentials": "no usable credentials",
    "bad_region": "the region name is not valid",
    "unsignable": "the request could not be built: {error}",
    "network": "network error ({error})",
    "no_type": "no content type",
    "not_aws": "something other than AWS answered: HTTP {status}, {kind}",
    "not_implemented": " (the endpoint does not implement this call)",
    "no_request_id": ": no AWS request ID",
    "not_shape": "the answer is not AWS's shape",
    "missing": ": {members} missing",
    "not_format": ": not the operation's format",
    "not_sent_param": "not sent: the key ID parameter does not have an access key ID's shape",
    "not_sent_app": "not sent: the app's key ID has the shape of a secret, not of a key ID",
}


def say(name: str, /, **values: Any) -> str:
    return WORDS[name].format(**values)


@dataclass(frozen=True)
class RawAnswer:
    """What came back over HTTP for one call (the last attempt), before botocore parsed it."""

    status: int
    content_type: str
    request_id: bool
    head: bytes


RAW = threading.local()


def forget_raw(**_: Any) -> None:
    """botocore's ``before-send`` hook: a new attempt; forget the previous one's answer.
    (Returns None: a value would replace the request's answer.)"""
    RAW.answer = None


def remember_raw(response_dict: dict[str, Any] | None = None, **_: Any) -> None:
    """botocore's ``before-parse`` hook: keep the raw status, content type and first bytes
    of the answer for the calling thread (each call runs in its own thread)."""
    if not response_dict:
        return
    headers = response_dict.get("headers") or {}
    body = response_dict.get("body") or b""
    lowered = {str(k).lower(): str(v) for k, v in dict(headers).items()}
    RAW.answer = RawAnswer(
        status=int(response_dict.get("status_code") or 0),
        content_type=lowered.get("content-type", ""),
        request_id=any(
            k in lowered for k in ("x-amzn-requestid", "x-amz-request-id", "x-amz-id-2")
        ),
        head=body[:512] if isinstance(body, bytes) else b"",
    )


# --- answers that are not AWS's ------------------------------------------------------------


def is_html(raw: RawAnswer) -> bool:
    """An HTML page (a proxy's, a captive portal's), whatever the status. The content type
    alone does not decide: moto labels its XML errors ``text/html``, AWS never sends HTML."""
    head = raw.head.lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) or (
        "html" in raw.content_type.lower() and not head.startswith((b"<?xml", b"<", b"{"))
    )


def not_aws_message(raw: RawAnswer) -> str:
    from sesfix.text import visible

    kind = visible(raw.content_type.split(";", 1)[0].strip(), limit=60) or say("no_type")
    text = say("not_aws", status=raw.status, kind=kind)
    if raw.status in (404, 501):
        text += say("not_implemented")
    return text


def not_aws_answer(
    raw: RawAnswer | None, data: dict[str, Any], required: tuple[str, ...]
) -> str | None:
    """Why a successful parse is still not AWS's answer (None when it is).

    AWS's every answer carries a request ID (a header, or ``<RequestId>`` in the Query
    protocol's ``ResponseMetadata``) and the operation's required output members. ``raw``
    is None when no HTTP answer was read (botocore's Stubber in tests): then only the shape
    is checked.
    """
    if raw is not None and is_html(raw):
        return not_aws_message(raw)
    missing = [m for m in required if m not in data]
    has_request_id = bool(data.get("ResponseMetadata", {}).get("RequestId"))
    if raw is not None and not has_request_id and not raw.request_id:
        return not_aws_message(raw) + say("no_request_id")
    if missing:
        where = not_aws_message(raw) if raw is not None else say("not_shape")
        return where + say("missing", members=", ".join(missing))
    return None


def required_members(client: Any, operation: str) -> tuple[str, ...]:
    try:
        name = client.meta.method_to_api_mapping.get(operation) or "".join(
            part.capitalize() for part in operation.split("_")
        )
        model = client.meta.service_model.operation_model(name)
    except Exception:  # noqa: BLE001 - an unknown name fails the call itself, with its error
        return ()
    shape = model.output_shape
    return tuple(shape.required_members) if shape is not None else ()


def not_sendable(identities: Identities, identity: IdentityName, params: dict[str, Any]) -> str:
    """Why this call must not leave the machine ("" when it may).

    A key ID parameter that is not key-ID-shaped may be a secret pasted into the wrong
    variable: sent, it would sit in CloudTrail. Signing with such an app "key ID" would put
    it in the Authorization header. The diagnosis already avoids both; this is the last gate.
    """
    from sesfix.settings import MAX_VALUE_CHARS, clean, key_id_shaped, looks_like_secret

    key_param = params.get("AccessKeyId")
    if key_param is not None and not key_id_shaped(str(key_param)):
        return say("not_sent_param")
    if identity == "app":
        key_id = identities.app_key_id or ""
        if len(key_id) > MAX_VALUE_CHARS or (
            not key_id_shaped(clean(key_id)) and looks_like_secret(clean(key_id))
        ):
            return say("not_sent_app")
    return ""
