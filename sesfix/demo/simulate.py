"""``iam:SimulatePrincipalPolicy`` for the practice account, which moto lacks.

The user's inline, managed and group policies are read from moto's IAM state and evaluated
with sesfix's own evaluator (:mod:`sesfix.aws.policy`); the answer is written in AWS's shape
(``EvaluationResults`` members with ``EvalDecision``, ``MatchedStatements`` and
``MissingContextValues``). Asked about identity ARNs with the send's context (the exact
send), it judges each ``Resource`` pattern and condition as AWS does, through
:func:`sesfix.aws.conditions.evaluate_send`. Used by :mod:`sesfix.demo.front`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape


@dataclass(frozen=True)
class _Source:
    """One policy of the user, as SimulatePrincipalPolicy names it."""

    policy_id: str
    policy_type: str  # "user", "group", "aws-managed", "user-managed"
    document: Mapping[str, Any]


def user_policies(iam: Any, user: Any) -> list[_Source]:
    from sesfix.aws.policy import parse_document

    sources: list[_Source] = []

    def managed(policies: Mapping[str, Any]) -> None:
        for arn, policy in policies.items():
            version = next((v for v in policy.versions if v.is_default), None)
            if version is None:
                continue
            kind = "aws-managed" if ":aws:policy/" in arn else "user-managed"
            sources.append(_Source(policy.name, kind, parse_document(version.document)))

    for name, doc in user.policies.items():
        sources.append(_Source(name, "user", parse_document(doc)))
    managed(user.managed_policies)
    for group in iam.get_groups_for_user(user.name):
        for name, doc in group.policies.items():
            sources.append(_Source(name, "group", parse_document(doc)))
        managed(group.managed_policies)
    return sources


def _condition_keys(sources: Iterable[_Source], action: str) -> list[str]:
    """Context keys in the conditions of statements about ``action`` (none are given)."""
    from sesfix.aws.policy import PolicyDoc, evaluate

    keys: set[str] = set()
    for s in sources:
        verdict = evaluate([action], [PolicyDoc(s.policy_id, s.document)], None).verdicts[action]
        if not any(r.conditional for r in (*verdict.allowed_by, *verdict.denied_by)):
            continue
        for statement in _statements(s.document):
            for block in (statement.get("Condition") or {}).values():
                if isinstance(block, Mapping):
                    keys.update(str(k) for k in block)
    return sorted(keys)


def _statements(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    raw = document.get("Statement")
    items = raw if isinstance(raw, list) else [raw]
    return [s for s in items if isinstance(s, Mapping)]


def simulate_action(action: str, sources: list[_Source]) -> str:
    """One ``EvaluationResults`` member, as AWS writes it, from sesfix's evaluator.

    With no context entries given, a statement with a Condition cannot match: it decides
    nothing and its keys are listed as missing context values, as the simulator does.
    """
    from sesfix.aws.policy import PolicyDoc, evaluate

    by_source = {f"{s.policy_type} {s.policy_id}": s for s in sources}
    docs = [PolicyDoc(key, s.document) for key, s in by_source.items()]
    verdict = evaluate([action], docs, None).verdicts[action]
    denies = [r for r in verdict.denied_by if not r.conditional and r.effect == "Deny"]
    allows = [r for r in verdict.allowed_by if not r.conditional]
    if denies:
        decision, matched = "explicitDeny", denies
    elif allows:
        decision, matched = "allowed", allows
    else:
        decision, matched = "implicitDeny", []
    statements = "".join(
        f"<member><SourcePolicyId>{escape(by_source[r.source].policy_id)}</SourcePolicyId>"
        f"<SourcePolicyType>{escape(by_source[r.source].policy_type)}</SourcePolicyType></member>"
        for r in matched
        if r.source in by_source
    )
    missing = "".join(f"<member>{escape(k)}</member>" for k in _condition_keys(sources, action))
    return (
        f"<member><EvalActionName>{escape(action)}</EvalActionName>"
        "<EvalResourceName>*</EvalResourceName>"
        f"<EvalDecision>{decision}</EvalDecision>"
        f"<MatchedStatements>{statements}</MatchedStatements>"
        f"<MissingContextValues>{missing}</MissingContextValues>"
        "</member>"
    )


def context_from_form(form: Mapping[str, str]) -> dict[str, list[str]]:
    """``ContextEntries`` of a Query-protocol request: key name (lower case) -> values."""
    names: dict[str, str] = {}
    values: dict[str, list[tuple[int, str]]] = {}
    for key, value in form.items():
        parts = key.split(".")
        if len(parts) < 4 or parts[0] != "ContextEntries" or parts[1] != "member":
            continue
        entry = parts[2]
        if parts[3] == "ContextKeyName":
            names[entry] = value
        elif parts[3] == "ContextKeyValues" and len(parts) == 6 and parts[5].isdigit():
            values.setdefault(entry, []).append((int(parts[5]), value))
    return {
        name.lower(): [v for _, v in sorted(values.get(entry, []))] for entry, name in names.items()
    }


def simulate_send(
    action: str, resources: Iterable[str], context: Mapping[str, list[str]], sources: list[_Source]
) -> str | None:
    """``EvaluationResults`` members for ``action`` on each identity ARN with the send's
    context, as AWS writes them when ``ResourceArns``/``ContextEntries`` are given; None
    when a statement holds something sesfix's evaluator cannot judge (the caller then
    answers as for ``*`` without context, listing the keys as missing).
    """
    from sesfix.aws.conditions import SendContext, evaluate_send
    from sesfix.aws.policy import PolicyDoc

    def first(key: str) -> str | None:
        found = context.get(key.lower())
        return found[0] if found else None

    ctx = SendContext(
        from_address=first("ses:FromAddress") or "",
        recipients=tuple(context.get("ses:recipients", ())),
        display_name=first("ses:FromDisplayName"),
        api_version=first("ses:ApiVersion") or "2",
    )
    by_source = {f"{s.policy_type} {s.policy_id}": s for s in sources}
    docs = [PolicyDoc(key, s.document) for key, s in by_source.items()]
    verdicts = evaluate_send(docs, None, [action], list(resources), ctx)
    if any(v.decision == "unknown" for v in verdicts):
        return None
    members = []
    for v in verdicts:
        matched = v.denied_by if v.decision == "explicitDeny" else v.allowed_by
        if v.decision == "implicitDeny":
            matched = ()
        statements = "".join(
            f"<member><SourcePolicyId>{escape(by_source[r.source].policy_id)}</SourcePolicyId>"
            f"<SourcePolicyType>{escape(by_source[r.source].policy_type)}</SourcePolicyType>"
            "</member>"
            for r in matched
            if r.source in by_source
        )
        members.append(
            f"<member><EvalActionName>{escape(action)}</EvalActionName>"
            f"<EvalResourceName>{escape(v.resource)}</EvalResourceName>"
            f"<EvalDecision>{v.decision}</EvalDecision>"
            f"<MatchedStatements>{statements}</MatchedStatements>"
            "<MissingContextValues></MissingContextValues>"
            "</member>"
        )
    return "".join(members)


__all__ = ["context_from_form", "simulate_action", "simulate_send", "user_policies"]
