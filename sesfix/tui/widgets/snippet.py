"""A short program shown as the teaching beside a finding (the SES SMTP password derivation
from AWS's guide), like the AWS CLI beside a probe: plain text, never parsed as markup (the
code holds ``[0x04]``), re-wrapped to the widget's width so no line is cut at 80 columns.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.widgets import Static

from sesfix.tui.render import tone


def wrap_python(code: str, width: int) -> str:
    """``code`` with each line longer than ``width`` broken after a ``, `` or before a ``+``
    inside brackets (where Python allows a line break), continued four spaces deeper. What
    has no such place within the width stays long (the widget folds it)."""
    out: list[str] = []
    for line in code.rstrip("\n").splitlines():
        indent = " " * (len(line) - len(line.lstrip(" ")) + 4)
        places = _break_places(line)
        start, prefix = 0, ""
        while len(prefix) + len(line) - start > width:
            fits = [p for p in places if start < p and len(prefix) + p - start <= width]
            if not fits:
                break
            out.append(prefix + line[start : fits[-1]].rstrip())
            start, prefix = fits[-1], indent
        out.append(prefix + line[start:].lstrip(" ") if prefix else line)
    return "\n".join(out)


def _break_places(line: str) -> list[int]:
    """Where ``line`` may break, inside brackets and outside strings: after ``, `` and
    before `` + ``."""
    depth, quote, places = 0, "", []
    for i, ch in enumerate(line):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif depth > 0 and ch == "," and line[i + 1 : i + 2] == " ":
            places.append(i + 2)
        elif depth > 0 and ch == "+" and line[i - 1 : i] == " ":
            places.append(i)
    return places


class SnippetBlock(Static):
    """A program, wrapped where Python allows to the widget's width, as plain text."""

    DEFAULT_CSS = """
    SnippetBlock {
        height: auto;
        padding: 0 1;
        background: $boost;
    }
    """

    def __init__(self, code: str, *, classes: str | None = None) -> None:
        super().__init__(classes=classes)
        self.code = code

    def on_mount(self) -> None:
        self._render_code()

    def on_resize(self, event: events.Resize) -> None:
        self._render_code()

    def _render_code(self) -> None:
        width = self.content_size.width or 60
        self.update(Text(wrap_python(self.code, width), style=tone("italic")))


__all__ = ["SnippetBlock", "wrap_python"]
