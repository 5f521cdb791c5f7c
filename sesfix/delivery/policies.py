"""The app's IAM user's policy documents, read by the operator, for the exact-send check
(:mod:`sesfix.delivery.simulate`) to name the statement and condition behind a denial."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sesfix.aws.gateway import Gateway
from sesfix.aws.policy import PolicyDoc, parse_document
from sesfix.aws.regions import DEFAULT_STS_REGION
from sesfix.delivery.account import Outcome
from sesfix.delivery.words import ev


def fetch_policies(
    gateway: Gateway, user: str
) -> tuple[list[PolicyDoc], PolicyDoc | None, Outcome]:
    """The user's identity policies (its own and its groups', managed and inline) and its
    permissions boundary, read by the operator."""
    out = Outcome()
    docs: list[PolicyDoc] = []

    def read(op: str, **params: Any) -> Mapping[str, Any] | None:
        r = gateway.read("operator", "iam", op, DEFAULT_STS_REGION, step=1, **params)
        if not r.ok or r.data is None:
            out.unknown = True
            out.notes.append(
                ev("sim.unread", call=r.record.call, code=r.error_code or r.record.outcome)
            )
            return None
        return r.data

    def managed(arn: str, label: str) -> PolicyDoc | None:
        pol = read("get_policy", PolicyArn=arn)
        if pol is None:
            return None
        version = pol["Policy"].get("DefaultVersionId")
        ver = read("get_policy_version", PolicyArn=arn, VersionId=version)
        if ver is None:
            return None
        return PolicyDoc(label, parse_document(ver["PolicyVersion"]["Document"]))

    def attached(op: str, label: str, **params: str) -> None:
        listed = read(op, **params)
        for p in (listed or {}).get("AttachedPolicies", []):
            doc = managed(p["PolicyArn"], ev("sim.managed", name=p["PolicyName"]) + label)
            if doc is not None:
                docs.append(doc)

    def inline(list_op: str, get_op: str, label: str, **params: str) -> None:
        listed = read(list_op, **params)
        for name in (listed or {}).get("PolicyNames", []):
            got = read(get_op, PolicyName=name, **params)
            if got is not None:
                docs.append(
                    PolicyDoc(
                        ev("sim.inline", name=name) + label, parse_document(got["PolicyDocument"])
                    )
                )

    attached("list_attached_user_policies", "", UserName=user)
    inline("list_user_policies", "get_user_policy", "", UserName=user)
    for g in (read("list_groups_for_user", UserName=user) or {}).get("Groups", []):
        name = g["GroupName"]
        of = " " + ev("sim.of_group", name=name)
        attached("list_attached_group_policies", of, GroupName=name)
        inline("list_group_policies", "get_group_policy", of, GroupName=name)
    boundary: PolicyDoc | None = None
    got_user = read("get_user", UserName=user) or {}
    arn = ((got_user.get("User") or {}).get("PermissionsBoundary") or {}).get(
        "PermissionsBoundaryArn"
    )
    if arn:
        boundary = managed(arn, ev("sim.boundary"))
    return docs, boundary, out


__all__ = ["fetch_policies"]
