"""The wizard's pages and keys in one table, so screens never import ``app.py`` for them.

Every binding carries an ``id=``; what a person reads for it (footer, help screen) is
``binding.<id>`` in the current language. :class:`Localized` translates at the moment
Textual asks for the active bindings (a public property), instead of rewriting Textual's
private binding maps, and puts quit and help first so the narrowest footer still shows them.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from textual.binding import ActiveBinding, Binding, BindingType

from sesfix.locale import t

if TYPE_CHECKING:
    from textual.screen import Screen

STEPS = (1, 2, 3, 4, 5)
PAGES = ("step1", "step2", "step3", "step4", "step5", "checklist", "testsend", "sources")

#: Shown first in every footer: whatever else is cut at 80 columns, these stay.
FOOTER_FIRST = ("quit", "help")

APP_BINDINGS: list[BindingType] = [
    Binding("q", "quit", "quit", id="quit"),
    Binding("ctrl+q", "quit", "quit", id="quit-ctrl", show=False, priority=True),
    Binding("question_mark", "help", "help", id="help"),
    Binding("r", "rerun", "rerun", id="rerun"),
    Binding("escape", "cancel_probe", "cancel", id="cancel"),
    Binding("c", "goto('checklist')", "checklist", id="checklist"),
    Binding("t", "goto('testsend')", "test-send", id="testsend"),
    Binding("s", "goto('sources')", "sources", id="sources", show=False),
    Binding("v", "toggle_cli", "cli", id="toggle-cli", show=False),
    Binding("y", "copy_cli", "copy", id="copy-cli", show=False),
    Binding("u", "undo", "undo", id="undo", show=False),
    Binding("n", "next_page", "next", id="next", show=False),
    Binding("p", "prev_page", "prev", id="prev", show=False),
    Binding("1", "goto('step1')", "step1", id="goto-step1", show=False),
    Binding("2", "goto('step2')", "step2", id="goto-step2", show=False),
    Binding("3", "goto('step3')", "step3", id="goto-step3", show=False),
    Binding("4", "goto('step4')", "step4", id="goto-step4", show=False),
    Binding("5", "goto('step5')", "step5", id="goto-step5", show=False),
]


def describe(binding: Binding) -> Binding:
    """``binding`` with its description in the current language (unchanged without an id)."""
    if not binding.id or not binding.description:
        return binding
    return replace(binding, description=t(f"binding.{binding.id}"))


def key_label(key: str) -> str:
    """How a key is written for people: ``?``, ``Esc``, ``Ctrl+Q``."""
    named = {"question_mark": "?", "escape": "Esc", "enter": "Enter", "tab": "Tab"}
    if key in named:
        return named[key]
    if key.startswith("ctrl+"):
        return "Ctrl+" + key[5:].upper()
    return key


class Localized:
    """Mixin for screens: active bindings in the current language, quit and help first."""

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        base: dict[str, ActiveBinding] = super().active_bindings  # type: ignore[misc]
        first = {k: v for k, v in base.items() if v.binding.id in FOOTER_FIRST and v.binding.show}
        ordered = sorted(first.items(), key=lambda kv: FOOTER_FIRST.index(kv[1].binding.id or ""))
        rest = [(k, v) for k, v in base.items() if k not in first]
        return {k: v._replace(binding=describe(v.binding)) for k, v in [*ordered, *rest]}


def help_rows(screen: Screen[object]) -> list[tuple[str, str]]:
    """Every key the screen answers (its own, then the app's), with what it does."""
    rows: list[tuple[str, str]] = []
    seen: set[str] = set()
    for active in screen.active_bindings.values():
        b = describe(active.binding)
        if b.id is None or b.id in seen or not b.description:
            continue
        seen.add(b.id)
        rows.append((key_label(b.key), b.description))
    return rows
