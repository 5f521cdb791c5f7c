"""The catalogue of findings: one place, data not prose.

A finding id, once published, is a public contract: scripts and other tools
match on it. Add new ids; never rename or reuse one. The CLI prints these, the
wizard renders them, the tests assert on them.

The entries live by family (``core``, ``smtp``, ``delivery``); this module joins them into
the one :data:`CATALOGUE` and builds :class:`Finding` objects from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sesfix.findings import core, delivery, smtp
from sesfix.findings.spec import SEVERITY_RANK, STEP_NAMES, FindingSpec, Severity

CATALOGUE: dict[str, FindingSpec] = {s.id: s for s in (*core.SPECS, *smtp.SPECS, *delivery.SPECS)}


@dataclass(frozen=True)
class Finding:
    """One observation, tied to its catalogue entry, with evidence (secrets masked)."""

    id: str
    severity: Severity
    step: int
    title: str
    explanation: str
    evidence: tuple[str, ...] = ()
    fixes: tuple[str, ...] = ()
    data: Mapping[str, Any] = field(default_factory=dict)

    def catalogue_key(self) -> str:
        """Where the title and explanation are in the catalogues: ``finding.<id>``, or
        ``finding.<id>.<variant>`` for a finding that names its variant (an SMTP login
        refused by another provider than SES: ``smtp.auth_failed``, ``variant: other_host``).
        Read through :mod:`sesfix.lang`: the locale package imports this one."""
        from sesfix.lang import DEFAULT, files

        variant = self.data.get("variant")
        base = f"finding.{self.id}"
        if isinstance(variant, str) and f"{base}.{variant}.title" in files(DEFAULT):
            return f"{base}.{variant}"
        return base

    def localized(self, part: str = "title") -> str:
        """The title (or ``explanation``) in the reader's language, its variant's if any;
        the finding's own text where no catalogue has it (English titles live in the
        findings catalogue itself)."""
        from sesfix.lang import say

        key = f"{self.catalogue_key()}.{part}"
        text = say(key)
        if text != key:
            return text
        return self.title if part == "title" else self.explanation

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "severity": str(self.severity),
            "step": self.step,
            "title": self.title,
            "explanation": self.explanation,
            "evidence": list(self.evidence),
            "fixes": list(self.fixes),
            "data": dict(self.data),
        }


def make(
    finding_id: str,
    *evidence: str,
    severity: Severity | str | None = None,
    step: int | None = None,
    fixes: tuple[str, ...] | None = None,
    title: str | None = None,
    **data: Any,
) -> Finding:
    """Build a finding from the catalogue; overrides are for context (e.g. a probe's step)."""
    spec = CATALOGUE[finding_id]
    return Finding(
        id=spec.id,
        severity=Severity(severity) if severity is not None else spec.severity,
        step=step if step is not None else spec.step,
        title=title or spec.title,
        explanation=spec.explanation,
        evidence=tuple(evidence),
        fixes=spec.fixes if fixes is None else fixes,
        data=data,
    )


__all__ = [
    "CATALOGUE",
    "SEVERITY_RANK",
    "STEP_NAMES",
    "Finding",
    "FindingSpec",
    "Severity",
    "make",
]
