"""Access key fixes: rotate (with the keyring steps), retire the old key, reactivate a key.

A new secret exists once, in AWS's answer: :func:`_store_new_key` puts it into the OS
keyring straight away and hands it to the front-end as a :class:`~sesfix.masking.Secret`;
undoing the rotation deletes the key in AWS and forgets it in the keyring.
"""

from __future__ import annotations

from typing import Any

from sesfix.aws.gateway import Gateway
from sesfix.aws.identity import Identities, StaticCredentials
from sesfix.fixes.context import (
    IAM_REGION,
    Answers,
    Fix,
    Inverse,
    PlanContext,
    ReadRefused,
    VerifyContext,
    keyring_label,
    planned_call,
    required_read,
    resolve_user,
    undo_call,
)
from sesfix.fixes.model import ApplyResult, AuditEntry, InputField, NewKey, Plan
from sesfix.locale import t
from sesfix.masking import Secret, mask_key_id


def _keys(ctx: PlanContext) -> list[dict[str, Any]]:
    data = required_read(
        ctx, ctx.read("iam", "list_access_keys", UserName=ctx.user), ctx.user_arn()
    )
    return list(data.get("AccessKeyMetadata", []))


def _last_used(ctx: PlanContext, key_id: str) -> str:
    r = ctx.read("iam", "get_access_key_last_used", AccessKeyId=key_id)
    if not r.ok or not r.data:
        return t("plans.keys.last_use_unknown")
    info = r.data.get("AccessKeyLastUsed", {})
    date = info.get("LastUsedDate")
    if not date:
        return t("plans.keys.never_used")
    service, region = info.get("ServiceName", "?"), info.get("Region", "?")
    return t("plans.keys.last_used", date=date, service=service, region=region)


def _describe_key(ctx: PlanContext, meta: dict[str, Any]) -> str:
    kid = str(meta["AccessKeyId"])
    mine = t("plans.keys.apps_key") if kid == ctx.key_id else ""
    return f"{mask_key_id(kid)} ({meta.get('Status')}, {_last_used(ctx, kid)}){mine}"


def _match_key(choice: str, keys: list[dict[str, Any]]) -> str | None:
    choice = choice.strip()
    for meta in keys:
        kid = str(meta["AccessKeyId"])
        if choice in (kid, mask_key_id(kid)):
            return kid
    return None


def _pending_rotation(ctx: PlanContext, keys: list[dict[str, Any]]) -> tuple[str, str] | None:
    """A key sesfix created earlier for this user that the app does not use yet."""
    from sesfix.fixes.audit import read_entries

    listed = {str(k["AccessKeyId"]) for k in keys}
    for entry in reversed(read_entries()):
        if entry.fix_id != "rotate-access-key" or entry.undone_by or entry.kind != "apply":
            continue
        if entry.target.get("user") != ctx.user:
            continue
        for call in entry.calls:
            if call.call == "iam:CreateAccessKey" and call.status == "ok":
                for u in call.undo:
                    kid = str(u.params.get("AccessKeyId", ""))
                    if kid in listed and kid != ctx.key_id:
                        return kid, entry.time
    return None


def _plan_rotate(ctx: PlanContext, plan: Plan) -> None:
    resolve_user(ctx)
    keys = _keys(ctx)
    user = ctx.user
    old = mask_key_id(ctx.key_id) if ctx.key_id else t("plans.keys.none")
    plan.summary = t("plans.keys.rotate.summary", user=user, old=old)
    plan.verify = t("plans.keys.rotate.verify", region=ctx.region or "?")
    plan.options = [InputField("again", t("plans.keys.opt.again"), "no", ("no", "yes"))]
    pending = _pending_rotation(ctx, keys)
    if pending and not ctx.flag("again"):
        plan.noop = True
        plan.noop_reason = t(
            "plans.keys.rotate.pending", key=mask_key_id(pending[0]), user=user, time=pending[1]
        )
        return
    if len(keys) >= 2:
        listing = [_describe_key(ctx, k) for k in keys]
        choice = ctx.inputs.get("delete_key", "")
        if not choice:
            others = [k for k in keys if str(k["AccessKeyId"]) != ctx.key_id]
            suggest = mask_key_id(str(others[0]["AccessKeyId"])) if others else ""
            plan.inputs_needed.append(
                InputField(
                    "delete_key",
                    t("plans.keys.rotate.which", user=user),
                    default="",
                    choices=tuple(mask_key_id(str(k["AccessKeyId"])) for k in keys),
                    help=(t("plans.keys.rotate.not_apps", key=suggest) if suggest else ""),
                )
            )
            plan.warnings.append(t("plans.keys.listing", user=user, keys="; ".join(listing)))
        else:
            kid = _match_key(choice, keys)
            if kid is None:
                raise ReadRefused(
                    t(
                        "plans.keys.not_one_of",
                        choice=repr(choice),
                        user=user,
                        keys="; ".join(listing),
                    )
                )
            plan.warnings.append(t("plans.keys.rotate.deleted_first", key=mask_key_id(kid)))
            if kid == ctx.key_id:
                plan.warnings.append(t("plans.keys.rotate.deleting_apps", key=mask_key_id(kid)))
            plan.calls.append(
                planned_call(
                    "iam",
                    "delete_access_key",
                    IAM_REGION,
                    {"UserName": user, "AccessKeyId": kid},
                    t("plans.keys.rotate.make_room", key=mask_key_id(kid)),
                )
            )
    plan.calls.append(
        planned_call(
            "iam",
            "create_access_key",
            IAM_REGION,
            {"UserName": user},
            t("plans.keys.rotate.create", user=user),
            (
                undo_call(
                    "iam",
                    "delete_access_key",
                    IAM_REGION,
                    {"UserName": user, "AccessKeyId": ""},
                    fill={"AccessKeyId": "AccessKey.AccessKeyId"},
                ),
            ),
        )
    )


def _app_key_proven(ctx: PlanContext) -> str:
    """Empty when the app's current key demonstrably works; the reason otherwise."""
    report = ctx.report
    step2 = report.step(2).status
    if not report.context.app_arn or step2 == "fail":
        return t("plans.keys.retire.unproven")
    return ""


def _plan_retire(ctx: PlanContext, plan: Plan) -> None:
    resolve_user(ctx)
    keys = _keys(ctx)
    app_key = ctx.key_id
    plan.options = [InputField("delete", t("plans.keys.opt.delete"), "no", ("no", "yes"))]
    if app_key not in {str(k["AccessKeyId"]) for k in keys}:
        raise ReadRefused(t("plans.keys.not_users", key=mask_key_id(app_key), user=ctx.user))
    reason = _app_key_proven(ctx)
    if reason:
        raise ReadRefused(reason)
    old = [k for k in keys if str(k["AccessKeyId"]) != app_key]
    plan.verify = t("plans.keys.retire.verify")
    if not old:
        plan.noop = True
        plan.noop_reason = t("plans.keys.retire.only_one", user=ctx.user)
        return
    active = [k for k in old if k.get("Status") == "Active"]
    for meta in old:
        plan.warnings.append(t("plans.keys.old_key", key=_describe_key(ctx, meta)))
    if active:
        plan.summary = t(
            "plans.keys.retire.summary",
            user=ctx.user,
            keys=", ".join(mask_key_id(str(k["AccessKeyId"])) for k in active),
            key=mask_key_id(app_key),
        )
        for meta in active:
            kid = str(meta["AccessKeyId"])
            params = {"UserName": ctx.user, "AccessKeyId": kid, "Status": "Inactive"}
            plan.calls.append(
                planned_call(
                    "iam",
                    "update_access_key",
                    IAM_REGION,
                    params,
                    t("plans.keys.retire.deactivate", key=mask_key_id(kid)),
                    (
                        undo_call(
                            "iam", "update_access_key", IAM_REGION, {**params, "Status": "Active"}
                        ),
                    ),
                )
            )
        return
    if ctx.flag("delete"):
        plan.summary = t("plans.keys.retire.delete_summary", user=ctx.user)
        plan.warnings.append(t("plans.keys.deleted_forever"))
        for meta in old:
            kid = str(meta["AccessKeyId"])
            plan.calls.append(
                planned_call(
                    "iam",
                    "delete_access_key",
                    IAM_REGION,
                    {"UserName": ctx.user, "AccessKeyId": kid},
                    t("plans.keys.retire.delete", key=mask_key_id(kid)),
                )
            )
        return
    plan.noop = True
    plan.noop_reason = t("plans.keys.retire.already", user=ctx.user)


def _plan_reactivate(ctx: PlanContext, plan: Plan) -> None:
    resolve_user(ctx)
    keys = _keys(ctx)
    kid = _match_key(ctx.inputs.get("key", ""), keys) if ctx.inputs.get("key") else ctx.key_id
    meta = next((k for k in keys if str(k["AccessKeyId"]) == kid), None)
    if meta is None or kid is None:
        raise ReadRefused(t("plans.keys.key_not_users", key=mask_key_id(kid), user=ctx.user))
    plan.verify = t("plans.keys.reactivate.verify")
    plan.summary = t("plans.keys.reactivate.summary", key=mask_key_id(kid), user=ctx.user)
    if meta.get("Status") == "Active":
        plan.noop = True
        plan.noop_reason = t("plans.keys.reactivate.already", key=mask_key_id(kid))
        return
    params = {"UserName": ctx.user, "AccessKeyId": kid, "Status": "Active"}
    plan.calls.append(
        planned_call(
            "iam",
            "update_access_key",
            IAM_REGION,
            params,
            t("plans.keys.reactivate.purpose", key=mask_key_id(kid)),
            (undo_call("iam", "update_access_key", IAM_REGION, {**params, "Status": "Inactive"}),),
        )
    )


# ---- after apply, verification, after undo -------------------------------------------------


def _store_new_key(
    plan: Plan, answers: Answers, target: dict[str, Any], result: ApplyResult
) -> None:
    """Keep the new secret in the OS keyring at once, and hand it over (shown once)."""
    from sesfix.secrets import store_credentials

    for index, call in enumerate(plan.calls):
        if call.call != "iam:CreateAccessKey" or index not in answers:
            continue
        key = answers[index].get("AccessKey", {})
        secret = Secret(str(key.get("SecretAccessKey", "")))
        key_id = str(key.get("AccessKeyId", ""))
        answers[index] = {}  # drop the only other reference to the raw secret
        label = keyring_label(target)
        status = store_credentials(label, key_id, secret)
        result.new_key = NewKey(
            access_key_id=key_id,
            secret=secret,
            user=str(key.get("UserName") or target.get("user") or ""),
            keyring_stored=status.usable,
            keyring_label=label,
            keyring_detail=status.reason or status.backend,
        )
        stored = (
            t("plans.keys.new.stored", label=label)
            if status.usable
            else t("plans.keys.new.not_stored", reason=status.reason)
        )
        result.guidance = [
            t("plans.keys.new.shown_once", stored=stored),
            t("plans.keys.new.set", key=mask_key_id(key_id)),
            t("plans.keys.new.retire"),
        ]


def _verify_new_key(v: VerifyContext) -> tuple[bool | None, str]:
    new = v.result.new_key
    if new is None:
        return None, t("plans.keys.verify.no_key")
    region = v.plan.target.get("region")
    gw = Gateway(
        Identities(StaticCredentials(new.access_key_id, new.secret), None),
        listeners=list(v.listeners),
        scrub=(new.secret,),
    )

    def check() -> tuple[bool | None, str, bool]:
        who = gw.read("app", "sts", "get_caller_identity", IAM_REGION)
        if not who.ok:
            return False, t("plans.keys.verify.not_yet", outcome=who.record.outcome), False
        if not region:
            return True, t("plans.keys.verify.no_region"), True
        r = gw.read("app", "ses", "get_send_quota", region)
        if r.ok:
            return True, t("plans.keys.verify.works", key=new.masked, region=region), False
        if r.denied:
            return False, t("plans.keys.verify.denied", region=region), True
        return False, t("plans.keys.verify.answers", outcome=r.record.outcome), False

    return v.poll(check)


def _verify_key_status(v: VerifyContext) -> tuple[bool | None, str]:
    gw = v.gateway()
    wanted = {
        str(c.params["AccessKeyId"]): c.params.get("Status")
        for c in v.plan.calls
        if c.operation == "update_access_key"
    }
    deleted = {
        str(c.params["AccessKeyId"]) for c in v.plan.calls if c.operation == "delete_access_key"
    }
    user = v.plan.target.get("user")

    def check() -> tuple[bool | None, str, bool]:
        keys = gw.read("operator", "iam", "list_access_keys", IAM_REGION, UserName=user)
        if not keys.ok:
            return None, t("plans.keys.status.unread", outcome=keys.record.outcome), True
        listed = {
            k["AccessKeyId"]: k.get("Status")
            for k in (keys.data or {}).get("AccessKeyMetadata", [])
        }
        wrong = [k for k, s in wanted.items() if listed.get(k) != s]
        still = [k for k in deleted if k in listed]
        if wrong or still:
            return False, t("plans.keys.status.not_yet"), False
        if not gw.identities.has_app:
            return True, t("plans.keys.status.shown"), False
        who = gw.read("app", "sts", "get_caller_identity", IAM_REGION)
        if who.ok:
            return True, t("plans.keys.status.accepted"), False
        return (
            False,
            t("plans.keys.status.app_fails", outcome=who.record.outcome),
            v.plan.fix_id == "retire-old-key",
        )

    return v.poll(check)


def _forget_key(entry: AuditEntry) -> None:
    """After undoing a rotation, drop the deleted key from the keyring."""
    from sesfix.secrets import delete_credentials, load_credentials

    label = keyring_label(entry.target)
    stored = load_credentials(label)
    deleted = {
        str(u.params.get("AccessKeyId"))
        for c in entry.calls
        for u in c.undo
        if u.operation == "delete_access_key"
    }
    if stored is not None and stored.access_key_id in deleted:
        delete_credentials(label)


_SAME_KEY = ("UserName", "AccessKeyId")

ROTATE_ACCESS_KEY = Fix(
    id="rotate-access-key",
    title="Create a new access key for the app's IAM user",
    kind="aws",
    undoable=True,
    description=(
        "A secret is shown only when its key is created: a lost, doubted or mistyped secret "
        "is cured by a new key. The old key is left alone (see retire-old-key)."
    ),
    plan=_plan_rotate,
    verify=_verify_new_key,
    after_apply=_store_new_key,
    after_undo=_forget_key,
    inverse={
        # the new key's ID comes from AWS's answer; the user must be the same
        "iam:CreateAccessKey": (Inverse("iam:DeleteAccessKey", ("UserName",)),),
        "iam:DeleteAccessKey": (),  # making room: a deleted key cannot be restored
    },
)

RETIRE_OLD_KEY = Fix(
    id="retire-old-key",
    title="Deactivate the app's old access key",
    kind="aws",
    undoable=True,
    description=(
        "Once the new key is proven and the app runs with it: deactivate the old key first "
        "(reversible); delete it later."
    ),
    plan=_plan_retire,
    verify=_verify_key_status,
    inverse={
        "iam:UpdateAccessKey": (Inverse("iam:UpdateAccessKey", _SAME_KEY),),
        "iam:DeleteAccessKey": (),  # only with delete=yes, and said so: cannot be undone
    },
)

REACTIVATE_ACCESS_KEY = Fix(
    id="reactivate-access-key",
    title="Reactivate the app's access key",
    kind="aws",
    undoable=True,
    description="Set the key's status back to Active.",
    plan=_plan_reactivate,
    verify=_verify_key_status,
    inverse={"iam:UpdateAccessKey": (Inverse("iam:UpdateAccessKey", _SAME_KEY),)},
)

FIXES = (ROTATE_ACCESS_KEY, RETIRE_OLD_KEY, REACTIVATE_ACCESS_KEY)
