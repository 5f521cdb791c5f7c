"""The result of a diagnosis: steps, probes, findings, and the context fixes need."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from sesfix.aws.gateway import CallRecord
from sesfix.findings import STEP_NAMES, Finding, Severity

StepStatus = Literal["pass", "warning", "fail", "unknown"]

SCHEMA = "sesfix.check/1"


@dataclass(frozen=True)
class StepResult:
    number: int
    status: StepStatus
    probes: tuple[CallRecord, ...] = ()

    @property
    def name(self) -> str:
        return STEP_NAMES[self.number]

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "name": self.name,
            "status": self.status,
            "probes": [
                {
                    "call": p.call,
                    "identity": p.identity,
                    "region": p.region,
                    "outcome": p.outcome,
                    "ms": p.ms,
                    "cli": p.cli,
                }
                for p in self.probes
            ],
        }


@dataclass
class Context:
    """What the diagnosis learned about the world; never holds a secret.

    Fixes plan from this: which user, which account, which region, which domain.
    """

    key_id_masked: str = ""
    app_arn: str | None = None
    app_account: str | None = None
    app_user: str | None = None
    key_status: str | None = None
    key_count: int | None = None
    #: iam:GetAccessKeyLastUsed, e.g. "last used 2026-11-28 09:12 UTC by ses in ap-southeast-1".
    key_last_used: str | None = None
    other_key_ids: list[str] = field(default_factory=list)  # masked
    operator_arn: str | None = None
    operator_account: str | None = None
    region: str | None = None
    #: The sender's domain as AWS takes it (IDNA, ``xn--bcher-kva.example``).
    domain: str | None = None
    #: The domain as people read it: ``bücher.example (xn--bcher-kva.example)``.
    domain_shown: str | None = None
    sender: str | None = None
    verified_regions: list[str] = field(default_factory=list)
    attached_policies: list[str] = field(default_factory=list)
    inline_policies: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    permissions_boundary: str | None = None
    sandbox: bool | None = None
    can_send: bool | None = None

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class Report:
    steps: list[StepResult]
    findings: list[Finding]
    context: Context
    duration_ms: int = 0
    source: str = ""
    operator: str = "none"
    #: AWS itself answered none of the calls (all timed out, failed on the network, or
    #: something other than AWS answered): the report leads with :attr:`headline`.
    unreachable: bool = False
    headline: str = ""

    @property
    def healthy(self) -> bool:
        return not any(f.severity == Severity.ERROR for f in self.findings)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == Severity.ERROR]

    def finding_ids(self) -> list[str]:
        return [f.id for f in self.findings]

    def step(self, number: int) -> StepResult:
        return next(s for s in self.steps if s.number == number)

    def findings_for(self, number: int) -> list[Finding]:
        return [f for f in self.findings if f.step == number]

    def fix_ids(self) -> list[str]:
        seen: dict[str, None] = {}
        for f in self.findings:
            if f.severity == Severity.INFO:
                continue
            for fix in f.fixes:
                seen.setdefault(fix, None)
        return list(seen)

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "healthy": self.healthy,
            "source": self.source,
            "operator": self.operator,
            "duration_ms": self.duration_ms,
            "unreachable": self.unreachable,
            **({"headline": self.headline} if self.headline else {}),
            "context": self.context.to_json(),
            "steps": [s.to_json() for s in self.steps],
            "findings": [f.to_json() for f in self.findings],
        }
