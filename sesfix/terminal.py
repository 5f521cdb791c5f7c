"""Is there a person at a terminal? The wizard needs one; the headless commands do not."""

from __future__ import annotations

import sys

from sesfix.errors import UsageError


def interactive() -> bool:
    """stdin and stdout are both a terminal (``sesfix demo | cat`` is not)."""
    try:
        return sys.stdin.isatty() and sys.stdout.isatty()
    except (AttributeError, ValueError):  # closed or replaced streams
        return False


def require_terminal() -> None:
    """Exit 2 with one line pointing to ``sesfix check --demo`` when there is no terminal.

    Without it the wizard would write screen codes into a pipe and wait for keys that never
    come.
    """
    if not interactive():
        from sesfix.locale import t

        raise UsageError(t("headless.no_terminal"))
