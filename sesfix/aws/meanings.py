"""What each AWS error code really means (docs/aws-facts.md, "Error codes and what they mean for a key")."""

from __future__ import annotations

AUTH_UNKNOWN_KEY = frozenset({"InvalidClientTokenId", "UnrecognizedClientException"})
AUTH_BAD_SIGNATURE = frozenset({"SignatureDoesNotMatch"})
AUTH_FAILURES = (
    AUTH_UNKNOWN_KEY
    | AUTH_BAD_SIGNATURE
    | frozenset(
        {
            "IncompleteSignature",
            "ExpiredToken",
            "RequestExpired",
            "Unsignable",
            "InvalidSignatureException",
        }
    )
)
ACCESS_DENIED = frozenset({"AccessDenied", "AccessDeniedException"})

CAUSES: dict[str, str] = {
    "InvalidClientTokenId": (
        "AWS does not know the key ID: a typo, a deleted key, a key of another account or "
        "partition, a temporary ASIA key without its session token, a stale session token "
        "beside a new key, literal quotes, an opt-in region not enabled, or an inactive key"
    ),
    "UnrecognizedClientException": "SESv2's spelling of InvalidClientTokenId; same causes",
    "SignatureDoesNotMatch": (
        "the secret is wrong for this key ID: mismatched pair, truncated, trailing space or "
        "newline, an SES SMTP password used as the secret, or a clock more than 5 minutes off"
    ),
    "IncompleteSignature": "a space inside the key ID",
    "ExpiredToken": "temporary credentials past their expiry",
    "RequestExpired": "the request date is more than 15 minutes off",
    "AccessDenied": (
        "the credentials are valid but a permission is missing: no allow, an explicit deny, "
        "a permissions boundary, an SCP or a sending-authorization policy"
    ),
    "AccessDeniedException": "SESv2's spelling of AccessDenied; same causes",
    "MessageRejected": (
        "the sender is not verified in this region, or (sandbox) the recipient is not verified"
    ),
    "Throttling": "too many requests; wait and retry",
}


def meaning(code: str | None) -> str:
    if not code:
        return ""
    return CAUSES.get(code, "")


def denial_kind(message: str) -> str:
    """Read AWS's AccessDenied message: 'explicit', 'boundary', 'scp' or 'missing'."""
    m = message.lower()
    if "explicit deny" in m and "permissions boundary" in m:
        return "boundary"
    if "explicit deny" in m and "service control policy" in m:
        return "scp"
    if "explicit deny" in m:
        return "explicit"
    if "permissions boundary" in m:
        return "boundary"
    return "missing"
