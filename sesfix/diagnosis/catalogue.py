"""Every registered check of the diagnosis, in one list (see the engine's docstring).

A family adds its checks here with one line (``*smtp.CHECKS,``); the engine runs them at
their stage. AWS's own probes are the engine's rounds, not entries here: they depend on one
another's answers across steps.
"""

from __future__ import annotations

from sesfix.diagnosis import delivery, lint, smtp
from sesfix.diagnosis.run import Check

CHECKS: tuple[Check, ...] = (
    Check("credentials.lint", step=2, stage="lint", fn=lint.lint_check),
    *delivery.CHECKS,
    *smtp.CHECKS,
)

__all__ = ["CHECKS"]
