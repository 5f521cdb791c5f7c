"""Runs the five steps: probes concurrently, then names the cause with evidence.

AWS's probes form a small dependency graph; each waits only on the answers it needs:

* round 1 (at once): the app's ``sts:GetCallerIdentity``, ``ses:GetSendQuota`` and
  ``sesv2:GetAccount``; with an operator, its own ``sts:GetCallerIdentity`` and
  ``iam:GetAccessKeyLastUsed`` (who owns the key, even when AWS rejects it); the sender's
  verification status in the app's region (as the operator, else as the app);
* round 2: the owner's keys, ``iam:SimulatePrincipalPolicy`` and, beside it, the user's
  policy lists, groups and boundary (so a fallback costs no extra round trip, and their
  answers feed the evidence and the context either way); the other SES regions, only if
  the sender is not verified in the app's region (all of them when AWS_SES_REGION is
  unusable); DKIM, only if it is; the operator's ``ses:GetSendQuota`` only if the app
  could read neither quota nor account;
* round 3: policy documents, only if the simulation is unavailable, each fetched once.

Each step's probes and verdicts live in its module: :mod:`~sesfix.diagnosis.credentials`
(step 2, with the variables' lint), :mod:`~sesfix.diagnosis.iam` (1),
:mod:`~sesfix.diagnosis.account` (3 and 5), :mod:`~sesfix.diagnosis.region` (4). This
module keeps the rounds, the run and the report.

Registered checks
-----------------
Every other check is a :class:`~sesfix.diagnosis.run.Check` listed in
:data:`sesfix.diagnosis.catalogue.CHECKS` (or passed to :func:`diagnose` as ``checks``);
adding one never touches this module. Its ``stage`` says when it runs:

* ``lint``: first, on the calling thread, before any probe; no network.
* ``early``: in the probe pool beside round 1 (it needs only the settings and
  ``run.ctx.domain/sender/region``), so a slow SMTP or DNS probe overlaps AWS's.
* ``late``: in the probe pool once the AWS verdicts are in: ``run.ctx`` is complete
  (verified regions, sandbox, can_send) and ``run.answers`` holds AWS's main answers by
  call name (e.g. ``"ses:GetIdentityDkimAttributes"``).

``fn(run)`` adds findings with ``run.add`` and may return a judge, run on the calling thread
after its stage (and, for ``early``, after the AWS verdicts), which is where a check defers
to a cause named elsewhere (``if run.has("credentials.key_not_found"): return``). Network
work goes through ``run.read`` (AWS) or carries its own deadline; ``run.submit`` refuses
work once the diagnosis is cancelled. For example, in ``sesfix/diagnosis/smtp.py``::

    def _probe_port(run: Run) -> Judge | None:
        answer = connect_with_deadline(run.ctx.region)        # runs beside round 1
        def judge(run: Run) -> None:
            if answer.refused and not run.has("credentials.key_not_found"):
                run.add(F.make("smtp.port_blocked", answer.describe()))
        return judge

    CHECKS = (Check("smtp.port", step=3, stage="early", fn=_probe_port),)

and one line ``*smtp.CHECKS,`` in :mod:`sesfix.diagnosis.catalogue`.

Verdicts name the cause once: a symptom of a cause found elsewhere (the live test failing
because the key is unknown, a region search made impossible by a rejected key) fails
its step without a second finding. A probe that fails for a reason other than the
diagnosis becomes ``probe.unreachable``; it never raises and never turns into a wrong
verdict. Step status: ``fail`` (an error here, or this step's probes failed because of
an error named in another step), ``unknown`` (no answer), ``warning``, ``pass``
(:func:`~sesfix.diagnosis.steps.step_status`); each step's status is announced to
``on_step`` as soon as its own probes and checks are done (:mod:`sesfix.diagnosis.steps`).
The AWS facts these verdicts rely on are in docs/aws-facts.md.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from sesfix import findings as F
from sesfix.aws import meanings, regions
from sesfix.aws.connect import make_gateway
from sesfix.aws.gateway import (
    CallFinished,
    CallRecord,
    CallResult,
    CallStarted,
    Gateway,
    Listener,
)
from sesfix.aws.identity import IdentityName, OperatorSpec
from sesfix.config import DIAGNOSIS_DEADLINE
from sesfix.delivery.checks import DeliveryOptions
from sesfix.diagnosis import account as account_mod
from sesfix.diagnosis import credentials, iam
from sesfix.diagnosis import region as region_mod
from sesfix.diagnosis import smtp as smtp_checks
from sesfix.diagnosis.catalogue import CHECKS
from sesfix.diagnosis.evidence import ev
from sesfix.diagnosis.report import Report, StepResult
from sesfix.diagnosis.run import Cancelled, Check, Judge, Run, Stage
from sesfix.diagnosis.steps import Settler, StepListener, StepSettled, step_status
from sesfix.findings import SEVERITY_RANK, Finding, Severity
from sesfix.settings import (
    AppSettings,
    both_forms,
    clean,
    is_domain_name,
    key_id_shaped,
    to_idna,
)

STS_REGION = regions.DEFAULT_STS_REGION


@dataclass(frozen=True)
class DiagnosisOptions:
    operator: OperatorSpec | None = None
    #: Worker threads for concurrent probes (I/O bound; AWS answers in parallel).
    max_workers: int = 64
    #: The send the delivery checks look at (recipient, configuration set, DNS server).
    delivery: DeliveryOptions = field(default_factory=DeliveryOptions)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while one diagnosis runs.

    Building clients allocates hundreds of thousands of objects (botocore's models) and the
    collector kept walking them: full collections of 15-90 ms each, holding the GIL while
    probes wait. A diagnosis is short and makes little cyclic garbage; the collector is
    switched back on (if it was on) as soon as the run ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def diagnose(
    settings: AppSettings,
    options: DiagnosisOptions | None = None,
    *,
    listeners: Iterable[Listener] = (),
    cancel: threading.Event | None = None,
    gateway: Gateway | None = None,
    checks: Sequence[Check] | None = None,
    on_step: StepListener | None = None,
) -> Report:
    """Run all five steps and return the report. Never raises for AWS's answers.

    ``checks`` replaces the registered checks (default: the catalogue's). ``on_step`` is
    told each step's status as soon as that step's own probes and checks have finished
    (:class:`~sesfix.diagnosis.steps.StepSettled`, from the diagnosis' threads); the report
    stays the authority."""
    options = options or DiagnosisOptions()
    started = time.perf_counter()
    # What must never reach AWS (a key ID that is a secret, oversized values) is left out
    # of the probes; the lint names it.
    gw = gateway or make_gateway(settings.for_probes(), options.operator, listeners)
    cancel = cancel or threading.Event()
    with (
        _gc_paused(),
        ThreadPoolExecutor(max_workers=options.max_workers, thread_name_prefix="probe") as pool,
    ):
        run = Run(settings, gw, pool, cancel, delivery=options.delivery)
        chosen = CHECKS if checks is None else checks
        settler = Settler(run, chosen, on_step, _dedupe)
        try:
            with gw.bounded(DIAGNOSIS_DEADLINE.read(), cancel):
                _diagnose(run, chosen, settler)
        except Cancelled:
            # Calls already in flight finish (each is bounded by its timeouts); queued
            # ones never start.
            pool.shutdown(wait=False, cancel_futures=True)
            run.unknown_steps.update(range(1, 6))
    report = _report(run, options)
    report.duration_ms = int((time.perf_counter() - started) * 1000)
    return report


# ------------------------------------------------------------------------------------------
# the rounds
# ------------------------------------------------------------------------------------------


def _diagnose(run: Run, checks: Sequence[Check], settler: Settler) -> None:
    s = run.settings
    staged = {stage: _in_stage(checks, stage) for stage in ("lint", "early", "late")}
    for check in staged["lint"]:
        judge = check.fn(run)
        if judge is not None:
            judge(run)
    ctx = run.ctx
    ctx.key_id_masked = s.masked_key_id
    probe = s.for_probes()
    if probe.domain and is_domain_name(probe.domain):
        # AWS takes international names in their IDNA form; people read both.
        ctx.domain = to_idna(probe.domain)
        ctx.domain_shown = both_forms(probe.domain)
    ctx.sender = _sender_for_aws(probe.sender_address)
    # An app that sends through SES SMTP and names no AWS_SES_REGION sends in SMTP_HOST's.
    region = probe.clean_region or smtp_checks.region_from_host(run)
    region_ok = region is not None and regions.is_ses_region(region)
    ctx.region = region if region_ok else None
    has_app = run.gateway.identities.has_app and probe.has_credentials
    has_op = run.gateway.identities.has_operator
    raw_key = clean(probe.access_key_id) if probe.access_key_id else None
    # Only a key-ID-shaped value is ever a parameter (iam:GetAccessKeyLastUsed,
    # sts:GetAccessKeyInfo): anything else may be a secret, and CloudTrail keeps parameters.
    key_id = raw_key if raw_key and key_id_shaped(raw_key) else None

    # ---- round 1 --------------------------------------------------------------------------
    # Round 2 waits on these three: they go first (each first client of a service costs
    # 10-100 ms of CPU to build, one at a time).
    f_caller = run.read(2, "app", "sts", "get_caller_identity", STS_REGION) if has_app else None
    f_op_caller = (
        run.read(1, "operator", "sts", "get_caller_identity", STS_REGION) if has_op else None
    )
    f_last_used = (
        run.read(2, "operator", "iam", "get_access_key_last_used", STS_REGION, AccessKeyId=key_id)
        if has_op and key_id
        else None
    )
    f_quota = (
        run.read(3, "app", "ses", "get_send_quota", region)
        if has_app and region_ok and region
        else None
    )
    f_account = (
        run.read(3, "app", "sesv2", "get_account", region)
        if has_app and region_ok and region
        else None
    )
    identities_to_check = [x for x in (ctx.domain, ctx.sender) if x]
    ident_identity: IdentityName = "operator" if has_op else "app"
    f_verify = (
        run.read(
            4,
            ident_identity,
            "ses",
            "get_identity_verification_attributes",
            region,
            Identities=identities_to_check,
        )
        if region_ok and region and ctx.domain and (has_op or has_app)
        else None
    )

    # Registered checks that need only the settings start now, beside round 1.
    early = [(check, run.submit(check.fn, run)) for check in staged["early"]]

    # ---- who is the app? -------------------------------------------------------------------
    caller = f_caller.result() if f_caller else None
    last_used = f_last_used.result() if f_last_used else None
    op_usable = _learn_identities(
        run, caller, f_op_caller.result() if f_op_caller else None, last_used
    )
    if run.cancel.is_set():
        raise Cancelled()

    # ---- round 2: the owner's keys and rights; the sender's regions ------------------------
    f_keys = (
        run.read(2, "operator", "iam", "list_access_keys", STS_REGION, UserName=ctx.app_user)
        if op_usable and ctx.app_user
        else None
    )
    iam_futures = iam.start_iam(run, op_usable) if op_usable and ctx.app_user else None

    verify = f_verify.result() if f_verify else None
    region_futures, f_dkim = region_mod.start_region_search(run, verify, region, ident_identity)
    if not region_ok and ctx.domain and (op_usable or (caller is not None and caller.ok)):
        # No usable AWS_SES_REGION: where is the sender verified? That is the value to set.
        region_futures = region_mod.search_all_regions(run, "operator" if op_usable else "app")
    f_op_quota = account_mod.start_operator_quota(run, f_quota, f_account, op_usable, region)

    # ---- verdicts ------------------------------------------------------------------------
    # Each step is settled after the last judge that may name something in it (the judge
    # of the live test may still name an unknown key, step 2).
    credentials.judge_keys(run, f_keys.result() if f_keys else None, key_id)
    auth_failed = credentials.judge_credentials(run, caller, last_used, key_id)
    quota = f_quota.result() if f_quota else None
    account = f_account.result() if f_account else None
    account_mod.judge_live(run, quota, account, auth_failed, caller)
    settler.aws_done(2)
    iam.judge_iam(run, iam_futures, quota, account, auth_failed, has_op, op_usable)
    iam.judge_read_denied(run, quota, account)
    settler.aws_done(1)
    region_mod.judge_region(run, verify, region_futures, region_ok)
    settler.aws_done(4)
    account_mod.judge_account(run, quota, account, f_dkim, op_usable, region, f_op_quota)
    settler.aws_done(3, 5)

    _keep(run, caller, quota, account, verify, f_dkim.result() if f_dkim else None)

    # ---- registered checks -----------------------------------------------------------------
    _finish(run, early)
    settler.checks_done(staged["early"])
    _finish(run, [(check, run.submit(check.fn, run)) for check in staged["late"]])
    settler.checks_done(staged["late"])


def _sender_for_aws(address: str | None) -> str | None:
    """The sender with its domain in IDNA form (``a@xn--bcher-kva.example``)."""
    if not address or "@" not in address:
        return None
    local, domain = address.rsplit("@", 1)
    return f"{local}@{to_idna(domain)}" if is_domain_name(domain) else None


def _learn_identities(
    run: Run, caller: CallResult | None, op_caller: CallResult | None, last_used: CallResult | None
) -> bool:
    """Who the app's key and the operator are (from round 1); True when the operator can
    inspect the app's IAM user."""
    ctx = run.ctx
    if caller is not None and caller.ok and caller.data:
        ctx.app_arn = caller.data.get("Arn")
        ctx.app_account = caller.data.get("Account")
        if ctx.app_arn and ":user/" in ctx.app_arn:
            ctx.app_user = ctx.app_arn.split(":user/", 1)[1].split("/")[-1]
    if op_caller is not None:
        if op_caller.ok and op_caller.data:
            ctx.operator_arn = op_caller.data.get("Arn")
            ctx.operator_account = op_caller.data.get("Account")
        elif op_caller.unreachable:
            # No answer is not a refusal: nothing is known about the operator's rights.
            run.unreachable(
                op_caller,
                step=1,
                severity=Severity.WARNING,
                note=ev("note.operator_unknown"),
            )
        else:
            run.add(
                F.make(
                    "iam.cannot_inspect",
                    ev("engine.operator_refused", code=op_caller.record.outcome),
                    ev("aws.message", message=op_caller.error_message),
                )
            )
    if last_used is not None and last_used.ok and last_used.data:
        # Asked beside the app's own GetCallerIdentity so a rejected key still has an owner;
        # when the key works, its last use is still evidence worth showing.
        ctx.app_user = ctx.app_user or last_used.data.get("UserName")
        ctx.key_last_used = credentials.describe_last_use(
            last_used.data.get("AccessKeyLastUsed") or {}
        )
    if ctx.app_account and ctx.operator_account and ctx.app_account != ctx.operator_account:
        # IAM reads would ask the operator's account about a user it does not have.
        run.add(
            F.make(
                "iam.cannot_inspect",
                ev(
                    "engine.other_account",
                    app=ctx.app_account,
                    operator=ctx.operator_account,
                ),
                ev("engine.use_app_account"),
            )
        )
        return False
    return op_caller is not None and op_caller.ok


def _in_stage(checks: Sequence[Check], stage: Stage) -> list[Check]:
    return sorted((c for c in checks if c.stage == stage), key=lambda c: c.step)


def _finish(run: Run, started: list[tuple[Check, Future[Judge | None]]]) -> None:
    """Wait for every check of a stage, then run their judges in order on this thread."""
    judges = [future.result() for _check, future in started]
    if run.cancel.is_set():
        raise Cancelled()
    for judge in judges:
        if judge is not None:
            judge(run)


def _keep(run: Run, *answers: CallResult | None) -> None:
    """The main answers, for registered checks (e.g. DKIM tokens for a DNS check)."""
    for answer in answers:
        if answer is not None and answer.ok:
            run.answers[answer.record.call] = answer


# ------------------------------------------------------------------------------------------
# the report
# ------------------------------------------------------------------------------------------


def _name_operator_denials(run: Run, records: list[CallRecord]) -> None:
    """Every read the operator was refused is named (once), even where the verdict did not
    need it: the operator's policy lacks that action (sesfix/policies/operator-diagnose.json)."""
    named = " ".join(e for f in run.findings for e in (f.title, *f.evidence))
    seen: set[str] = set()
    for r in records:
        if r.identity != "operator" or r.outcome not in meanings.ACCESS_DENIED:
            continue
        if r.call in seen or r.call in named:
            continue
        seen.add(r.call)
        run.add(
            F.make(
                "probe.access_denied",
                ev("engine.operator_denied", call=r.call, region=r.region, code=r.outcome),
                ev("engine.operator_lacks", call=r.call),
                step=r.step or 1,
                call=r.call,
                region=r.region,
                identity=r.identity,
            )
        )


def _report(run: Run, options: DiagnosisOptions) -> Report:
    records = run.gateway.calls("read")
    _name_operator_denials(run, records)
    findings = _dedupe(run.findings)
    steps: list[StepResult] = []
    for n in range(1, 6):
        probes = tuple(sorted((r for r in records if r.step == n), key=lambda r: r.seq))
        status = step_status(n, findings, run.unknown_steps, run.failed_steps)
        steps.append(StepResult(n, status, probes))
    findings.sort(key=lambda f: (SEVERITY_RANK[f.severity], f.step))
    op = options.operator
    # AWS itself answered nothing: one headline leads the report, whatever else is in it.
    unreachable = bool(records) and all(r.unreachable for r in records)
    headline = ""
    if unreachable:
        first = min(records, key=lambda r: r.seq)
        headline = ev(
            "headline.unreachable",
            count=len(records),
            call=first.call,
            why=first.detail or first.outcome,
        )
    return Report(
        steps=steps,
        findings=findings,
        context=run.ctx,
        source=run.settings.source,
        operator=op.label if op else "none",
        unreachable=unreachable,
        headline=headline,
    )


def _dedupe(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per (id, step, variable): evidence of repeats is merged, in order."""
    merged: dict[tuple[Any, ...], Finding] = {}
    for f in findings:
        key = (f.id, f.step, f.data.get("variable"), f.data.get("call"), f.data.get("region"))
        if key in merged:
            prior = merged[key]
            evidence = tuple(dict.fromkeys((*prior.evidence, *f.evidence)))
            severity = min(prior.severity, f.severity, key=SEVERITY_RANK.__getitem__)
            merged[key] = replace(prior, evidence=evidence, severity=severity)
        else:
            merged[key] = f
    return list(merged.values())


__all__ = [
    "CallFinished",
    "CallStarted",
    "Cancelled",
    "Check",
    "DiagnosisOptions",
    "Run",
    "StepSettled",
    "diagnose",
]
