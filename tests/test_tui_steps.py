"""The sidebar ticks each step as its own probes finish, not all five when the run ends.

Pilot against the simulated account (moto's server, IAM authentication enforced), through
a loopback proxy that holds one late step-4 request (sesv2 GetEmailIdentity) on a condition
until the test has seen the earlier steps' marks: no sleeps, only bounded waits.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from sesfix.tui.app import SesfixApp
from sesfix.tui.widgets.sidebar import ICONS, SidebarItem
from tests.support.proxy import RequestInfo
from tests.support.wizard import incident_app, settle


def _held(info: RequestInfo) -> bool:
    return info.method == "GET" and info.path.startswith("/v2/email/identities/")


def sidebar_line(app: SesfixApp, n: int) -> str:
    """The sidebar's text for step ``n`` (icon, name, state word) as the person sees it."""
    item = next(i for i in app.screen.query(SidebarItem) if i.page == f"step{n}")
    return str(item.query_one("Label").render())


async def until(pilot: Any, condition: Any, what: str, timeout: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.02)


async def test_a_steps_mark_appears_before_the_diagnosis_ends(counted: Any) -> None:
    acct, proxy = counted("healthy")
    gate = threading.Event()
    held = threading.Event()

    def hold(info: RequestInfo) -> None:
        if _held(info):
            held.set()
            gate.wait(60)  # bounded: released by the test as soon as it has looked
        return None

    proxy.fault = hold
    app = incident_app(acct)
    try:
        async with app.run_test(size=(100, 32)) as pilot:
            await until(pilot, lambda: 2 in app.state.step_verdicts, "step 2's verdict")
            await until(pilot, held.is_set, "the step-4 request to be held")
            await pilot.pause(0.05)
            # The run is still going (step 4's request is held) ...
            assert app.state.running and app.state.report is None
            # ... yet step 2 has its tick, drawn in the sidebar.
            assert app.state.step_verdicts[2] == "pass"
            assert sidebar_line(app, 2).startswith(ICONS["pass"][0])
            assert sidebar_line(app, 2).rstrip().endswith("pass")
            # Step 4 waits on its own request: no verdict and no tick yet.
            assert 4 not in app.state.step_verdicts
            assert not sidebar_line(app, 4).startswith(ICONS["pass"][0])
            gate.set()
            await settle(pilot, app)
            report = app.state.report
            assert report is not None
            for step in report.steps:
                assert sidebar_line(app, step.number).startswith(ICONS[step.status][0])
            assert proxy.actions()  # every request went through the proxy
    finally:
        gate.set()
