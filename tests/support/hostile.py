"""Hostile strings: outside text that tries to drive a terminal, Textual markup or a screen.

One list, shared by every face's test (``check``, ``check --json``, ``fix``, ``undo``,
``logs`` in tests/test_hostile_text.py; the wizard's own tests), so a new trick added here
is tried everywhere at once.

Each entry is ``(name, value)``. The values are fed as the app's variable values, log lines
and AWS error messages; a face passes when no raw control character reaches its output and
nothing crashes.
"""

from __future__ import annotations

#: Characters that must never reach a terminal raw: C0 controls except newline (and tab in
#: JSON-free text), ESC, DEL, the C1 block (U+0080-U+009F: ``\x9b`` is a CSI on its own),
#: bidi overrides/isolates and zero-width characters.
FORBIDDEN_CHARS: frozenset[str] = frozenset(
    [chr(c) for c in range(0x00, 0x20) if chr(c) not in "\n"]
    + ["\x7f"]
    + [chr(c) for c in range(0x80, 0xA0)]
    + [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2066, 0x206A)]
    + ["\u200b", "\u200e", "\u200f", "\u2028", "\u2029", "\ufeff"]
)

HOSTILE: tuple[tuple[str, str], ...] = (
    ("osc8-link", "\x1b]8;;https://evil.example/\x1b\\click me\x1b]8;;\x1b\\"),
    ("full-reset", "\x1bc"),
    ("c1-csi", "a\x9b2Jb"),
    ("csi-clear", "\x1b[2J\x1b[Hcleared"),
    ("osc-title", "\x1b]0;owned\x07title"),
    ("bidi-override", "left\u202ethgir"),
    ("bidi-isolate", "a\u2066b\u2069c"),
    ("zero-width", "zero\u200bwidth"),
    ("bell-backspace", "bell\x07back\x08\x08"),
    ("cr-overwrite", "real value\rfake value"),
    ("nul", "nul\x00byte"),
    ("markup-close", "[/]x"),
    ("markup-click", "[@click=app.quit]x[/]"),
    ("markup-style", "[bold red]alarm[/bold red] [link=https://evil.example]x[/link]"),
    ("huge", "A" * 10_240),
    ("huge-escapes", "\x1b[31m" * 2_000),
)

#: Only the values, for parametrising.
VALUES: tuple[str, ...] = tuple(value for _name, value in HOSTILE)
IDS: tuple[str, ...] = tuple(name for name, _value in HOSTILE)


def forbidden_in(text: str) -> list[str]:
    """The forbidden characters found in ``text``, as ``repr`` strings (for assert messages)."""
    return sorted({repr(ch) for ch in text if ch in FORBIDDEN_CHARS})


__all__ = ["FORBIDDEN_CHARS", "HOSTILE", "IDS", "VALUES", "forbidden_in"]
