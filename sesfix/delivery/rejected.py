"""SES's error texts, decoded: pure functions for the live check and ``sesfix logs``.

* ``MessageRejected``: ``Email address is not verified. The following identities failed the
  check in region X: a, b`` -> the region and each identity, and for each whether it is the
  sender (address or its domain), a recipient or the Return-Path;
* ``Signature expired: T1 is now earlier than T2 (T3 - 5 min.)`` -> the clock skew T3 - T1
  (and its twin ``Signature not yet current: T1 is still later than T2 (T3 + 5 min.)``);
* throttling (``Maximum sending rate exceeded``, ``Daily message quota exceeded``,
  ``Throttling``), ``ConfigurationSetDoesNotExist`` (with the set's name) and
  ``MailFromDomainNotVerified``.

Nothing here does I/O; the texts are untrusted and every value taken from them is capped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from sesfix.delivery.words import ev

Role = Literal["sender", "sender-domain", "recipient", "return-path", "unknown"]
Kind = Literal[
    "message_rejected",
    "clock_skew",
    "throttled",
    "configuration_set_missing",
    "mail_from_not_verified",
]

_MAX_IDENTITIES = 50
_IDENTITY = re.compile(r"^[^\s,<>;]{1,320}$")
_REJECTED = re.compile(
    r"failed the check in region\s+([A-Za-z]{2}(?:-[A-Za-z]+)+-\d{1,2})\s*:\s*(.{1,20000})",
    re.I | re.S,
)
_NOT_VERIFIED = re.compile(r"Email address is not verified", re.I)
_STAMP = r"(\d{8}T\d{6}Z)"
_EXPIRED = re.compile(
    rf"Signature expired:\s*{_STAMP} is now earlier than {_STAMP}\s*\({_STAMP}\s*-\s*(\d+) min",
    re.I,
)
_NOT_YET = re.compile(
    rf"Signature not yet current:\s*{_STAMP} is still later than {_STAMP}\s*\({_STAMP}\s*\+\s*(\d+) min",
    re.I,
)
_THROTTLE_TEXTS = (
    ("rate", re.compile(r"Maximum (?:SigV2 SMTP )?sending rate exceeded", re.I)),
    ("daily", re.compile(r"Daily message quota exceeded", re.I)),
    ("api", re.compile(r"\bRate exceeded\b|\bThrottl(?:ing|ed)\b|TooManyRequests", re.I)),
)
_THROTTLE_CODES = {"Throttling", "ThrottlingException", "TooManyRequestsException"}
_CONFIG_SET = re.compile(r"Configuration set\s*<?([A-Za-z0-9_-]{1,64})>?\s*does not exist", re.I)
_CONFIG_SET_CODE = re.compile(r"ConfigurationSetDoesNotExist(?:Exception)?", re.I)
_MAIL_FROM = re.compile(
    r"MailFromDomainNotVerified(?:Exception)?|MAIL[ -]?FROM domain\b.{0,120}?\bnot verified",
    re.I | re.S,
)


# --- MessageRejected ----------------------------------------------------------------------


@dataclass(frozen=True)
class Rejected:
    """The identities a ``MessageRejected: Email address is not verified`` lists."""

    region: str | None
    identities: tuple[str, ...]

    def roles(
        self,
        sender: str | None = None,
        recipients: Iterable[str] = (),
        return_path: str | None = None,
    ) -> list[tuple[str, Role]]:
        """Each listed identity with what it is in the send (case-insensitive)."""
        s = (sender or "").strip().lower()
        s_domain = s.rpartition("@")[2] if "@" in s else ""
        rcpts = {r.strip().lower() for r in recipients}
        rp = (return_path or "").strip().lower()
        out: list[tuple[str, Role]] = []
        for ident in self.identities:
            i = ident.lower()
            role: Role
            if rp and i == rp and i != s:
                role = "return-path"
            elif s and i == s:
                role = "sender"
            elif s_domain and i == s_domain:
                role = "sender-domain"
            elif i in rcpts:
                role = "recipient"
            else:
                role = "unknown"
            out.append((ident, role))
        return out


def decode_message_rejected(text: str) -> Rejected | None:
    match = _REJECTED.search(text)
    if match is None:
        if _NOT_VERIFIED.search(text):
            return Rejected(None, ())
        return None
    region = match.group(1).lower()
    tail = match.group(2).split("\n", 1)[0]
    names: list[str] = []
    for part in re.split(r"[,;]\s*", tail):
        ident = part.strip().strip("'\".").strip()
        if ident and ident.isprintable() and _IDENTITY.match(ident) and ident not in names:
            names.append(ident)
        if len(names) >= _MAX_IDENTITIES:
            break
    return Rejected(region, tuple(names))


# --- clock skew ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ClockSkew:
    """``skew`` = AWS's time - the time the request was signed with: positive when this
    machine's clock is behind AWS's, negative when ahead."""

    signed_at: datetime
    server_now: datetime
    skew: timedelta
    allowed: timedelta = timedelta(minutes=5)

    def describe(self) -> str:
        seconds = int(abs(self.skew.total_seconds()))
        amount = _duration(seconds)
        if seconds == 0:
            return ev("skew.none")
        return ev(
            "skew.behind" if self.skew > timedelta(0) else "skew.ahead",
            amount=amount,
            signed=f"{self.signed_at:%Y-%m-%d %H:%M:%S}Z",
            now=f"{self.server_now:%Y-%m-%d %H:%M:%S}Z",
            allowed=int(self.allowed.total_seconds() // 60),
        )


def _duration(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{hours} h"] if hours else []
    if minutes:
        parts.append(f"{minutes} min")
    if secs or not parts:
        parts.append(f"{secs} s")
    return " ".join(parts)


def _stamp(text: str) -> datetime:
    return datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)


def decode_clock_skew(text: str) -> ClockSkew | None:
    for pattern in (_EXPIRED, _NOT_YET):
        match = pattern.search(text)
        if match is None:
            continue
        try:
            signed, _, now = (_stamp(match.group(i)) for i in (1, 2, 3))
        except ValueError:
            return None
        return ClockSkew(signed, now, now - signed, timedelta(minutes=int(match.group(4))))
    return None


# --- the rest -----------------------------------------------------------------------------


def throttling(code: str | None, text: str) -> str | None:
    """``"rate"`` (per-second sending rate), ``"daily"`` (24-hour quota), ``"api"`` (API
    request rate) or None."""
    for kind, pattern in _THROTTLE_TEXTS:
        if pattern.search(text):
            return kind
    if code in _THROTTLE_CODES:
        return "api"
    return None


def configuration_set_missing(code: str | None, text: str) -> tuple[bool, str | None]:
    """(is it ConfigurationSetDoesNotExist, the set's name if the text gives it)."""
    named = _CONFIG_SET.search(text)
    if named is not None:
        return True, named.group(1)
    if code in ("ConfigurationSetDoesNotExist", "ConfigurationSetDoesNotExistException"):
        return True, None
    return _CONFIG_SET_CODE.search(text) is not None, None


def mail_from_not_verified(code: str | None, text: str) -> bool:
    if code in ("MailFromDomainNotVerified", "MailFromDomainNotVerifiedException"):
        return True
    return _MAIL_FROM.search(text) is not None


@dataclass(frozen=True)
class Decoded:
    """One thing an error text says, with the finding it points to (None: no finding)."""

    kind: Kind
    finding_id: str | None
    summary: str
    data: dict[str, Any] = field(default_factory=dict)


def decode(
    text: str,
    code: str | None = None,
    *,
    sender: str | None = None,
    recipients: Iterable[str] = (),
    return_path: str | None = None,
) -> list[Decoded]:
    """Everything recognisable in one error text (``code`` is AWS's error code if known)."""
    out: list[Decoded] = []
    rejected = decode_message_rejected(text)
    if rejected is not None:
        roles = rejected.roles(sender, recipients, return_path)
        region = rejected.region
        if not roles:
            out.append(
                Decoded(
                    "message_rejected",
                    None,
                    ev("rejected.any_in", region=region) if region else ev("rejected.any"),
                    {"region": rejected.region, "identities": []},
                )
            )
        for ident, role in roles:
            words = ev("rejected.role." + role)
            out.append(
                Decoded(
                    "message_rejected",
                    _REJECTED_FINDING[role],
                    ev("rejected.one_in", region=region, identity=ident, role=words)
                    if region
                    else ev("rejected.one", identity=ident, role=words),
                    {"region": rejected.region, "identity": ident, "role": role},
                )
            )
    skew = decode_clock_skew(text)
    if skew is not None:
        out.append(
            Decoded(
                "clock_skew",
                "credentials.clock_skew",
                skew.describe(),
                {"skew_seconds": int(skew.skew.total_seconds())},
            )
        )
    limit = throttling(code, text)
    if limit is not None:
        out.append(
            Decoded(
                "throttled",
                None,
                ev("throttled." + limit),
                {"limit": limit},
            )
        )
    missing, name = configuration_set_missing(code, text)
    if missing:
        out.append(
            Decoded(
                "configuration_set_missing",
                "config.configuration_set_missing",
                ev("config_set_missing", name=name) if name else ev("config_set_missing_unnamed"),
                {"configuration_set": name},
            )
        )
    if mail_from_not_verified(code, text):
        out.append(
            Decoded(
                "mail_from_not_verified",
                "identity.mail_from_not_verified",
                ev("mail_from_not_verified"),
            )
        )
    return out


_REJECTED_FINDING: dict[Role, str | None] = {
    "sender": "identity.not_verified",
    "sender-domain": "identity.not_verified",
    "recipient": "account.recipient_not_verified",
    "return-path": "identity.not_verified",
    "unknown": None,
}


__all__ = [
    "ClockSkew",
    "Decoded",
    "Rejected",
    "configuration_set_missing",
    "decode",
    "decode_clock_skew",
    "decode_message_rejected",
    "mail_from_not_verified",
    "throttling",
]
