"""The wizard's pages (one per step, the checklist, the test send, the sources) and modals."""

from __future__ import annotations

from textual.screen import Screen


def build_pages() -> dict[str, Screen[None]]:
    from sesfix.tui.screens.checklist import ChecklistScreen
    from sesfix.tui.screens.sources import SourcesScreen
    from sesfix.tui.screens.step import StepScreen
    from sesfix.tui.screens.testsend import TestSendScreen

    pages: dict[str, Screen[None]] = {f"step{n}": StepScreen(n) for n in range(1, 6)}
    pages["checklist"] = ChecklistScreen()
    pages["testsend"] = TestSendScreen()
    pages["sources"] = SourcesScreen()
    return pages
