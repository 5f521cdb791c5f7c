"""Steps 3 and 5: the live test (can the app's key talk to SES in its region?) and the
account's readiness (sandbox, sending paused, DKIM).

``ses:GetSendQuota`` and ``sesv2:GetAccount`` as the app are the live test and, when they
answer, the account's state; with an operator, its own ``ses:GetSendQuota`` is the fallback.
What the sandbox means and its quota are in docs/aws-facts.md.
"""

from __future__ import annotations

from concurrent.futures import Future

from sesfix import findings as F
from sesfix.aws import meanings, regions
from sesfix.aws.gateway import CallResult
from sesfix.diagnosis.evidence import ev
from sesfix.diagnosis.run import Run
from sesfix.findings import Severity

# ---- step 3: live test ---------------------------------------------------------------------


def judge_live(
    run: Run,
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
            note=ev("note.answered_elsewhere") if other_answers else ev("note.live_no_answer"),
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
                        ev("live.opt_in_refused", call=r.record.call, region=region, code=code),
                        ev("live.opt_in_enable", region=region),
                    )
                )
            elif region not in regions.OPT_IN_REGIONS and not run.has("credentials.key_not_found"):
                run.add(
                    F.make(
                        "credentials.key_not_found",
                        ev("live.sts_accepts", call=r.record.call, region=region, code=code),
                    )
                )


# ---- step 5: account -----------------------------------------------------------------------


def start_operator_quota(
    run: Run,
    f_quota: Future[CallResult] | None,
    f_account: Future[CallResult] | None,
    op_usable: bool,
    region: str | None,
) -> Future[CallResult] | None:
    """Step 5's fallback, started with round 2 rather than after the verdicts (one round
    trip saved): the operator's ``ses:GetSendQuota`` when the app could read neither
    ``sesv2:GetAccount`` nor ``ses:GetSendQuota``. Not started where :func:`judge_account`
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


def judge_account(
    run: Run,
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
        # SHUTDOWN: AWS paused the account after a review; ``account.paused`` (the delivery
        # checks) names that cause, and resume-sending cannot undo it.
        shutdown = str(data.get("EnforcementStatus") or "").upper() == "SHUTDOWN"
        if data.get("SendingEnabled") is False and not shutdown:
            run.add(
                F.make(
                    "account.sending_disabled",
                    ev(
                        "account.sending_disabled",
                        region=region,
                        status=data.get("EnforcementStatus", "?"),
                    ),
                )
            )
        if ctx.sandbox:
            q = data.get("SendQuota", {})
            run.add(
                F.make(
                    "account.sandbox",
                    ev("account.sandbox", region=region),
                    ev(
                        "account.quota",
                        max24=q.get("Max24HourSend", "?"),
                        rate=q.get("MaxSendRate", "?"),
                    ),
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
                        ev(
                            "account.sandbox_quota",
                            region=region,
                            max24=f"{max24:g}",
                            rate=f"{q_result.data.get('MaxSendRate', 0):g}",
                        ),
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
                        ev(
                            "account.dkim",
                            domain=ctx.domain_shown or ctx.domain,
                            region=region,
                            status=status,
                        ),
                        tokens=len(attrs.get("DkimTokens", [])),
                    )
                )
        elif dk.unreachable:
            run.unreachable(dk, step=5, severity=Severity.INFO, note=ev("note.dkim_unchecked"))
