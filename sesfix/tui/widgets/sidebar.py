"""The sidebar: the five steps with their state, then the checklist, test send, sources."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import Label, ListItem, ListView

from sesfix.locale import t

if TYPE_CHECKING:
    from sesfix.tui.app import SesfixApp

ICONS = {
    "idle": ("·", "dim"),
    "preparing": ("…", "yellow"),
    "probing": ("◌", "cyan"),
    "pass": ("✓", "green"),
    "warning": ("!", "yellow"),
    "fail": ("✗", "red"),
    "unknown": ("?", "magenta"),
    "cancelled": ("–", "dim"),
}


class SidebarItem(ListItem):
    def __init__(self, page: str) -> None:
        super().__init__(Label(""), id=f"nav-{page}")
        self.page = page


class Sidebar(ListView):
    """Navigation and status at a glance; Enter or a click opens a page."""

    def compose(self) -> ComposeResult:
        from sesfix.tui.app import PAGES

        for page in PAGES:
            yield SidebarItem(page)

    def update_view(self, current: str) -> None:
        app = cast("SesfixApp", self.app)
        for index, item in enumerate(self.query(SidebarItem)):
            label = item.query_one(Label)
            if item.page.startswith("step"):
                n = int(item.page[-1])
                state = app.step_state(n)
                icon, style = ICONS.get(state, ("?", ""))
                text = Text.assemble(
                    (f"{icon} ", style),
                    f"{n} {t(f'step.{n}.name')}",
                    (f"\n   {t('state.' + state)}", "dim"),
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
            cast("SesfixApp", self.app).goto(item.page)
