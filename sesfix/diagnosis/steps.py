"""Each step's status, and the moment a step is settled while the rest still runs.

:func:`step_status` is the one rule for a step's status (the report uses it at the end).
:class:`Settler` tells an observer (the wizard's sidebar) a step's verdict as soon as all
the work that belongs to that step has finished: its part of AWS's verdicts (the engine
says when, :meth:`Settler.aws_done`) and every registered check of that step
(:meth:`Settler.checks_done`, after that check's judge ran). Steps 2 and 3 settle before
the late stage; the late stage's checks are judged together, so steps 1, 4 and 5 settle
when the slowest of them (a DNS server that takes its time) has answered.

The observer gets :class:`StepSettled` events; the report at the end is the authority. If
something still changes a step's status after it was announced (a check that adds a
finding to a step other than its own), the new status is announced again, so an observer
never keeps a stale mark.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from sesfix.diagnosis.report import StepStatus
from sesfix.diagnosis.run import Check, Run
from sesfix.findings import Finding, Severity

STEPS = range(1, 6)


@dataclass(frozen=True)
class StepSettled:
    """Step ``step`` has its verdict: every probe and check belonging to it has finished."""

    step: int
    status: StepStatus


StepListener = Callable[[StepSettled], None]


def step_status(
    n: int, findings: Sequence[Finding], unknown: set[int], failed: set[int]
) -> StepStatus:
    """Step ``n``'s status from the (deduplicated) findings of the whole run.

    ``fail``: an error here, or this step's probes failed because of an error named in
    another step (``failed``); ``unknown``: no answer (``unknown``, or only unanswered
    probes); ``warning``; ``pass``. Informational findings never change a status.
    """
    causes_elsewhere = any(
        f.severity == Severity.ERROR and f.id != "probe.unreachable" for f in findings
    )
    fs = [f for f in findings if f.step == n and f.severity != Severity.INFO]
    errors = [f for f in fs if f.severity == Severity.ERROR]
    if any(f.id != "probe.unreachable" for f in errors) or (n in failed and causes_elsewhere):
        return "fail"
    if n in unknown or errors:
        # Only unanswered probes: the step has no verdict, which is not a failure.
        return "unknown"
    if fs:
        return "warning"
    return "pass"


class Settler:
    """Announces each step's status once the work belonging to it is done."""

    def __init__(
        self,
        run: Run,
        checks: Iterable[Check],
        listener: StepListener | None,
        dedupe: Callable[[Iterable[Finding]], list[Finding]],
    ) -> None:
        self.run = run
        self.listener = listener
        self.dedupe = dedupe
        #: Registered checks (probe-pool stages) each step still waits for, by name.
        self.pending: dict[int, set[str]] = {n: set() for n in STEPS}
        for check in checks:
            if check.stage != "lint":
                self.pending[check.step].add(check.name)
        self.aws_pending: set[int] = set(STEPS)
        self.announced: dict[int, StepStatus] = {}

    def aws_done(self, *steps: int) -> None:
        """AWS's verdicts for these steps are in (no later AWS judge touches them)."""
        self.aws_pending.difference_update(steps)
        self._announce()

    def checks_done(self, checks: Iterable[Check]) -> None:
        """These checks have finished, their judges included."""
        for check in checks:
            self.pending[check.step].discard(check.name)
        self._announce()

    def _announce(self) -> None:
        if self.listener is None or self.run.cancel.is_set():
            return
        ready = [n for n in STEPS if n not in self.aws_pending and not self.pending[n]]
        if not ready:
            return
        with self.run.lock:
            findings = self.dedupe(list(self.run.findings))
            unknown, failed = set(self.run.unknown_steps), set(self.run.failed_steps)
        for n in ready:
            status = step_status(n, findings, unknown, failed)
            if self.announced.get(n) == status:
                continue
            self.announced[n] = status
            try:
                self.listener(StepSettled(n, status))
            except Exception:  # an observer's failure never becomes a verdict
                logging.getLogger("sesfix.diagnosis").warning(
                    "step listener failed on step %d", n, exc_info=True
                )


__all__ = ["STEPS", "Settler", "StepListener", "StepSettled", "step_status"]
