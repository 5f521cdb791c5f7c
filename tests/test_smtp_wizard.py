"""The SMTP checks in the wizard, driven by Pilot on the practice scenarios (moto with IAM
auth for AWS, the practice SMTP server on loopback with STARTTLS from trustme): step 3 lists
the SMTP conversation in the order it ran; step 2 shows the derivation beside the SMTP
password findings, as AWS's guide prints it."""

from __future__ import annotations

from typing import Any

from sesfix.commands.demo import make_demo_app
from sesfix.tui.app import SesfixApp
from tests.support.screen import screen_text
from tests.test_demo_app import settle

SMTP_STEPS = ["smtp:Connect", "smtp:StartTLS", "smtp:Auth"]


async def diagnosed(pilot: Any, app: SesfixApp) -> None:
    await pilot.pause(0)
    await settle(pilot, app)
    assert app.state.report is not None


def shown_order(text: str, calls: list[str]) -> list[str]:
    """The calls in the order their lines appear on screen."""
    at = {c: text.find(c) for c in calls}
    assert all(i >= 0 for i in at.values()), (at, text)
    return sorted(calls, key=lambda c: at[c])


async def test_step3_lists_the_smtp_probes_in_the_order_they_ran() -> None:
    app, _practice = make_demo_app("smtp-raw-secret", lang="en")
    async with app.run_test(size=(120, 60)) as pilot:
        await diagnosed(pilot, app)
        await pilot.press("3")
        await pilot.pause(0.1)
        assert app.state.current_page == "step3"
        lines = app.probes_for(3)
        assert [p.seq for p in lines] == sorted(p.seq for p in lines)
        smtp = [p.call for p in lines if p.call.startswith("smtp:")]
        assert smtp == SMTP_STEPS  # not by name (smtp:Auth first)
        assert shown_order(screen_text(app), SMTP_STEPS) == SMTP_STEPS
        # The report's order, not the live one's: the same after the run.
        report = app.state.report
        assert report is not None and not app.state.running
        assert [p.call for p in lines] == [p.call for p in report.step(3).probes]

        # Pictures (stable output) order by name for calls made side by side, but keep the
        # conversation's steps as they ran.
        app.stable_output = True
        stable = [p.call for p in app.probes_for(3) if p.call.startswith("smtp:")]
        assert stable == SMTP_STEPS
