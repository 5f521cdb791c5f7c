"""The guide's SOLUTION CHECKLIST, ticked and crossed from the live diagnosis."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from sesfix.diagnosis.checklist import all_good, judge
from sesfix.locale import t
from sesfix.text import visible
from sesfix.tui.render import ours, tone
from sesfix.tui.screens.base import PageScreen

MARKS = {
    "pass": ("[✓]", "bold green"),
    "fail": ("[✗]", "bold reverse red"),
    "warning": ("[!]", "bold yellow"),
    "unknown": ("[?]", "bold magenta"),
}


class ChecklistScreen(PageScreen):
    page = "checklist"

    def __init__(self) -> None:
        super().__init__(name="checklist", id="checklist")

    def compose_main(self) -> ComposeResult:
        yield Static(Text(t("page.checklist"), style="bold"), classes="page-title")
        yield Static(ours(t("checklist.intro")), classes="intro")
        yield Static(id="checklist-items")
        yield Static(id="checklist-verdict", classes="status")

    def update_main(self, *, probes_only: bool = False) -> None:
        app = self.wizard
        items = judge(None if app.state.running else app.state.report, app.settings)
        text = Text()
        for i, item in enumerate(items):
            if i:
                text.append("\n")
            mark, style = MARKS[item.state]
            text.append(f"{mark} ", style=tone(style))
            text.append(t(f"checklist.{item.key}"))
            if item.because:
                because = ", ".join(visible(b, limit=300) for b in item.because)
                text.append("\n    " + because, style="italic")
        self.query_one("#checklist-items", Static).update(text)
        if app.state.running or app.state.preparing:
            verdict = ours(t("status.probing"), "italic cyan")
        elif app.state.report is None:
            verdict = ours(t("status.idle"), "italic")
        elif all_good(items):
            verdict = ours(t("checklist.all_good"), "bold green")
        else:
            verdict = ours(t("checklist.not_yet"), "bold reverse red")
        self.query_one("#checklist-verdict", Static).update(verdict)
