"""sesfix.text.visible: outside text can never drive the terminal."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from sesfix.text import visible, visible_lines

HOSTILE = [
    "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\",  # OSC 8 link
    "\x1bc",  # full reset
    "a\x9bb",  # C1 CSI
    "\x1b[2J\x1b[H",
    "left\u202eright",  # bidi override
    "zero\u200bwidth",
    "bell\x07",
    "line1\nline2\r",
]


def test_hostile_strings_become_visible_escapes() -> None:
    for raw in HOSTILE:
        shown = visible(raw)
        assert shown.isprintable(), repr(shown)
        assert "\x1b" not in shown and "\x9b" not in shown
    assert visible("\x1bc") == "\\ec"
    assert visible("a\x9bb") == "a\\x9bb"
    assert visible("left\u202eright") == "left\\u202eright"


def test_plain_text_is_unchanged_and_unicode_survives() -> None:
    assert visible("Tạo chính sách [b]x[/b]") == "Tạo chính sách [b]x[/b]"


def test_length_is_capped() -> None:
    shown = visible("x" * 5000, limit=100)
    assert shown.startswith("x" * 100)
    assert shown.endswith("… (+4900 characters)")


def test_keep_newlines() -> None:
    assert visible_lines("a\nb\x1b") == "a\nb\\e"


@given(st.text())
def test_never_a_control_character(raw: str) -> None:
    shown = visible(raw, limit=None)
    # Nothing that is not a visible glyph or a space: no control, format, line or
    # paragraph separator, surrogate, private-use or unassigned code point.
    bad = {"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"}
    assert not [ch for ch in shown if unicodedata.category(ch) in bad]
