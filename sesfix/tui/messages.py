"""Messages the app's thread workers post back to the UI (dataclasses, thread-safe posting)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message

from sesfix.aws.gateway import CallFinished, CallStarted
from sesfix.diagnosis.report import Report


@dataclass
class ProbeEvent(Message):
    """A probe started or finished (forwarded from the gateway's listener)."""

    event: CallStarted | CallFinished
    generation: int


@dataclass
class DiagnosisDone(Message):
    report: Report
    generation: int
    cancelled: bool


@dataclass
class Prepared(Message):
    """The practice account (or the sources) are ready: settings and operator."""

    settings: Any
    operator: Any


@dataclass
class FixProgress(Message):
    text: str


@dataclass
class StateChanged(Message):
    """Something the screens show changed (report, probes, running state, language)."""
