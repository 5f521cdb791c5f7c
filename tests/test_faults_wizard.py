"""Faults in the wizard: while a probe hangs the screen stays responsive, and afterwards the
step shows the failure (probe.unreachable naming the call and region). The app's secret is
the sentinel, and nothing the wizard renders or writes (debug log included) holds it."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from sesfix import debuglog
from sesfix.demo.account import SimulatedAccount
from sesfix.settings import AppSettings
from sesfix.tui.app import SesfixApp, make_app
from tests.conftest import SENTINEL_SECRET
from tests.support.leakcheck import assert_no_leak, files_under
from tests.support.proxy import Delay, DelayProxy, when
from tests.support.screen import screen_text
from tests.test_tui_flow import settle


@pytest.fixture
def slow_quota(account: Any, moto_server: SimulatedAccount, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("SESFIX_CONNECT_TIMEOUT", "1")
    monkeypatch.setenv("SESFIX_READ_TIMEOUT", "8")  # the probe hangs for 2 x 8 s (deadline 15)
    monkeypatch.setenv("SESFIX_MAX_ATTEMPTS", "2")
    acct = account("seed")
    proxy = DelayProxy(
        moto_server.endpoint, fault=when(Delay(30), action="GetSendQuota", region="ap-southeast-1")
    )
    monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.url)
    yield acct
    proxy.stop()


async def test_a_hanging_probe_leaves_the_wizard_responsive_and_is_shown(
    slow_quota: SimulatedAccount, isolated_world: Path
) -> None:
    settings = AppSettings.from_mapping(
        {**slow_quota.app_env, "AWS_SECRET_ACCESS_KEY": SENTINEL_SECRET}, "test"
    )
    debuglog.enable()
    seen: list[str] = []
    try:
        app: SesfixApp = make_app(settings=settings, operator=slow_quota.operator, lang="en")
        app.stable_output = True
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause(0.3)
            assert app.state.running, "the diagnosis should still be waiting on the slow probe"
            # Keys are handled at once while the probe hangs.
            # Each key is handled while the probe still hangs: its page is shown and the
            # diagnosis is still running (no wall-clock bound: that is the benchmark's job,
            # and a loaded machine only makes both sides slower).
            for key in ("2", "4", "5", "1", "3"):
                await pilot.press(key)
                deadline = time.monotonic() + 10
                while app.state.current_page != f"step{key}":
                    assert time.monotonic() < deadline, f"key {key} was not handled"
                    await pilot.pause(0.01)
                assert app.state.running, f"key {key} was handled only after the probe ended"
                seen.append(screen_text(app))
            assert app.state.current_page == "step3"
            assert app.state.running
            await settle(pilot, app, timeout=60)
            assert app.state.report is not None
            unreachable = [
                f
                for f in app.state.report.findings
                if f.id == "probe.unreachable" and f.data.get("call") == "ses:GetSendQuota"
            ]
            assert unreachable and unreachable[0].data.get("region") == "ap-southeast-1"
            await pilot.press("3")
            await pilot.pause(0.2)
            app.screen.query_one("#main").scroll_end(animate=False)
            await pilot.pause(0.1)
            text = screen_text(app)
            seen.append(text)
            assert "ses:GetSendQuota" in text
            for key in ("1", "2", "4", "5", "c"):
                await pilot.press(key)
                await pilot.pause(0.1)
                seen.append(screen_text(app))
    finally:
        debuglog.disable()
    produced: dict[str, bytes | str] = {f"screen {i}": s for i, s in enumerate(seen)}
    produced.update(files_under(isolated_world))
    assert any(name.endswith("debug.log") for name in produced)
    assert_no_leak(produced, SENTINEL_SECRET)
