"""The guide's "test after fix": one message with the app's own credentials."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Input, Static

from sesfix.diagnosis.testsend import SIMULATOR_SUCCESS
from sesfix.locale import t
from sesfix.text import visible
from sesfix.tui.messages import TestSendRequested
from sesfix.tui.render import ours, outside
from sesfix.tui.screens.base import PageScreen


class TestSendScreen(PageScreen):
    page = "testsend"

    def __init__(self) -> None:
        super().__init__(name="testsend", id="testsend")

    def compose_main(self) -> ComposeResult:
        yield Static(Text(t("page.testsend"), style="bold"), classes="page-title")
        yield Static(ours(t("testsend.intro")), classes="intro")
        yield Static(id="testsend-from")
        with Horizontal(id="testsend-row"):
            yield Input(value=SIMULATOR_SUCCESS, id="testsend-to", placeholder=SIMULATOR_SUCCESS)
            yield Button(t("testsend.send"), id="testsend-send", variant="primary")
        yield Static(id="testsend-log", classes="log")

    def update_main(self, *, probes_only: bool = False) -> None:
        app = self.wizard
        s = app.settings
        sender = visible(s.sender_address, limit=200) if s.sender_address else None
        region = visible(s.clean_region, limit=60) if s.clean_region else "?"
        # The sender and region are the app's variables: formatted in, then shown as Text.
        self.query_one("#testsend-from", Static).update(
            ours(
                t(
                    "testsend.from",
                    sender=sender or t("testsend.no_sender"),
                    region=region,
                    key=s.masked_key_id,
                )
            )
        )
        log = self.query_one("#testsend-log", Static)
        if app.state.testsend_busy:
            log.update(ours(t("testsend.sending"), "italic cyan"))
        elif app.state.testsend_result is None:
            log.update(Text(t("testsend.none"), style="italic"))
        else:
            r = app.state.testsend_result
            text = ours(t("testsend.to", to=visible(r.recipient, limit=200)) + "\n", "bold")
            text.append(outside("\n".join(r.lines), "bold green" if r.ok else "bold red"))
            verdict = t("testsend.ok") if r.ok else t("testsend.failed")
            text.append("\n\n" + verdict, style="reverse" if not r.ok else "bold")
            if r.rejection is not None:
                # Catalogue sentences with SES's identities in them (already made visible).
                text.append("\n\n")
                text.append(ours("\n".join(r.rejection.lines()), "yellow"))
            log.update(text)

    def _send_to(self, to: str) -> None:
        # Leave the recipient box: after sending, the page's keys (u, 1…5, q) work again.
        self.query_one("#testsend-send", Button).focus()
        self.post_message(TestSendRequested(to))

    @on(Button.Pressed, "#testsend-send")
    def _send(self, event: Button.Pressed) -> None:
        event.stop()
        self._send_to(self.query_one("#testsend-to", Input).value)

    @on(Input.Submitted, "#testsend-to")
    def _submit(self, event: Input.Submitted) -> None:
        event.stop()
        self._send_to(event.value)
