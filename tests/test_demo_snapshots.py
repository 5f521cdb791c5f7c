"""Snapshots of the practice summary at 80x24 and 120x40 (pytest-textual-snapshot).

A fixed record (times, findings, fixes) and a fixed default path keep them deterministic.
Update with ``pytest tests/test_demo_snapshots.py --snapshot-update`` after a deliberate UI
change.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.app import App

import sesfix.tui
from sesfix.demo.record import OnboardingRecord
from sesfix.tui.screens.summary import SummaryScreen

SIZES = [(80, 24), (120, 40)]
START = datetime(2026, 11, 29, 9, 0, 0, tzinfo=UTC)


class SummaryHost(App[None]):
    """The summary as the wizard shows it (same stylesheet), without the practice account."""

    CSS_PATH = str(Path(sesfix.tui.__file__).parent / "sesfix.tcss")

    def __init__(self, record: OnboardingRecord) -> None:
        super().__init__()
        self.record = record

    def on_mount(self) -> None:
        self.push_screen(
            SummaryScreen(self.record, default_path=Path("/home/learner/sesfix-practice.md"))
        )


def seed_record() -> OnboardingRecord:
    return OnboardingRecord(
        scenario="seed",
        started_at=START,
        finished_at=START + timedelta(minutes=4, seconds=12),
        broken_findings=["iam.ses_permission_missing"],
        fixes_applied=["attach-ses-full-access"],
        healthy=True,
    )


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_summary_complete(snap_compare: Any, size: Any) -> None:
    assert snap_compare(SummaryHost(seed_record()), terminal_size=size)


def test_summary_unfinished(snap_compare: Any) -> None:
    rec = OnboardingRecord(
        scenario="lost-secret",
        started_at=START,
        finished_at=START + timedelta(seconds=30),
        broken_findings=["credentials.secret_mismatch"],
        healthy=False,
    )
    assert snap_compare(SummaryHost(rec), terminal_size=(80, 24))
