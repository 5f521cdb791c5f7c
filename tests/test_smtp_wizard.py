"""The SMTP checks in the wizard, driven by Pilot on the practice scenarios (moto with IAM
auth for AWS, the practice SMTP server on loopback with STARTTLS from trustme): step 3 lists
the SMTP conversation in the order it ran; step 2 shows the derivation beside the SMTP
password findings, as AWS's guide prints it."""

from __future__ import annotations

from typing import Any

import pytest

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


async def _snippet_on_screen(pilot: Any, app: SesfixApp) -> tuple[list[str], int]:
    """The derivation's lines as the screen shows them (cut from the terminal's picture
    at the widget's place), and the widget's width."""
    from sesfix.tui.widgets.snippet import SnippetBlock

    await pilot.press("2")
    await pilot.pause(0.1)
    assert app.state.current_page == "step2"
    [block] = list(app.screen.query(SnippetBlock))
    block.scroll_visible(animate=False)
    await pilot.pause(0.2)
    region = block.content_region
    strips = app.screen._compositor.render_strips()
    lines = [
        strips[y].text[region.x : region.right].rstrip() for y in range(region.y, region.bottom)
    ]
    return lines, region.width


@pytest.mark.parametrize(("lang", "label"), [("en", "How the SMTP password is derived"),
                                             ("vi", "Cách mật khẩu SMTP được suy ra")])  # fmt: skip
async def test_step2_shows_the_derivation_beside_the_smtp_password_finding(
    lang: str, label: str
) -> None:
    """At 80x24 the guide's Python sits under the SMTP password finding, whole: every line
    within the card, broken only where Python allows, so what the screen shows still runs
    and derives AWS's published vector; ``[0x04]`` shows, so no markup was parsed."""
    from sesfix.locale import set_language
    from sesfix.smtp.derive import GUIDE_SNIPPET
    from sesfix.tui.widgets.findings import FindingCard
    from sesfix.tui.widgets.snippet import wrap_python

    app, _practice = make_demo_app("smtp-raw-secret", lang=lang)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await diagnosed(pilot, app)
            lines, width = await _snippet_on_screen(pilot, app)
            cards = [c for c in app.screen.query(FindingCard)]
            owner = [c.finding.id for c in cards if c.query("SnippetBlock")]
            assert owner == ["smtp.password_is_secret_key"]
            text = "\n".join(str(w.render()) for w in cards[0].query(".finding-why"))
            assert label in text
    finally:
        set_language("en")
    assert lines == wrap_python(GUIDE_SNIPPET, width).splitlines()
    assert all(len(line) <= width for line in lines)
    shown = "\n".join(lines)
    assert "bytes([0x04])" in shown
    namespace: dict[str, Any] = {}
    exec(shown, namespace)  # the picture is the program
    assert (
        namespace["smtp_password"]("some+secret+key", "eu-central-1")
        == "BMXhUYlu5Z3gSXVQORxlVa7XPaz91aGWdfHxvkOZdWZ2"
    )


async def test_no_derivation_beside_other_findings() -> None:
    """The seed scenario (AWS keys, no SMTP): no SMTP password finding, no snippet."""
    from sesfix.tui.widgets.snippet import SnippetBlock

    app, _practice = make_demo_app("smtp-blocked-port", lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await diagnosed(pilot, app)
        await pilot.press("2")
        await pilot.pause(0.1)
        assert list(app.screen.query(SnippetBlock)) == []
        await pilot.press("3")
        await pilot.pause(0.1)
        assert list(app.screen.query(SnippetBlock)) == []


@pytest.mark.parametrize(
    ("lang", "title", "why"),
    [
        ("en", "The SMTP server refused the login", "SMTP login at that provider"),
        ("vi", "Máy chủ SMTP từ chối đăng nhập", "credentials SMTP của tài khoản"),
    ],
)
async def test_a_login_refused_by_another_provider_reads_as_such_in_the_wizard(
    lang: str, title: str, why: str
) -> None:
    """The card of smtp.auth_failed from a server that is not SES: the variant's title and
    explanation in the reader's language, nothing about SES's derivation."""
    from textual.app import App, ComposeResult

    from sesfix import findings as F
    from sesfix.locale import set_language
    from sesfix.smtp.verdict import other_host
    from sesfix.tui.widgets.findings import FindingCard

    finding = other_host(F.make("smtp.auth_failed", "smtp.example.net:587: 535 no", code="535"))

    class One(App[None]):
        def compose(self) -> ComposeResult:
            yield FindingCard(finding, 0)

    set_language(lang)
    try:
        app = One()
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause(0.1)
            text = " ".join(screen_text(app).split())
    finally:
        set_language("en")
    assert title in text and why in text, text
    assert "SES" not in text and "suy ra" not in text and "derived" not in text
