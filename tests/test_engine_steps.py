"""Each step's verdict is announced as soon as its own probes and checks have finished.

Against the simulated account (moto's server, IAM authentication enforced): the announced
statuses are the report's, each step is announced once, and a slow check of one step does
not hold back the verdict of another.
"""

from __future__ import annotations

import threading

import pytest

from sesfix.diagnosis.catalogue import CHECKS
from sesfix.diagnosis.engine import DiagnosisOptions, diagnose
from sesfix.diagnosis.run import Check, Judge, Run
from sesfix.diagnosis.steps import StepSettled
from tests.support.engine import settings_of


def _run(acct, checks=None):
    events: list[StepSettled] = []
    report = diagnose(
        settings_of(acct),
        DiagnosisOptions(operator=acct.operator),
        checks=checks,
        on_step=events.append,
    )
    return report, events


@pytest.mark.parametrize(
    "name",
    ["seed", "healthy", "wrong-region", "bad-secret", "inactive-key", "smtp-blocked-port"],
)
def test_each_step_is_announced_once_with_the_reports_status(account, name):
    report, events = _run(account(name))
    announced = [e.step for e in events]
    assert sorted(announced) == [1, 2, 3, 4, 5], events
    for e in events:
        assert report.step(e.step).status == e.status, (name, e, report.steps)


def test_a_slow_check_does_not_hold_back_the_other_steps(account):
    """A step-4 check that waits on a condition: steps 2 and 3 are announced while it waits,
    step 4 only after it has finished."""
    acct = account("healthy")
    seen: dict[int, str] = {}
    early_steps = threading.Event()
    released = threading.Event()

    def on_step(event: StepSettled) -> None:
        seen[event.step] = event.status
        if {2, 3} <= seen.keys():
            early_steps.set()

    def slow(run: Run) -> Judge | None:
        # Waits (bounded) until steps 2 and 3 have their verdicts: it cannot finish first.
        assert early_steps.wait(30), f"steps 2 and 3 were not announced first: {seen}"
        assert 4 not in seen
        released.set()
        return None

    checks = (*CHECKS, Check("test.slow", step=4, stage="late", fn=slow))
    report = diagnose(
        settings_of(acct), DiagnosisOptions(operator=acct.operator), checks=checks, on_step=on_step
    )
    assert released.is_set()
    assert seen == {s.number: s.status for s in report.steps}
    assert seen[2] == "pass" and seen[4] == "pass"


def test_a_cancelled_diagnosis_announces_nothing(account):
    acct = account("seed")
    cancel = threading.Event()
    cancel.set()
    events: list[StepSettled] = []
    diagnose(
        settings_of(acct),
        DiagnosisOptions(operator=acct.operator),
        cancel=cancel,
        on_step=events.append,
    )
    assert events == []


def test_a_failing_step_listener_changes_nothing(account):
    acct = account("seed")

    def broken(event: StepSettled) -> None:
        raise RuntimeError("sidebar crashed")

    report = diagnose(settings_of(acct), DiagnosisOptions(operator=acct.operator), on_step=broken)
    assert report.step(1).status == "fail"
    assert sorted({f.id for f in report.errors}) == ["iam.ses_permission_missing"]
