"""Messages the app's thread workers post back to the UI (dataclasses, thread-safe posting)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from sesfix.aws.gateway import CallFinished, CallStarted
from sesfix.diagnosis.report import Report, StepStatus


@dataclass
class ProbeEvent(Message):
    """A probe started or finished (forwarded from the gateway's listener)."""

    event: CallStarted | CallFinished
    generation: int


@dataclass
class StepVerdict(Message):
    """A step's own probes and checks have finished: its status, before the whole run ends."""

    step: int
    status: StepStatus
    generation: int


@dataclass
class DiagnosisDone(Message):
    report: Report
    generation: int
    cancelled: bool


@dataclass
class FixProgress(Message):
    text: str


# ---- requests from the pages, up to the app (messages up, calls down) ------------------


@dataclass
class FixRequested(Message):
    """The person asked for a fix's plan (a fix button, the retire-old-key offer)."""

    fix_id: str


@dataclass
class UndoRequested(Message):
    """The person asked to undo the last recorded change."""


@dataclass
class TestSendRequested(Message):
    """The person asked for one test message to ``to``."""

    __test__ = False  # not a pytest test class, whatever its name says
    to: str


@dataclass
class RailwayPushRequested(Message):
    """The person asked to write the rotated key into the Railway service."""


@dataclass
class CopyRequested(Message):
    """Copy ``text`` to the clipboard and say what was copied (``what``, for people)."""

    text: str
    what: str
