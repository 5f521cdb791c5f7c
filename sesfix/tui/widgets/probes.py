"""The probes of a step, live: call, identity, region, outcome, time, and the AWS CLI line."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual.widgets import Static

from sesfix.locale import t


def outcome_style(outcome: str | None) -> tuple[str, str]:
    if outcome is None:
        return "◌", "cyan"
    if outcome == "ok":
        return "✓", "green"
    return "✗", "red"


class ProbeList(Static):
    """Renders probe lines; the CLI equivalent is shown when ``show_cli`` is on."""

    def show(self, probes: Sequence[Any], *, show_cli: bool, stable: bool) -> None:
        if not probes:
            self.update(Text(t("probes.none"), style="dim"))
            return
        text = Text()
        for i, p in enumerate(probes):
            if i:
                text.append("\n")
            icon, style = outcome_style(p.outcome)
            text.append(f"{icon} ", style=style)
            text.append(p.call, style="bold")
            text.append(f"  {t('probes.as')} {p.identity}  {p.region}  ")
            if p.outcome is None:
                text.append(t("probes.running"), style="cyan")
            else:
                text.append(p.outcome, style=style)
                ms = "— ms" if stable else f"{p.ms} ms"
                text.append(f"  {ms}", style="dim")
            if show_cli:
                text.append("\n  $ ", style="dim")
                text.append(p.cli, style="dim italic")
        self.update(text)
