"""Whole screens and the keys people expect (issue 12), driven with Pilot against moto.

Labels whole and inside their card at 80x24 and 120x40 in en and vi; ``?`` lists every key;
the wizard opens on the first failing step, or on one plain "AWS could not be reached";
focus, copy feedback, buttons only where they apply, plan values never dropped, labels in
the plan's target, CLI lines that wrap between options and copy as runnable commands, no
stale text after undo, NO_COLOR readable, the sidebar's progress per step, and
retire-old-key offered after a rotation.
"""

from __future__ import annotations

import re
import socket
import time
from typing import Any

import pytest
from textual.widget import Widget
from textual.widgets import Button, Input, Select

from sesfix.settings import AppSettings
from sesfix.tui.app import SesfixApp, make_app
from sesfix.tui.bindings import APP_BINDINGS
from sesfix.tui.render import cli_units, runnable, wrap_cli
from sesfix.tui.screens.confirm import ConfirmFixScreen
from sesfix.tui.screens.error import ErrorScreen
from sesfix.tui.screens.help import HelpScreen
from sesfix.tui.state import ProbeLine, steps_answered
from sesfix.tui.widgets.findings import FindingCard, FixButton
from tests.support.screen import screen_text
from tests.support.wizard import (
    apply_fix,
    incident_app,
    open_plan,
    record_notes,
    settle,
)

SIZES = [(80, 24), (120, 40)]


def region_text(app: SesfixApp, widget: Widget) -> str:
    """The characters on screen inside ``widget``'s region, whitespace folded."""
    lines = screen_text(app).split("\n")
    r = widget.region
    rows = [line.ljust(r.right)[r.x : r.right] for line in lines[r.y : r.bottom]]
    return " ".join(" ".join(rows).split())


async def assert_whole(pilot: Any, app: SesfixApp, button: Button, box: Widget) -> None:
    button.scroll_visible(animate=False, immediate=True)
    await pilot.pause(0.05)
    label = " ".join(str(button.label).split())
    shown = region_text(app, button)
    assert label in shown, f"button label cut: {label!r} shows as {shown!r}"
    assert box.region.x <= button.region.x and button.region.right <= box.region.right, (
        f"{label!r} sticks out of its card"
    )


@pytest.mark.parametrize("lang", ["en", "vi"])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("scenario", ["seed", "wrong-region"])
async def test_every_button_whole_and_inside_its_card(
    account: Any, scenario: str, size: tuple[int, int], lang: str
) -> None:
    acct = account(scenario)
    app = incident_app(acct, lang)
    async with app.run_test(size=size) as pilot:
        await settle(pilot, app)
        checked = 0
        for n in range(1, 6):
            await pilot.press(str(n))
            await pilot.pause(0.1)
            for card in app.screen.query(FindingCard):
                for button in card.query(FixButton):
                    await assert_whole(pilot, app, button, card)
                    checked += 1
        assert checked >= 2
        # The plan dialog's buttons too (the confirm dialog's Copy read "Co").
        assert app.state.report is not None
        finding = next(f for f in app.state.report.errors if f.fixes)
        await open_plan(pilot, app, finding.fixes[0], step=finding.step)
        assert isinstance(app.screen, ConfirmFixScreen)
        dialog = app.screen.query_one("#dialog")
        for button in app.screen.query("#dialog-buttons Button").results(Button):
            await assert_whole(pilot, app, button, dialog)
        await pilot.press("escape")
        await settle(pilot, app)
        # The footer keeps quit and help at every size.
        footer = screen_text(app).split("\n")[-1]
        assert ("q Quit" in footer or "q Thoát" in footer) and "? " in footer


@pytest.mark.parametrize("lang", ["en", "vi"])
async def test_question_mark_lists_every_key(account: Any, lang: str) -> None:
    from sesfix.locale import t

    acct = account("seed")
    app = incident_app(acct, lang)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("question_mark")
        await pilot.pause(0.2)
        assert isinstance(app.screen, HelpScreen)
        listed = dict(app.screen.rows)
        for binding in APP_BINDINGS:
            assert not isinstance(binding, tuple)
            described = t(f"binding.{binding.id}")
            assert described in listed.values(), f"{binding.id} missing from help"
        assert listed["?"] == t("binding.help") and listed["Esc"] == t("binding.cancel")
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert not isinstance(app.screen, HelpScreen)


@pytest.mark.parametrize(("scenario", "step"), [("wrong-region", 4), ("inactive-key", 2)])
async def test_opens_on_the_first_failing_step(account: Any, scenario: str, step: int) -> None:
    acct = account(scenario)
    app = incident_app(acct)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot, app)
        assert app.state.report is not None
        statuses = {s.number: s.status for s in app.state.report.steps}
        assert statuses[step] == "fail" and all(statuses[n] != "fail" for n in range(1, step)), (
            statuses
        )
        assert app.state.current_page == f"step{step}"
        # A re-probe never moves the person again.
        await pilot.press("1")
        await pilot.pause(0.1)
        await pilot.press("r")
        await settle(pilot, app)
        assert app.state.current_page == "step1"


async def test_aws_unreachable_is_said_first(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as s:  # a port nobody listens on: connections are refused
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("SESFIX_MAX_ATTEMPTS", "1")
    settings = AppSettings.from_mapping(
        {
            "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
            "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "AWS_SES_REGION": "ap-southeast-1",
            "EMAIL_PROVIDER": "ses",
        },
        "test",
    )
    app = make_app(settings=settings, operator=None, lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        assert isinstance(app.screen, ErrorScreen)
        text = screen_text(app)
        assert "AWS could not be reached" in text
        assert "sts:GetCallerIdentity" in text
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert app.state.current_page == "step1"


async def test_first_tab_lands_on_the_first_button(account: Any) -> None:
    acct = account("seed")
    app = incident_app(acct)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot, app)
        await pilot.press("tab")
        first = app.screen.query(FixButton).first()
        assert app.focused is first, app.focused


async def test_copy_buttons_only_where_they_apply_and_each_copy_says_so(
    account: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    acct = account("seed")
    app = incident_app(acct)
    said = record_notes(app, monkeypatch)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot, app)
        await apply_fix(pilot, app, "attach-ses-full-access")
        screen = app.screen
        assert screen.query_one("#undo-button").display
        # Not a rotation: no new key or secret to copy; no follow-up steps: no copy button.
        for absent in ("#copy-secret-button", "#copy-key-button", "#retire-old-button"):
            assert not screen.query_one(absent).display, absent
        assert not screen.query_one("#copy-guidance-button").display
        # y copies the probes' CLI lines, and says how many.
        said.clear()
        await pilot.press("y")
        assert said and "Copied" in said[-1]
        assert "AKIA…" not in app.clipboard
        if "--access-key-id" in app.clipboard:
            # The app's key in full (on screen it stays masked), not "$AWS_ACCESS_KEY_ID".
            assert f"--access-key-id {acct.app_key_id}" in app.clipboard


async def test_rotation_offers_the_secret_copy_and_retire_old_key(
    account: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    acct = account("inactive-key")
    app = incident_app(acct)
    said = record_notes(app, monkeypatch)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await apply_fix(pilot, app, "rotate-access-key", step=2)
        assert app.state.last_new_key is not None
        screen = app.screen
        for shown in ("#copy-key-button", "#copy-secret-button", "#retire-old-button"):
            assert screen.query_one(shown).display, shown
        said.clear()
        screen.query_one("#copy-secret-button", Button).press()
        await pilot.pause(0.1)
        assert said and app.state.last_new_key.masked in said[-1]
        assert app.clipboard == app.state.last_new_key.secret.reveal()
        screen.query_one("#retire-old-button", Button).press()
        await settle(pilot, app)
        assert isinstance(app.screen, ConfirmFixScreen)
        assert app.screen.plan.fix_id == "retire-old-key"


async def test_edited_plan_values_make_a_new_plan_instead_of_being_dropped(
    account: Any,
) -> None:
    acct = account("seed")
    app = incident_app(acct)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await open_plan(pilot, app, "request-production-access", step=5)
        first = app.screen
        assert isinstance(first, ConfirmFixScreen)
        names = [f.name for f in first.fields]
        box = first.query_one(f"#field-{names.index('use_case')}", Input)
        box.value = "Sign-up confirmations to customers who register"
        first.query_one("#replan", Button).press()
        await settle(pilot, app)
        second = app.screen
        assert isinstance(second, ConfirmFixScreen) and second.can_apply
        # Edit again and press Yes without "Update the plan": not applied with old values.
        names = [f.name for f in second.fields]
        language = second.query_one(f"#field-{names.index('contact_language')}", Select)
        language.value = "JA"
        second.query_one("#yes", Button).press()
        await settle(pilot, app)
        third = app.screen
        assert isinstance(third, ConfirmFixScreen) and third is not second
        assert third.inputs["contact_language"] == "JA"
        # The values typed for the first plan are still part of the new one.
        assert third.inputs["use_case"] == "Sign-up confirmations to customers who register"
        assert third.can_apply
        assert not app.state.applied
        await pilot.press("escape")
        await settle(pilot, app)


async def test_plan_target_shows_labels_and_cli_wraps_between_options(account: Any) -> None:
    acct = account("seed")
    app = incident_app(acct)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await open_plan(pilot, app, "attach-ses-full-access")
        assert isinstance(app.screen, ConfirmFixScreen)
        app.screen.query_one("#dialog-body").scroll_end(animate=False)
        await pilot.pause(0.1)
        text = "\n".join(str(w.render()) for w in app.screen.query(".plan-extra, .plan-calls"))
        assert "IAM user: rental-app" in text
        for internal in ("key_id", "operator_arn", "operator_profile", "user"):
            assert not re.search(rf"^\s*{internal}:", text, re.M), internal
        # Every CLI argument is whole on one line of the dialog.
        calls = app.screen.query_one(".plan-calls")
        lines = str(calls.render()).split("\n")
        for cli in app.screen.commands:
            for unit in cli_units(cli):
                if len(unit) < calls.content_size.width - 8:
                    assert any(unit in line for line in lines), unit


def test_wrap_cli_breaks_only_between_options() -> None:
    cli = (
        "aws iam attach-user-policy --user-name rental-app --policy-arn "
        "arn:aws:iam::aws:policy/AmazonSESFullAccess --region us-east-1"
    )
    for width in (30, 40, 60, 200):
        lines = wrap_cli(cli, width).plain.split("\n")
        assert all(len(line) <= max(width, 62) for line in lines)
        joined = " ".join(line.strip().removeprefix("$ ") for line in lines)
        assert joined == cli
        assert all(line.lstrip().startswith(("$", "--")) for line in lines), (
            lines
        )  # a break is always before an option


def test_copied_commands_run_as_copied() -> None:
    """Each key ID whose mask is on screen is copied whole (see tests/test_copied_cli.py)."""
    shown = [
        "aws iam get-access-key-last-used --access-key-id AKIA…WXYZ --region us-east-1",
        "aws iam update-access-key --access-key-id AKIA…OLD1 --status Inactive",
    ]
    assert runnable(shown, ["AKIAIOSFODNN7EXAWXYZ", "AKIAIOSFODNN7EXAOLD1"]) == (
        "aws iam get-access-key-last-used --access-key-id AKIAIOSFODNN7EXAWXYZ --region us-east-1\n"
        "aws iam update-access-key --access-key-id AKIAIOSFODNN7EXAOLD1 --status Inactive"
    )


async def test_no_stale_text_after_undo(account: Any) -> None:
    acct = account("seed")
    app = incident_app(acct)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await apply_fix(pilot, app, "attach-ses-full-access")
        await pilot.press("t")
        await pilot.pause(0.1)
        app.screen.query_one("#testsend-send", Button).press()
        await settle(pilot, app)
        assert app.state.testsend_result is not None and app.state.testsend_result.ok
        await pilot.press("u")
        await settle(pilot, app)
        await pilot.press("a")
        await settle(pilot, app)
        assert app.state.testsend_result is None, "Test send still says the app can send"
        assert "can send mail" not in screen_text(app)
        await pilot.press("1")
        await pilot.pause(0.1)
        text = screen_text(app)
        assert "Undone" in text and "Probing again" not in text
        assert app.step_state(1) == "fail"


async def test_no_color_keeps_states_readable(
    account: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    acct = account("seed")
    app = incident_app(acct)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot, app)
        assert app.no_color
        strips = app.screen._compositor.render_strips()
        marks = [
            seg
            for strip in strips
            for seg in strip
            if seg.text.strip() in ("✗", "✗ fail") and seg.style is not None
        ]
        assert marks, "no fail mark on screen"
        # The state is carried by reverse/bold, and the text is not a dark grey.
        for seg in marks:
            assert seg.style.reverse or seg.style.bold
            color = seg.style.color
            if color is not None and color.triplet is not None:
                assert sum(color.triplet) / 3 > 128, f"{seg.text!r} is drawn in dark grey"


def test_sidebar_progress_counts_each_steps_answers() -> None:
    probes = [
        ProbeLine(1, "sts:GetCallerIdentity", "app", "us-east-1", "aws sts", 2, "ok", 3),
        ProbeLine(2, "iam:ListAccessKeys", "operator", "us-east-1", "aws iam", 2, None),
        ProbeLine(3, "ses:GetSendQuota", "app", "ap-southeast-1", "aws ses", 5, "ok", 4),
    ]
    assert steps_answered(probes, 2) == (1, 2)
    assert steps_answered(probes, 5) == (1, 1)
    assert steps_answered(probes, 1) == (0, 0)


async def test_sidebar_shows_each_steps_progress_while_probing(
    account: Any, monkeypatch: Any
) -> None:
    from tests.support.proxy import DelayProxy

    acct = account("seed")
    with DelayProxy(acct.endpoint, delay=0.3) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.url)
        app = incident_app(acct)
        seen: set[str] = set()
        async with app.run_test(size=(100, 32)) as pilot:
            deadline = time.monotonic() + 60
            while app.state.running or app.state.report is None:
                seen.add(screen_text(app))
                assert time.monotonic() < deadline
                await pilot.pause(0.05)
            await settle(pilot, app)
    everything = "\n".join(seen)
    assert re.search(r"\d/\d answered", everything), "no per-step progress while probing"
