"""The command palette's entries: every page, re-probe, CLI, undo, help, and each fix."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from textual.app import SystemCommand

from sesfix.locale import t
from sesfix.tui.bindings import STEPS

if TYPE_CHECKING:
    from sesfix.tui.app import SesfixApp


def system_commands(app: SesfixApp) -> Iterator[SystemCommand]:
    for n in STEPS:
        yield SystemCommand(
            t("palette.step", n=n, name=t(f"step.{n}.name")),
            t(f"step.{n}.intro"),
            lambda name=f"step{n}": app.goto(name),
        )
    yield SystemCommand(t("page.checklist"), t("palette.checklist"), lambda: app.goto("checklist"))
    yield SystemCommand(t("page.testsend"), t("palette.testsend"), lambda: app.goto("testsend"))
    yield SystemCommand(t("page.sources"), t("palette.sources"), lambda: app.goto("sources"))
    yield SystemCommand(t("binding.rerun"), t("palette.rerun"), app.action_rerun)
    yield SystemCommand(t("binding.toggle-cli"), t("palette.cli"), app.action_toggle_cli)
    yield SystemCommand(t("binding.undo"), t("palette.undo"), app.action_undo)
    yield SystemCommand(t("binding.help"), t("palette.help"), app.action_help)
    if app.state.report is not None:
        for fix_id in app.state.report.fix_ids():
            yield SystemCommand(
                t("palette.fix", fix=t(f"fix.{fix_id}.title")),
                t("palette.fix_help"),
                lambda f=fix_id: app.request_fix(f),
            )
    if app.practice is not None:
        yield SystemCommand(t("palette.summary"), t("practice.title"), app.show_summary)
