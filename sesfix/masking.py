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
    """``AKIAIOSFODNN7EXAMPLE`` -> ``AKIA…MPLE``; short or empty values hide entirely."""
    if not key_id:
        return "(empty)"
    stripped = key_id.strip().strip("\"'")
    if len(stripped) < 12:
        return _ELLIPSIS
    return f"{stripped[:4]}{_ELLIPSIS}{stripped[-4:]}"


_KEY_ID_RE = re.compile(r"\b(A(?:KIA|SIA)[A-Z0-9]{12,124})\b")


def redact(text: str, *secrets: str | Secret | None) -> str:
    """Remove every given secret (and any AWS key ID) from ``text``.

    Used on every message that leaves the engine: exception texts, AWS error
    messages, log lines. Secrets shorter than 6 characters are not searched for
    (they would match ordinary words); sesfix never holds such secrets.
    """
    for secret in secrets:
        if secret is None:
            continue
        value = secret.reveal() if isinstance(secret, Secret) else secret
        for candidate in {value, value.strip(), value.strip().strip("\"'")}:
            if len(candidate) >= 6:
                text = text.replace(candidate, "********")
    return _KEY_ID_RE.sub(lambda m: mask_key_id(m.group(1)), text)
