"""Policy documents the fixes create, compared and diffed as people read them."""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from typing import Any

POLICY_NAME = "RentalShopSESPermissions"
SES_FULL_ACCESS = "arn:aws:iam::aws:policy/AmazonSESFullAccess"

#: The guide's four actions.
GUIDE_ACTIONS = ("ses:SendEmail", "ses:SendRawEmail", "ses:GetSendStatistics", "ses:GetSendQuota")
SEND_ONLY = ("ses:SendEmail", "ses:SendRawEmail")
READ_ACTIONS = ("ses:GetSendStatistics", "ses:GetSendQuota")


def identity_arns(region: str, account: str, domain: str, sender: str | None) -> list[str]:
    arns = [f"arn:aws:ses:{region}:{account}:identity/{domain}"]
    if sender and sender.lower().endswith("@" + domain):
        arns.append(f"arn:aws:ses:{region}:{account}:identity/{sender}")
    return arns


def custom_policy(
    *,
    get_account: bool = False,
    scope_to: list[str] | None = None,
) -> dict[str, Any]:
    """The guide's policy, optionally with ``ses:GetAccount`` and sending scoped to ARNs.

    Sending actions can be limited to identity ARNs; the quota/statistics/account reads
    have no resource-level permissions and stay on ``*``.
    """
    reads = [*READ_ACTIONS, *(["ses:GetAccount"] if get_account else [])]
    if not scope_to:
        actions = [*GUIDE_ACTIONS, *(["ses:GetAccount"] if get_account else [])]
        statements: list[dict[str, Any]] = [
            {"Sid": "RentalShopSESSend", "Effect": "Allow", "Action": actions, "Resource": "*"}
        ]
    else:
        statements = [
            {
                "Sid": "RentalShopSESSend",
                "Effect": "Allow",
                "Action": list(SEND_ONLY),
                "Resource": list(scope_to),
            },
            {"Sid": "RentalShopSESRead", "Effect": "Allow", "Action": reads, "Resource": "*"},
        ]
    return {"Version": "2012-10-17", "Statement": statements}


def _normalise(value: Any) -> Any:
    """Order-insensitive form: IAM treats one-item lists and strings alike, order is moot."""
    if isinstance(value, Mapping):
        return {k: _normalise(v) for k, v in sorted(value.items()) if k != "Sid"}
    if isinstance(value, list):
        items = [_normalise(v) for v in value]
        if len(items) == 1 and not isinstance(items[0], (dict, list)):
            return items[0]
        return sorted(items, key=lambda x: json.dumps(x, sort_keys=True))
    return value


def same_document(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return bool(_normalise(a) == _normalise(b))


def pretty(doc: Mapping[str, Any]) -> str:
    return json.dumps(doc, indent=2, sort_keys=False)


def diff(old: Mapping[str, Any], new: Mapping[str, Any], old_label: str, new_label: str) -> str:
    lines = difflib.unified_diff(
        pretty(old).splitlines(),
        pretty(new).splitlines(),
        fromfile=old_label,
        tofile=new_label,
        lineterm="",
    )
    return "\n".join(lines)


def compact(doc: Mapping[str, Any]) -> str:
    return json.dumps(doc, separators=(",", ":"))


def minimal_grant(action: str, resource: str = "*") -> dict[str, Any]:
    """The smallest policy that would let the operator make ``action``."""
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": [action], "Resource": resource}],
    }
