"""Step 1, IAM: may the key's owner send with SES?

With an operator, ``iam:SimulatePrincipalPolicy`` answers for ``ses:SendEmail`` and
``ses:SendRawEmail``; beside it the user's policy lists, groups and boundary are read, so
when the simulation is unavailable the policy documents are fetched (each once) and
evaluated by :mod:`sesfix.aws.policy`, with no extra round trip for the lists. Without
one, AWS's answers to the app's own calls are the evidence. Which IAM actions sending
needs, and what the simulator cannot see, are in docs/aws-facts.md.
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass

from sesfix import findings as F
from sesfix.aws import meanings
from sesfix.aws.gateway import CallResult
from sesfix.diagnosis.evidence import ev
from sesfix.diagnosis.iam_documents import (
    SEND_ACTIONS,
    STS_REGION,
    fetch_documents,
    judge_documents,
)
from sesfix.diagnosis.report import Context
from sesfix.diagnosis.run import Run
from sesfix.findings import Severity


@dataclass
class IamFutures:
    user_arn: str
    simulate: Future[CallResult]
    attached: Future[CallResult]
    inline: Future[CallResult]
    groups: Future[CallResult]
    user: Future[CallResult]


def start_iam(run: Run, op_usable: bool) -> IamFutures:
    ctx = run.ctx
    account = ctx.app_account or ctx.operator_account or ""
    user_arn = ctx.app_arn if ctx.app_arn and ":user/" in ctx.app_arn else None
    user_arn = user_arn or f"arn:aws:iam::{account}:user/{ctx.app_user}"
    u = ctx.app_user
    return IamFutures(
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


def judge_iam(
    run: Run,
    fut: IamFutures | None,
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
            run.add(F.make("iam.cannot_inspect", ev("iam.no_operator"), severity=Severity.INFO))
        return
    if not has_op:
        run.add(
            F.make(
                "iam.cannot_inspect",
                ev("iam.no_operator"),
                ev("iam.judged_from_app"),
                severity=Severity.INFO,
            )
        )
    elif op_usable and fut is None:
        run.add(
            F.make(
                "iam.cannot_inspect",
                ev("iam.owner_unknown"),
            )
        )
    denied = [r for r in (quota, account) if r is not None and r.denied]
    if denied:
        r = denied[0]
        evidence = [ev("probe.app_answered", call=r.record.call, code=r.error_code)]
        if not has_op:
            evidence.append(ev("iam.send_not_probed"))
        _add_denial(run, r.error_message, *evidence)
        ctx.can_send = False
    else:
        # The app may read SES; sending rights themselves are unproven without IAM.
        ctx.can_send = None
        run.unknown_steps.add(1)


def judge_read_denied(run: Run, quota: CallResult | None, account: CallResult | None) -> None:
    """IAM says the user may send, yet AWS denied one of the app's reads: say so once."""
    if run.ctx.can_send is not True:
        return
    denied = [r for r in (quota, account) if r is not None and r.denied]
    if denied:
        r = denied[0]
        run.add(
            F.make(
                "iam.ses_read_denied",
                ev("iam.policies_allow", actions=" + ".join(SEND_ACTIONS)),
                ev("iam.but_read_denied", call=r.record.call, code=r.error_code),
                action=r.record.call,
            )
        )


def _add_denial(run: Run, message: str, *evidence: str) -> None:
    kind = meanings.denial_kind(message)
    fid = {
        "explicit": "iam.ses_explicit_deny",
        "boundary": "iam.permissions_boundary_blocks",
        "scp": "iam.ses_explicit_deny",
    }.get(kind, "iam.ses_permission_missing")
    run.add(F.make(fid, *evidence, ev("aws.message", message=message)))


def _record_iam_lists(ctx: Context, fut: IamFutures) -> None:
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


def _iam_overview(fut: IamFutures) -> list[str]:
    """Evidence from the listing probes that ran beside the simulation (inline policies,
    groups, boundary), so the simulation's verdict names what the user actually has."""
    lines: list[str] = []
    inline, groups, user = fut.inline.result(), fut.groups.result(), fut.user.result()
    if inline.ok and inline.data and inline.data.get("PolicyNames"):
        lines.append(ev("iam.inline_policies", names=", ".join(inline.data["PolicyNames"])))
    if groups.ok and groups.data and groups.data.get("Groups"):
        names = ", ".join(g["GroupName"] for g in groups.data["Groups"])
        lines.append(ev("iam.groups", names=names))
    boundary = ((user.data or {}).get("User", {}) if user.ok else {}).get("PermissionsBoundary")
    if boundary and boundary.get("PermissionsBoundaryArn"):
        lines.append(ev("iam.boundary", arn=boundary["PermissionsBoundaryArn"]))
    return lines


def _judge_iam_simulated(run: Run, fut: IamFutures) -> bool:
    ctx = run.ctx
    sim = fut.simulate.result()
    if not sim.ok or not sim.data:
        note = ev("note.evaluating_instead")
        if sim.denied:
            run.add(
                F.make(
                    "probe.access_denied",
                    ev("iam.operator_refused", call=sim.record.call, code=sim.error_code),
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
                    ev("iam.simulation_context", keys=", ".join(missing)),
                    user=ctx.app_user,
                )
            )
        return True
    ctx.can_send = False
    evidence = [
        ev("iam.simulation", action=a, decision=r.get("EvalDecision")) for a, r in blocked.items()
    ]
    evidence.append(ev("iam.attached", user=ctx.app_user, policies=policies))
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
            evidence.append(ev("iam.denied_by", statements=", ".join(sorted(set(matched)))))
        run.add(F.make("iam.ses_explicit_deny", *evidence, user=ctx.app_user))
    elif boundary_blocked:
        evidence.append(ev("iam.boundary_blocks", actions=", ".join(sorted(boundary_blocked))))
        run.add(F.make("iam.permissions_boundary_blocks", *evidence, user=ctx.app_user))
    elif set(blocked) == {"ses:SendRawEmail"}:
        # SendEmail allowed, SendRawEmail not: the precise cause (issue 15).
        run.add(F.make("iam.send_raw_email_missing", *evidence, user=ctx.app_user))
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


def _judge_iam_evaluated(run: Run, fut: IamFutures, attached: CallResult) -> bool:
    """Fetch the user's policy documents and evaluate them ourselves."""
    documents = fetch_documents(run, fut, attached)
    if documents is None:
        return False
    run.policy_documents = (documents[0], documents[1])
    return judge_documents(run, *documents)
