"""The exact send, evaluated by sesfix when ``iam:SimulatePrincipalPolicy`` is unavailable.

:mod:`sesfix.aws.policy` answers "may this user send at all"; this module answers "may
this user send *this* message": each (action, identity ARN) pair against the statements'
``Resource``/``NotResource`` patterns (IAM wildcards) and the common string conditions on
the keys a send carries — ``ses:FromAddress``, ``ses:Recipients``, ``ses:FromDisplayName``,
``ses:ApiVersion``: ``StringEquals``, ``StringNotEquals``, ``StringLike``, ``StringNotLike``
(and their ``IgnoreCase``/``IfExists`` forms), with ``ForAllValues:``/``ForAnyValue:``.

What it cannot evaluate (another key or operator, policy variables, SCPs, resource
policies) it names in ``unevaluated`` and never turns into a verdict: a statement it cannot
judge makes the decision ``unknown``.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from sesfix.aws.policy import PolicyDoc, StatementRef

SEND_KEYS = ("ses:FromAddress", "ses:Recipients", "ses:FromDisplayName", "ses:ApiVersion")
_MULTI = {"ses:recipients"}
_KEY_NAMES = {k.lower(): k for k in SEND_KEYS}
_VARIABLE = re.compile(r"\$\{[^}]*\}")

Decision = Literal["allowed", "explicitDeny", "implicitDeny", "unknown"]


@dataclass(frozen=True)
class SendContext:
    """The condition keys the send carries, as SES sets them."""

    from_address: str
    recipients: tuple[str, ...] = ()
    display_name: str | None = None
    api_version: str = "2"

    def values(self) -> dict[str, list[str]]:
        out = {"ses:fromaddress": [self.from_address], "ses:apiversion": [self.api_version]}
        if self.recipients:
            out["ses:recipients"] = list(self.recipients)
        if self.display_name:
            out["ses:fromdisplayname"] = [self.display_name]
        return out


@dataclass(frozen=True)
class ConditionCheck:
    operator: str
    key: str
    expected: tuple[str, ...]
    #: True/False, or None when sesfix cannot evaluate it.
    result: bool | None
    why: str = ""

    def describe(self) -> str:
        values = ", ".join(repr(v) for v in self.expected[:6])
        more = f" (+{len(self.expected) - 6})" if len(self.expected) > 6 else ""
        head = f"{self.operator} {self.key} [{values}{more}]"
        return f"{head}: {self.why}" if self.why else head


@dataclass(frozen=True)
class Miss:
    """A statement that would allow the action but for its Resource or a Condition."""

    ref: StatementRef
    reason: Literal["resource", "condition"]
    resources: tuple[str, ...] = ()
    conditions: tuple[ConditionCheck, ...] = ()


@dataclass(frozen=True)
class SendVerdict:
    action: str
    resource: str
    decision: Decision
    allowed_by: tuple[StatementRef, ...] = ()
    denied_by: tuple[StatementRef, ...] = ()
    #: The deny statements' conditions that matched (a conditional deny decided it).
    deny_conditions: tuple[ConditionCheck, ...] = ()
    misses: tuple[Miss, ...] = ()
    boundary_blocks: bool = False
    unevaluated: tuple[str, ...] = ()


# --- matching -----------------------------------------------------------------------------


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _wild(pattern: str, value: str, *, fold: bool = True) -> bool:
    """IAM wildcards: ``*`` any run of characters (``:`` and ``/`` included), ``?`` one."""
    escaped = pattern.replace("[", "[[]")
    if fold:
        return fnmatch.fnmatchcase(value.lower(), escaped.lower())
    return fnmatch.fnmatchcase(value, escaped)


def action_matches(statement: Mapping[str, Any], action: str) -> bool:
    if "Action" in statement:
        return any(_wild(str(p), action) for p in _as_list(statement["Action"]))
    if "NotAction" in statement:
        return not any(_wild(str(p), action) for p in _as_list(statement["NotAction"]))
    return False


def resource_matches(statement: Mapping[str, Any], arn: str) -> bool:
    """ARNs are matched case-sensitively, as IAM does (identity names are lower-cased by
    SES, so the policy must spell them so)."""
    if "Resource" in statement:
        return any(_wild(str(p), arn, fold=False) for p in _as_list(statement["Resource"]))
    if "NotResource" in statement:
        return not any(_wild(str(p), arn, fold=False) for p in _as_list(statement["NotResource"]))
    return False


# --- conditions ---------------------------------------------------------------------------

_BASE_OPERATORS = {
    "stringequals": (False, False, False),  # (like, negated, ignore case)
    "stringnotequals": (False, True, False),
    "stringequalsignorecase": (False, False, True),
    "stringnotequalsignorecase": (False, True, True),
    "stringlike": (True, False, False),
    "stringnotlike": (True, True, False),
}


def _one(value: str, expected: Sequence[str], like: bool, fold: bool) -> bool:
    if like:
        return any(_wild(e, value, fold=fold) for e in expected)
    if fold:
        return value.lower() in {e.lower() for e in expected}
    return value in expected


def evaluate_condition(
    operator: str, key: str, raw_expected: Any, ctx: SendContext
) -> ConditionCheck:
    expected = tuple(str(v) for v in _as_list(raw_expected))
    name = _KEY_NAMES.get(key.lower(), key)
    op = operator
    qualifier = ""
    if ":" in op:
        qualifier, _, op = op.partition(":")
        qualifier = qualifier.lower()
        if qualifier not in ("forallvalues", "foranyvalue"):
            return ConditionCheck(
                operator, name, expected, None, "set operator sesfix does not know"
            )
    if_exists = op.lower().endswith("ifexists")
    base = op.lower().removesuffix("ifexists")
    if base not in _BASE_OPERATORS:
        return ConditionCheck(operator, name, expected, None, "operator sesfix does not evaluate")
    if key.lower() not in _KEY_NAMES:
        return ConditionCheck(
            operator, name, expected, None, "key sesfix does not know the value of"
        )
    if any(_VARIABLE.search(e) for e in expected):
        return ConditionCheck(operator, name, expected, None, "policy variables are not evaluated")
    like, negated, fold = _BASE_OPERATORS[base]
    values = ctx.values().get(key.lower())
    if values is None:
        # A key the request lacks: positive operators fail, negated ones and IfExists pass;
        # ForAllValues over nothing is true, ForAnyValue false.
        if qualifier == "forallvalues":
            result = True
        elif qualifier == "foranyvalue":
            result = False
        else:
            result = negated or if_exists
        return ConditionCheck(operator, name, expected, result, "the send does not carry this key")
    matches = [_one(v, expected, like, fold) for v in values]
    if qualifier == "forallvalues":
        result = all((not m) if negated else m for m in matches)
    elif qualifier == "foranyvalue":
        result = any((not m) if negated else m for m in matches)
    else:
        if key.lower() in _MULTI and len(values) > 1:
            return ConditionCheck(
                operator,
                name,
                expected,
                None,
                "a multivalued key without ForAllValues/ForAnyValue",
            )
        result = (not matches[0]) if negated else matches[0]
    shown = ", ".join(values[:4]) + (" …" if len(values) > 4 else "")
    return ConditionCheck(operator, name, expected, result, f"the send has {shown}")


def evaluate_conditions(block: Any, ctx: SendContext) -> tuple[ConditionCheck, ...]:
    checks: list[ConditionCheck] = []
    if not isinstance(block, Mapping):
        return (ConditionCheck("Condition", "?", (), None, "not a JSON object"),)
    for operator, keys in block.items():
        if not isinstance(keys, Mapping):
            checks.append(ConditionCheck(str(operator), "?", (), None, "not a JSON object"))
            continue
        for key, expected in keys.items():
            checks.append(evaluate_condition(str(operator), str(key), expected, ctx))
    return tuple(checks)


def _combined(checks: Iterable[ConditionCheck]) -> bool | None:
    """All conditions must hold: any False -> False; else any unknown -> None."""
    results = [c.result for c in checks]
    if False in results:
        return False
    if None in results:
        return None
    return True


# --- evaluation ---------------------------------------------------------------------------


@dataclass
class _Scan:
    allows: list[StatementRef] = field(default_factory=list)
    maybe_allows: list[StatementRef] = field(default_factory=list)
    denies: list[StatementRef] = field(default_factory=list)
    deny_conditions: list[ConditionCheck] = field(default_factory=list)
    maybe_denies: list[StatementRef] = field(default_factory=list)
    misses: list[Miss] = field(default_factory=list)
    unevaluated: list[str] = field(default_factory=list)


def _scan(docs: Sequence[PolicyDoc], action: str, arn: str, ctx: SendContext) -> _Scan:
    scan = _Scan()
    for doc in docs:
        for i, statement in enumerate(_as_list(doc.document.get("Statement"))):
            if not isinstance(statement, Mapping) or not action_matches(statement, action):
                continue
            effect = str(statement.get("Effect", ""))
            has_condition = "Condition" in statement
            ref = StatementRef(doc.source, str(statement.get("Sid") or f"#{i + 1}"), effect)
            # StatementRef.conditional means "a Condition sesfix could not evaluate".
            unsure = replace(ref, conditional=True)
            if not resource_matches(statement, arn):
                if effect == "Allow":
                    listed = tuple(str(r) for r in _as_list(statement.get("Resource")))
                    scan.misses.append(Miss(ref, "resource", resources=listed))
                continue
            checks = evaluate_conditions(statement["Condition"], ctx) if has_condition else ()
            result = _combined(checks)
            for c in checks:
                if c.result is None:
                    scan.unevaluated.append(f"{ref.source}, statement {ref.sid}: {c.describe()}")
            if effect == "Deny":
                if result is True:
                    scan.denies.append(ref)
                    scan.deny_conditions.extend(checks)
                elif result is None:
                    scan.maybe_denies.append(unsure)
            elif effect == "Allow":
                if result is True:
                    scan.allows.append(ref)
                elif result is None:
                    scan.maybe_allows.append(unsure)
                else:
                    failing = tuple(c for c in checks if c.result is False)
                    scan.misses.append(Miss(ref, "condition", conditions=failing))
    return scan


def _decide(scan: _Scan) -> Decision:
    if scan.denies:
        return "explicitDeny"
    if scan.allows and not scan.maybe_denies:
        return "allowed"
    if scan.allows or scan.maybe_allows:
        return "unknown"
    return "implicitDeny"


def evaluate_send(
    policies: Sequence[PolicyDoc],
    boundary: PolicyDoc | None,
    actions: Sequence[str],
    resources: Sequence[str],
    ctx: SendContext,
) -> list[SendVerdict]:
    """One verdict per (action, resource), in that order."""
    verdicts: list[SendVerdict] = []
    for action in actions:
        for arn in resources:
            scan = _scan(policies, action, arn, ctx)
            decision = _decide(scan)
            blocks = False
            unevaluated = list(scan.unevaluated)
            if decision == "allowed" and boundary is not None:
                b = _scan([boundary], action, arn, ctx)
                unevaluated += b.unevaluated
                b_decision = _decide(b)
                if b_decision in ("implicitDeny", "explicitDeny"):
                    decision, blocks = "implicitDeny", True
                elif b_decision == "unknown":
                    decision = "unknown"
            verdicts.append(
                SendVerdict(
                    action,
                    arn,
                    decision,
                    tuple(scan.allows or scan.maybe_allows),
                    tuple(scan.denies or scan.maybe_denies),
                    tuple(scan.deny_conditions),
                    tuple(scan.misses),
                    blocks,
                    tuple(dict.fromkeys(unevaluated)),
                )
            )
    return verdicts


__all__ = [
    "SEND_KEYS",
    "ConditionCheck",
    "Miss",
    "SendContext",
    "SendVerdict",
    "action_matches",
    "evaluate_condition",
    "evaluate_conditions",
    "evaluate_send",
    "resource_matches",
]
