"""The error panel: what failed and what to try; never a traceback."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from sesfix.locale import t
from sesfix.tui.bindings import Localized
from sesfix.tui.render import ours, outside


class ErrorScreen(Localized, ModalScreen[None]):
    BINDINGS = [Binding("escape", "dismiss_error", "close", id="error-close")]

    def __init__(self, title: str, detail: str, hint: str) -> None:
        super().__init__()
        self.heading = title
        self.detail = detail  # outside text (exception, AWS message): shown, never parsed
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="error"):
            yield Static(ours("✗ " + self.heading, "bold red"), id="dialog-title")
            with VerticalScroll(id="error-body"):
                if self.detail:
                    yield Static(outside(self.detail), id="error-detail")
                if self.hint:
                    hint = Text(t("error.try") + " ", style="bold")
                    hint.append(outside(self.hint))
                    yield Static(hint, id="error-hint")
            yield Button(t("confirm.close"), id="close")

    def on_mount(self) -> None:
        self.query_one("#close", Button).focus()

    def action_dismiss_error(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#close")
    def _close(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)
