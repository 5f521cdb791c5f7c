"""The exact send, simulated: may the app's IAM user send *this* message?

With an operator, ``iam:SimulatePrincipalPolicy`` evaluates ``ses:SendEmail`` and
``ses:SendRawEmail`` on the sender's identity ARNs (domain and address; in the sandbox the
recipients' too) with the context the send carries (``ses:FromAddress``,
``ses:Recipients``, ``ses:FromDisplayName``, ``ses:ApiVersion``). AWS's answer is the
verdict; the user's policy documents, evaluated by :mod:`sesfix.aws.conditions`, name the
statement and the condition behind it. The simulation's organizations decision names an
SCP denial. When simulation is unavailable, the own evaluation gives the verdict and says
what it could not evaluate (SCPs never can be).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sesfix import findings as F
from sesfix.aws.conditions import SendContext, SendVerdict, evaluate_send
from sesfix.aws.gateway import Gateway
from sesfix.aws.policy import PolicyDoc
from sesfix.aws.regions import DEFAULT_STS_REGION
from sesfix.delivery.account import Outcome
from sesfix.delivery.policies import fetch_policies
from sesfix.delivery.words import ev
from sesfix.findings import Finding

SEND_EMAIL = "ses:SendEmail"
SEND_RAW = "ses:SendRawEmail"
ACTIONS = (SEND_EMAIL, SEND_RAW)
_MAX_PAGES = 5


def identity_arn(region: str, account: str, identity: str) -> str:
    return f"arn:aws:ses:{region}:{account}:identity/{identity.strip().lower()}"


@dataclass(frozen=True)
class Resources:
    """The ARNs to simulate on, and those SES will authorise this send against."""

    all: tuple[str, ...]
    required: tuple[str, ...]


def send_resources(
    region: str,
    account: str,
    sender: str,
    recipients: Sequence[str] = (),
    *,
    sandbox: bool | None = None,
    address_verified: bool = False,
) -> Resources:
    """SES authorises against the identity it sends as: the address if it is verified as
    an identity of its own, else its domain; in the sandbox, each recipient's too."""
    address = sender.strip().lower()
    domain = address.rpartition("@")[2]
    domain_arn = identity_arn(region, account, domain)
    address_arn = identity_arn(region, account, address)
    rcpt = [identity_arn(region, account, r) for r in recipients if r.strip()]
    required = [address_arn if address_verified else domain_arn]
    if sandbox:
        required += rcpt
    everything = list(dict.fromkeys([domain_arn, address_arn, *(rcpt if sandbox else [])]))
    return Resources(tuple(everything), tuple(dict.fromkeys(required)))


def context_entries(ctx: SendContext) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = [
        {
            "ContextKeyName": "ses:FromAddress",
            "ContextKeyValues": [ctx.from_address],
            "ContextKeyType": "string",
        },
        {
            "ContextKeyName": "ses:ApiVersion",
            "ContextKeyValues": [ctx.api_version],
            "ContextKeyType": "string",
        },
    ]
    if ctx.recipients:
        entries.append(
            {
                "ContextKeyName": "ses:Recipients",
                "ContextKeyValues": list(ctx.recipients),
                "ContextKeyType": "stringList",
            }
        )
    if ctx.display_name:
        entries.append(
            {
                "ContextKeyName": "ses:FromDisplayName",
                "ContextKeyValues": [ctx.display_name],
                "ContextKeyType": "string",
            }
        )
    return entries


# --- one (action, resource) answer --------------------------------------------------------


@dataclass(frozen=True)
class Pair:
    action: str
    resource: str
    decision: str
    matched: tuple[str, ...] = ()
    missing_context: tuple[str, ...] = ()
    orgs_allowed: bool | None = None
    boundary_allowed: bool | None = None


def _matched(statements: Any) -> tuple[str, ...]:
    out = []
    for m in statements or ():
        where = m.get("StartPosition") or {}
        kind, ident = m.get("SourcePolicyType", "policy"), m.get("SourcePolicyId", "?")
        line = where.get("Line")
        out.append(
            ev("sim.matched_line", kind=kind, id=ident, line=line)
            if line
            else ev("sim.matched", kind=kind, id=ident)
        )
    return tuple(out)


def parse_simulation(results: Sequence[Mapping[str, Any]]) -> list[Pair]:
    pairs: list[Pair] = []
    for r in results:
        action = str(r.get("EvalActionName", ""))
        orgs = (r.get("OrganizationsDecisionDetail") or {}).get("AllowedByOrganizations")
        boundary = (r.get("PermissionsBoundaryDecisionDetail") or {}).get(
            "AllowedByPermissionsBoundary"
        )
        specific = r.get("ResourceSpecificResults") or []
        if specific:
            for s in specific:
                b = (s.get("PermissionsBoundaryDecisionDetail") or {}).get(
                    "AllowedByPermissionsBoundary", boundary
                )
                pairs.append(_pair(action, s, "EvalResourceDecision", orgs, b))
        else:
            pairs.append(_pair(action, r, "EvalDecision", orgs, boundary))
    return pairs


def _pair(
    action: str,
    result: Mapping[str, Any],
    decision: str,
    orgs: bool | None,
    boundary: bool | None,
) -> Pair:
    """One simulation result (whole, or one of its resource-specific results) as a Pair;
    ``decision`` names the field holding its decision in that shape."""
    return Pair(
        action,
        str(result.get("EvalResourceName", "")),
        str(result.get(decision, "")),
        _matched(result.get("MatchedStatements")),
        tuple(result.get("MissingContextValues") or ()),
        orgs,
        boundary,
    )


def pairs_from_evaluation(verdicts: Sequence[SendVerdict]) -> list[Pair]:
    return [
        Pair(
            v.action,
            v.resource,
            v.decision,
            tuple(
                ref.describe()
                for ref in (v.denied_by if v.decision == "explicitDeny" else v.allowed_by)
            ),
            boundary_allowed=not v.boundary_blocks,
        )
        for v in verdicts
    ]


# --- from answers to findings -------------------------------------------------------------


def judge_send(
    pairs: Sequence[Pair],
    resources: Resources,
    explanations: Sequence[SendVerdict] | None,
    *,
    decided_by: str,
) -> list[Finding]:
    """Findings for the required ARNs; ``explanations`` (own evaluation of the user's
    policies) name the statement and condition behind each denial."""
    required = set(resources.required)
    why = {(v.action, v.resource): v for v in explanations or ()}
    out: list[Finding] = []
    scp = [p for p in pairs if p.orgs_allowed is False and p.resource in required]
    if scp:
        out.append(
            F.make(
                "iam.scp_denies",
                *(ev("sim.scp", action=p.action, resource=p.resource) for p in scp),
                decided_by=decided_by,
            )
        )
    denied = [
        p
        for p in pairs
        if p.resource in required
        and p.decision in ("implicitDeny", "explicitDeny")
        and p.orgs_allowed is not False
    ]
    by_action = {a: [p for p in denied if p.action == a] for a in ACTIONS}
    send_ok = not by_action[SEND_EMAIL] and any(
        p.action == SEND_EMAIL and p.decision == "allowed" for p in pairs
    )
    explained: set[tuple[str, str]] = set()
    for p in denied:
        v = why.get((p.action, p.resource))
        if v is None:
            continue
        if p.decision == "explicitDeny":
            if v.deny_conditions:
                out.append(
                    F.make(
                        "iam.condition_blocks",
                        ev(
                            "sim.denied_by",
                            action=p.action,
                            resource=p.resource,
                            by="; ".join(r.describe() for r in v.denied_by),
                        ),
                        *(ev("sim.condition_met", c=c.describe()) for c in v.deny_conditions),
                        action=p.action,
                        resource=p.resource,
                        decided_by=decided_by,
                    )
                )
                explained.add((p.action, p.resource))
            continue
        conds = [m for m in v.misses if m.reason == "condition"]
        places = [m for m in v.misses if m.reason == "resource"]
        if conds:
            out.append(
                F.make(
                    "iam.condition_blocks",
                    *(
                        ev(
                            "sim.condition_fails",
                            action=p.action,
                            resource=p.resource,
                            ref=m.ref.describe(),
                            conditions="; ".join(c.describe() for c in m.conditions),
                        )
                        for m in conds
                    ),
                    action=p.action,
                    resource=p.resource,
                    decided_by=decided_by,
                )
            )
            explained.add((p.action, p.resource))
        elif places:
            out.append(
                F.make(
                    "iam.identity_not_in_resource",
                    *(
                        ev(
                            "sim.only_on",
                            ref=m.ref.describe(),
                            action=p.action,
                            resources=", ".join(m.resources) or "(NotResource)",
                        )
                        for m in places
                    ),
                    ev("sim.needs", action=p.action, resource=p.resource),
                    action=p.action,
                    resource=p.resource,
                    decided_by=decided_by,
                )
            )
            explained.add((p.action, p.resource))
    raw_denied = [p for p in by_action[SEND_RAW] if (p.action, p.resource) not in explained]
    if send_ok and raw_denied and all(p.decision == "implicitDeny" for p in raw_denied):
        allowed_by = sorted({m for p in pairs if p.action == SEND_EMAIL for m in p.matched})
        out.append(
            F.make(
                "iam.send_raw_email_missing",
                *(
                    ev("sim.send_allowed", resource=p.resource)
                    for p in pairs
                    if p.action == SEND_EMAIL and p.resource in required
                ),
                *(ev("sim.raw", resource=p.resource, decision=p.decision) for p in raw_denied),
                *(ev("sim.send_allowed_by", by=m) for m in allowed_by),
                decided_by=decided_by,
            )
        )
        explained |= {(p.action, p.resource) for p in raw_denied}
    if explanations is None:
        # No documents to read: a denial on one identity ARN beside an allow on another
        # still shows the Resource is scoped elsewhere.
        for p in denied:
            if (p.action, p.resource) in explained or p.decision != "implicitDeny":
                continue
            elsewhere = [
                q.resource for q in pairs if q.action == p.action and q.decision == "allowed"
            ]
            if elsewhere:
                out.append(
                    F.make(
                        "iam.identity_not_in_resource",
                        ev(
                            "sim.elsewhere",
                            action=p.action,
                            elsewhere=", ".join(elsewhere),
                            resource=p.resource,
                        ),
                        action=p.action,
                        resource=p.resource,
                        decided_by=decided_by,
                    )
                )
    return out


# --- the calls ----------------------------------------------------------------------------


def simulate(
    gateway: Gateway, user_arn: str, resources: Resources, ctx: SendContext
) -> tuple[list[Pair] | None, str]:
    """AWS's answer for every (action, ARN), or (None, why it is unavailable)."""
    pairs: list[Pair] = []
    marker: str | None = None
    for _ in range(_MAX_PAGES):
        params: dict[str, Any] = {
            "PolicySourceArn": user_arn,
            "ActionNames": list(ACTIONS),
            "ResourceArns": list(resources.all),
            "ContextEntries": context_entries(ctx),
        }
        if marker:
            params["Marker"] = marker
        r = gateway.read(
            "operator", "iam", "simulate_principal_policy", DEFAULT_STS_REGION, step=1, **params
        )
        if not r.ok or r.data is None:
            return None, ev("sim.answered", code=r.error_code or r.record.outcome)
        for p in parse_simulation(r.data.get("EvaluationResults") or []):
            if p.resource in ("*", ""):
                # An answer for every resource (a simulator that ignores ResourceArns):
                # it holds for each ARN asked about.
                pairs += [replace(p, resource=arn) for arn in resources.all]
            else:
                pairs.append(p)
        marker = r.data.get("Marker") if r.data.get("IsTruncated") else None
        if not marker:
            return pairs, ""
    return pairs, ""


def check_send(
    gateway: Gateway,
    *,
    user: str,
    account: str,
    region: str,
    ctx: SendContext,
    sandbox: bool | None = None,
    address_verified: bool = False,
    policies: tuple[list[PolicyDoc], PolicyDoc | None] | None = None,
    simulation: bool = True,
) -> Outcome:
    """The exact send: simulated by AWS, else evaluated by sesfix (saying what it could not).

    ``policies``: the user's documents if the caller already read them; ``simulation=False``
    when the caller already knows AWS will not simulate (no second refused call)."""
    out = Outcome()
    resources = send_resources(
        region,
        account,
        ctx.from_address,
        ctx.recipients,
        sandbox=sandbox,
        address_verified=address_verified,
    )
    user_arn = f"arn:aws:iam::{account}:user/{user}"
    if simulation:
        pairs, unavailable = simulate(gateway, user_arn, resources, ctx)
    else:
        pairs, unavailable = None, ev("sim.unavailable")
    if pairs is not None and not _needs_explaining(pairs, resources):
        missing = sorted({k for p in pairs for k in p.missing_context})
        if missing:
            out.notes.append(ev("sim.lacked_context", keys=", ".join(missing)))
        return out
    if policies is None:
        docs, boundary, fetched = fetch_policies(gateway, user)
        out.notes += fetched.notes
        have_docs = not fetched.unknown
    else:
        docs, boundary = policies
        have_docs = True
    verdicts = evaluate_send(docs, boundary, ACTIONS, resources.all, ctx) if have_docs else None
    if pairs is not None:
        out.findings += judge_send(pairs, resources, verdicts, decided_by="simulation")
        return out
    out.notes.append(ev("sim.own_evaluation", why=unavailable))
    if verdicts is None:
        out.unknown = True
        return out
    for v in verdicts:
        out.notes += [ev("sim.unevaluated", what=u) for u in v.unevaluated]
        if v.resource in resources.required and v.decision == "unknown":
            out.unknown = True
    out.notes = list(dict.fromkeys(out.notes))
    out.findings += judge_send(
        pairs_from_evaluation(verdicts), resources, verdicts, decided_by="evaluation"
    )
    return out


def _needs_explaining(pairs: Sequence[Pair], resources: Resources) -> bool:
    """Only a denial (or an SCP) on an ARN the send needs is worth reading the documents."""
    required = set(resources.required)
    return any(
        p.resource in required and (p.decision != "allowed" or p.orgs_allowed is False)
        for p in pairs
    )


__all__ = [
    "ACTIONS",
    "Pair",
    "Resources",
    "check_send",
    "context_entries",
    "fetch_policies",
    "identity_arn",
    "judge_send",
    "pairs_from_evaluation",
    "parse_simulation",
    "send_resources",
    "simulate",
]
