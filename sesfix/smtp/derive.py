"""The SES SMTP password, derived from a secret access key.

Published by AWS (SES Developer Guide, "Obtaining Amazon SES SMTP credentials"): an
HMAC-SHA256 chain keyed ``"AWS4" + secret`` over ``"11111111"``, the region, ``"ses"``,
``"aws4_request"`` and ``"SendRawEmail"``; the version byte ``0x04`` in front; base64. The
result is 44 characters starting with ``B`` and works only in the region it was derived
for. Passwords made before 2019-01-10 are the SigV2 form: ``0x02`` +
HMAC-SHA256(secret, ``"SendRawEmail"``), no region, starting with ``A``.

The values handled here are secrets: callers wrap results in :class:`sesfix.masking.Secret`
before they travel anywhere.
See docs/aws-facts.md, "SES's SMTP interface".
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

_DATE = "11111111"
_SERVICE = "ses"
_TERMINAL = "aws4_request"
_MESSAGE = "SendRawEmail"
VERSION_SIGV4 = 0x04
VERSION_SIGV2 = 0x02
PASSWORD_LENGTH = 44  # base64 of 1 + 32 bytes

#: The derivation as AWS's guide prints it, for the wizard's teaching panel.
GUIDE_SNIPPET = """\
import base64, hashlib, hmac

def sign(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()

def smtp_password(secret_access_key: str, region: str) -> str:
    signature = sign(("AWS4" + secret_access_key).encode("utf-8"), "11111111")
    for part in (region, "ses", "aws4_request", "SendRawEmail"):
        signature = sign(signature, part)
    return base64.b64encode(bytes([0x04]) + signature).decode("utf-8")
"""


def _sign(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).digest()


def smtp_password(secret_access_key: str, region: str) -> str:
    """The SigV4 SES SMTP password of ``secret_access_key`` for ``region``."""
    signature = _sign(("AWS4" + secret_access_key).encode("utf-8"), _DATE)
    for part in (region, _SERVICE, _TERMINAL, _MESSAGE):
        signature = _sign(signature, part)
    return base64.b64encode(bytes([VERSION_SIGV4]) + signature).decode("ascii")


def smtp_password_sigv2(secret_access_key: str) -> str:
    """The legacy (before 2019-01-10) SigV2 SES SMTP password of ``secret_access_key``."""
    signature = _sign(secret_access_key.encode("utf-8"), _MESSAGE)
    return base64.b64encode(bytes([VERSION_SIGV2]) + signature).decode("ascii")


Form = Literal["sigv4", "sigv2", "other"]


def password_form(password: str) -> Form:
    """What a value is shaped as: a SigV4 or SigV2 SMTP password, or something else.

    Decided by decoding: 33 bytes whose first byte is the version. A value that only looks
    right (44 characters starting with 'B') but does not decode is 'other'.
    """
    if len(password) != PASSWORD_LENGTH:
        return "other"
    try:
        raw = base64.b64decode(password, validate=True)
    except (binascii.Error, ValueError):
        return "other"
    if len(raw) != 33:
        return "other"
    if raw[0] == VERSION_SIGV4:
        return "sigv4"
    if raw[0] == VERSION_SIGV2:
        return "sigv2"
    return "other"


@dataclass(frozen=True)
class Origin:
    """Where a password came from, as far as one secret can tell."""

    form: Form
    #: The region it was derived for (SigV4 only), when the secret matched.
    region: str | None = None
    #: True when the given secret produced it (in ``region`` for SigV4).
    from_secret: bool = False


def origin(password: str, secret_access_key: str | None, regions: Iterable[str]) -> Origin:
    """Which region (if any) of ``regions`` ``password`` was derived for from ``secret``.

    Compared in constant time, every candidate tried, so the time taken says nothing
    about which one matched.
    """
    form = password_form(password)
    if secret_access_key is None or form == "other":
        return Origin(form)
    if form == "sigv2":
        same = hmac.compare_digest(password, smtp_password_sigv2(secret_access_key))
        return Origin(form, from_secret=same)
    found: str | None = None
    for region in dict.fromkeys(regions):
        if hmac.compare_digest(password, smtp_password(secret_access_key, region)):
            found = found or region
    return Origin(form, region=found, from_secret=found is not None)


__all__ = [
    "GUIDE_SNIPPET",
    "Origin",
    "origin",
    "password_form",
    "smtp_password",
    "smtp_password_sigv2",
]
