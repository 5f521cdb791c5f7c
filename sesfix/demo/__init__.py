"""The embedded practice account (moto behind :mod:`sesfix.demo.front`) and practice mode.

:func:`sample_log` gives what a scenario's app would log (``sesfix logs --demo NAME``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sesfix.demo.account import Scenario


def sample_log(scenario: Scenario | str) -> str:
    """What the scenario's app logs around one send (see :mod:`sesfix.demo.samples`)."""
    from sesfix.demo.samples import sample_log as build

    return build(scenario)


__all__ = ["sample_log"]
