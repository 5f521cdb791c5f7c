"""Step 5's log panel: paste the app's log, give a file, or fetch it from Railway.

Self-contained: the wizard mounts ``LogPanel(...)`` and listens for
:class:`LogPanel.Analysed` (and :class:`LogPanel.Failed`). Reading and analysing run in a
thread worker (a file can be 100 MB; ``railway logs`` is a subprocess); the engine is
:mod:`sesfix.logs` and :mod:`sesfix.railway`, nothing AWS happens here. Give the panel the
live :class:`~sesfix.diagnosis.report.Report` (``panel.report = report``) and the result
also says how the logs and the live probe agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Input, Static, TextArea
from textual.worker import get_current_worker

from sesfix.locale import t
from sesfix.logs import Analyzer, LogAnalysis, correlate, iter_lines
from sesfix.masking import Secret
from sesfix.text import visible
from sesfix.tui.render import ours, outside, tone

if TYPE_CHECKING:
    from sesfix.diagnosis.report import Report

_MARK_STYLE = {"✓": "bold green", "✗": "bold reverse red", "?": "bold yellow", "·": "italic"}
_CHECK_EVERY = 5000  # lines between cancellation checks


class LogPanel(Vertical):
    """Paste / file / Railway → where the send path stops, and why."""

    DEFAULT_CSS = """
    LogPanel { height: auto; padding: 0 1; }
    LogPanel .log-row { height: auto; margin-bottom: 1; }
    LogPanel .log-row Input { width: 1fr; }
    LogPanel .log-row Button { margin-left: 1; }
    LogPanel #log-paste { height: 8; margin-bottom: 1; }
    LogPanel #log-result { height: auto; padding: 1; border: round $primary; }
    LogPanel .log-hint { color: $text-muted; }
    """

    @dataclass
    class Analysed(Message):
        """The log was read: the analysis and, with a live report, how they agree."""

        panel: LogPanel
        analysis: LogAnalysis
        correlation: list[str]

    @dataclass
    class Failed(Message):
        """Reading failed (no railway CLI, not logged in, unreadable file)."""

        panel: LogPanel
        title: str
        message: str
        hint: str

    def __init__(
        self,
        *,
        service: str | None = None,
        environment: str | None = None,
        lines: int = 1000,
        secrets: Iterable[str | Secret | None] = (),
        report: Report | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.service = service
        self.environment = environment
        self.lines = lines
        self.secrets = tuple(s for s in secrets if s)
        self.report = report
        self.analysis: LogAnalysis | None = None

    def compose(self) -> ComposeResult:
        yield Static(ours(t("logs.hint")), classes="log-hint")
        with Horizontal(classes="log-row"):
            yield Input(placeholder=t("logs.service_placeholder"), id="log-service")
            yield Button(t("logs.fetch"), id="log-fetch-railway", variant="primary")
        with Horizontal(classes="log-row"):
            yield Input(placeholder=t("logs.path_placeholder"), id="log-path")
            yield Button(t("logs.read_file"), id="log-read-file")
        yield Static(ours(t("logs.paste_hint")), classes="log-hint")
        yield TextArea(id="log-paste", soft_wrap=False)
        with Horizontal(classes="log-row"):
            yield Button(t("logs.analyse_paste"), id="log-analyse-paste")
        yield Static("", id="log-result")

    def on_mount(self) -> None:
        if self.service:
            self.query_one("#log-service", Input).value = self.service

    # ---- actions ----------------------------------------------------------------------------

    @on(TextArea.Changed, "#log-paste")
    def _pasted(self, event: TextArea.Changed) -> None:
        """A pasted log is outside text too: escapes in it are shown, never sent raw.

        Tabs and line breaks stay; every other control character (ANSI colours, OSC 8
        links, bidi overrides) is replaced by its visible escape in the box itself, so the
        terminal never receives it and the analysis reads what the person sees.
        """
        text = event.text_area.text
        cleaned = "\n".join(
            "\t".join(visible(part, limit=None) for part in line.split("\t"))
            for line in text.split("\n")
        )
        if cleaned != text:
            event.text_area.load_text(cleaned)

    @on(Button.Pressed, "#log-fetch-railway")
    def _fetch(self) -> None:
        service = self.query_one("#log-service", Input).value.strip() or None
        self._busy(t("logs.fetching", lines=self.lines))
        self.read_railway(service)

    @on(Button.Pressed, "#log-read-file")
    @on(Input.Submitted, "#log-path")
    def _file(self) -> None:
        path = self.query_one("#log-path", Input).value.strip()
        if not path:
            self._show_error(t("logs.no_file"), t("logs.no_file_detail"), "")
            return
        self._busy(t("logs.reading", path=visible(path, limit=300)))
        self.read_file(path)

    @on(Button.Pressed, "#log-analyse-paste")
    def _paste(self) -> None:
        text = self.query_one("#log-paste", TextArea).text
        if not text.strip():
            self._show_error(t("logs.nothing_pasted"), t("logs.nothing_pasted_detail"), "")
            return
        self._busy(t("logs.reading_paste"))
        self.read_text(text)

    # ---- workers (threads: files and subprocesses block) ---------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="log-panel")
    def read_text(self, text: str) -> None:
        self._analyse(iter(text.splitlines()), t("logs.source.paste"))

    @work(thread=True, exclusive=True, exit_on_error=False, group="log-panel")
    def read_file(self, path: str) -> None:
        from pathlib import Path

        p = Path(path).expanduser()
        try:
            with p.open("rb") as fh:
                self._analyse(iter_lines(fh), str(p))
        except OSError as exc:
            self._failed(t("logs.cannot_read"), f"{p}: {exc.strerror or exc}", "")

    @work(thread=True, exclusive=True, exit_on_error=False, group="log-panel")
    def read_railway(self, service: str | None) -> None:
        from sesfix import railway
        from sesfix.errors import SesfixError

        try:
            lines = railway.fetch_logs(service, self.environment, self.lines)
        except SesfixError as exc:
            self._failed(exc.title, exc.message, exc.hint)
            return
        where = t("logs.source.railway_service", service=service) if service else "railway logs"
        self._analyse(lines, where)

    def _analyse(self, lines: Iterable[str], source: str) -> None:
        worker = get_current_worker()
        analyzer = Analyzer(self.secrets, source)
        for i, line in enumerate(lines):
            if i % _CHECK_EVERY == 0 and worker.is_cancelled:
                return
            analyzer.feed(line)
        analysis = analyzer.result()
        report = self.report
        related = correlate(analysis, report) if report is not None else []
        if not worker.is_cancelled:
            self.post_message(self.Analysed(self, analysis, related))

    def _failed(self, title: str, message: str, hint: str) -> None:
        self.post_message(self.Failed(self, title, message, hint))

    # ---- results ---------------------------------------------------------------------------

    @on(Analysed)
    def _show_analysis(self, event: Analysed) -> None:
        if event.panel is not self:
            return
        self.analysis = event.analysis
        self.query_one("#log-result", Static).update(render(event.analysis, event.correlation))

    @on(Failed)
    def _show_failure(self, event: Failed) -> None:
        if event.panel is not self:
            return
        self._show_error(event.title, event.message, event.hint)

    def _busy(self, text: str) -> None:
        self.query_one("#log-result", Static).update(ours(text, "italic"))

    def _show_error(self, title: str, message: str, hint: str) -> None:
        # Titles, messages and hints quote Railway's output and file errors: outside text.
        out = outside(f"{title}: ", "bold red")
        out.append(outside(message))
        if hint:
            out.append("\n")
            out.append(outside(hint, "yellow"))
        out.append("\n" + t("logs.fallback"), style="italic")
        self.query_one("#log-result", Static).update(out)


def render(analysis: LogAnalysis, correlation: list[str]) -> Text:
    """The analysis as rich text (also used by the wizard's summary).

    Everything in it is read from the app's log (details, codes, the source name) or built
    from it: each piece goes in through :func:`~sesfix.text.visible`, never as markup.
    """
    from sesfix.logs import short_time

    out = Text()
    style = "green" if analysis.stage == "success" else "yellow" if analysis.ok else "red"
    out.append(visible(analysis.summary()) + "\n\n", style=tone(f"bold {style}"))
    for name, status, detail in analysis.steps():
        out.append(f"{status} ", style=tone(_MARK_STYLE.get(status, "")))
        out.append(f"{visible(name):<24}", style="bold")
        out.append(f"{visible(detail)}\n")
    for c in sorted(analysis.codes.values(), key=lambda c: c.first_line):
        out.append(f"\n{visible(c.code, limit=100)}", style=tone("bold red"))
        out.append(f" — {visible(c.when())}\n")
        if c.meaning:
            out.append(f"  {visible(c.meaning)}\n", style="italic")
    for f in analysis.findings():
        out.append(f"\n→ {f.id}", style="bold")
        out.append(f": {visible(f.title)}")
        if f.fixes:
            out.append(f" ({t('logs.fix')}: {', '.join(f.fixes)})", style="italic")
    if correlation:
        out.append("\n\n" + t("logs.correlation") + "\n", style="bold")
        for sentence in correlation:
            out.append(f"• {visible(sentence)}\n")
    last = analysis.last
    source = visible(analysis.source, limit=300)
    if last is not None and last.at:
        out.append(
            "\n"
            + t(
                "logs.read_last",
                at=short_time(last.at),
                line=last.line,
                lines=f"{analysis.lines:,}",
                source=source,
            ),
            "italic",
        )
    else:
        out.append("\n" + t("logs.read", lines=f"{analysis.lines:,}", source=source), "italic")
    return out
