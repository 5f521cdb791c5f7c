"""What the wizard shows, as data: probe lines, applied changes, and readings of a report."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sesfix.aws.gateway import CallRecord
from sesfix.diagnosis.report import Report

if TYPE_CHECKING:
    from sesfix.diagnosis.testsend import TestSendResult
    from sesfix.fixes import NewKey
    from sesfix.settings import AppSettings


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


@dataclass
class WizardState:
    """Everything the pages show, in one typed place: the app writes it, pages read it."""

    #: Practice mode: the simulated account is still being built.
    preparing: bool = False
    report: Report | None = None
    running: bool = False
    cancelled: bool = False
    #: Bumped by each diagnosis; answers of an older run are ignored.
    generation: int = 0
    probes: dict[int, ProbeLine] = field(default_factory=dict)
    #: Steps already settled in the running diagnosis (their own probes and checks done),
    #: by number; the report replaces them when the whole run ends.
    step_verdicts: dict[int, str] = field(default_factory=dict)
    show_cli: bool = True
    current_page: str = ""
    #: Until the first verdict the wizard moves to the first failing step on its own;
    #: once the person navigates, it never moves them again.
    follow_verdict: bool = True
    fix_status: str = ""
    fix_busy: bool = False
    applied: list[AppliedFix] = field(default_factory=list)
    last_new_key: NewKey | None = None
    #: The key a rotation replaced (retire-old-key is offered for it).
    old_key_id: str | None = None
    #: Follow-up lines of the last applied fix (DNS records, variables to set): copyable.
    last_guidance: list[str] = field(default_factory=list)
    testsend_result: TestSendResult | None = None
    testsend_busy: bool = False
    railway_busy: bool = False


def known_key_ids(settings: AppSettings, state: WizardState) -> list[str]:
    """The full access key IDs the wizard knows (the app's, the key a rotation replaced,
    the new one), for commands copied to the clipboard; a screen shows them masked."""
    from sesfix.settings import clean, key_id_shaped

    raw = settings.for_probes().access_key_id
    found = [clean(raw) if raw else "", state.old_key_id or ""]
    if state.last_new_key is not None:
        found.append(state.last_new_key.access_key_id)
    return [k for k in dict.fromkeys(found) if k and key_id_shaped(k)]


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
