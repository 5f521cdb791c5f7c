"""Untrusted text stays text in the wizard (issue 11).

Hostile values go where the outside world reaches the wizard — the app's variables (echoed
in evidence, the Sources page, Test send), exception text (the error panel), log lines (the
step-5 panel) — and every page is walked. Nothing crashes, no markup is parsed (the literal
``[@click=app.quit]`` is on screen, and no rendered segment carries an action), and no
control character or escape sequence reaches the terminal: they show as visible escapes.
"""

from __future__ import annotations

from typing import Any

import pytest

from sesfix.settings import AppSettings
from sesfix.tui.app import SesfixApp, make_app
from sesfix.tui.screens.error import ErrorScreen
from sesfix.tui.widgets.log_panel import LogPanel
from tests.support.hostile import VALUES as SHARED_VALUES
from tests.support.screen import screen_text
from tests.support.wizard import settle

HOSTILE = [
    "\x1b]8;;https://evil.example/\x1b\\click me\x1b]8;;\x1b\\",  # OSC 8 hyperlink
    "reset\x1bc",  # ESC c: full terminal reset
    "\x9b31mred",  # C1 CSI
    "gnp.\u202eexe",  # bidi override
    "[/]x",  # closes a tag that was never opened: a markup parser raises
    "[@click=app.quit]x[/]",  # a live action if parsed as markup
    "ses" + "A" * 10_000,  # 10 kB
]
#: The suite's shared hostile values (tests/support/hostile.py) that this list lacks.
HOSTILE += [v for v in SHARED_VALUES if v not in HOSTILE]

#: Characters that must never reach the terminal as themselves.
RAW = ("\x1b", "\x9b", "\u202e", "\x07")


def _segments(app: SesfixApp) -> list[Any]:
    strips = app.screen._compositor.render_strips()
    return [seg for strip in strips for seg in strip]


def assert_inert(app: SesfixApp, seen: list[str]) -> None:
    text = screen_text(app)
    seen.append(text)
    for raw in RAW:
        assert raw not in text, f"{raw!r} reached the screen"
    for seg in _segments(app):
        meta = seg.style.meta if seg.style is not None else {}
        assert "@click" not in (meta or {}) or "app.quit" not in str(meta.get("@click")), (
            "outside text became a live action"
        )


def hostile_app(acct: Any, value: str) -> SesfixApp:
    env = {
        **acct.app_env,
        "EMAIL_PROVIDER": value,
        "EMAIL_FROM": f"{value[:60]} <no-reply@example.com>",
    }
    app = make_app(settings=AppSettings.from_mapping(env, value[:200]), operator=acct.operator)
    app.stable_output = True
    return app


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
async def test_hostile_variables_through_every_page(account: Any, value: str) -> None:
    acct = account("seed")
    app = hostile_app(acct, value)
    seen: list[str] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        for key in ("1", "2", "3", "4", "5", "c", "t", "question_mark", "escape"):
            await pilot.press(key)
            await pilot.pause(0.1)
            assert app.return_code is None, f"{key}: the wizard quit"
            assert_inert(app, seen)
            if app.screen.query("#main"):
                app.screen.query_one("#main").scroll_end(animate=False)
                await pilot.pause(0.05)
                assert_inert(app, seen)
        # Test send quotes the sender: press it and look again.
        await pilot.press("t")
        await pilot.pause(0.1)
        app.screen.query_one("#testsend-send").focus()
        await pilot.press("enter")
        await settle(pilot, app)
        assert_inert(app, seen)
    everything = "\n".join(seen)
    if value.startswith("[@click"):
        assert "[@click=app.quit]" in everything, "the markup was parsed, not shown"
    if value == "[/]x":
        assert "[/]x" in everything
    if "\x1b]8" in value:
        assert "\\e]8;;" in everything, "the escape is not shown as a visible escape"
    if "\u202e" in value:
        assert "\\u202e" in everything
    if len(value) > 5_000:
        assert value not in everything, "a 10 kB value was shown whole"


async def test_hostile_variables_on_the_sources_page(account: Any) -> None:
    acct = account("seed")
    app = hostile_app(acct, HOSTILE[0])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("s")
        await pilot.pause(0.1)
        assert_inert(app, [])


@pytest.mark.parametrize("value", HOSTILE[:6], ids=range(6))
async def test_hostile_exception_text_in_the_error_panel(value: str) -> None:
    app = make_app(settings=None, operator=None, lang="en")
    seen: list[str] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        app.show_error("diagnose", RuntimeError(value))
        await pilot.pause(0.2)
        assert isinstance(app.screen, ErrorScreen)
        assert_inert(app, seen)
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert app.return_code is None


async def test_hostile_log_lines_in_the_log_panel(account: Any) -> None:
    acct = account("seed")
    app = make_app(settings=acct.app_settings(), operator=acct.operator, lang="en")
    seen: list[str] = []
    log = "\n".join(
        f"2026-11-29T10:42:0{i}Z ❌ [Email Service - SES] Error: {v[:300]}"
        for i, v in enumerate(HOSTILE[:6])
    )
    async with app.run_test(size=(120, 60)) as pilot:
        await settle(pilot, app)
        await pilot.press("5")
        await pilot.pause(0.1)
        panel = app.screen.query_one(LogPanel)
        panel.query_one("#log-paste").text = log  # type: ignore[attr-defined]
        panel.read_text(log)
        deadline = 200
        while panel.analysis is None and deadline:
            await pilot.pause(0.05)
            deadline -= 1
        assert panel.analysis is not None
        app.screen.query_one("#main").scroll_end(animate=False)
        await pilot.pause(0.1)
        assert_inert(app, seen)
