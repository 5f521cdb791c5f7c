"""Outside text as rich ``Text``: never markup, never a live escape sequence.

Everything that comes from outside sesfix (variables, file paths, AWS messages, policy
documents, log lines, Railway output, exception text, domains) reaches a widget through
:func:`outside`: :func:`sesfix.text.visible` turns control characters and escapes into
visible escapes, and the result is a ``Text`` object, so ``[/]`` or ``[@click=…]`` is shown
as the characters it is. Texts of our own catalogues go through :func:`ours` for the same
reason: a translation may contain brackets too.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from rich.text import Text

from sesfix.masking import unmask_key_ids
from sesfix.text import visible

_ATTRIBUTES = {"bold", "italic", "reverse", "underline", "strike", "not"}


def tone(style: str) -> str:
    """``style`` as the wizard paints it: with ``NO_COLOR`` only bold/italic/reverse stay.

    Textual turns colours into greys under ``NO_COLOR``, and red becomes dark grey on
    black; dropping the colour leaves the terminal's own (readable) foreground, and the
    state is carried by bold, italic and reverse, which every style table here sets.
    """
    if "NO_COLOR" not in os.environ:
        return style
    return " ".join(w for w in style.split() if w in _ATTRIBUTES)


def outside(value: object, style: str = "", *, limit: int | None = 2_000) -> Text:
    """``value`` from outside sesfix, as plain text (line breaks kept, everything else shown)."""
    return Text(visible(value, limit=limit, keep_newlines=True), style=tone(style))


def ours(text: str, style: str = "") -> Text:
    """A catalogue text (already formatted, possibly with outside values inside) as Text."""
    return Text(visible(text, limit=None, keep_newlines=True), style=tone(style))


def runnable(lines: list[str], key_ids: Iterable[str]) -> str:
    """CLI lines as they can be pasted and run: every masked key ID back in full.

    The screen shows ``AKIA…WXYZ`` (never a full key ID); a copied command with that in it
    would fail, so the clipboard carries each key's full ID (key IDs are not secrets) —
    the app's key, an old key being retired, a new key alike. Not ``"$AWS_ACCESS_KEY_ID"``:
    in the operator's shell that variable usually holds the operator's own key, and a
    copied ``update-access-key --status Inactive`` would then switch off the wrong key.
    ``key_ids`` are the full IDs the lines may name (a plan's params, the app's key).
    """
    ids = [key_ids] if isinstance(key_ids, str) else list(key_ids)
    return unmask_key_ids("\n".join(lines), ids)


def cli_units(cli: str) -> list[str]:
    """A CLI line cut where a line may break: before each ``--option`` (kept with its value)."""
    units: list[str] = []
    for token in visible(cli).split(" "):
        if units and not token.startswith("--"):
            units[-1] += " " + token
        else:
            units.append(token)
    return units


def wrap_cli(cli: str, width: int, *, indent: str = "", style: str = "italic") -> Text:
    """``$ aws …`` wrapped to ``width`` between options, never inside a key ID, ARN or value.

    Continuation lines are indented by four more spaces, so they read as one command.
    """
    first, rest = f"{indent}$ ", f"{indent}    "
    lines: list[str] = []
    line = first
    for unit in cli_units(cli):
        if line not in (first, rest) and len(line) + 1 + len(unit) > width:
            lines.append(line)
            line = rest + unit
        else:
            line += ("" if line in (first, rest) else " ") + unit
    lines.append(line)
    return Text("\n".join(lines), style=style)
