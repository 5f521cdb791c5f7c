"""Secrets and how they are shown.

A :class:`Secret` never reveals its value through ``str``, ``repr``, ``format``
or pickling; code that truly needs the value calls :meth:`Secret.reveal`.
Key IDs are not secret to AWS but are still masked on screen as ``AKIA…WXYZ``.
"""

from __future__ import annotations

import re
import threading
from typing import Any, NoReturn

_ELLIPSIS = "…"

# Every secret value this process has wrapped, so the debug log and crash reports can
# scrub them whatever path they took (sesfix.debuglog). Held in memory only.
_KNOWN: set[str] = set()
_KNOWN_LOCK = threading.Lock()


def known_secrets() -> list[str]:
    """The values of every Secret created so far, longest first (for scrubbing)."""
    with _KNOWN_LOCK:
        return sorted(_KNOWN, key=len, reverse=True)


class Secret:
    """A string that will not print itself."""

    __slots__ = ("_value",)
    _value: str

    def __init__(self, value: str) -> None:
        object.__setattr__(self, "_value", value)
        if len(value.strip()) >= 6:
            with _KNOWN_LOCK:
                _KNOWN.update({value, value.strip()})

    def reveal(self) -> str:
        return self._value

    def __setattr__(self, name: str, value: Any) -> NoReturn:
        raise AttributeError("Secret is immutable")

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Secret cannot be pickled")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __len__(self) -> int:
        return len(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)


def mask_key_id(key_id: str | None) -> str:
    """``AKIAIOSFODNN7EXAMPLE`` -> ``AKIA…MPLE``; short or empty values hide entirely.

    A value with the shape of a secret (a secret pasted into ``AWS_ACCESS_KEY_ID``) shows
    nothing of itself: even eight of its characters are too many.
    """
    if not key_id:
        return "(empty)"
    stripped = key_id.strip().strip("\"'")
    if len(stripped) < 12:
        return _ELLIPSIS
    if looks_like_secret(stripped):
        return MASK
    return f"{stripped[:4]}{_ELLIPSIS}{stripped[-4:]}"


MASK = "********"

_KEY_ID_RE = re.compile(r"\b(A(?:KIA|SIA)[A-Z0-9]{12,124})\b")

# A run of the base64 alphabet (``=`` only as trailing padding, so ``NAME=value`` splits at
# the ``=``), long enough to be a secret. Secrets are searched for in these runs only.
_B64_RUN = re.compile(r"(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{30,}={0,2}(?![A-Za-z0-9/+=])")
# Session tokens: STS's (``IQoJb3JpZ2lu…`` = "\x21\n\x09origin…", ``FwoGZXIvYXdz…`` =
# "…/aws…"), older ``AQoDYXdz…`` and ``AgoJb3JpZ2lu…`` ones; any length from 16 on.
_TOKEN_PREFIXES = ("IQoJb3JpZ2lu", "FwoGZXIvYXdz", "AQoDYXdz", "AgoJb3JpZ2lu", "IQoJ")
_TOKEN_MIN_RUN = 100  # any base64 run this long is a token (no word or id is)
_B64_BODY = re.compile(r"[A-Za-z0-9/+]+")


def _wordy(body: str) -> bool:
    """True when the letters of ``body`` read like words run together (camel-case names,
    paths): lower-case runs are rarely one letter, hold vowels as words do, and are long.

    Random base64 fails at least one of these in more than 99% of 40-character draws:
    half its lower-case runs are single letters and only ~23% of its lower-case letters
    are vowels (``AWSServiceRoleForAmazonElasticsearchService``: 0 single, 44% vowels).
    """
    lows = re.findall(r"[a-z]+", body)
    if not lows:
        return False
    letters = "".join(lows)
    vowels = sum(c in "aeiouy" for c in letters) / len(letters)
    single = sum(len(run) == 1 for run in lows) / len(lows)
    mean = len(letters) / len(lows)
    return single < 0.3 and vowels >= 0.3 and mean >= 2.8


def looks_like_secret(token: str) -> bool:
    """True when ``token`` (one run of the base64 alphabet) has the shape of an AWS secret:
    a secret access key (40 characters, with or without digits), an SES SMTP password
    (44 characters starting ``B``/``A``), a session token, or a base64-ish value of 30-60
    characters with mixed case that is not words run together.

    Never true for hex (git ids, signatures: one case), key IDs (upper case and digits),
    ARNs and policy names (punctuation splits them; camel case reads as words).
    """
    body = token.rstrip("=")
    n = len(body)
    if n < 16 or not _B64_BODY.fullmatch(body):
        return False
    if body.startswith(_TOKEN_PREFIXES):
        return True
    if n >= _TOKEN_MIN_RUN:
        return True
    if n < 30 or n > 60:
        return False
    if not (any(c.isupper() for c in body) and any(c.islower() for c in body)):
        return False
    if n == 44 and body[0] in "AB" and not body.isalpha():
        return True  # an SES SMTP password (version byte 0x04 + HMAC-SHA256, base64)
    if sum(c.isdigit() for c in body) >= 4:
        return True  # names carry a digit or two (EC2, Route53), random base64 ~6 in 40
    return not _wordy(body)


def mask_secret_shapes(text: str) -> str:
    """``text`` with every secret-shaped run of characters replaced by ``********``."""
    if len(text) < 16:
        return text
    return _B64_RUN.sub(lambda m: MASK if looks_like_secret(m.group(0)) else m.group(0), text)


def redact(text: str, *secrets: str | Secret | None) -> str:
    """Remove every given secret, anything with the shape of a secret, and mask any AWS
    key ID in ``text``.

    Used on every message that leaves the engine: exception texts, AWS error messages,
    log lines, CLI renderings, JSON reports. Secrets shorter than 6 characters are not
    searched for (they would match ordinary words); sesfix never holds such secrets.
    A secret-shaped value (secret access key, session token, SMTP password) is masked
    whatever variable or message it sits in, known to sesfix or not.
    """
    for secret in secrets:
        if secret is None:
            continue
        value = secret.reveal() if isinstance(secret, Secret) else secret
        for candidate in {value, value.strip(), value.strip().strip("\"'")}:
            if len(candidate) >= 6:
                text = text.replace(candidate, MASK)
    text = mask_secret_shapes(text)
    return _KEY_ID_RE.sub(lambda m: mask_key_id(m.group(1)), text)


def key_ids_in(value: Any) -> list[str]:
    """Every AWS access key ID inside a JSON-like value, in full, each once, in order.

    For a command copied to the clipboard (which may carry the full ID); never for a screen.
    """
    found: dict[str, None] = {}
    if isinstance(value, str):
        found.update(dict.fromkeys(_KEY_ID_RE.findall(value)))
    elif isinstance(value, dict):
        for v in value.values():
            found.update(dict.fromkeys(key_ids_in(v)))
    elif isinstance(value, (list, tuple)):
        for v in value:
            found.update(dict.fromkeys(key_ids_in(v)))
    return list(found)


def unmask_key_ids(text: str, key_ids: Any) -> str:
    """``text`` with each masked key ID (``AKIA…WXYZ``) of ``key_ids`` back in full.

    A mask two of the given IDs share (same first and last four) is left as it is: which
    key it stands for is not known, and a wrong key in a command is worse than none.
    """
    by_mask: dict[str, set[str]] = {}
    for key_id in key_ids:
        if key_id and _KEY_ID_RE.fullmatch(key_id):
            by_mask.setdefault(mask_key_id(key_id), set()).add(key_id)
    for masked, ids in by_mask.items():
        if len(ids) == 1 and _ELLIPSIS in masked:
            text = text.replace(masked, next(iter(ids)))
    return text


def redact_json(value: Any) -> Any:
    """A JSON-able value with :func:`redact` applied to every string in it (keys kept)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: redact_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact_json(v) for v in value]
    return value
