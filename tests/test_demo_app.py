"""``sesfix demo`` in the wizard, driven by Pilot: the app opens at once on the practice account
being prepared, the learner fixes the scenario through the fix modal with the keyboard, and the
completion summary appears and writes the onboarding record.

The app comes from ``make_demo_app``, the factory ``sesfix demo`` itself uses; the account is
moto's server on loopback with IAM authentication enforced.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Button

from sesfix.commands.demo import make_demo_app
from sesfix.demo.account import SCENARIOS
from sesfix.demo.practice import PracticeInfo
from sesfix.findings import CATALOGUE
from sesfix.tui.app import SesfixApp
from sesfix.tui.screens.confirm import ConfirmFixScreen
from sesfix.tui.screens.summary import SummaryScreen
from sesfix.tui.widgets.findings import FixButton
from tests.support.screen import screen_text
from tests.support.wizard import wait_for_dialog


async def settle(pilot: Any, app: SesfixApp, timeout: float = 60.0) -> None:
    """Until no worker runs and the wizard is neither preparing, probing nor applying."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        await pilot.pause(0.05)
        await app.workers.wait_for_complete()
        await pilot.pause(0.05)
        if not (app.state.running or app.state.fix_busy or app.state.preparing) and not any(
            w.is_running for w in app.workers
        ):
            return
        assert loop.time() < deadline, "the wizard did not settle"


async def press_fix(pilot: Any, app: SesfixApp, fix_id: str, limit: int = 60) -> None:
    """Tab (keyboard only) to the fix's button on the current page and press it."""
    for _ in range(limit):
        focused = app.focused
        if isinstance(focused, FixButton) and focused.fix_id == fix_id:
            await pilot.press("enter")
            return
        await pilot.press("tab")
    raise AssertionError(f"no button for {fix_id} reachable with Tab on {app.state.current_page}")


def secrets_of(practice: PracticeInfo) -> list[str]:
    account = practice.account
    assert account is not None and account.operator is not None
    assert account.operator.credentials is not None
    values = [account.operator.credentials.secret_access_key.reveal()]
    values.append(account.app_env["AWS_SECRET_ACCESS_KEY"].strip())
    return values


async def fix_scenario_in_the_wizard(
    name: str, tmp_path: Path
) -> tuple[SesfixApp, PracticeInfo, dict[str, Any]]:
    app, practice = make_demo_app(name, lang="en")
    scenario = practice.spec  # for random: the one drawn
    app.stable_output = True
    seen: dict[str, Any] = {"secrets": []}
    try:
        began = time.perf_counter()
        async with app.run_test(size=(110, 40)) as pilot:
            await pilot.pause(0)
            # The first screen is up at once; the account may still be building.
            seen["first_screen_s"] = time.perf_counter() - began
            seen["preparing_at_first_screen"] = app.state.preparing
            assert app.state.current_page == "step1"
            if app.state.preparing:
                assert "preparing" in screen_text(app).lower()
            await settle(pilot, app)
            assert practice.ready
            seen["secrets"] = secrets_of(practice)
            seen["first_verdict_text"] = screen_text(app)
            assert app.state.report is not None
            assert {f.id for f in app.state.report.errors} == set(scenario.expected_errors)
            assert practice.broken_findings == list(scenario.expected_errors)

            for fix_id in scenario.intended_fixes:
                assert app.state.report is not None
                finding = next((f for f in app.state.report.errors if fix_id in f.fixes), None)
                if finding is None:
                    # retire-old-key cures no error: what a rotation leaves to do. The
                    # wizard offers it on the page of the rotation.
                    assert fix_id == "retire-old-key" and app.state.report.healthy
                    assert practice.gaps == ["old_key_active"]
                    assert not isinstance(app.screen, SummaryScreen)  # not complete yet
                    offer = app.screen.query_one("#retire-old-button", Button)
                    assert offer.display
                    offer.press()
                else:
                    await pilot.press(str(finding.step))
                    await pilot.pause(0.1)
                    assert app.state.current_page == f"step{finding.step}"
                    await press_fix(pilot, app, fix_id)
                await wait_for_dialog(pilot, app, ConfirmFixScreen)
                await settle(pilot, app)
                assert isinstance(app.screen, ConfirmFixScreen), type(app.screen).__name__
                await pilot.press("a")
                await settle(pilot, app)
                # Rotation: the new secret is now the app's; it must not show either.
                seen["secrets"].extend(secrets_of(practice))

            assert app.state.report is not None and app.state.report.healthy, (
                app.state.report.finding_ids()
            )
            assert isinstance(app.screen, SummaryScreen)
            summary = app.screen
            await summary_drawn(pilot, app)
            text = screen_text(app)
            seen["summary_text"] = text
            assert "Practice complete" in text
            for fid in scenario.expected_errors:
                assert fid in text
                assert CATALOGUE[fid].title[:30] in text
            for fix_id in scenario.intended_fixes:
                assert fix_id in text
            assert practice.record().fixes_applied == list(scenario.intended_fixes)

            # Write the record where the learner says, with the keyboard.
            target = tmp_path / f"{name}-record.md"
            file_input = summary.query_one("#summary-file")
            file_input.value = str(target)  # type: ignore[attr-defined]
            summary.query_one("#summary-write").focus()
            await pilot.press("w")
            await pilot.pause(0.1)
            assert summary.written == target
            seen["markdown"] = target.read_text(encoding="utf-8")
            await pilot.press("escape")
            await pilot.pause(0.1)
            assert not isinstance(app.screen, SummaryScreen)
            endpoint = practice.account.endpoint if practice.account else ""
    finally:
        practice.close()
    seen["endpoint"] = endpoint
    return app, practice, seen


async def test_demo_seed_fixed_end_to_end_reaches_the_summary(tmp_path: Path) -> None:
    _app, practice, seen = await fix_scenario_in_the_wizard("seed", tmp_path)
    md = seen["markdown"]
    assert "# sesfix practice record: seed" in md
    assert "`iam.ses_permission_missing`" in md and "`attach-ses-full-access`" in md
    for secret in seen["secrets"]:
        assert secret not in md
        assert secret not in seen["summary_text"]
    assert practice.record().healthy
    # The first screen did not wait for the account.
    assert seen["first_screen_s"] < 10


@pytest.mark.parametrize(
    "name", [n for n, sc in SCENARIOS.items() if sc.intended_fixes and n != "seed"]
)
async def test_every_scenario_can_be_fixed_in_the_wizard(name: str, tmp_path: Path) -> None:
    _app, practice, seen = await fix_scenario_in_the_wizard(name, tmp_path)
    assert practice.record().fixes_applied == list(SCENARIOS[name].intended_fixes)
    for secret in seen["secrets"]:
        assert secret not in seen["markdown"]
        assert secret not in seen["summary_text"]


async def test_summary_screen_on_its_own(tmp_path: Path) -> None:
    """Shown outside the wizard, an unfinished record says so and writes to a directory."""
    from datetime import UTC, datetime, timedelta

    from textual.app import App

    from sesfix.demo.record import OnboardingRecord

    record = OnboardingRecord(
        scenario="bad-secret",
        started_at=datetime.now(UTC) - timedelta(seconds=42),
        broken_findings=["credentials.whitespace"],
    )

    class Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(SummaryScreen(record, default_path=tmp_path))

    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.1)
        screen = app.screen
        assert isinstance(screen, SummaryScreen)
        text = screen_text(app)  # type: ignore[arg-type]
        assert "not finished" in text
        assert "credentials.whitespace" in text and "No fix applied" in text
        await pilot.press("w")
        await pilot.pause(0.1)
        assert screen.written is not None and screen.written.parent == tmp_path
        assert "not yet" in screen.written.read_text(encoding="utf-8")
        screen.query_one("#summary-file").value = str(tmp_path / "no" / "such" / "dir.md")  # type: ignore[attr-defined]
        before = screen.written
        await pilot.press("w")
        await pilot.pause(0.1)
        assert screen.written == before  # refused, notified, nothing new written


async def summary_drawn(pilot: Any, app: Any, timeout: float = 20.0) -> None:
    """Wait (on the condition, bounded) until the summary screen's widgets are mounted:
    on a loaded machine the screen is pushed a few frames before its content exists."""

    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not app.screen.query("#summary-write"):
        assert loop.time() < deadline, "the summary screen never drew its content"
        await pilot.pause(0.05)
    await pilot.pause(0.05)


async def test_healthy_practice_shows_what_good_looks_like() -> None:
    app, practice = make_demo_app("healthy", lang="en")
    app.stable_output = True
    try:
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot, app)
            assert app.state.report is not None and app.state.report.healthy
            assert isinstance(app.screen, SummaryScreen)
            await summary_drawn(pilot, app)
            text = screen_text(app)
            assert "Practice complete" in text and "Nothing" in text
            assert practice.record().fixes_applied == []
    finally:
        practice.close()


async def test_random_practice_is_named_only_in_the_summary(tmp_path: Path) -> None:
    _app, practice, seen = await fix_scenario_in_the_wizard("random", tmp_path)
    spec = practice.spec
    assert not practice.named and practice.scenario == "random"
    if spec.expected_errors:  # broken: the wizard showed step 1 first, without the answer
        assert spec.description not in seen["first_verdict_text"]
        assert f"practice account ({spec.name})" not in seen["first_verdict_text"]
    assert spec.description[:40] in seen["summary_text"]
    assert f"# sesfix practice record: {spec.name}" in seen["markdown"]
