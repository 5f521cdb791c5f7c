"""Messages the app's thread workers post back to the UI (dataclasses, thread-safe posting)."""

from __future__ import annotations

from dataclasses import dataclass

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
class FixProgress(Message):
    text: str
