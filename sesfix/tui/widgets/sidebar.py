"""The sidebar: the five steps with their state, then the checklist, test send, sources."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import Label, ListItem, ListView

from sesfix.locale import t
from sesfix.tui.bindings import PAGES
from sesfix.tui.render import tone
from sesfix.tui.state import steps_answered

if TYPE_CHECKING:
    from sesfix.tui.app import SesfixApp

#: Icon and style per state. Styles are bold, italic or reverse, never dim alone, so that
#: with NO_COLOR every state stays readable (dim turns into dark grey on black).
ICONS = {
    "idle": ("·", ""),
    "preparing": ("…", "italic yellow"),
    "probing": ("◌", "italic cyan"),
    "answered": ("•", "bold cyan"),
    "pass": ("✓", "bold green"),
    "warning": ("!", "bold yellow"),
    "fail": ("✗", "bold reverse red"),
    "unknown": ("?", "bold magenta"),
    "cancelled": ("–", "italic"),
}


class SidebarItem(ListItem):
    def __init__(self, page: str) -> None:
        super().__init__(Label(""), id=f"nav-{page}")
        self.page = page


class Sidebar(ListView):
    """Navigation and status at a glance; Enter or a click asks to open a page."""

    @dataclass
    class Open(Message):
        """The person chose ``page`` in the sidebar."""

        page: str

    def compose(self) -> ComposeResult:
        for page in PAGES:
            yield SidebarItem(page)

    def update_view(self, current: str) -> None:
        app = cast("SesfixApp", self.app)
        probes = list(app.state.probes.values())
        for index, item in enumerate(self.query(SidebarItem)):
            label = item.query_one(Label)
            if item.page.startswith("step"):
                n = int(item.page[-1])
                state = app.step_state(n)
                settled = app.state.step_verdicts.get(n) if state == "probing" else None
                if settled is not None:
                    # This step's own probes and checks are done: its mark now, not when
                    # the last step's are.
                    state = settled
                word = t("state." + state)
                if state == "probing":
                    done, total = steps_answered(probes, n)
                    if total:
                        word = t("state.answered", done=done, total=total)
                        if done == total:
                            state = "answered"
                icon, style = ICONS.get(state, ("?", ""))
                text = Text.assemble(
                    (f"{icon} ", tone(style)),
                    f"{n} {t(f'step.{n}.name')}",
                    (f"\n   {word}", "italic"),
                )
            else:
                text = Text.assemble(("  ", ""), t(f"page.{item.page}"))
            label.update(text)
            if item.page == current and self.index != index:
                self.index = index

    @on(ListView.Selected)
    def _open(self, event: ListView.Selected) -> None:
        event.stop()
        item = event.item
        if isinstance(item, SidebarItem):
            self.post_message(self.Open(item.page))
