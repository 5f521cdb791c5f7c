"""Has AWS moved on since a change was applied? Compare the state now with what the change left.

Undo reverses a change by running its inverse calls; if someone changed the same thing
afterwards (made another policy version the default, deactivated the new key, deleted
the identity), those calls would silently undo *their* change too. Before undoing, each
forward call that still has something to undo is checked, as the operator and with reads
only, against what it left:

* ``iam:AttachUserPolicy``     the policy is still attached to the user;
* ``iam:CreatePolicy``         the policy exists and its default version is still ``v1``;
* ``iam:CreatePolicyVersion``  the version it made is still the default;
* ``iam:CreateAccessKey``      the new key exists and is still Active;
* ``iam:UpdateAccessKey``      the key still has the status the fix gave it;
* ``ses:VerifyDomainIdentity`` the identity still exists in that region.

A read that fails is a difference too: what cannot be compared is not assumed unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sesfix.fixes.context import IAM_REGION
from sesfix.masking import mask_key_id, redact

if TYPE_CHECKING:
    from sesfix.aws.gateway import CallResult, Gateway
    from sesfix.fixes.model import AuditCall

Check = Callable[["Gateway", "AuditCall"], list[str]]


class _Unread(Exception):
    def __init__(self, result: CallResult) -> None:
        super().__init__(result.record.call)
        self.result = result


def _read(gw: Gateway, service: str, operation: str, region: str, **params: Any) -> CallResult:
    return gw.read("operator", service, operation, region, **params)


def _need(result: CallResult) -> dict[str, Any]:
    if not result.ok:
        raise _Unread(result)
    return result.data or {}


def _undo_param(call: AuditCall, operation: str, name: str) -> str:
    for u in call.undo:
        if u.operation == operation and u.params.get(name):
            return str(u.params[name])
    return ""


def _attached(gw: Gateway, call: AuditCall) -> list[str]:
    user, arn = str(call.params.get("UserName", "")), str(call.params.get("PolicyArn", ""))
    r = _read(gw, "iam", "list_attached_user_policies", IAM_REGION, UserName=user)
    if r.error_code == "NoSuchEntity":
        return [f"IAM user {user} no longer exists (the fix attached {arn} to it)"]
    attached = [p.get("PolicyArn") for p in _need(r).get("AttachedPolicies", [])]
    if arn not in attached:
        return [f"{arn} is no longer attached to IAM user {user} (someone detached it since)"]
    return []


def _default_version(gw: Gateway, arn: str) -> tuple[str | None, list[str]]:
    r = _read(gw, "iam", "get_policy", IAM_REGION, PolicyArn=arn)
    if r.error_code == "NoSuchEntity":
        return None, [f"the policy {arn} no longer exists"]
    return str(_need(r).get("Policy", {}).get("DefaultVersionId") or ""), []


def _created_policy(gw: Gateway, call: AuditCall) -> list[str]:
    arn = _undo_param(call, "delete_policy", "PolicyArn")
    if not arn:
        return []
    default, gone = _default_version(gw, arn)
    if gone:
        return gone
    if default != "v1":
        return [
            f"the default version of {arn} is now {default}, not v1 as the fix created it: "
            f"undoing deletes the policy with {default} and every other version"
        ]
    return []


def _new_default_version(gw: Gateway, call: AuditCall) -> list[str]:
    arn = str(call.params.get("PolicyArn", ""))
    made = _undo_param(call, "delete_policy_version", "VersionId")
    back_to = _undo_param(call, "set_default_policy_version", "VersionId")
    if not made:
        return []
    default, gone = _default_version(gw, arn)
    if gone:
        return gone
    if default != made:
        return [
            f"the default version of {arn} is now {default}, not {made} as the fix left it: "
            f"undoing makes {back_to or 'the old version'} the default over {default} and "
            f"deletes {made}"
        ]
    return []


def _key_status(gw: Gateway, user: str, key_id: str) -> tuple[str | None, list[str]]:
    r = _read(gw, "iam", "list_access_keys", IAM_REGION, UserName=user)
    if r.error_code == "NoSuchEntity":
        return None, [f"IAM user {user} no longer exists"]
    for meta in _need(r).get("AccessKeyMetadata", []):
        if meta.get("AccessKeyId") == key_id:
            return str(meta.get("Status") or ""), []
    return None, [f"the access key {mask_key_id(key_id)} of {user} no longer exists"]


def _created_key(gw: Gateway, call: AuditCall) -> list[str]:
    user = str(call.params.get("UserName", ""))
    kid = _undo_param(call, "delete_access_key", "AccessKeyId")
    if not kid:
        return []
    status, gone = _key_status(gw, user, kid)
    if gone:
        return gone
    if status != "Active":
        return [f"the new key {mask_key_id(kid)} is now {status}, not Active as the fix created it"]
    return []


def _updated_key(gw: Gateway, call: AuditCall) -> list[str]:
    user = str(call.params.get("UserName", ""))
    kid = str(call.params.get("AccessKeyId", ""))
    wanted = str(call.params.get("Status", ""))
    status, gone = _key_status(gw, user, kid)
    if gone:
        return gone
    if status != wanted:
        return [f"the key {mask_key_id(kid)} is now {status}, not {wanted} as the fix left it"]
    return []


def _identity(gw: Gateway, call: AuditCall, region: str) -> list[str]:
    domain = str(call.params.get("Domain", ""))
    r = _read(gw, "ses", "get_identity_verification_attributes", region, Identities=[domain])
    if domain not in _need(r).get("VerificationAttributes", {}):
        return [f"the SES identity {domain} no longer exists in {region}"]
    return []


CHECKS: dict[str, Check] = {
    "iam:AttachUserPolicy": _attached,
    "iam:CreatePolicy": _created_policy,
    "iam:CreatePolicyVersion": _new_default_version,
    "iam:CreateAccessKey": _created_key,
    "iam:UpdateAccessKey": _updated_key,
}


def differences(gw: Gateway, call: AuditCall, region: str = "") -> list[str]:
    """How AWS now differs from what ``call`` left; ``[]`` when nothing moved."""
    try:
        if call.call == "ses:VerifyDomainIdentity":
            return [redact(d) for d in _identity(gw, call, region)]
        check = CHECKS.get(call.call)
        return [redact(d) for d in check(gw, call)] if check else []
    except _Unread as exc:
        r = exc.result
        return [
            redact(
                f"could not compare with what {call.call} left: {r.record.call} answered "
                f"{r.error_code or r.record.outcome}"
            )
        ]
