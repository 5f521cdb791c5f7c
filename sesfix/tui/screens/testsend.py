"""The guide's "test after fix": one message with the app's own credentials."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Input, Static

from sesfix.diagnosis.testsend import SIMULATOR_SUCCESS
from sesfix.locale import t
from sesfix.tui.screens.base import PageScreen


class TestSendScreen(PageScreen):
    page = "testsend"

    def __init__(self) -> None:
        super().__init__(name="testsend", id="testsend")

    def compose_main(self) -> ComposeResult:
        yield Static(Text(t("page.testsend"), style="bold"), classes="page-title")
        yield Static(t("testsend.intro"), classes="intro")
        yield Static(id="testsend-from")
        with Horizontal(id="testsend-row"):
            yield Input(value=SIMULATOR_SUCCESS, id="testsend-to", placeholder=SIMULATOR_SUCCESS)
            yield Button(t("testsend.send"), id="testsend-send", variant="primary")
        yield Static(id="testsend-log", classes="log")

    def update_main(self, *, probes_only: bool = False) -> None:
        app = self.wizard
        sender = app.settings.sender_address or t("testsend.no_sender")
        region = app.settings.clean_region or "?"
        self.query_one("#testsend-from", Static).update(
            t("testsend.from", sender=sender, region=region, key=app.settings.masked_key_id)
        )
        log = self.query_one("#testsend-log", Static)
        if app.testsend_busy:
            log.update(Text(t("testsend.sending"), style="cyan"))
        elif app.testsend_result is None:
            log.update(Text(t("testsend.none"), style="dim"))
        else:
            r = app.testsend_result
            text = Text()
            text.append(t("testsend.to", to=r.recipient) + "\n", style="bold")
            text.append("\n".join(r.lines), style="green" if r.ok else "red")
            text.append("\n\n" + (t("testsend.ok") if r.ok else t("testsend.failed")))
            log.update(text)

    @on(Button.Pressed, "#testsend-send")
    def _send(self, event: Button.Pressed) -> None:
        event.stop()
        self.wizard.send_test(self.query_one("#testsend-to", Input).value)

    @on(Input.Submitted, "#testsend-to")
    def _submit(self, event: Input.Submitted) -> None:
        event.stop()
        self.wizard.send_test(event.value)
