"""The frame every page shares: header, sidebar of steps, main area, footer."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header
from textual.worker import Worker

from sesfix.tui.widgets.sidebar import Sidebar

if TYPE_CHECKING:
    from sesfix.tui.app import SesfixApp


class PageScreen(Screen[None]):
    """A page of the wizard; ``update_view`` re-renders it from the app's state."""

    page = ""

    @property
    def wizard(self) -> SesfixApp:
        return cast("SesfixApp", self.app)

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="body"):
            yield Sidebar(id="sidebar")
            with VerticalScroll(id="main"):
                yield from self.compose_main()
        yield Footer()

    def compose_main(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        from sesfix.tui.app import translate_bindings

        translate_bindings(self)
        if self.wizard.stable_output:
            from textual.widgets import Input

            for field in self.query(Input):
                field.cursor_blink = False
        self.update_view()

    def on_screen_resume(self) -> None:
        self.wizard.current_page = self.page
        self.update_view()

    def update_view(self, *, probes_only: bool = False) -> None:
        self.title = "sesfix"
        self.sub_title = self.wizard.settings.source
        self.query_one(Sidebar).update_view(self.page)
        self.update_main(probes_only=probes_only)

    def update_main(self, *, probes_only: bool = False) -> None:
        """Re-render the page's own content (override)."""

    @on(Worker.StateChanged)
    def _route_worker_state(self, event: Worker.StateChanged) -> None:
        """Workers started by a page report to the app's one error router."""
        self.wizard.handle_worker_state(event.worker, event.state)
