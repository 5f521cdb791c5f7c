"""``?``: every key the page answers, with what it does, in the current language."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Static

from sesfix.locale import t
from sesfix.tui.bindings import Localized, help_rows


class HelpScreen(Localized, ModalScreen[None]):
    """Lists the keys of the page it was opened over; Esc, ? or Close closes it."""

    BINDINGS = [
        Binding("escape", "close", "close", id="help-close"),
        Binding("question_mark", "close", "close", id="help-close-key", show=False),
    ]

    def __init__(self, over: Screen[object]) -> None:
        super().__init__()
        self.rows = help_rows(over)

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for key, what in self.rows:
            table.add_row(Text(key), Text(what))
        with Vertical(id="dialog", classes="help"):
            yield Static(Text(t("help.title"), style="bold"), id="dialog-title")
            with VerticalScroll(id="dialog-body"):
                yield Static(table, id="help-keys")
                yield Static(Text(t("help.more")), classes="intro")
            yield Button(t("confirm.close"), id="close")

    def on_mount(self) -> None:
        self.query_one("#close", Button).focus()

    def action_close(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#close")
    def _close(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)
