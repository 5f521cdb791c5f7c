"""Step 1 without the simulation: the user's policy documents, fetched once each and
judged by sesfix's own evaluator (:mod:`sesfix.aws.policy`)."""

from __future__ import annotations

from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from sesfix import findings as F
from sesfix.aws import policy, regions
from sesfix.aws.gateway import CallResult
from sesfix.diagnosis.evidence import ev
from sesfix.diagnosis.run import Run
from sesfix.findings import Severity

if TYPE_CHECKING:
    from sesfix.diagnosis.iam import IamFutures

SEND_ACTIONS = ("ses:SendEmail", "ses:SendRawEmail")
STS_REGION = regions.DEFAULT_STS_REGION


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


def fetch_documents(run: Run, fut: IamFutures, attached: CallResult) -> _Documents | None:
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
                *([minimal_read_policy_hint()] if r.denied else []),
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


def judge_documents(
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


def minimal_read_policy_hint() -> str:
    return ev("iam.operator_needs")
