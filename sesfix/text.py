"""Untrusted text stays text.

Everything that comes from outside sesfix — the app's variables, file paths, AWS error
messages and policy documents, log lines, Railway output, exception text, domains — passes
through :func:`visible` before it reaches any face (wizard, ``check``, ``fix``, ``undo``,
``logs``, JSON excepted: JSON escapes on its own). It turns every control character and
escape sequence into a visible escape, so a value can neither move the cursor, clear the
screen, open an OSC 8 link nor hide text, and caps its length so one hostile value cannot
flood a screen.

Markup is the wizard's concern: it wraps the result in ``rich.text.Text`` /
``textual.content.Content`` objects, never in a markup string (``sesfix.tui``).
This module imports nothing beyond the standard library.
"""

from __future__ import annotations

import unicodedata

# The longest piece of outside text shown in one place (a variable value, a message).
DEFAULT_LIMIT = 2_000
_ELLIPSIS = "…"

_NAMED = {
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\x1b": "\\e",
    "\x7f": "\\x7f",
}


def _escape(ch: str) -> str:
    named = _NAMED.get(ch)
    if named is not None:
        return named
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _unsafe(ch: str) -> bool:
    """Control (Cc), format (Cf: bidi overrides, zero-width), separators of lines and
    paragraphs, surrogates and unassigned code points."""
    return unicodedata.category(ch) in {"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"}


def visible(
    value: object, *, limit: int | None = DEFAULT_LIMIT, keep_newlines: bool = False
) -> str:
    """``value`` as one safe line (or lines, with ``keep_newlines``) of printable text.

    Control characters, escape sequences, bidi overrides and zero-width characters are
    shown as escapes (``\\e``, ``\\x9b``, ``\\u202e``); text over ``limit`` characters is cut
    with ``…`` and the number of characters left out.
    """
    text = value if isinstance(value, str) else str(value)
    cut = 0
    if limit is not None and len(text) > limit:
        cut = len(text) - limit
        text = text[:limit]
    if text.isascii() and text.isprintable():
        out = text
    else:
        parts: list[str] = []
        for ch in text:
            if keep_newlines and ch == "\n":
                parts.append(ch)
            elif _unsafe(ch):
                parts.append(_escape(ch))
            else:
                parts.append(ch)
        out = "".join(parts)
    if cut:
        out += f"{_ELLIPSIS} (+{cut} characters)"
    return out


def visible_lines(value: object, *, limit: int | None = DEFAULT_LIMIT) -> str:
    """Like :func:`visible`, but keeps line breaks (policy documents, tracebacks)."""
    return visible(value, limit=limit, keep_newlines=True)
