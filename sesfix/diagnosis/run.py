"""What every check works on: one diagnosis run, and the record a check is registered with.

A check never builds clients or threads of its own: it reads through :meth:`Run.read`
(the gateway: timed, recorded, redacted, counted), submits other bounded work through
:meth:`Run.submit`, and adds findings with :meth:`Run.add`. See :mod:`sesfix.diagnosis.engine`
for when each stage runs and :mod:`sesfix.diagnosis.catalogue` for where checks are listed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from sesfix import findings as F
from sesfix.aws.gateway import CallResult, Gateway
from sesfix.aws.identity import IdentityName
from sesfix.aws.policy import PolicyDoc
from sesfix.delivery.checks import DeliveryOptions
from sesfix.diagnosis.evidence import ev
from sesfix.diagnosis.report import Context
from sesfix.findings import Finding, Severity
from sesfix.settings import AppSettings

#: When a registered check runs (see the engine's docstring):
#: ``lint``  - first, on the main thread, before any probe; no network;
#: ``early`` - in the probe pool at once, beside round 1 (its input is the settings);
#: ``late``  - in the probe pool after the AWS verdicts (the context is filled in).
Stage = Literal["lint", "early", "late"]

#: What a check's function may hand back: a verdict to run on the main thread once every
#: check of its stage has finished and (for ``early``) the AWS verdicts are in, so it can
#: defer to a cause named elsewhere (``run.has(...)``) instead of naming a symptom.
Judge = Callable[["Run"], None]


@dataclass(frozen=True)
class Check:
    """One check, registered in :data:`sesfix.diagnosis.catalogue.CHECKS`.

    ``name`` is unique (``<family>.<what>``, e.g. ``smtp.lint``); ``step`` (1-5) is the step
    its findings belong to unless a finding says otherwise; ``fn(run)`` adds findings and may
    return a :data:`Judge` for the second half of its work.
    """

    name: str
    step: int
    stage: Stage
    fn: Callable[[Run], Judge | None]

    def __post_init__(self) -> None:
        if not 1 <= self.step <= 5:
            raise ValueError(f"check {self.name}: step {self.step} is not one of 1-5")
        if self.stage not in ("lint", "early", "late"):
            raise ValueError(f"check {self.name}: unknown stage {self.stage!r}")


class Cancelled(Exception):
    """The diagnosis was cancelled (the wizard's Esc)."""


@dataclass
class Run:
    """One diagnosis: settings in, findings, context and step states out."""

    settings: AppSettings
    gateway: Gateway
    pool: ThreadPoolExecutor
    cancel: threading.Event
    findings: list[Finding] = field(default_factory=list)
    ctx: Context = field(default_factory=Context)
    #: AWS's answers later checks may read, by IAM call name (e.g.
    #: ``"ses:GetIdentityDkimAttributes"``); only calls the engine made and got an answer to.
    answers: dict[str, CallResult] = field(default_factory=dict)
    unknown_steps: set[int] = field(default_factory=set)
    #: The variable the app's sending region comes from (``SMTP_HOST`` for an SMTP app that
    #: names no AWS_SES_REGION; see :func:`sesfix.diagnosis.smtp.region_from_host`).
    region_variable: str = "AWS_SES_REGION"
    #: Steps whose probes failed although the finding naming the cause sits in another step.
    failed_steps: set[int] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)
    #: What the person said about the send (``--to``, ``--configuration-set``, DNS server).
    delivery: DeliveryOptions = field(default_factory=DeliveryOptions)
    #: The app user's policy documents and boundary, when the IAM step read them (each
    #: once), for later checks that evaluate a more precise question.
    policy_documents: tuple[list[PolicyDoc], PolicyDoc | None] | None = None

    def submit(self, fn: Callable[..., Any], *args: Any, **kw: Any) -> Future[Any]:
        if self.cancel.is_set():
            raise Cancelled()
        return self.pool.submit(fn, *args, **kw)

    def read(
        self, step: int, identity: IdentityName, service: str, op: str, region: str, **params: Any
    ) -> Future[CallResult]:
        return self.submit(self.gateway.read, identity, service, op, region, step=step, **params)

    def add(self, finding: Finding) -> None:
        with self.lock:
            self.findings.append(finding)

    def has(self, *ids: str) -> bool:
        return any(f.id in ids for f in self.findings)

    def lint_for(self, finding_id: str, variable: str) -> Finding | None:
        for f in self.findings:
            if f.id == finding_id and f.data.get("variable") == variable:
                return f
        return None

    def append_evidence(self, finding_id: str, *evidence: str) -> None:
        """Add evidence to the first finding with this id (AWS's answer proving a lint)."""
        with self.lock:
            for i, f in enumerate(self.findings):
                if f.id == finding_id:
                    self.findings[i] = replace(f, evidence=(*f.evidence, *evidence))
                    return

    def unreachable(self, result: CallResult, *, step: int, severity: Severity, note: str) -> None:
        r = result.record
        self.add(
            F.make(
                "probe.unreachable",
                ev(
                    "probe.unreachable",
                    call=r.call,
                    identity=r.identity,
                    region=r.region,
                    why=result.error_message or r.outcome,
                ),
                note,
                severity=severity,
                step=step,
                call=r.call,
                region=r.region,
                identity=r.identity,
            )
        )


def result_of(future: Future[CallResult] | None) -> CallResult | None:
    return future.result() if future is not None else None


__all__ = ["Cancelled", "Check", "Judge", "Run", "Stage", "result_of"]
