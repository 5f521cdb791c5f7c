"""Runs the five steps: probes concurrently, then names the cause with evidence.

Probes form a small dependency graph; each waits only on the answers it needs:

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

Verdicts name the cause once: a symptom of a cause found elsewhere (the live test failing
because the key is unknown, a region search made impossible by a rejected key) fails
its step without a second finding. A probe that fails for a reason other than the
diagnosis becomes ``probe.unreachable``; it never raises and never turns into a wrong
verdict. Step status: ``fail`` (an error here, or this step's probes failed because of
an error named in another step), ``unknown`` (no answer), ``warning``, ``pass``.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from sesfix import findings as F
from sesfix.aws import meanings, policy, regions
from sesfix.aws.connect import app_credentials, make_gateway
from sesfix.aws.gateway import (
    CallFinished,
    CallRecord,
    CallResult,
    CallStarted,
    Gateway,
    Listener,
)
from sesfix.aws.identity import IdentityName, OperatorSpec
from sesfix.diagnosis.report import Context, Report, StepResult, StepStatus
from sesfix.findings import Finding, Severity
from sesfix.masking import mask_key_id
from sesfix.settings import KEY_ID, REGION, SECRET, TOKEN, AppSettings, clean, lint

SEND_ACTIONS = ("ses:SendEmail", "ses:SendRawEmail")
STS_REGION = regions.DEFAULT_STS_REGION


@dataclass(frozen=True)
class DiagnosisOptions:
    operator: OperatorSpec | None = None
    #: Worker threads for concurrent probes (I/O bound; AWS answers in parallel).
    max_workers: int = 64


@dataclass(frozen=True)
class DiagnosisFinished:
    report: Report


class Cancelled(Exception):
    """The diagnosis was cancelled (the wizard's Esc)."""


@dataclass
class _Run:
    settings: AppSettings
    gateway: Gateway
    pool: ThreadPoolExecutor
    cancel: threading.Event
    findings: list[Finding] = field(default_factory=list)
    ctx: Context = field(default_factory=Context)
    step_of_call: dict[int, int] = field(default_factory=dict)
    unknown_steps: set[int] = field(default_factory=set)
    #: Steps whose probes failed although the finding naming the cause sits in another step.
    failed_steps: set[int] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    # -- helpers --------------------------------------------------------------------------

    def submit(self, fn: Callable[..., CallResult], *args: Any, **kw: Any) -> Future[CallResult]:
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

    def unreachable(self, result: CallResult, *, step: int, severity: Severity, note: str) -> None:
        r = result.record
        self.add(
            F.make(
                "probe.unreachable",
                f"{r.call} as {r.identity} in {r.region}: {result.error_message or r.outcome}",
                note,
                severity=severity,
                step=step,
                call=r.call,
                region=r.region,
                identity=r.identity,
            )
        )


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
) -> Report:
    """Run all five steps and return the report. Never raises for AWS's answers."""
    options = options or DiagnosisOptions()
    started = time.perf_counter()
    gw = gateway or make_gateway(settings, options.operator, listeners)
    cancel = cancel or threading.Event()
    with (
        _gc_paused(),
        ThreadPoolExecutor(max_workers=options.max_workers, thread_name_prefix="probe") as pool,
    ):
        run = _Run(settings, gw, pool, cancel)
        try:
            _diagnose(run)
        except Cancelled:
            # Calls already in flight finish (each is bounded by its timeouts); queued
            # ones never start.
            pool.shutdown(wait=False, cancel_futures=True)
            run.unknown_steps.update(range(1, 6))
    report = _report(run, options)
    report.duration_ms = int((time.perf_counter() - started) * 1000)
    return report


# ------------------------------------------------------------------------------------------
# the probes and their verdicts
# ------------------------------------------------------------------------------------------


def _diagnose(run: _Run) -> None:
    s = run.settings
    for finding in lint(s):
        run.add(finding)
    ctx = run.ctx
    ctx.key_id_masked = s.masked_key_id
    ctx.domain = s.domain
    ctx.sender = s.sender_address
    region = s.clean_region
    region_ok = region is not None and regions.is_ses_region(region)
    ctx.region = region if region_ok else None
    has_app = run.gateway.identities.has_app
    has_op = run.gateway.identities.has_operator
    key_id = clean(s.access_key_id) if s.access_key_id else None

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

    # ---- who is the app? -------------------------------------------------------------------
    caller = f_caller.result() if f_caller else None
    if caller is not None and caller.ok and caller.data:
        ctx.app_arn = caller.data.get("Arn")
        ctx.app_account = caller.data.get("Account")
        if ctx.app_arn and ":user/" in ctx.app_arn:
            ctx.app_user = ctx.app_arn.split(":user/", 1)[1].split("/")[-1]
    op_caller = f_op_caller.result() if f_op_caller else None
    if op_caller is not None:
        if op_caller.ok and op_caller.data:
            ctx.operator_arn = op_caller.data.get("Arn")
            ctx.operator_account = op_caller.data.get("Account")
        else:
            run.add(
                F.make(
                    "iam.cannot_inspect",
                    f"the operator identity itself was refused: {op_caller.record.outcome}",
                    op_caller.error_message,
                )
            )
    last_used = f_last_used.result() if f_last_used else None
    if last_used is not None and last_used.ok and last_used.data:
        # Asked beside the app's own GetCallerIdentity so a rejected key still has an owner;
        # when the key works, its last use is still evidence worth showing.
        ctx.app_user = ctx.app_user or last_used.data.get("UserName")
        ctx.key_last_used = _describe_last_use(last_used.data.get("AccessKeyLastUsed") or {})
    op_usable = has_op and op_caller is not None and op_caller.ok

    if run.cancel.is_set():
        raise Cancelled()
    if ctx.app_account and ctx.operator_account and ctx.app_account != ctx.operator_account:
        # IAM reads would ask the operator's account about a user it does not have.
        run.add(
            F.make(
                "iam.cannot_inspect",
                f"the app's key belongs to account {ctx.app_account}; the operator works in "
                f"account {ctx.operator_account}",
                "use an operator profile of the app's account",
            )
        )
        op_usable = False

    # ---- round 2: the owner's keys and rights; the sender's regions ------------------------
    f_keys = (
        run.read(2, "operator", "iam", "list_access_keys", STS_REGION, UserName=ctx.app_user)
        if op_usable and ctx.app_user
        else None
    )
    iam_futures = _start_iam(run, op_usable) if op_usable and ctx.app_user else None

    verify = f_verify.result() if f_verify else None
    region_futures, f_dkim = _start_region_search(run, verify, region, ident_identity)
    if not region_ok and ctx.domain and (op_usable or (caller is not None and caller.ok)):
        # No usable AWS_SES_REGION: where is the sender verified? That is the value to set.
        region_futures = _search_all_regions(run, "operator" if op_usable else "app")
    f_op_quota = _start_operator_quota(run, f_quota, f_account, op_usable, region)

    # ---- verdicts ------------------------------------------------------------------------
    _judge_keys(run, f_keys.result() if f_keys else None, key_id)
    auth_failed = _judge_credentials(run, caller, last_used, key_id)
    quota = f_quota.result() if f_quota else None
    account = f_account.result() if f_account else None
    _judge_live(run, quota, account, auth_failed, caller)
    _judge_iam(run, iam_futures, quota, account, auth_failed, has_op, op_usable)
    _judge_read_denied(run, quota, account)
    _judge_region(run, verify, region_futures, region_ok)
    _judge_account(run, quota, account, f_dkim, op_usable, region, f_op_quota)


# ---- step 2: keys and credentials ---------------------------------------------------------


def _describe_last_use(used: dict[str, Any]) -> str:
    when = used.get("LastUsedDate")
    if not when:
        return "never used"
    stamp = when.strftime("%Y-%m-%d %H:%M UTC") if hasattr(when, "strftime") else str(when)
    service, region = used.get("ServiceName"), used.get("Region")
    where = f" by {service}" if service and service != "N/A" else ""
    where += f" in {region}" if region and region != "N/A" else ""
    return f"last used {stamp}{where}"


def _judge_keys(run: _Run, keys: CallResult | None, key_id: str | None) -> None:
    ctx = run.ctx
    if keys is None:
        return
    if not keys.ok or not keys.data:
        if keys.unreachable:
            run.unreachable(keys, step=2, severity=Severity.INFO, note="key status not checked")
        return
    metadata = keys.data.get("AccessKeyMetadata", [])
    ctx.key_count = len(metadata)
    for meta in metadata:
        kid = meta.get("AccessKeyId", "")
        if kid == key_id:
            ctx.key_status = meta.get("Status")
        else:
            ctx.other_key_ids.append(f"{mask_key_id(kid)} ({meta.get('Status')})")
    if ctx.key_status == "Inactive":
        run.add(
            F.make(
                "credentials.key_inactive",
                f"{mask_key_id(key_id)} of IAM user {ctx.app_user} has Status Inactive "
                "(iam:ListAccessKeys)",
                user=ctx.app_user,
            )
        )
    if ctx.key_count >= 2:
        run.add(
            F.make(
                "credentials.key_count",
                f"IAM user {ctx.app_user} has {ctx.key_count} access keys: "
                + ", ".join([f"{mask_key_id(key_id)} ({ctx.key_status})", *ctx.other_key_ids]),
            )
        )


def _judge_credentials(
    run: _Run, caller: CallResult | None, last_used: CallResult | None, key_id: str | None
) -> bool:
    """Name why the app's credentials fail (if they do). Returns True when they do.

    The cause is named once: when the lint already explains a rejection (whitespace,
    quotes, an ASIA key without its token, an SMTP password), AWS's answer becomes that
    finding's evidence, proven by the same call with the cleaned values, instead of a
    second finding about the same symptom.
    """
    ctx = run.ctx
    if caller is None:
        run.unknown_steps.update({1, 3, 4, 5} if not run.gateway.identities.has_operator else {3})
        return True
    if caller.ok:
        return False
    code = caller.error_code or ""
    if caller.unreachable:
        run.unreachable(
            caller,
            step=2,
            severity=Severity.ERROR,
            note="without an answer the credentials cannot be judged",
        )
        run.unknown_steps.update({2, 3})
        if not run.gateway.identities.has_operator:
            run.unknown_steps.add(1)
        return True
    evidence = f"sts:GetCallerIdentity as the app answered {code}"
    message = caller.error_message.lower()
    skewed = code == "RequestExpired" or (
        code in meanings.AUTH_BAD_SIGNATURE
        and ("signature expired" in message or "request has expired" in message)
    )
    lint_explains = _already_explained(run, (KEY_ID, SECRET, TOKEN)) or run.has(
        *_UNREPAIRABLE_LINT, "credentials.stale_session_token"
    )
    if skewed:
        run.add(F.make("credentials.clock_skew", evidence, caller.error_message[:200]))
    elif code == "NoCredentials":
        if not run.has("config.missing_variable"):
            run.add(F.make("config.missing_variable", "the SDK found no credentials"))
    elif lint_explains:
        _confirm_with_cleaned(run, evidence)
    elif code in meanings.AUTH_UNKNOWN_KEY:
        if run.has("credentials.key_inactive"):
            inactive_note = "AWS rejects the inactive key with InvalidClientTokenId"
            _append_evidence(run, "credentials.key_inactive", evidence, inactive_note)
        else:
            run.add(
                F.make("credentials.key_not_found", evidence, *_key_origin(run, last_used, key_id))
            )
    elif code in meanings.AUTH_BAD_SIGNATURE:
        owner = (
            f"key {ctx.key_id_masked} belongs to IAM user {ctx.app_user}"
            if ctx.app_user
            else f"key {ctx.key_id_masked} is known to AWS"
        )
        run.add(
            F.make(
                "credentials.secret_mismatch",
                evidence,
                owner + ", but the secret is not its pair",
                user=ctx.app_user,
            )
        )
    elif code == "ExpiredToken":
        run.add(F.make("credentials.token_expired", evidence))
    elif code in ("IncompleteSignature", "Unsignable"):
        # The lint's shape warning is a guess; AWS refusing to parse the key makes it an error.
        run.add(
            F.make(
                "credentials.key_id_malformed",
                evidence,
                caller.error_message[:200],
                severity=Severity.ERROR,
            )
        )
    else:
        run.add(
            F.make(
                "credentials.key_not_found",
                evidence,
                meanings.meaning(code) or caller.error_message[:200],
            )
        )
    run.unknown_steps.update({3})
    if not run.gateway.identities.has_operator:
        run.unknown_steps.update({1})
    return True


#: Lint findings that name a cause cleaning cannot repair: AWS's answer is their evidence.
_UNREPAIRABLE_LINT = (
    "credentials.smtp_password_as_secret",
    "credentials.temporary_key_without_token",
)
_CREDENTIAL_VARIABLES = (KEY_ID, SECRET, TOKEN)


def _already_explained(run: _Run, variables: Iterable[str]) -> bool:
    return any(
        run.lint_for(fid, var) is not None
        for var in variables
        for fid in ("credentials.whitespace", "credentials.quoted_value")
    )


def _append_evidence(run: _Run, finding_id: str, *evidence: str) -> None:
    with run.lock:
        for i, f in enumerate(run.findings):
            if f.id == finding_id:
                run.findings[i] = replace(f, evidence=(*f.evidence, *evidence))
                return


def _confirm_with_cleaned(run: _Run, evidence: str) -> None:
    """Prove the lint's cause: the same call with the cleaned values."""
    targets = [
        f
        for f in run.findings
        if (
            f.id in ("credentials.whitespace", "credentials.quoted_value")
            and f.data.get("variable") in _CREDENTIAL_VARIABLES
        )
        or f.id in (*_UNREPAIRABLE_LINT, "credentials.stale_session_token")
    ]
    creds = app_credentials(run.settings.cleaned())
    if creds is None or not targets:
        return
    if run.has(*_UNREPAIRABLE_LINT):
        # Cleaning cannot repair these; AWS's answer is the evidence.
        for f in targets:
            _append_evidence(run, f.id, evidence)
        return
    if run.has("credentials.stale_session_token"):
        creds = replace(creds, session_token=None)
    probe = run.gateway.with_identities(run.gateway.identities.with_app(creds))
    result = probe.read("app", "sts", "get_caller_identity", STS_REGION, step=2)
    if result.ok:
        note = "with the invisible characters and quotes removed, AWS accepts the credentials"
        if run.has("credentials.stale_session_token"):
            note = "without the session token (and cleaned), AWS accepts the credentials"
    else:
        note = f"even with the values cleaned AWS answers {result.record.outcome}"
        if result.error_code in meanings.AUTH_UNKNOWN_KEY:
            run.add(F.make("credentials.key_not_found", note))
        elif result.error_code in meanings.AUTH_BAD_SIGNATURE:
            run.add(F.make("credentials.secret_mismatch", note))
    for f in targets:
        _append_evidence(run, f.id, evidence, note)


def _key_origin(run: _Run, last_used: CallResult | None, key_id: str | None) -> list[str]:
    """With an operator: where does the key ID come from?"""
    ctx = run.ctx
    if last_used is None:
        return [
            "no operator identity: sesfix cannot tell whether the key was deleted or "
            "belongs to another account"
        ]
    if last_used.ok and last_used.data:
        user = last_used.data.get("UserName")
        return [f"the key ID is in this account's records (user {user}) but AWS rejects it"]
    info = run.gateway.read(
        "operator", "sts", "get_access_key_info", STS_REGION, AccessKeyId=key_id, step=2
    )
    if info.ok and info.data:
        owner = info.data.get("Account")
        if ctx.operator_account and owner != ctx.operator_account:
            return [
                f"sts:GetAccessKeyInfo says the key belongs to account {owner}; the operator "
                f"works in account {ctx.operator_account}"
            ]
        return [
            f"the key ID has the format of account {owner}'s keys but no IAM user has it "
            "(deleted or mistyped)"
        ]
    return [
        f"iam:GetAccessKeyLastUsed answered {last_used.record.outcome}: not a key of this account"
    ]


# ---- step 3: live test ---------------------------------------------------------------------


def _judge_live(
    run: _Run,
    quota: CallResult | None,
    account: CallResult | None,
    auth_failed: bool,
    caller: CallResult | None,
) -> None:
    if quota is None and account is None:
        if run.settings.has_credentials and run.ctx.region is None:
            run.unknown_steps.update({3})
        return
    answered = [r for r in (quota, account) if r is not None and not r.unreachable]
    for r in (quota, account):
        if r is None or not r.unreachable:
            continue
        other_answers = any(x is not r for x in answered)
        run.unreachable(
            r,
            step=3,
            severity=Severity.INFO if other_answers else Severity.ERROR,
            note="another probe answered the same question"
            if other_answers
            else "the live test has no answer",
        )
    if not answered:
        run.unknown_steps.add(3)
        return
    failed = [r for r in answered if r.error_code]
    if failed:
        # The live test itself failed; the cause is named in the step that owns it.
        run.failed_steps.add(3)
    if auth_failed:
        return  # the cause is already named in step 2; these are its symptoms.
    for r in answered:
        code = r.error_code
        if code in meanings.AUTH_UNKNOWN_KEY and caller is not None and caller.ok:
            region = r.record.region
            if region in regions.OPT_IN_REGIONS and not run.has("region.opt_in_disabled"):
                run.add(
                    F.make(
                        "region.opt_in_disabled",
                        f"sts:GetCallerIdentity accepts the key, but {r.record.call} in {region} "
                        f"answers {code}",
                        f"{region} is an opt-in region; enable it under Account > AWS Regions",
                    )
                )
            elif region not in regions.OPT_IN_REGIONS and not run.has("credentials.key_not_found"):
                run.add(
                    F.make(
                        "credentials.key_not_found",
                        f"sts accepts the key but {r.record.call} in {region} answers {code}",
                    )
                )


# ---- step 1: IAM ---------------------------------------------------------------------------


@dataclass
class _IamFutures:
    user_arn: str
    simulate: Future[CallResult]
    attached: Future[CallResult]
    inline: Future[CallResult]
    groups: Future[CallResult]
    user: Future[CallResult]


def _start_iam(run: _Run, op_usable: bool) -> _IamFutures:
    ctx = run.ctx
    account = ctx.app_account or ctx.operator_account or ""
    user_arn = ctx.app_arn if ctx.app_arn and ":user/" in ctx.app_arn else None
    user_arn = user_arn or f"arn:aws:iam::{account}:user/{ctx.app_user}"
    u = ctx.app_user
    return _IamFutures(
        user_arn=user_arn,
        simulate=run.read(
            1,
            "operator",
            "iam",
            "simulate_principal_policy",
            STS_REGION,
            PolicySourceArn=user_arn,
            ActionNames=list(SEND_ACTIONS),
        ),
        attached=run.read(
            1, "operator", "iam", "list_attached_user_policies", STS_REGION, UserName=u
        ),
        inline=run.read(1, "operator", "iam", "list_user_policies", STS_REGION, UserName=u),
        groups=run.read(1, "operator", "iam", "list_groups_for_user", STS_REGION, UserName=u),
        user=run.read(1, "operator", "iam", "get_user", STS_REGION, UserName=u),
    )


def _judge_iam(
    run: _Run,
    fut: _IamFutures | None,
    quota: CallResult | None,
    account: CallResult | None,
    auth_failed: bool,
    has_op: bool,
    op_usable: bool,
) -> None:
    ctx = run.ctx
    if fut is not None:
        attached = fut.attached.result()
        if attached.ok and attached.data:
            ctx.attached_policies = [
                p.get("PolicyName", "") for p in attached.data.get("AttachedPolicies", [])
            ]
        _record_iam_lists(ctx, fut)
        if _judge_iam_simulated(run, fut):
            return
        if _judge_iam_evaluated(run, fut, attached):
            return
    # No view of IAM: judge from what AWS answered the app itself.
    if auth_failed:
        # The app's key is rejected: the cause sits in step 2 and IAM has nothing to add.
        run.unknown_steps.add(1)
        if not has_op:
            run.add(
                F.make(
                    "iam.cannot_inspect",
                    "no operator profile given (--operator-profile): IAM policies were not read",
                    severity=Severity.INFO,
                )
            )
        return
    if not has_op:
        run.add(
            F.make(
                "iam.cannot_inspect",
                "no operator profile given (--operator-profile): IAM policies were not read",
                "sending rights are judged from AWS's answers to the app's own calls",
                severity=Severity.INFO,
            )
        )
    elif op_usable and fut is None:
        run.add(
            F.make(
                "iam.cannot_inspect",
                "the IAM user that owns the app's key could not be identified",
            )
        )
    denied = [r for r in (quota, account) if r is not None and r.denied]
    if denied:
        r = denied[0]
        evidence = [f"{r.record.call} as the app answered {r.error_code}"]
        if not has_op:
            evidence.append(
                "ses:SendEmail itself is not probed (that would send mail); without an operator "
                "this denial is the evidence"
            )
        _add_denial(run, r.error_message, *evidence)
        ctx.can_send = False
    else:
        # The app may read SES; sending rights themselves are unproven without IAM.
        ctx.can_send = None
        run.unknown_steps.add(1)


def _judge_read_denied(run: _Run, quota: CallResult | None, account: CallResult | None) -> None:
    """IAM says the user may send, yet AWS denied one of the app's reads: say so once."""
    if run.ctx.can_send is not True:
        return
    denied = [r for r in (quota, account) if r is not None and r.denied]
    if denied:
        r = denied[0]
        run.add(
            F.make(
                "iam.ses_read_denied",
                f"the user's policies allow {' and '.join(SEND_ACTIONS)}",
                f"but {r.record.call} as the app answered {r.error_code}",
                action=r.record.call,
            )
        )


def _add_denial(run: _Run, message: str, *evidence: str) -> None:
    kind = meanings.denial_kind(message)
    fid = {
        "explicit": "iam.ses_explicit_deny",
        "boundary": "iam.permissions_boundary_blocks",
        "scp": "iam.ses_explicit_deny",
    }.get(kind, "iam.ses_permission_missing")
    run.add(F.make(fid, *evidence, message[:300]))


def _record_iam_lists(ctx: Context, fut: _IamFutures) -> None:
    """What the listing probes saw, kept for fixes and the wizard whatever the verdict
    (they run beside the simulation so a fallback costs no extra round trip)."""
    inline, groups, user = fut.inline.result(), fut.groups.result(), fut.user.result()
    if inline.ok and inline.data:
        ctx.inline_policies = list(inline.data.get("PolicyNames", []))
    if groups.ok and groups.data:
        ctx.groups = [g["GroupName"] for g in groups.data.get("Groups", [])]
    if user.ok and user.data:
        boundary = user.data.get("User", {}).get("PermissionsBoundary") or {}
        ctx.permissions_boundary = boundary.get("PermissionsBoundaryArn")


def _iam_overview(fut: _IamFutures) -> list[str]:
    """Evidence from the listing probes that ran beside the simulation (inline policies,
    groups, boundary), so the simulation's verdict names what the user actually has."""
    lines: list[str] = []
    inline, groups, user = fut.inline.result(), fut.groups.result(), fut.user.result()
    if inline.ok and inline.data and inline.data.get("PolicyNames"):
        lines.append("inline policies: " + ", ".join(inline.data["PolicyNames"]))
    if groups.ok and groups.data and groups.data.get("Groups"):
        lines.append("groups: " + ", ".join(g["GroupName"] for g in groups.data["Groups"]))
    boundary = ((user.data or {}).get("User", {}) if user.ok else {}).get("PermissionsBoundary")
    if boundary and boundary.get("PermissionsBoundaryArn"):
        lines.append("permissions boundary: " + boundary["PermissionsBoundaryArn"])
    return lines


def _judge_iam_simulated(run: _Run, fut: _IamFutures) -> bool:
    ctx = run.ctx
    sim = fut.simulate.result()
    if not sim.ok or not sim.data:
        note = "evaluating the user's policies instead"
        if sim.denied:
            run.add(
                F.make(
                    "probe.access_denied",
                    f"{sim.record.call} as operator: {sim.error_code}",
                    note,
                    step=1,
                )
            )
        else:
            run.unreachable(sim, step=1, severity=Severity.INFO, note=note)
        return False
    results = sim.data.get("EvaluationResults", [])
    policies = ", ".join(ctx.attached_policies) or "none"
    decisions = {r.get("EvalActionName"): r for r in results}
    blocked = {a: r for a, r in decisions.items() if r.get("EvalDecision") != "allowed"}
    if not blocked:
        ctx.can_send = True
        missing = sorted({k for r in results for k in r.get("MissingContextValues") or []})
        if missing:
            # The simulator assumed these keys absent; the real send may carry them.
            run.add(
                F.make(
                    "iam.cannot_inspect",
                    "iam:SimulatePrincipalPolicy allowed sending, but its policies have "
                    "conditions on context it was not given: " + ", ".join(missing),
                    user=ctx.app_user,
                )
            )
        return True
    ctx.can_send = False
    evidence = [
        f"iam:SimulatePrincipalPolicy for {a}: {r.get('EvalDecision')}" for a, r in blocked.items()
    ]
    evidence.append(f"policies attached to {ctx.app_user}: {policies}")
    evidence.extend(_iam_overview(fut))
    boundary_blocked = [
        a
        for a, r in blocked.items()
        if (r.get("PermissionsBoundaryDecisionDetail") or {}).get("AllowedByPermissionsBoundary")
        is False
    ]
    if any(r.get("EvalDecision") == "explicitDeny" for r in blocked.values()):
        matched = [
            f"{s.get('SourcePolicyType', 'policy')} {s.get('SourcePolicyId', '?')}"
            for r in blocked.values()
            if r.get("EvalDecision") == "explicitDeny"
            for s in r.get("MatchedStatements", [])
        ]
        if matched:
            evidence.append("denied by: " + ", ".join(sorted(set(matched))))
        run.add(F.make("iam.ses_explicit_deny", *evidence, user=ctx.app_user))
    elif boundary_blocked:
        evidence.append(
            "the permissions boundary does not allow " + ", ".join(sorted(boundary_blocked))
        )
        run.add(F.make("iam.permissions_boundary_blocks", *evidence, user=ctx.app_user))
    else:
        run.add(
            F.make(
                "iam.ses_permission_missing",
                *evidence,
                user=ctx.app_user,
                policies=ctx.attached_policies,
            )
        )
    return True


def _judge_iam_evaluated(run: _Run, fut: _IamFutures, attached: CallResult) -> bool:
    """Fetch the user's policy documents and evaluate them ourselves."""
    ctx = run.ctx
    user = ctx.app_user or ""
    inline, groups, get_user = fut.inline.result(), fut.groups.result(), fut.user.result()
    basics = (attached, inline, groups, get_user)
    failed = [r for r in basics if not r.ok]
    if failed:
        r = failed[0]
        run.add(
            F.make(
                "iam.cannot_inspect",
                f"{r.record.call} as operator answered {r.record.outcome}",
                *([_minimal_read_policy_hint()] if r.denied else []),
            )
        )
        return False
    # Every document is fetched once, concurrently; only the main thread waits, so no
    # pool worker ever blocks on another (no deadlock however many groups a user has).
    managed_docs: dict[str, Future[Any]] = {}

    def managed(arn: str) -> Future[Any]:
        def fetch() -> Any:
            pol = run.gateway.read(
                "operator", "iam", "get_policy", STS_REGION, step=1, PolicyArn=arn
            )
            if not pol.ok or not pol.data:
                return pol
            version = pol.data["Policy"].get("DefaultVersionId")
            ver = run.gateway.read(
                "operator",
                "iam",
                "get_policy_version",
                STS_REGION,
                step=1,
                PolicyArn=arn,
                VersionId=version,
            )
            if not ver.ok or not ver.data:
                return ver
            return ver.data["PolicyVersion"]["Document"]

        if arn not in managed_docs:
            managed_docs[arn] = run.pool.submit(fetch)
        return managed_docs[arn]

    def inline_doc(op: str, label: str, **params: str) -> tuple[str, Future[Any]]:
        def fetch() -> Any:
            r = run.gateway.read("operator", "iam", op, STS_REGION, step=1, **params)
            return (r.data or {}).get("PolicyDocument") if r.ok else r

        return label, run.pool.submit(fetch)

    def done(value: Any) -> Future[Any]:
        f: Future[Any] = Future()
        f.set_result(value)
        return f

    group_names = [g["GroupName"] for g in (groups.data or {}).get("Groups", [])]
    group_lists = {
        g: (
            run.read(1, "operator", "iam", "list_attached_group_policies", STS_REGION, GroupName=g),
            run.read(1, "operator", "iam", "list_group_policies", STS_REGION, GroupName=g),
        )
        for g in group_names
    }
    pending: list[tuple[str, Future[Any]]] = []
    for p in (attached.data or {}).get("AttachedPolicies", []):
        pending.append((f"managed policy {p['PolicyName']}", managed(p["PolicyArn"])))
    for name in (inline.data or {}).get("PolicyNames", []):
        pending.append(
            inline_doc("get_user_policy", f"inline policy {name}", UserName=user, PolicyName=name)
        )
    boundary_arn = ((get_user.data or {}).get("User", {}).get("PermissionsBoundary") or {}).get(
        "PermissionsBoundaryArn"
    )
    boundary_fut = managed(boundary_arn) if boundary_arn else None
    for g, (fa, fi) in group_lists.items():
        ar, ir = fa.result(), fi.result()
        if not ar.ok or not ir.ok:
            pending.append((f"group {g}", done(ar if not ar.ok else ir)))
            continue
        for p in (ar.data or {}).get("AttachedPolicies", []):
            label = f"managed policy {p['PolicyName']} (via group {g})"
            pending.append((label, managed(p["PolicyArn"])))
        for name in (ir.data or {}).get("PolicyNames", []):
            pending.append(
                inline_doc(
                    "get_group_policy",
                    f"inline policy {name} of group {g}",
                    GroupName=g,
                    PolicyName=name,
                )
            )
    collected: list[tuple[str, Any]] = [(label, f.result()) for label, f in pending]
    boundary_item = (
        (f"permissions boundary {boundary_arn.rsplit('/', 1)[-1]}", boundary_fut.result())
        if boundary_fut is not None and boundary_arn
        else None
    )

    policy_docs: list[policy.PolicyDoc] = []
    for label, doc in [*collected, *([boundary_item] if boundary_item else [])]:
        if isinstance(doc, CallResult):
            run.add(
                F.make(
                    "iam.cannot_inspect",
                    f"{doc.record.call} for {label} answered {doc.record.outcome}",
                )
            )
            return False
    try:
        for label, doc in collected:
            policy_docs.append(policy.PolicyDoc(label, policy.parse_document(doc)))
        boundary_doc = (
            policy.PolicyDoc(boundary_item[0], policy.parse_document(boundary_item[1]))
            if boundary_item
            else None
        )
    except (TypeError, ValueError) as exc:
        run.add(
            F.make(
                "iam.cannot_inspect",
                f"a policy document of IAM user {user} could not be read ({type(exc).__name__})",
            )
        )
        return False
    ev = policy.evaluate(SEND_ACTIONS, policy_docs, boundary_doc)
    sources = [d.source for d in policy_docs] or ["none"]
    base = [
        f"policies of IAM user {user}: " + ", ".join(sources),
        *([f"groups: {', '.join(group_names)}"] if group_names else []),
    ]
    if ev.all_allowed():
        ctx.can_send = True
        conditional = [
            ref.describe()
            for v in ev.verdicts.values()
            if v.allowed_by and all(ref.conditional for ref in v.allowed_by)
            for ref in v.allowed_by
        ]
        if conditional:
            # Allowed only under conditions sesfix cannot evaluate: say so, do not guess.
            run.add(
                F.make(
                    "iam.cannot_inspect",
                    *base,
                    *dict.fromkeys(conditional),
                    "whether the condition holds for the app's sends is not checked",
                    user=user,
                )
            )
        return True
    ctx.can_send = False
    verdicts = list(ev.verdicts.values())
    if any(v.decision == "explicitDeny" for v in verdicts):
        lines = [d.describe() for v in verdicts for d in v.denied_by]
        run.add(F.make("iam.ses_explicit_deny", *base, *dict.fromkeys(lines), user=user))
    elif any(v.boundary_blocks for v in verdicts):
        blocked = [v.action for v in verdicts if v.boundary_blocks]
        run.add(
            F.make(
                "iam.permissions_boundary_blocks",
                *base,
                f"{boundary_doc.source if boundary_doc else 'the boundary'} does not allow "
                + ", ".join(blocked),
                user=user,
            )
        )
    else:
        missing = [v.action for v in verdicts if v.decision != "allowed"]
        run.add(
            F.make(
                "iam.ses_permission_missing",
                *base,
                "no statement allows " + " or ".join(missing),
                user=user,
                policies=ctx.attached_policies,
            )
        )
    return True


def _minimal_read_policy_hint() -> str:
    return (
        "the operator needs at least iam:GetUser, iam:ListAccessKeys, iam:ListAttachedUserPolicies, "
        "iam:ListUserPolicies, iam:ListGroupsForUser, iam:GetPolicy, iam:GetPolicyVersion "
        "(see README, Security)"
    )


# ---- step 4: region ------------------------------------------------------------------------


def _verified_in(result: CallResult, names: Iterable[str]) -> dict[str, str]:
    attrs = (result.data or {}).get("VerificationAttributes", {}) if result.ok else {}
    return {n: attrs.get(n, {}).get("VerificationStatus", "NotStarted") for n in names}


def _start_region_search(
    run: _Run, verify: CallResult | None, region: str | None, identity: IdentityName
) -> tuple[dict[str, Future[CallResult]], Future[CallResult] | None]:
    ctx = run.ctx
    if verify is None or not verify.ok or not ctx.domain or region is None:
        return {}, None
    names = [x for x in (ctx.domain, ctx.sender) if x]
    statuses = _verified_in(verify, names)
    if any(v == "Success" for v in statuses.values()):
        f_dkim = run.read(
            5, identity, "ses", "get_identity_dkim_attributes", region, Identities=[ctx.domain]
        )
        return {}, f_dkim
    others = [r for r in regions.SES_REGIONS if r != region]
    futs = {
        r: run.read(4, identity, "ses", "get_identity_verification_attributes", r, Identities=names)
        for r in others
    }
    return futs, None


def _search_all_regions(run: _Run, identity: IdentityName) -> dict[str, Future[CallResult]]:
    names = [x for x in (run.ctx.domain, run.ctx.sender) if x]
    return {
        r: run.read(4, identity, "ses", "get_identity_verification_attributes", r, Identities=names)
        for r in regions.SES_REGIONS
    }


def _judge_region(
    run: _Run,
    verify: CallResult | None,
    region_futures: dict[str, Future[CallResult]],
    region_ok: bool,
) -> None:
    ctx = run.ctx
    s = run.settings
    if not region_ok:
        if s.region is None or not s.region.strip():
            run.unknown_steps.add(4)
        names = [x for x in (ctx.domain, ctx.sender) if x]
        elsewhere = [
            r
            for r, fut in region_futures.items()
            if fut.result().ok
            and any(v == "Success" for v in _verified_in(fut.result(), names).values())
        ]
        ctx.verified_regions.extend(elsewhere)
        if elsewhere:
            line = f"{ctx.domain} is verified in {', '.join(elsewhere)}: set {REGION} to " + (
                elsewhere[0] if len(elsewhere) == 1 else "one of them"
            )
            with run.lock:
                for i, f in enumerate(run.findings):
                    if f.id == "region.invalid" or (
                        f.id == "config.missing_variable" and f.data.get("variable") == REGION
                    ):
                        run.findings[i] = replace(f, evidence=(*f.evidence, line))
        return
    if not ctx.domain:
        run.unknown_steps.add(4)
        return
    if verify is None:
        run.unknown_steps.add(4)
        return
    if not verify.ok:
        run.unknown_steps.add(4)
        code = verify.error_code
        if verify.unreachable:
            run.unreachable(
                verify, step=4, severity=Severity.ERROR, note="the sender's status is unknown"
            )
        elif code in meanings.AUTH_UNKNOWN_KEY and run.has("region.opt_in_disabled"):
            run.failed_steps.add(4)  # a symptom of the disabled region, named already
        elif verify.record.identity == "app" and code in meanings.AUTH_FAILURES:
            pass  # the app's key is rejected: the cause is named in step 2
        elif verify.denied and verify.record.identity == "app":
            run.add(
                F.make(
                    "probe.access_denied",
                    f"{verify.record.call} as the app answered {code}",
                    "give sesfix an operator profile to see where the domain is verified",
                    step=4,
                    call=verify.record.call,
                )
            )
        else:
            run.add(
                F.make(
                    "probe.access_denied",
                    f"{verify.record.call} as {verify.record.identity} answered {code}",
                    step=4,
                    call=verify.record.call,
                )
            )
        return
    names = [x for x in (ctx.domain, ctx.sender) if x]
    here = _verified_in(verify, names)
    if any(v == "Success" for v in here.values()):
        ctx.verified_regions.append(ctx.region or "")
        return
    found: list[str] = []
    silent: list[str] = []
    for r, fut in region_futures.items():
        res = fut.result()
        if res.ok:
            if any(v == "Success" for v in _verified_in(res, names).values()):
                found.append(r)
        elif not (res.error_code in meanings.AUTH_UNKNOWN_KEY and r in regions.OPT_IN_REGIONS):
            silent.append(r)
            if res.unreachable and len(silent) <= 5:
                # Name each region that did not answer (call and region), not only a count.
                run.unreachable(
                    res,
                    step=4,
                    severity=Severity.INFO,
                    note="this region is missing from the search for the sender",
                )
    ctx.verified_regions.extend(found)
    status = here.get(ctx.domain or "", "NotStarted")
    if found:
        run.add(
            F.make(
                "region.identity_not_in_region",
                f"{ctx.domain} is {status} in {ctx.region} (AWS_SES_REGION)",
                f"{ctx.domain} is verified in {', '.join(found)}",
                verified_regions=found,
            )
        )
    else:
        evidence = [f"{ctx.domain} is {status} in {ctx.region}"]
        evidence.append(f"not verified in any of the other {len(region_futures)} SES regions")
        if silent:
            evidence.append(f"{len(silent)} region(s) did not answer: {', '.join(silent[:5])}")
        run.add(F.make("identity.not_verified", *evidence))


# ---- step 5: account -----------------------------------------------------------------------


def _start_operator_quota(
    run: _Run,
    f_quota: Future[CallResult] | None,
    f_account: Future[CallResult] | None,
    op_usable: bool,
    region: str | None,
) -> Future[CallResult] | None:
    """Step 5's fallback, started with round 2 rather than after the verdicts (one round
    trip saved): the operator's ``ses:GetSendQuota`` when the app could read neither
    ``sesv2:GetAccount`` nor ``ses:GetSendQuota``. Not started where :func:`_judge_account`
    would not use it (a possibly disabled opt-in region)."""
    if not op_usable or region is None or not run.ctx.region:
        return None
    answers = [f.result() for f in (f_quota, f_account) if f is not None]
    if any(r.ok and r.data for r in answers):
        return None
    if region in regions.OPT_IN_REGIONS and any(
        r.error_code in meanings.AUTH_UNKNOWN_KEY for r in answers
    ):
        return None
    return run.read(5, "operator", "ses", "get_send_quota", region)


def _judge_account(
    run: _Run,
    quota: CallResult | None,
    account: CallResult | None,
    f_dkim: Future[CallResult] | None,
    op_usable: bool,
    region: str | None,
    op_quota: Future[CallResult] | None = None,
) -> None:
    ctx = run.ctx
    if region is None or not run.ctx.region:
        run.unknown_steps.add(5)
        return
    if run.has("region.opt_in_disabled"):
        # Nothing answers in a disabled region; asking the operator there would be waste.
        run.unknown_steps.add(5)
        run.failed_steps.add(5)
        return
    if account is not None and account.ok and account.data:
        data = account.data
        ctx.sandbox = not data.get("ProductionAccessEnabled", False)
        if data.get("SendingEnabled") is False:
            run.add(
                F.make(
                    "account.sending_disabled",
                    f"sesv2:GetAccount in {region}: SendingEnabled false, EnforcementStatus "
                    f"{data.get('EnforcementStatus', '?')}",
                )
            )
        if ctx.sandbox:
            q = data.get("SendQuota", {})
            run.add(
                F.make(
                    "account.sandbox",
                    f"sesv2:GetAccount in {region}: ProductionAccessEnabled false",
                    f"quota {q.get('Max24HourSend', '?')} per 24 h, {q.get('MaxSendRate', '?')} per second",
                )
            )
    else:
        q_result = quota
        if (q_result is None or not q_result.ok) and op_usable:
            q_result = (
                op_quota.result()
                if op_quota is not None
                else run.gateway.read("operator", "ses", "get_send_quota", region, step=5)
            )
        if q_result is not None and q_result.ok and q_result.data:
            max24 = q_result.data.get("Max24HourSend", 0)
            ctx.sandbox = 0 <= max24 <= 200
            if ctx.sandbox:
                run.add(
                    F.make(
                        "account.sandbox",
                        f"ses:GetSendQuota in {region}: Max24HourSend {max24:g}, MaxSendRate "
                        f"{q_result.data.get('MaxSendRate', 0):g} (the sandbox quota)",
                    )
                )
        else:
            run.unknown_steps.add(5)
    if f_dkim is not None:
        dk = f_dkim.result()
        if dk.ok and dk.data:
            attrs = dk.data.get("DkimAttributes", {}).get(ctx.domain or "", {})
            status = attrs.get("DkimVerificationStatus", "NotStarted")
            if status != "Success":
                run.add(
                    F.make(
                        "identity.dkim_not_verified",
                        f"DKIM for {ctx.domain} in {region}: {status}",
                        tokens=len(attrs.get("DkimTokens", [])),
                    )
                )
        elif dk.unreachable:
            run.unreachable(dk, step=5, severity=Severity.INFO, note="DKIM status not checked")


# ------------------------------------------------------------------------------------------
# the report
# ------------------------------------------------------------------------------------------


def _name_operator_denials(run: _Run, records: list[CallRecord]) -> None:
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
                f"{r.call} as operator in {r.region} answered {r.outcome}",
                f"the operator's policy lacks {r.call} (see sesfix/policies/operator-diagnose.json)",
                step=r.step or 1,
                call=r.call,
                region=r.region,
                identity=r.identity,
            )
        )


def _report(run: _Run, options: DiagnosisOptions) -> Report:
    records = run.gateway.calls("read")
    _name_operator_denials(run, records)
    findings = _dedupe(run.findings)
    # A failed probe whose cause is an error named in another step fails its step too.
    causes_elsewhere = any(
        f.severity == Severity.ERROR and f.id != "probe.unreachable" for f in findings
    )
    steps: list[StepResult] = []
    for n in range(1, 6):
        probes = tuple(sorted((r for r in records if r.step == n), key=lambda r: r.seq))
        fs = [f for f in findings if f.step == n and f.severity != Severity.INFO]
        errors = [f for f in fs if f.severity == Severity.ERROR]
        status: StepStatus
        if any(f.id != "probe.unreachable" for f in errors) or (
            n in run.failed_steps and causes_elsewhere
        ):
            status = "fail"
        elif n in run.unknown_steps or errors:
            # Only unanswered probes: the step has no verdict, which is not a failure.
            status = "unknown"
        elif fs:
            status = "warning"
        else:
            status = "pass"
        steps.append(StepResult(n, status, probes))
    order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
    findings.sort(key=lambda f: (order[f.severity], f.step))
    op = options.operator
    return Report(
        steps=steps,
        findings=findings,
        context=run.ctx,
        source=run.settings.source,
        operator=op.label if op else "none",
    )


def _dedupe(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per (id, step, variable): evidence of repeats is merged, in order."""
    merged: dict[tuple[Any, ...], Finding] = {}
    for f in findings:
        key = (f.id, f.step, f.data.get("variable"), f.data.get("call"), f.data.get("region"))
        if key in merged:
            prior = merged[key]
            evidence = tuple(dict.fromkeys((*prior.evidence, *f.evidence)))
            severity = min(prior.severity, f.severity, key=_SEVERITY_RANK.__getitem__)
            merged[key] = replace(prior, evidence=evidence, severity=severity)
        else:
            merged[key] = f
    return list(merged.values())


_SEVERITY_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


__all__ = [
    "CallFinished",
    "CallStarted",
    "Cancelled",
    "DiagnosisFinished",
    "DiagnosisOptions",
    "diagnose",
]
