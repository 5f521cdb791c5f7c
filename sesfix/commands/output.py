"""What the headless faces print: outside text made visible, secrets masked, JSON safe.

Every command (``check``, ``fix``, ``undo``, ``logs``) writes through these helpers, so no
control character, escape sequence or secret-shaped value from outside sesfix (variables,
AWS messages, log lines, Railway output, exception text) reaches a terminal or a pipe:

* :func:`shown` — one outside value, redacted and made visible (length-capped);
* :func:`write` — a whole block of text, redacted and made visible line by line (the
  last line of defence: sesfix's own text passes unchanged);
* :func:`dump_json` — a JSON document, redacted, with every control, bidi and C1
  character escaped even though non-ASCII text stays readable (``json.dumps`` with
  ``ensure_ascii=False`` leaves U+0080-U+009F raw: ``\\x9b`` is a CSI to a terminal).
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any, TextIO, cast

from sesfix.masking import redact, redact_json
from sesfix.text import DEFAULT_LIMIT, visible

_UNSAFE_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"}


def shown(value: object, *, limit: int | None = DEFAULT_LIMIT) -> str:
    """An outside value as one safe line: secrets masked, controls escaped, length capped."""
    return visible(redact(value if isinstance(value, str) else str(value)), limit=limit)


def safe_text(text: str) -> str:
    """A block of text (several lines) with secrets masked and controls escaped."""
    return visible(redact(text), limit=None, keep_newlines=True)


def write(stream: TextIO, text: str) -> None:
    stream.write(safe_text(text))


class SafeStream:
    """A text stream that passes every write through :func:`safe_text`.

    For commands that write in many small pieces (``fix``, ``undo``): wrapping the stream
    once covers every line, present and future. :attr:`unsafe` is the stream underneath,
    for the one thing that must reach the person as it is: a new secret shown once on a
    terminal.
    """

    def __init__(self, stream: TextIO) -> None:
        self.unsafe = stream

    def write(self, text: str) -> int:
        return self.unsafe.write(safe_text(text))

    def flush(self) -> None:
        self.unsafe.flush()

    def isatty(self) -> bool:
        return self.unsafe.isatty()

    def fileno(self) -> int:
        return self.unsafe.fileno()


def safe_stream(stream: TextIO) -> TextIO:
    """``stream`` wrapped in a :class:`SafeStream` (typed as the stream it stands for)."""
    return cast(TextIO, SafeStream(stream))


def unsafe(stream: TextIO) -> TextIO:
    """The stream under a :class:`SafeStream` (or ``stream`` itself)."""
    return stream.unsafe if isinstance(stream, SafeStream) else stream


def _json_escape(ch: str) -> str:
    code = ord(ch)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


_NON_ASCII = re.compile(r"[^\x20-\x7e\n]")


def json_text(doc: Any, *, indent: int | None = 2) -> str:
    """``doc`` as JSON: strings redacted, readable Unicode, no raw control/format character.

    Inside a JSON document such characters can only be inside strings, where ``\\uXXXX``
    is their exact spelling, so the document parses to the same values.
    """
    plain = json.loads(json.dumps(doc, default=str))  # every value a JSON type, then redact
    text = json.dumps(redact_json(plain), indent=indent, ensure_ascii=False)

    def fix(match: re.Match[str]) -> str:
        ch = match.group(0)
        if ch == "\t" or unicodedata.category(ch) in _UNSAFE_CATEGORIES:
            return _json_escape(ch)
        return ch

    return _NON_ASCII.sub(fix, text)


def dump_json(doc: Any, stream: TextIO, *, indent: int | None = 2) -> None:
    stream.write(json_text(doc, indent=indent) + "\n")


__all__ = [
    "SafeStream",
    "dump_json",
    "json_text",
    "safe_stream",
    "safe_text",
    "shown",
    "unsafe",
    "write",
]
