"""The completion summary of a practice run: what was broken, what the learner fixed, how long
it took — and, on request, the onboarding record written as Markdown where the learner says.

The record holds finding ids, fix ids and times only, never a secret, so everything here is
safe to show and to keep.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Static

from sesfix.demo.record import OnboardingRecord, default_file_name
from sesfix.errors import SesfixError
from sesfix.locale import t
from sesfix.text import visible
from sesfix.tui.bindings import Localized
from sesfix.tui.render import ours, tone


class SummaryScreen(Localized, Screen[None]):
    """Shows an :class:`~sesfix.demo.record.OnboardingRecord`; ``w`` writes it as Markdown."""

    DEFAULT_CSS = """
    SummaryScreen { align: center middle; }
    SummaryScreen #summary { width: 100%; max-width: 100; height: auto; max-height: 100%;
        border: round $success; padding: 0 1; }
    SummaryScreen #summary.open { border: round $warning; }
    SummaryScreen #summary-body { height: auto; max-height: 45vh; }
    SummaryScreen .summary-section { margin-top: 1; text-style: bold; }
    SummaryScreen #summary-path { margin-top: 1; height: 1; }
    SummaryScreen #summary-buttons { height: auto; margin-top: 1; }
    SummaryScreen #summary-buttons Button { margin-right: 2; }
    """

    BINDINGS = [
        Binding("w", "write", "write record", id="summary-write"),
        Binding("escape", "close", "close", id="summary-close"),
    ]

    def __init__(self, record: OnboardingRecord, *, default_path: Path | None = None) -> None:
        super().__init__()
        self.record = record
        self.default_path = default_path or Path.cwd() / default_file_name(record)
        self.written: Path | None = None

    def compose(self) -> ComposeResult:
        rec = self.record
        title_key = "summary.title.done" if rec.healthy else "summary.title.open"
        mark, style = ("✓ ", "bold green") if rec.healthy else ("… ", "bold yellow")
        with Vertical(id="summary", classes="" if rec.healthy else "open"):
            yield Static(Text(mark + t(title_key), style=style), id="summary-title")
            with VerticalScroll(id="summary-body"):
                yield Static(self._scenario_text(), id="summary-scenario")
                yield Static(ours(t("summary.time", duration=rec.duration_text)), id="summary-time")
                yield Static(ours(t("summary.broken")), classes="summary-section")
                yield Static(self._broken_text(), id="summary-broken")
                yield Static(ours(t("summary.fixed")), classes="summary-section")
                yield Static(self._fixed_text(), id="summary-fixed")
            yield Static(ours(t("summary.path")), id="summary-path")
            yield Input(str(self.default_path), id="summary-file")
            with Horizontal(id="summary-buttons"):
                yield Button(t("summary.write"), id="summary-write", variant="primary")
                yield Button(t("summary.close"), id="summary-close")
        yield Footer()

    def _scenario_text(self) -> Text:
        rec = self.record
        text = ours(t("summary.scenario", scenario=visible(rec.scenario, limit=80)), "bold")
        if rec.description:
            text.append(" — " + visible(rec.description, limit=500), style="")
        return text

    def _broken_text(self) -> Text:
        rec = self.record
        if not rec.broken_findings:
            return Text(t("summary.broken.none"))
        out = Text()
        for i, fid in enumerate(rec.broken_findings):
            if i:
                out.append("\n")
            out.append("✗ ", style=tone("bold red"))
            out.append(fid, style="bold")
            title = t(f"finding.{fid}.title")
            if title != f"finding.{fid}.title":
                out.append(f" — {title}")
        return out

    def _fixed_text(self) -> Text:
        rec = self.record
        if not rec.fixes_applied:
            return Text(t("summary.fixed.none"))
        out = Text()
        for i, fix in enumerate(rec.fixes_applied, 1):
            if i > 1:
                out.append("\n")
            out.append(f"{i}. ", style=tone("bold green"))
            out.append(fix, style="bold")
            title = t(f"fix.{fix}.title")
            if title != f"fix.{fix}.title":
                out.append(f" — {title}")
        return out

    def on_mount(self) -> None:
        self.query_one("#summary-write", Button).focus()

    # -- actions ---------------------------------------------------------------------------

    def action_write(self) -> None:
        self.write_record(self.query_one("#summary-file", Input).value)

    def action_close(self) -> None:
        self.dismiss(None)

    def write_record(self, path: str) -> Path | None:
        """Write the Markdown record to ``path``; notifies where (or why not)."""
        target = path.strip() or str(self.default_path)
        try:
            written = self.record.write(target)
        except SesfixError as exc:
            self.notify(
                t("summary.write_failed", error=exc.message), severity="error", markup=False
            )
            return None
        self.written = written
        self.notify(t("summary.written", path=visible(written)), markup=False)
        return written

    @on(Button.Pressed, "#summary-write")
    def _write_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_write()

    @on(Input.Submitted, "#summary-file")
    def _path_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.write_record(event.value)

    @on(Button.Pressed, "#summary-close")
    def _close_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)
