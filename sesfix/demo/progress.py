"""When is a practice run done, and what does the learner take away? No UI here.

"Healthy" is not the whole lesson. A practice run is complete when the scenario's intent is
met, judged from AWS's own answers in the latest report:

* no error finding is left;
* a rotated key is retired: once the app runs on a new key, the key the scenario started with
  must no longer be Active (``iam:ListAccessKeys``, in the report's context) — a leaked or
  lost key left Active is still a way in.

The sandbox is not a gap (every new SES account starts there, and leaving it takes AWS's
review), but it is part of the closing story: healthy and sandboxed is said plainly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sesfix.locale import t

if TYPE_CHECKING:
    from sesfix.demo.record import OnboardingRecord
    from sesfix.diagnosis.report import Report

#: Why a run is not complete yet (keys of ``practice.gap.*`` in the catalogues).
GAP_ERRORS = "errors"
GAP_OLD_KEY_ACTIVE = "old_key_active"
GAP_OLD_KEY_UNKNOWN = "old_key_unknown"


def intent_gaps(report: Report, original_key_id: str, current_key_id: str) -> list[str]:
    """What still stands between this report and the scenario's intent (empty: complete)."""
    from sesfix.masking import mask_key_id

    gaps: list[str] = []
    if not report.healthy:
        gaps.append(GAP_ERRORS)
    if original_key_id and current_key_id and original_key_id != current_key_id:
        ctx = report.context
        if ctx.key_count is None:
            gaps.append(GAP_OLD_KEY_UNKNOWN)  # AWS did not list the keys: not proven retired
        else:
            old = mask_key_id(original_key_id)
            if any(k.startswith(old) and k.endswith("(Active)") for k in ctx.other_key_ids):
                gaps.append(GAP_OLD_KEY_ACTIVE)
    return gaps


def warning_ids(report: Report) -> list[str]:
    """Warning finding ids of a report, in order, once each."""
    return list(dict.fromkeys(f.id for f in report.findings if str(f.severity) == "warning"))


def _ids(items: Sequence[str]) -> str:
    return ", ".join(dict.fromkeys(items)) or t("practice.none")


def leaving_summary(record: OnboardingRecord, written: str | None = None) -> str:
    """One line for the terminal when the learner leaves practice."""
    if record.healthy:
        line = t(
            "practice.leaving.done",
            scenario=record.scenario,
            duration=record.duration_text,
            fixes=_ids(record.fixes_applied),
        )
        if "account.sandbox" in record.open_warnings:
            line += " " + t("practice.leaving.sandbox")
    else:
        line = t(
            "practice.leaving.open",
            scenario=record.scenario,
            duration=record.duration_text,
            open=_ids(record.still_open or record.broken_findings)
            if record.still_open or record.broken_findings or record.gaps
            else t("practice.not_diagnosed"),
        )
        if GAP_OLD_KEY_ACTIVE in record.gaps:
            line += " " + t("practice.gap.old_key_active")
        if "account.paused" in (record.still_open or record.broken_findings):
            line += " " + t("practice.leaving.paused")
    if written:
        line += " " + t("practice.leaving.record", path=written)
    return line


__all__ = ["intent_gaps", "leaving_summary", "warning_ids"]
