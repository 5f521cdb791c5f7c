"""Snapshots of every screen at 80x24 and 120x40 (pytest-textual-snapshot).

Deterministic: moto's random generator is seeded before the scenario is built (same key
IDs every run), timings are masked (``stable_output``), probes are listed in a fixed order
once the diagnosis is done, and input cursors do not blink. Update with
``pytest tests/test_tui_snapshots.py --snapshot-update`` after a deliberate UI change.
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from sesfix.demo.account import SimulatedAccount
from sesfix.tui.app import SesfixApp, make_app
from tests.support.wizard import focus_fix_button, settle

SIZES = [(80, 24), (120, 40)]
SEED = 20240601


def seeded(moto_server: SimulatedAccount, account: Any, scenario: str = "seed") -> SimulatedAccount:
    moto_server._post(f"/moto-api/seed?a={SEED}")
    acct: SimulatedAccount = account(scenario)
    return acct


def incident(acct: SimulatedAccount, lang: str = "en") -> SesfixApp:
    app = make_app(settings=acct.app_settings(), operator=acct.operator, lang=lang)
    app.stable_output = True
    return app


def after(*keys: str) -> Callable[[Any], Awaitable[None]]:
    async def run_before(pilot: Any) -> None:
        await settle(pilot, pilot.app)
        for key in keys:
            await pilot.press(key)
            await pilot.pause(0.1)
        await settle(pilot, pilot.app)

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("page", ["1", "2", "3", "4", "5", "c", "s"])
def test_pages(snap_compare: Any, moto_server: Any, account: Any, page: str, size: Any) -> None:
    acct = seeded(moto_server, account)
    assert snap_compare(incident(acct), terminal_size=size, run_before=after(page))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_test_send_failure(snap_compare: Any, moto_server: Any, account: Any, size: Any) -> None:
    acct = seeded(moto_server, account)

    async def run_before(pilot: Any) -> None:
        await after("t")(pilot)
        pilot.app.screen.query_one("#testsend-send").focus()
        await pilot.press("enter")
        await settle(pilot, pilot.app)

    assert snap_compare(incident(acct), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_fix_modal(snap_compare: Any, moto_server: Any, account: Any, size: Any) -> None:
    acct = seeded(moto_server, account)

    async def run_before(pilot: Any) -> None:
        await settle(pilot, pilot.app)
        await focus_fix_button(pilot, pilot.app, "create-custom-policy")
        await pilot.press("enter")
        await settle(pilot, pilot.app)

    assert snap_compare(incident(acct), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_error_panel(snap_compare: Any, size: Any) -> None:
    app = make_app(settings=None, operator=None, lang="en")
    app.stable_output = True

    async def run_before(pilot: Any) -> None:
        await settle(pilot, pilot.app)
        await pilot.click("#source-envfile")
        pilot.app.screen.query_one("#env-path").value = "/nonexistent/sesfix-snapshot.env"
        pilot.app.screen.query_one("#use").focus()
        await pilot.press("enter")
        await settle(pilot, pilot.app)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_preparing_practice(snap_compare: Any, size: Any) -> None:
    """Practice mode: the first screen appears at once while the account is prepared."""
    release = threading.Event()

    def prepare() -> Any:
        # Still preparing when the screenshot is taken; released soon after so the app
        # can exit without waiting for this thread.
        release.wait(30)
        from sesfix.settings import AppSettings

        return AppSettings.from_mapping({}, "released"), None

    app = make_app(settings=None, operator=None, lang="en", prepare=prepare)
    app.stable_output = True

    async def run_before(pilot: Any) -> None:
        await pilot.pause(0.2)
        threading.Timer(2.0, release.set).start()

    try:
        assert snap_compare(app, terminal_size=size, run_before=run_before)
    finally:
        release.set()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_vietnamese_step1(snap_compare: Any, moto_server: Any, account: Any, size: Any) -> None:
    acct = seeded(moto_server, account)
    assert snap_compare(incident(acct, "vi"), terminal_size=size, run_before=after())


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_green_checklist(snap_compare: Any, moto_server: Any, account: Any, size: Any) -> None:
    pytest.importorskip("sesfix.fixes.apply")
    acct = seeded(moto_server, account)

    async def run_before(pilot: Any) -> None:
        await settle(pilot, pilot.app)
        await focus_fix_button(pilot, pilot.app, "create-custom-policy")
        await pilot.press("enter")
        await settle(pilot, pilot.app)
        await pilot.press("a")
        await settle(pilot, pilot.app)
        await pilot.press("c")
        await settle(pilot, pilot.app)

    assert snap_compare(incident(acct), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("lang", ["en", "vi"])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_help_screen(
    snap_compare: Any, moto_server: Any, account: Any, size: Any, lang: str
) -> None:
    """? lists every key, in the page's language."""
    acct = seeded(moto_server, account)
    assert snap_compare(incident(acct, lang), terminal_size=size, run_before=after("question_mark"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_fix_modal_vietnamese(snap_compare: Any, moto_server: Any, account: Any, size: Any) -> None:
    """The plan dialog in Vietnamese: buttons whole, target labels, CLI wrapped by option."""
    acct = seeded(moto_server, account)

    async def run_before(pilot: Any) -> None:
        await settle(pilot, pilot.app)
        await focus_fix_button(pilot, pilot.app, "create-custom-policy")
        await pilot.press("enter")
        await settle(pilot, pilot.app)

    assert snap_compare(incident(acct, "vi"), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_wrong_region_step4(snap_compare: Any, moto_server: Any, account: Any, size: Any) -> None:
    """Opens on the first failing step (4); its fix buttons whole ("Veri" before)."""
    acct = seeded(moto_server, account, "wrong-region")
    assert snap_compare(incident(acct), terminal_size=size, run_before=after())
