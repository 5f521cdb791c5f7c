"""The step-5 log panel in a bare app: paste, file and Railway, results through messages."""

from __future__ import annotations

from pathlib import Path

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
        await pilot.click("#log-analyse-paste")
        await app.workers.wait_for_complete()
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
        await pilot.click("#log-read-file")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "stops at the SES API call" in _result(app)


async def test_missing_file_is_shown_not_raised(tmp_path: Path) -> None:
    app = PanelApp()
    async with app.run_test(size=(120, 60)) as pilot:
        app.query_one("#log-path", Input).value = str(tmp_path / "none.log")
        await pilot.click("#log-read-file")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Cannot read the file" in _result(app)


async def test_railway_fetch_and_not_logged_in(fake: FakeRailway) -> None:
    fake.set_logs(
        [{"message": line, "timestamp": "2026-11-29T10:42:00Z"} for line in LOG.splitlines()]
    )
    seen: list[Message] = []
    app = PanelApp(service="api", lines=50)
    async with app.run_test(size=(120, 60), message_hook=seen.append) as pilot:
        await pilot.click("#log-fetch-railway")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "InvalidClientTokenId" in _result(app)
        assert fake.calls()[0]["argv"] == ["logs", "-s", "api", "--lines", "50", "--json"]
        fake.set_mode("unauthorized")
        # The first result is long and may scroll the button out of the click's reach;
        # pressing it is what the test is about, not where it sits.
        app.query_one("#log-fetch-railway", Button).press()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "railway login" in _result(app)
        assert any(isinstance(m, LogPanel.Failed) for m in seen)
