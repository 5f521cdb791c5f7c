"""What the wizard shows, as data: probe lines, applied changes, and readings of a report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sesfix.aws.gateway import CallRecord
from sesfix.diagnosis.report import Report


@dataclass
class ProbeLine:
    """One probe as the UI shows it, live: started, then finished."""

    seq: int
    call: str
    identity: str
    region: str
    cli: str
    step: int | None
    outcome: str | None = None
    ms: int | None = None

    @classmethod
    def of(cls, r: CallRecord) -> ProbeLine:
        return cls(r.seq, r.call, r.identity, r.region, r.cli, r.step, r.outcome, r.ms)


@dataclass
class AppliedFix:
    fix_id: str
    at: datetime
    entry_id: str
    status: str


def all_probes(report: Report) -> list[CallRecord]:
    return [r for s in report.steps for r in s.probes]


def aws_unreachable(report: Report) -> list[CallRecord]:
    """The probes, when not one of them got an answer from AWS (else an empty list).

    A probe got no answer when its outcome says so or the engine reported it as
    ``probe.unreachable`` (naming its call and region).
    """
    probes = all_probes(report)
    silent = {
        (f.data.get("call"), f.data.get("region"))
        for f in report.findings
        if f.id == "probe.unreachable"
    }
    if probes and all(r.outcome == "unreachable" or (r.call, r.region) in silent for r in probes):
        return probes
    return []


def first_failing_step(report: Report) -> int | None:
    """The first step that fails (then the first with a warning), None when all pass."""
    for wanted in ("fail", "warning"):
        for step in sorted(report.steps, key=lambda s: s.number):
            if step.status == wanted:
                return step.number
    return None


def steps_answered(probes: list[ProbeLine], step: int) -> tuple[int, int]:
    """Of the probes started so far for ``step``: how many have an answer, and how many."""
    mine = [p for p in probes if p.step == step]
    return sum(1 for p in mine if p.outcome is not None), len(mine)
