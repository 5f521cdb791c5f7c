"""The step-5 log panel in a bare app: paste, file and Railway, results through messages."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.message import Message
from textual.widgets import Button, Input, Static, TextArea

from sesfix import findings as F
from sesfix.diagnosis.report import Context, Report
from sesfix.tui.widgets.log_panel import LogPanel
from tests.support.fake_railway import FakeRailway, install

LOG = (
    "2026-11-29T10:42:00Z 📤 [Email Service - SES] Sending email via AWS SES...\n"
    "2026-11-29T10:42:01Z ❌ [Email Service - SES] Error: InvalidClientTokenId\n"
)


class PanelApp(App[None]):
    def __init__(self, **kw: object) -> None:
        super().__init__()
        self.kw = kw

    def compose(self) -> ComposeResult:
        yield LogPanel(id="panel", **self.kw)  # type: ignore[arg-type]


async def until(pilot: Any, condition: Callable[[], bool], timeout: float = 60.0) -> None:
    """Pause until ``condition()`` holds (a condition, not a guess at how long work takes)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"the panel shows {_result(pilot.app)!r}"
        await pilot.pause(0.05)


def _result(app: App[None]) -> str:
    return str(app.query_one("#log-result", Static).render())


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeRailway:
    return install(tmp_path, monkeypatch)


async def test_pasted_text_with_a_live_report() -> None:
    report = Report(
        steps=[],
        findings=[F.make("credentials.key_inactive", "AKIA…MPLE has Status Inactive")],
        context=Context(),
    )
    seen: list[Message] = []
    app = PanelApp(report=report)
    async with app.run_test(size=(120, 60), message_hook=seen.append) as pilot:
        app.query_one("#log-paste", TextArea).text = LOG
        app.query_one("#log-analyse-paste", Button).press()
        await until(pilot, lambda: any(isinstance(m, LogPanel.Analysed) for m in seen))
        await pilot.pause()
        analysed = [m for m in seen if isinstance(m, LogPanel.Analysed)]
        assert analysed and analysed[-1].analysis.failing_code == "InvalidClientTokenId"
        verdict, sentence = analysed[-1].correlation  # the live check's verdict leads
        assert verdict.startswith("the live check's verdict leads: credentials.key_inactive")
        assert sentence.startswith("the logs show InvalidClientTokenId at 10:42")
        text = _result(app)
        assert "InvalidClientTokenId" in text and "credentials.key_not_found" in text
        assert app.query_one(LogPanel).analysis is analysed[-1].analysis


async def test_file(tmp_path: Path) -> None:
    path = tmp_path / "app.log"
    path.write_text(LOG)
    app = PanelApp()
    async with app.run_test(size=(120, 60)) as pilot:
        app.query_one("#log-path", Input).value = str(path)
        app.query_one("#log-read-file", Button).press()
        await until(pilot, lambda: "stops at the SES API call" in _result(app))


async def test_missing_file_is_shown_not_raised(tmp_path: Path) -> None:
    app = PanelApp()
    async with app.run_test(size=(120, 60)) as pilot:
        app.query_one("#log-path", Input).value = str(tmp_path / "none.log")
        app.query_one("#log-read-file", Button).press()
        await until(pilot, lambda: "Cannot read the file" in _result(app))


async def test_railway_fetch_and_not_logged_in(fake: FakeRailway) -> None:
    fake.set_logs(
        [{"message": line, "timestamp": "2026-11-29T10:42:00Z"} for line in LOG.splitlines()]
    )
    seen: list[Message] = []
    app = PanelApp(service="api", lines=50)
    async with app.run_test(size=(120, 60), message_hook=seen.append) as pilot:
        # Waits are on what the panel shows, not on worker bookkeeping: under load the
        # worker may not have started yet when a press returns (the old flake).
        app.query_one("#log-fetch-railway", Button).press()
        await until(pilot, lambda: "InvalidClientTokenId" in _result(app))
        assert fake.calls()[0]["argv"] == ["logs", "-s", "api", "--lines", "50", "--json"]
        fake.set_mode("unauthorized")
        app.query_one("#log-fetch-railway", Button).press()
        await until(pilot, lambda: "railway login" in _result(app))
        assert any(isinstance(m, LogPanel.Failed) for m in seen)
