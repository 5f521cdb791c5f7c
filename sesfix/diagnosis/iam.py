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
from typing import Any

from sesfix import findings as F
from sesfix.aws import meanings, policy, regions
from sesfix.aws.gateway import CallResult
from sesfix.diagnosis.evidence import ev
from sesfix.diagnosis.report import Context
from sesfix.diagnosis.run import Run
from sesfix.findings import Severity

SEND_ACTIONS = ("ses:SendEmail", "ses:SendRawEmail")
STS_REGION = regions.DEFAULT_STS_REGION


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
    documents = _fetch_documents(run, fut, attached)
    if documents is None:
        return False
    run.policy_documents = (documents[0], documents[1])
    return _judge_documents(run, *documents)


_Documents = tuple[list[policy.PolicyDoc], policy.PolicyDoc | None, list[str]]


class _Fetcher:
    """Fetches each policy document once, concurrently. Only the main thread waits on its
    futures, so no pool worker ever blocks on another (no deadlock however many groups a
    user has). A document that could not be read is its :class:`CallResult` instead."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self._managed: dict[str, Future[Any]] = {}

    def read(self, op: str, **params: Any) -> CallResult:
        return self.run.gateway.read("operator", "iam", op, STS_REGION, step=1, **params)

    def managed(self, arn: str) -> Future[Any]:
        def fetch() -> Any:
            pol = self.read("get_policy", PolicyArn=arn)
            if not pol.ok or not pol.data:
                return pol
            version = pol.data["Policy"].get("DefaultVersionId")
            ver = self.read("get_policy_version", PolicyArn=arn, VersionId=version)
            if not ver.ok or not ver.data:
                return ver
            return ver.data["PolicyVersion"]["Document"]

        if arn not in self._managed:
            self._managed[arn] = self.run.pool.submit(fetch)
        return self._managed[arn]

    def inline(self, op: str, label: str, **params: str) -> tuple[str, Future[Any]]:
        def fetch() -> Any:
            r = self.read(op, **params)
            return (r.data or {}).get("PolicyDocument") if r.ok else r

        return label, self.run.pool.submit(fetch)

    @staticmethod
    def done(value: Any) -> Future[Any]:
        f: Future[Any] = Future()
        f.set_result(value)
        return f


def _fetch_documents(run: Run, fut: IamFutures, attached: CallResult) -> _Documents | None:
    """The user's policy documents (own, groups', boundary), parsed; None when any could not
    be read (the finding says which)."""
    inline, groups, get_user = fut.inline.result(), fut.groups.result(), fut.user.result()
    failed = [r for r in (attached, inline, groups, get_user) if not r.ok]
    if failed:
        r = failed[0]
        if r.unreachable:
            # No answer from AWS is not a fact about the user's rights.
            run.unreachable(r, step=1, severity=Severity.WARNING, note=ev("note.iam_unread"))
            return None
        run.add(
            F.make(
                "iam.cannot_inspect",
                ev(
                    "probe.identity_answered",
                    call=r.record.call,
                    identity="operator",
                    code=r.record.outcome,
                ),
                *([_minimal_read_policy_hint()] if r.denied else []),
            )
        )
        return None
    fetcher = _Fetcher(run)
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
        label = ev("iam.label.managed", name=p["PolicyName"])
        pending.append((label, fetcher.managed(p["PolicyArn"])))
    user = run.ctx.app_user or ""
    for name in (inline.data or {}).get("PolicyNames", []):
        label = ev("iam.label.inline", name=name)
        pending.append(fetcher.inline("get_user_policy", label, UserName=user, PolicyName=name))
    boundary_arn = ((get_user.data or {}).get("User", {}).get("PermissionsBoundary") or {}).get(
        "PermissionsBoundaryArn"
    )
    boundary_fut = fetcher.managed(boundary_arn) if boundary_arn else None
    for g, (fa, fi) in group_lists.items():
        pending.extend(_group_documents(fetcher, g, fa.result(), fi.result()))
    collected: list[tuple[str, Any]] = [(label, f.result()) for label, f in pending]
    boundary_item = (
        (ev("iam.label.boundary", name=boundary_arn.rsplit("/", 1)[-1]), boundary_fut.result())
        if boundary_fut is not None and boundary_arn
        else None
    )
    parsed = _parse_documents(run, collected, boundary_item)
    return None if parsed is None else (*parsed, group_names)


def _group_documents(
    fetcher: _Fetcher, group: str, attached: CallResult, inline: CallResult
) -> list[tuple[str, Future[Any]]]:
    if not attached.ok or not inline.ok:
        label = ev("iam.label.group", name=group)
        return [(label, fetcher.done(attached if not attached.ok else inline))]
    out: list[tuple[str, Future[Any]]] = []
    for p in (attached.data or {}).get("AttachedPolicies", []):
        label = ev("iam.label.group_managed", name=p["PolicyName"], group=group)
        out.append((label, fetcher.managed(p["PolicyArn"])))
    for name in (inline.data or {}).get("PolicyNames", []):
        label = ev("iam.label.group_inline", name=name, group=group)
        out.append(fetcher.inline("get_group_policy", label, GroupName=group, PolicyName=name))
    return out


def _parse_documents(
    run: Run, collected: list[tuple[str, Any]], boundary_item: tuple[str, Any] | None
) -> tuple[list[policy.PolicyDoc], policy.PolicyDoc | None] | None:
    for label, doc in [*collected, *([boundary_item] if boundary_item else [])]:
        if isinstance(doc, CallResult):
            if doc.unreachable:
                run.unreachable(doc, step=1, severity=Severity.WARNING, note=ev("note.iam_unread"))
                return None
            run.add(
                F.make(
                    "iam.cannot_inspect",
                    ev(
                        "iam.document_refused",
                        call=doc.record.call,
                        label=label,
                        code=doc.record.outcome,
                    ),
                )
            )
            return None
    try:
        policy_docs = [
            policy.PolicyDoc(label, policy.parse_document(doc)) for label, doc in collected
        ]
        boundary_doc = (
            policy.PolicyDoc(boundary_item[0], policy.parse_document(boundary_item[1]))
            if boundary_item
            else None
        )
    except (TypeError, ValueError) as exc:
        run.add(
            F.make(
                "iam.cannot_inspect",
                ev(
                    "iam.document_unreadable", user=run.ctx.app_user or "", error=type(exc).__name__
                ),
            )
        )
        return None
    return policy_docs, boundary_doc


def _judge_documents(
    run: Run,
    policy_docs: list[policy.PolicyDoc],
    boundary_doc: policy.PolicyDoc | None,
    group_names: list[str],
) -> bool:
    ctx = run.ctx
    user = ctx.app_user or ""
    evaluation = policy.evaluate(SEND_ACTIONS, policy_docs, boundary_doc)
    sources = [d.source for d in policy_docs] or ["none"]
    base = [
        ev("iam.policies_of", user=user, policies=", ".join(sources)),
        *([ev("iam.groups", names=", ".join(group_names))] if group_names else []),
    ]
    if evaluation.all_allowed():
        ctx.can_send = True
        conditional = [
            _statement(ref)
            for v in evaluation.verdicts.values()
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
                    ev("iam.condition_unchecked"),
                    user=user,
                )
            )
        return True
    ctx.can_send = False
    verdicts = list(evaluation.verdicts.values())
    if any(v.decision == "explicitDeny" for v in verdicts):
        lines = [_statement(d) for v in verdicts for d in v.denied_by]
        run.add(F.make("iam.ses_explicit_deny", *base, *dict.fromkeys(lines), user=user))
    elif any(v.boundary_blocks for v in verdicts):
        blocked = [v.action for v in verdicts if v.boundary_blocks]
        run.add(
            F.make(
                "iam.permissions_boundary_blocks",
                *base,
                ev(
                    "iam.source_blocks",
                    source=boundary_doc.source if boundary_doc else ev("iam.the_boundary"),
                    actions=", ".join(blocked),
                ),
                user=user,
            )
        )
    elif [v.action for v in verdicts if v.decision != "allowed"] == ["ses:SendRawEmail"]:
        # SendEmail allowed, SendRawEmail not: the precise cause (issue 15).
        allowed = [d.describe() for v in verdicts for d in v.allowed_by]
        run.add(
            F.make(
                "iam.send_raw_email_missing",
                *base,
                *dict.fromkeys(allowed),
                ev("iam.no_statement", actions="ses:SendRawEmail"),
                user=user,
            )
        )
    else:
        missing = [v.action for v in verdicts if v.decision != "allowed"]
        run.add(
            F.make(
                "iam.ses_permission_missing",
                *base,
                ev("iam.no_statement", actions=" / ".join(missing)),
                user=user,
                policies=ctx.attached_policies,
            )
        )
    return True


def _statement(ref: policy.StatementRef) -> str:
    """``managed policy X: statement 'Sid' denies it`` in the reader's language."""
    return ev(
        "iam.statement",
        source=ref.source,
        statement=ev("iam.statement.sid", sid=repr(ref.sid))
        if ref.sid
        else ev("iam.statement.any"),
        effect=ev(f"iam.effect.{ref.effect.lower()}"),
        condition=ev("iam.statement.conditional") if ref.conditional else "",
    )


def _minimal_read_policy_hint() -> str:
    return ev("iam.operator_needs")
