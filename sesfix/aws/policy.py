"""A small IAM policy evaluator, used when ``iam:SimulatePrincipalPolicy`` is unavailable.

It answers one question: may this user perform these actions on ``*``-ish resources,
and which statement says so. It honours Allow/Deny, Action/NotAction wildcards,
and the permissions boundary. It cannot see SCPs or evaluate conditions; a
statement with a Condition is reported as conditional rather than trusted.
"""

from __future__ import annotations

import fnmatch
import json
import urllib.parse
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Decision = Literal["allowed", "explicitDeny", "implicitDeny"]


@dataclass(frozen=True)
class PolicyDoc:
    """A policy document and where it came from (for evidence)."""

    source: str  # e.g. "managed policy AmazonS3FullAccess", "inline policy x of group y"
    document: Mapping[str, Any]


@dataclass(frozen=True)
class StatementRef:
    source: str
    sid: str
    effect: str
    conditional: bool = False

    def describe(self) -> str:
        from sesfix.lang import say

        cond = say("plans.statement.condition") if self.conditional else ""
        effect = say(f"plans.statement.{self.effect}")
        if self.sid:
            key, sid = "plans.statement.sid", repr(self.sid)
        else:
            key, sid = "plans.statement.nosid", ""
        return say(key, source=self.source, sid=sid, effect=effect, condition=cond)


@dataclass(frozen=True)
class ActionVerdict:
    action: str
    decision: Decision
    allowed_by: tuple[StatementRef, ...] = ()
    denied_by: tuple[StatementRef, ...] = ()
    boundary_blocks: bool = False


@dataclass
class Evaluation:
    verdicts: dict[str, ActionVerdict] = field(default_factory=dict)

    def all_allowed(self) -> bool:
        return all(v.decision == "allowed" for v in self.verdicts.values())


def parse_document(raw: str | Mapping[str, Any]) -> Mapping[str, Any]:
    """IAM returns documents URL-encoded JSON (boto3 usually decodes them already)."""
    if isinstance(raw, Mapping):
        return raw
    if not isinstance(raw, str):
        raise TypeError(f"policy document is {type(raw).__name__}, not JSON text")
    try:
        parsed = json.loads(raw)
    except json.JSONDecodeError:
        parsed = json.loads(urllib.parse.unquote(raw))
    if not isinstance(parsed, Mapping):
        raise ValueError("policy document is not a JSON object")
    return parsed


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def _matches(patterns: Iterable[str], action: str) -> bool:
    return any(fnmatch.fnmatchcase(action.lower(), str(p).lower()) for p in patterns)


def _statement_applies(statement: Mapping[str, Any], action: str) -> bool:
    if "Action" in statement:
        if not _matches(_as_list(statement["Action"]), action):
            return False
    elif "NotAction" in statement:
        if _matches(_as_list(statement["NotAction"]), action):
            return False
    else:
        return False
    if "Resource" in statement:
        # Sending is authorised against SES identity ARNs: '*' or any ARN pattern whose
        # service part can be 'ses' applies; 'arn:aws:s3:::*' does not.
        return any(_resource_can_be_ses(str(r)) for r in _as_list(statement["Resource"]))
    # NotResource: applies unless it excludes everything SES.
    return "NotResource" in statement


def _resource_can_be_ses(pattern: str) -> bool:
    if pattern == "*":
        return True
    parts = pattern.split(":", 5)
    if len(parts) < 3 or parts[0] != "arn":
        return False
    return fnmatch.fnmatchcase("ses", parts[2]) and fnmatch.fnmatchcase("aws", parts[1])


def _scan(docs: Sequence[PolicyDoc], action: str) -> tuple[list[StatementRef], list[StatementRef]]:
    allows: list[StatementRef] = []
    denies: list[StatementRef] = []
    for doc in docs:
        for i, statement in enumerate(_as_list(doc.document.get("Statement"))):
            if not isinstance(statement, Mapping) or not _statement_applies(statement, action):
                continue
            ref = StatementRef(
                doc.source,
                str(statement.get("Sid") or f"#{i + 1}"),
                str(statement.get("Effect", "")),
                conditional="Condition" in statement,
            )
            if ref.effect == "Deny":
                denies.append(ref)
            elif ref.effect == "Allow":
                allows.append(ref)
    return allows, denies


def evaluate(
    actions: Sequence[str], identity_policies: Sequence[PolicyDoc], boundary: PolicyDoc | None
) -> Evaluation:
    result = Evaluation()
    for action in actions:
        allows, denies = _scan(identity_policies, action)
        hard_denies = [d for d in denies if not d.conditional]
        if hard_denies:
            result.verdicts[action] = ActionVerdict(
                action, "explicitDeny", tuple(allows), tuple(denies)
            )
            continue
        if not allows:
            result.verdicts[action] = ActionVerdict(action, "implicitDeny", (), tuple(denies))
            continue
        if boundary is not None:
            b_allows, b_denies = _scan([boundary], action)
            if not b_allows or [d for d in b_denies if not d.conditional]:
                result.verdicts[action] = ActionVerdict(
                    action, "implicitDeny", tuple(allows), tuple(b_denies), boundary_blocks=True
                )
                continue
        result.verdicts[action] = ActionVerdict(action, "allowed", tuple(allows), tuple(denies))
    return result
