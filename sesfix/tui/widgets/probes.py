"""The probes of a step, live: call, identity, region, outcome, time, and the AWS CLI line."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import events
from textual.widgets import Static

from sesfix.locale import t
from sesfix.text import visible
from sesfix.tui.render import tone, wrap_cli
from sesfix.tui.state import ProbeLine


def outcome_style(outcome: str | None) -> tuple[str, str]:
    if outcome is None:
        return "◌", tone("italic cyan")
    if outcome == "ok":
        return "✓", tone("bold green")
    return "✗", tone("bold red")


class ProbeList(Static):
    """Renders probe lines; the CLI equivalent is shown when ``show_cli`` is on.

    CLI lines are wrapped here, to the widget's width, between options (see
    :func:`~sesfix.tui.render.wrap_cli`), and again when the terminal is resized.
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown: tuple[Sequence[ProbeLine], bool, bool] = ((), True, False)

    def on_resize(self, event: events.Resize) -> None:
        self.show(self._shown[0], show_cli=self._shown[1], stable=self._shown[2])

    def show(self, probes: Sequence[ProbeLine], *, show_cli: bool, stable: bool) -> None:
        self._shown = (list(probes), show_cli, stable)
        if not probes:
            self.update(Text(t("probes.none"), style="italic"))
            return
        width = self.content_size.width or 60
        text = Text()
        for i, p in enumerate(probes):
            if i:
                text.append("\n")
            icon, style = outcome_style(p.outcome)
            text.append(f"{icon} ", style=style)
            text.append(visible(p.call, limit=200), style="bold")
            text.append(f"  {t('probes.as')} {visible(p.identity, limit=200)}")
            text.append(f"  {visible(p.region, limit=60)}  ")
            if p.outcome is None:
                text.append(t("probes.running"), style=tone("italic cyan"))
            else:
                text.append(visible(p.outcome, limit=200), style=style)
                ms = "— ms" if stable else f"{p.ms} ms"
                text.append(f"  {ms}")
            if show_cli:
                text.append("\n")
                text.append(wrap_cli(p.cli, width, indent="  "))
        self.update(text)


class CliBlock(Static):
    """AWS CLI lines (a fix plan, an undo), wrapped between options to the widget's width."""

    def __init__(self, commands: Sequence[str], *, classes: str | None = None) -> None:
        super().__init__(classes=classes)
        self.commands = list(commands)

    def on_mount(self) -> None:
        self._render_lines()

    def on_resize(self, event: events.Resize) -> None:
        self._render_lines()

    def _render_lines(self) -> None:
        width = self.content_size.width or 60
        text = Text()
        for i, cli in enumerate(self.commands):
            if i:
                text.append("\n")
            text.append(wrap_cli(cli, width))
        self.update(text)
