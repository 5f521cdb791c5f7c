"""SMTP replies and TLS errors in an app's log, decoded into sesfix's finding ids.

Mail libraries print what the SMTP server said (nodemailer ``Invalid login: 535
Authentication Credentials Invalid``, Python ``SMTPAuthenticationError: (535, b'...')``,
PHPMailer ``SMTP Error: Could not authenticate``) and what the socket or TLS layer said
(``wrong version number``, ``Greeting never received``, ``connect ETIMEDOUT 1.2.3.4:587``).
:func:`decode` turns one such line into a code and the finding the live diagnosis would
report for it; :mod:`sesfix.logs` asks it about every line it finds no AWS code in.

SES's own SMTP replies (SES Developer Guide, "SMTP response codes returned by Amazon SES"):
535 Authentication Credentials Invalid; 530 Must issue a STARTTLS command first / 530
Authentication required; 554 Message rejected: Email address is not verified …; 454
Throttling failure: Maximum sending rate exceeded; 454 Maximum SigV2 SMTP sending rate
exceeded. Pure text work, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

#: Lower-case substrings that make a line worth decoding (a cheap first filter). Words, not
#: bare reply codes: '454' or '530' occur in every other time stamp.
KEYWORDS: tuple[str, ...] = (
    "smtp",
    "starttls",
    "authenticat",
    "credentials invalid",
    "invalid login",
    "message rejected",
    "throttling",
    "temporary",
    "wrong version number",
    "wrong_version_number",
    "greeting never received",
    "etimedout",
    "connection timeout",
    "econnrefused",
    "enotfound",
    "name or service not known",
)

#: Codes this module reports, with the finding each stands for (None: no finding of its own).
CODE_FINDINGS: Mapping[str, str] = {
    "SMTP-535": "smtp.auth_failed",
    "SMTP-530": "smtp.auth_failed",
    "SMTP-530-STARTTLS": "smtp.tls_mode_mismatch",
    "SMTP-454-SigV2": "smtp.password_legacy_sigv2",
    "TLS-wrong-version-number": "smtp.tls_mode_mismatch",
    "SMTP-greeting-never-received": "smtp.tls_mode_mismatch",
    "SMTP-connect-timeout": "smtp.port_blocked",
    "SMTP-connection-refused": "smtp.connection_refused",
    "SMTP-host-not-found": "smtp.host_unknown",
}

MEANINGS: Mapping[str, str] = {
    "SMTP-535": "SES refused the SMTP username and password: the raw secret as password, a "
    "password derived for another region, the IAM user name as login, or pasted spaces",
    "SMTP-530": "the app sent mail without logging in (AUTH) first",
    "SMTP-530-STARTTLS": "the app tried to log in before STARTTLS: the TLS setting is wrong "
    "for the port",
    "SMTP-454-SigV2": "a legacy SigV2 SMTP password: AWS throttles it; derive a SigV4 one",
    "SMTP-454": "SES answered with a temporary failure (454); it may pass on retry",
    "TLS-wrong-version-number": "implicit TLS spoken to a STARTTLS port (or the reverse): "
    "the TLS mode is wrong for the port",
    "SMTP-greeting-never-received": "the client waited for a greeting on an implicit-TLS "
    "port (465/2465) without starting TLS: the TLS mode is wrong for the port",
    "SMTP-connect-timeout": "connecting to the SMTP port timed out: the host's network may "
    "block outbound SMTP",
    "SMTP-connection-refused": "the SMTP host refused the connection: wrong host or port",
    "SMTP-host-not-found": "the SMTP host name does not resolve",
}

#: Live findings that explain each decoded finding (for :func:`sesfix.logs.correlate`).
RELATED: Mapping[str, tuple[str, ...]] = {
    "smtp.auth_failed": (
        "smtp.auth_failed",
        "smtp.password_is_secret_key",
        "smtp.password_wrong_region",
        "smtp.password_other_key",
        "smtp.username_not_key_id",
        "credentials.whitespace",
        "credentials.quoted_value",
    ),
    "smtp.tls_mode_mismatch": ("smtp.tls_mode_mismatch",),
    "smtp.password_legacy_sigv2": ("smtp.password_legacy_sigv2",),
    "smtp.port_blocked": ("smtp.port_blocked",),
    "smtp.connection_refused": ("smtp.connection_refused", "smtp.host_not_ses"),
    "smtp.host_unknown": ("smtp.host_unknown", "smtp.no_endpoint_in_region", "smtp.host_not_ses"),
}


@dataclass(frozen=True)
class Decoded:
    #: One of :data:`CODE_FINDINGS`' keys, or an AWS code the SMTP reply stands for
    #: ('MessageRejected', 'Throttling') so the log analysis treats it as the API's.
    code: str
    finding: str | None


_SMTP_PORT = r"(?:25|465|587|2465|2587)"
_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"maximum sigv2 smtp sending rate exceeded", re.I), "SMTP-454-SigV2"),
    (
        re.compile(r"(?<!\d)535(?!\d)(?=.{0,80}(?:authenticat|credential|login|password))", re.I),
        "SMTP-535",
    ),
    (re.compile(r"invalid login.{0,20}(?<!\d)535(?!\d)", re.I), "SMTP-535"),
    (re.compile(r"(?<!\d)530(?!\d).{0,60}starttls", re.I), "SMTP-530-STARTTLS"),
    (re.compile(r"(?<!\d)530(?!\d).{0,60}authenticat", re.I), "SMTP-530"),
    (re.compile(r"(?<!\d)554(?!\d).{0,20}message rejected", re.I), "MessageRejected"),
    (re.compile(r"(?<!\d)454(?!\d).{0,40}throttling", re.I), "Throttling"),
    (re.compile(r"(?<!\d)454(?!\d).{0,10}(?:4\.\d\.\d\s+)?temporary", re.I), "SMTP-454"),
    (re.compile(r"wrong[ _]version[ _]number", re.I), "TLS-wrong-version-number"),
    (re.compile(r"greeting never received", re.I), "SMTP-greeting-never-received"),
    (
        re.compile(r"(?:ETIMEDOUT|timed? ?out).{0,60}:" + _SMTP_PORT + r"\b", re.I),
        "SMTP-connect-timeout",
    ),
    (re.compile(r"connection timeout.{0,40}\bCONN\b", re.I), "SMTP-connect-timeout"),
    (re.compile(r"ECONNREFUSED.{0,60}:" + _SMTP_PORT + r"\b", re.I), "SMTP-connection-refused"),
    (
        re.compile(r"(?:ENOTFOUND|EAI_AGAIN|Name or service not known).{0,40}email-smtp\.", re.I),
        "SMTP-host-not-found",
    ),
    (
        re.compile(r"email-smtp\.\S{0,60}.{0,20}(?:ENOTFOUND|Name or service not known)", re.I),
        "SMTP-host-not-found",
    ),
)


def worth_decoding(line: str) -> bool:
    low = line.lower()
    return any(k in low for k in KEYWORDS)


def decode(line: str) -> Decoded | None:
    """The SMTP or TLS failure one log line reports, or None."""
    if not worth_decoding(line):
        return None
    for pattern, code in _RULES:
        if pattern.search(line):
            return Decoded(code, CODE_FINDINGS.get(code))
    return None


__all__ = ["CODE_FINDINGS", "KEYWORDS", "MEANINGS", "RELATED", "Decoded", "decode"]
