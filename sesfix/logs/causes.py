"""Codes a log cannot decide on its own.

``InvalidClientTokenId`` and ``SignatureDoesNotMatch`` each have several causes with
different fixes (a quoted key ID needs a cleaned variable, an inactive key reactivation, a
deleted key a new one). A log line names the code, never the cause, so log reading names no
fix for them: it lists the causes from the most likely, with what tells each apart, and
points to the live check, which reads IAM and names the one that holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sesfix.locale import t


@dataclass(frozen=True)
class Cause:
    """One cause: the finding the live check reports for it, and its text keys."""

    finding_id: str
    key: str

    def describe(self, n: int) -> str:
        return t(
            "logread.ambiguous.cause",
            n=n,
            cause=t(f"logread.cause.{self.key}"),
            finding=self.finding_id,
            tell=t(f"logread.tell.{self.key}"),
        )


_UNKNOWN_KEY = (
    Cause("credentials.whitespace", "key_value"),
    Cause("credentials.key_not_found", "key_unknown"),
    Cause("credentials.key_inactive", "key_inactive"),
    Cause("credentials.temporary_key_without_token", "temporary"),
    Cause("region.opt_in_disabled", "opt_in"),
)
_BAD_SIGNATURE = (
    Cause("credentials.whitespace", "secret_value"),
    Cause("credentials.secret_mismatch", "secret_pair"),
    Cause("credentials.smtp_password_as_secret", "smtp_password"),
    Cause("credentials.clock_skew", "clock"),
)

#: The causes of each ambiguous code, most likely first (what sesfix meets most in
#: practice: a value pasted with something around it, then a key that is gone).
AMBIGUOUS: Mapping[str, tuple[Cause, ...]] = {
    "InvalidClientTokenId": _UNKNOWN_KEY,
    "UnrecognizedClientException": _UNKNOWN_KEY,
    "InvalidAccessKeyId": _UNKNOWN_KEY,
    "SignatureDoesNotMatch": _BAD_SIGNATURE,
    "InvalidSignatureException": _BAD_SIGNATURE,
}


def is_ambiguous(code: str | None, finding_id: str | None = None) -> bool:
    """True when ``code`` alone cannot name a cause (a 'Signature expired' message can:
    it is the clock)."""
    return code in AMBIGUOUS and finding_id != "credentials.clock_skew"


def evidence(code: str) -> list[str]:
    """The causes of ``code`` in order, each with what tells it apart, and the next step."""
    causes = AMBIGUOUS.get(code, ())
    lines = [t("logread.ambiguous.lead", code=code)]
    lines += [cause.describe(n) for n, cause in enumerate(causes, 1)]
    lines.append(t("logread.ambiguous.next"))
    return lines


__all__ = ["AMBIGUOUS", "Cause", "evidence", "is_ambiguous"]
