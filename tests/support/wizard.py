"""Driving the wizard with Pilot: shared by the wizard tests and screenshots/make.py."""

from __future__ import annotations

import asyncio
from typing import Any


async def settle(pilot: Any, app: Any, timeout: float = 60.0) -> None:
    """Wait until no worker runs and the app is neither probing nor applying."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    last_layout: object = None
    while True:
        await pilot.pause(0.05)
        await app.workers.wait_for_complete()
        await pilot.pause(0.05)
        busy = (
            app.state.running
            or app.state.fix_busy
            or app.state.preparing
            or app.state.testsend_busy
        )
        # A dialog pushed by the last result must be on screen and drawn (its keys count
        # only from then on), not merely pushed.
        # The same screen on two polls in a row: a screen pushed by the last result has
        # been composed and drawn (on a loaded machine that takes more than one pause).
        # Its layout done too: the page's content is mounted after the result arrives,
        # and a focus scroll taken before it is clamped to the shorter page.
        screen = app.screen
        drawn = screen.is_mounted and getattr(screen, "ready_at", 0.0) is not None
        layout = (screen, tuple(w.virtual_size for w in screen.query("*") if w.is_scrollable))
        steady = layout == last_layout
        last_layout = layout
        if not busy and drawn and steady and not any(w.is_running for w in app.workers):
            return
        if loop.time() > deadline:
            raise AssertionError("the wizard did not settle")


def incident_app(acct: Any, lang: str = "en") -> Any:
    """The wizard on a scenario's app and operator, with run-to-run noise hidden."""
    from sesfix.tui.app import make_app

    app = make_app(settings=acct.app_settings(), operator=acct.operator, lang=lang)
    app.stable_output = True
    return app


def record_notes(app: Any, monkeypatch: Any) -> list[str]:
    """Every notification the app shows from now on, in order (still shown as usual)."""
    said: list[str] = []
    original = app.notify

    def notify(message: str, **kw: Any) -> None:
        said.append(message)
        original(message, **kw)

    monkeypatch.setattr(app, "notify", notify)
    return said


async def open_plan(pilot: Any, app: Any, fix_id: str, step: int | None = None) -> Any:
    """Keyboard only: the step's key (when given), Tab to the fix's button, Enter; returns
    the screen once the wizard has settled (the plan dialog, when the plan could be made)."""
    if step is not None:
        await pilot.press(str(step))
        await pilot.pause(0.1)
    await focus_fix_button(pilot, app, fix_id)
    await pilot.press("enter")
    await settle(pilot, app)
    return app.screen


async def apply_fix(pilot: Any, app: Any, fix_id: str, step: int | None = None) -> None:
    """:func:`open_plan`, then ``a`` (apply), and wait until the wizard has settled."""
    await open_plan(pilot, app, fix_id, step)
    await pilot.press("a")
    await settle(pilot, app)


async def focus_fix_button(pilot: Any, app: Any, fix_id: str, limit: int = 40) -> None:
    """Tab (keyboard only) until the fix button for ``fix_id`` has focus."""
    from sesfix.tui.widgets.findings import FixButton

    for _ in range(limit):
        focused = app.focused
        if isinstance(focused, FixButton) and focused.fix_id == fix_id:
            await scrolled_still(pilot, app)
            return
        await pilot.press("tab")
    raise AssertionError(f"no button for {fix_id} reachable with Tab")


async def scrolled_still(pilot: Any, app: Any, timeout: float = 10.0) -> None:
    """Wait until the page has scrolled the focused widget into view and stays there.

    Focus scrolls after the next refresh; a key pressed before that (Enter opening a
    dialog) leaves the page behind it wherever the machine's load had got it to.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    seen: list[tuple[object, ...]] = []
    while True:
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()
        screen = app.screen
        focused = app.focused
        offsets = tuple(w.scroll_offset for w in screen.query("*") if w.is_scrollable)
        visible = focused is None or screen.find_widget(focused).region.height > 0
        seen.append(offsets)
        if visible and len(seen) >= 3 and seen[-1] == seen[-2] == seen[-3]:
            return
        if loop.time() > deadline:
            raise AssertionError("the page kept scrolling")


async def wait_for_dialog(pilot: Any, app: Any, kind: type, timeout: float = 60.0) -> Any:
    """Wait until a ``kind`` dialog is on screen and drawn (keys before that are dropped).

    A button pressed in code posts a message; the plan is asked for only when it is
    handled, so ``settle`` alone could return before the dialog even exists.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        screen = app.screen
        if isinstance(screen, kind) and getattr(screen, "ready_at", 0.0) is not None:
            return screen
        if loop.time() > deadline:
            raise AssertionError(f"no {kind.__name__} appeared")
        await pilot.pause(0.05)
