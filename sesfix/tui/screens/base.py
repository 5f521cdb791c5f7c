"""The frame every page shares: header, sidebar of steps, main area, footer."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Input
from textual.worker import Worker

from sesfix.fixes.targets import source_text
from sesfix.tui.bindings import Localized
from sesfix.tui.widgets.sidebar import Sidebar

if TYPE_CHECKING:
    from sesfix.tui.app import SesfixApp


def source_label(app: SesfixApp) -> str:
    """Where the variables come from, in the current language (the header's subtitle)."""
    if app.state.preparing:
        # The practice account is being built: there are no variables yet, but the
        # learner should see where they will come from, not "nothing yet".
        return source_text("practice account")
    return source_text(app.settings.source)


class PageScreen(Localized, Screen[None]):
    """A page of the wizard; ``update_view`` re-renders it from the app's state."""

    page = ""

    @property
    def wizard(self) -> SesfixApp:
        return cast("SesfixApp", self.app)

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="body"):
            yield Sidebar(id="sidebar")
            # Not a Tab stop of its own: the first Tab after the sidebar lands on a button.
            main = VerticalScroll(id="main")
            main.can_focus = False
            with main:
                yield from self.compose_main()
        yield Footer()

    def compose_main(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        if self.wizard.stable_output:
            for field in self.query(Input):
                field.cursor_blink = False
        self.update_view()

    def on_screen_resume(self) -> None:
        self.wizard.state.current_page = self.page
        self.update_view()

    def update_view(self, *, probes_only: bool = False) -> None:
        if not self.query("#main"):
            return  # being taken down: an abandoned probe thread may still report
        # Textual shows the title as plain Content (never markup); escapes still made visible.
        self.title = "sesfix"
        self.sub_title = source_label(self.wizard)
        self.query_one(Sidebar).update_view(self.page)
        self.update_main(probes_only=probes_only)

    def update_main(self, *, probes_only: bool = False) -> None:
        """Re-render the page's own content (override)."""

    @on(Worker.StateChanged)
    def _route_worker_state(self, event: Worker.StateChanged) -> None:
        """Workers started by a page report to the app's one error router."""
        self.wizard.handle_worker_state(event.worker, event.state)
