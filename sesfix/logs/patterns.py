"""What counts as what in a log line: the mail service's markers, AWS error codes, and
the finding the live diagnosis reports for each code.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Literal

from sesfix.aws import meanings
from sesfix.smtp import logs as smtp_logs

SCHEMA = "sesfix.logs/1"

#: A line longer than this is cut (and its tail read as the next line): bounded memory.
MAX_LINE = 64 * 1024
#: The multi-line ``Error: { ... }`` object is followed for at most this many lines.
MAX_BLOCK_LINES = 40
#: The same code again within this many lines of its last count, with no new send attempt and
#: at most 2 s later, is the same failure told again (the app's error object, the SDK's stack
#: trace and the HTTP response all name it). Counts approximate the number of failed sends.
SAME_FAILURE_WINDOW = 12
#: How many recent events the analysis keeps for display.
TIMELINE = 30

Marker = Literal["not_configured", "init", "sending", "sent", "error"]
Stage = Literal[
    "no_markers",  # nothing of the mail service in the log
    "credentials_not_loaded",  # 'AWS credentials not configured'
    "client_not_initialised",  # the mail service logged, but never built its SES client
    "no_outcome",  # initialised / sending, then neither success nor error
    "api_failed",  # the SES call failed (with a code, or an error without one)
    "success",  # 'Email sent successfully'
]

STAGE_TEXT: Mapping[str, str] = {
    "no_markers": "the log has none of the mail service's lines",
    "credentials_not_loaded": "the credentials are not loaded (AWS credentials not configured)",
    "client_not_initialised": "the SES client is never initialised",
    "no_outcome": "the send starts but the log shows no result",
    "api_failed": "the SES API call fails",
    "success": "mail is sent",
}

# ---- what counts as what -------------------------------------------------------------------

_MARKERS: tuple[tuple[Marker, re.Pattern[str]], ...] = (
    ("not_configured", re.compile(r"AWS credentials (?:are )?not configured", re.I)),
    ("init", re.compile(r"Initiali[sz]ing (?:the )?AWS SES client", re.I)),
    ("sending", re.compile(r"Sending (?:an )?e-?mail via (?:AWS )?SES", re.I)),
    ("sent", re.compile(r"E-?mail sent successfully", re.I)),
    ("error", re.compile(r"\[Email Service[^\]]*\]\s*Error\b", re.I)),
)

#: Codes named by word anywhere in a line: distinctive enough not to occur in prose.
KNOWN_CODES: frozenset[str] = frozenset(
    {
        *meanings.AUTH_FAILURES,
        *meanings.ACCESS_DENIED,
        "InvalidAccessKeyId",
        "MessageRejected",
        "MailFromDomainNotVerified",
        "MailFromDomainNotVerifiedException",
        "InvalidParameterValue",
        "ThrottlingException",
        "TooManyRequestsException",
        "LimitExceededException",
        "AccountSendingPausedException",
        "SendingPausedException",
        "ConfigurationSetDoesNotExist",
        "OptInRequired",
        "NoCredentialsError",
        "CredentialsProviderError",
        "UnrecognizedClientException",
    }
)
#: Codes that are ordinary words too: counted only in an error's structure.
AMBIGUOUS_CODES: frozenset[str] = frozenset({"Throttling"})

_CODE_WORD = re.compile(r"\b(" + "|".join(sorted(KNOWN_CODES, key=len, reverse=True)) + r")\b")
_AMBIGUOUS = "|".join(sorted(AMBIGUOUS_CODES))
_CODE_STRUCT = re.compile(
    r"(?:\(|<Code>|Error Code:\s*|\bcode\W{0,3}\s*[:=]\s*\W{0,2}|Error:\s*)(" + _AMBIGUOUS + r")\b"
    r"|\b(" + _AMBIGUOUS + r"):\s",
    re.I,
)
_CODE_IN_BLOCK = re.compile(
    r"\b(?:code|Code|name|__type|errorCode|Error\.Code)\W{0,3}\s*[:=]\s*\W{0,2}([A-Z][A-Za-z]+)\b"
)
#: An AWS-style code in the app's error object: CamelCase, two words at least.
_CAMEL = re.compile(r"^[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+$")
_SERVICE_LINE = re.compile(r"\[Email Service\b", re.I)
#: Distinct codes kept; more are counted in ``LogAnalysis.other_codes``.
MAX_CODES = 64
_NO_CREDENTIALS = re.compile(
    r"Unable to locate credentials|Could not load credentials from any providers"
    r"|Missing credentials in config",
    re.I,
)
# One cheap pass decides whether a line is worth the rest of the work: substring tests on
# the lower-cased line (C speed; a case-insensitive regex alternation is ten times slower).
_GENERIC_KEYWORDS = (
    "e-mail",
    "email",
    "credential",
    "error",
    "exception",
    "denied",
    "rejected",
    "ses client",
    "aws ses",
)
_KEYWORDS: tuple[str, ...] = (
    _GENERIC_KEYWORDS
    + tuple(
        sorted(
            code.lower()
            for code in KNOWN_CODES | AMBIGUOUS_CODES
            if not any(k in code.lower() for k in _GENERIC_KEYWORDS)
        )
    )
    + smtp_logs.KEYWORDS
)  # SMTP replies and TLS errors (sesfix.smtp.logs)


def _interesting(line: str) -> bool:
    low = line.lower()
    return any(k in low for k in _KEYWORDS)


_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
_ISO_TIME = re.compile(
    r"\b(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?(Z|[+-]\d{2}:?\d{2})?\b"
)
_CLOCK = re.compile(r"^\W{0,3}(?:[A-Z][a-z]{2} +\d{1,2} +)?(\d{2}):(\d{2}):(\d{2})\b")
_SIGNATURE_EXPIRED = re.compile(r"Signature expired|request has expired", re.I)
_REGION_IN_MESSAGE = re.compile(r"in region ([A-Za-z]{2}-[A-Za-z]+-\d)", re.I)

# ---- code -> finding (the live diagnosis's ids) ---------------------------------------------

#: The finding the live diagnosis reports for each code (refined by the message, see below).
CODE_FINDINGS: Mapping[str, str] = {
    "InvalidClientTokenId": "credentials.key_not_found",
    "UnrecognizedClientException": "credentials.key_not_found",
    "InvalidAccessKeyId": "credentials.key_not_found",
    "SignatureDoesNotMatch": "credentials.secret_mismatch",
    "InvalidSignatureException": "credentials.secret_mismatch",
    "IncompleteSignature": "credentials.key_id_malformed",
    "Unsignable": "credentials.key_id_malformed",
    "ExpiredToken": "credentials.token_expired",
    "RequestExpired": "credentials.clock_skew",
    "AccessDenied": "iam.ses_permission_missing",
    "AccessDeniedException": "iam.ses_permission_missing",
    "MessageRejected": "identity.not_verified",
    "MailFromDomainNotVerified": "identity.not_verified",
    "MailFromDomainNotVerifiedException": "identity.not_verified",
    "InvalidParameterValue": "config.email_from_invalid",
    "AccountSendingPausedException": "account.sending_disabled",
    "SendingPausedException": "account.sending_disabled",
    "OptInRequired": "region.opt_in_disabled",
    "NoCredentials": "config.missing_variable",
    "NoCredentialsError": "config.missing_variable",
    "CredentialsProviderError": "config.missing_variable",
}

#: Live findings that explain each log finding (for :func:`correlate`).
RELATED: Mapping[str, tuple[str, ...]] = {
    "credentials.key_not_found": (
        "credentials.key_not_found",
        "credentials.key_inactive",
        "credentials.whitespace",
        "credentials.quoted_value",
        "credentials.temporary_key_without_token",
        "credentials.stale_session_token",
        "credentials.key_id_malformed",
        "region.opt_in_disabled",
    ),
    "credentials.secret_mismatch": (
        "credentials.secret_mismatch",
        "credentials.whitespace",
        "credentials.quoted_value",
        "credentials.smtp_password_as_secret",
        "credentials.secret_malformed",
        "credentials.clock_skew",
    ),
    "credentials.key_id_malformed": ("credentials.key_id_malformed", "credentials.whitespace"),
    "credentials.token_expired": ("credentials.token_expired",),
    "credentials.clock_skew": ("credentials.clock_skew",),
    "iam.ses_permission_missing": (
        "iam.ses_permission_missing",
        "iam.ses_explicit_deny",
        "iam.permissions_boundary_blocks",
    ),
    "iam.ses_explicit_deny": ("iam.ses_explicit_deny", "iam.ses_permission_missing"),
    "iam.permissions_boundary_blocks": (
        "iam.permissions_boundary_blocks",
        "iam.ses_permission_missing",
    ),
    "identity.not_verified": (
        "identity.not_verified",
        "region.identity_not_in_region",
        "account.sandbox",
    ),
    "config.email_from_invalid": ("config.email_from_invalid",),
    "account.sending_disabled": ("account.sending_disabled",),
    "region.opt_in_disabled": ("region.opt_in_disabled",),
    "config.missing_variable": ("config.missing_variable",),
}

# SMTP replies and TLS errors, decoded by sesfix.smtp.logs, name the SMTP findings.
CODE_FINDINGS = {**CODE_FINDINGS, **smtp_logs.CODE_FINDINGS}
RELATED = {**RELATED, **smtp_logs.RELATED}


def finding_id_for(code: str, message: str = "") -> str | None:
    """The finding id the live diagnosis reports for ``code`` (None if it names none)."""
    if code in meanings.AUTH_BAD_SIGNATURE and _SIGNATURE_EXPIRED.search(message):
        return "credentials.clock_skew"
    if code in meanings.ACCESS_DENIED:
        kind = meanings.denial_kind(message)
        return {
            "explicit": "iam.ses_explicit_deny",
            "boundary": "iam.permissions_boundary_blocks",
        }.get(kind, "iam.ses_permission_missing")
    return CODE_FINDINGS.get(code)
