"""What a catalogue entry is: severity, step, title, explanation, fix ids."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


#: Most serious first: the order findings are shown and merged in.
SEVERITY_RANK: Mapping[Severity, int] = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


STEP_NAMES: Mapping[int, str] = {
    1: "IAM permissions",
    2: "Credentials",
    3: "Live test",
    4: "Region",
    5: "Account readiness",
}


@dataclass(frozen=True)
class FindingSpec:
    id: str
    severity: Severity
    step: int
    title: str
    explanation: str
    fixes: tuple[str, ...] = ()


def spec(
    id: str, severity: str, step: int, title: str, explanation: str, *fixes: str
) -> FindingSpec:
    return FindingSpec(id, Severity(severity), step, title, explanation, tuple(fixes))
