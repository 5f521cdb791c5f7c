"""Plans: what each AWS fix would change. Read calls only, as the operator.

A plan is built from the diagnosis report's context (who the app is, which account,
region and domain) plus a few fresh reads, so that what the person confirms is what
will be sent. A change that is already in place makes a ``noop`` plan; a change that
must not be made (no operator, app user missing, key of another account) a ``refused``
one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sesfix.aws import policy, regions
from sesfix.aws.gateway import CallResult, Gateway, api_name, cli_command
from sesfix.fixes import documents as D
from sesfix.fixes.catalogue import fix_spec
from sesfix.fixes.model import InputField, MissingPermission, Plan, PlannedCall, UndoCall
from sesfix.masking import mask_key_id, redact
from sesfix.settings import clean

if TYPE_CHECKING:
    from sesfix.aws.gateway import Listener
    from sesfix.aws.identity import OperatorSpec
    from sesfix.diagnosis.report import Report
    from sesfix.settings import AppSettings

IAM_REGION = regions.DEFAULT_STS_REGION
_PREFIX = {"sesv2": "ses"}
_YES = {"1", "y", "yes", "true", "on"}


def planned_call(
    service: str,
    operation: str,
    region: str,
    params: dict[str, Any],
    purpose: str,
    undo: tuple[UndoCall, ...] = (),
    *,
    covered: bool = False,
) -> PlannedCall:
    return PlannedCall(
        call=f"{_PREFIX.get(service, service)}:{api_name(operation)}",
        service=service,
        operation=operation,
        region=region,
        params=params,
        cli=redact(cli_command(service, operation, region, params)),  # key IDs masked
        purpose=purpose,
        undo=undo,
        covered=covered,
    )


def undo_call(
    service: str,
    operation: str,
    region: str,
    params: dict[str, Any],
    *,
    fill: dict[str, str] | None = None,
    tolerate: tuple[str, ...] = ("NoSuchEntity",),
) -> UndoCall:
    return UndoCall(service, operation, region, params, dict(fill or {}), tolerate)


@dataclass
class PlanContext:
    fix_id: str
    report: Report
    settings: AppSettings
    operator: OperatorSpec | None
    inputs: dict[str, str]
    listeners: tuple[Listener, ...] = ()
    gateway: Gateway | None = None
    user: str | None = None
    account: str | None = None
    operator_arn: str | None = None
    region: str | None = None
    domain: str | None = None
    sender: str | None = None
    #: The app's key ID, cleaned; in-process only (shown masked).
    key_id: str | None = None
    notes: list[str] = field(default_factory=list)

    def read(
        self, service: str, operation: str, region: str = IAM_REGION, **params: Any
    ) -> CallResult:
        assert self.gateway is not None
        return self.gateway.read("operator", service, operation, region, **params)

    def flag(self, name: str) -> bool:
        return self.inputs.get(name, "").strip().lower() in _YES


class ReadRefused(Exception):
    """A read the plan needs failed; the plan is refused with this reason."""

    def __init__(self, reason: str, missing: MissingPermission | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.missing = missing


def required_read(ctx: PlanContext, result: CallResult, resource: str = "*") -> dict[str, Any]:
    """The answer's data, or :class:`ReadRefused` naming what went wrong."""
    if result.ok:
        return result.data or {}
    r = result.record
    if result.denied:
        missing = MissingPermission(r.call, D.minimal_grant(r.call, resource))
        raise ReadRefused(
            f"the operator identity may not call {r.call} ({result.error_code}); "
            "it needs that right to plan this fix",
            missing,
        )
    raise ReadRefused(f"{r.call} as the operator answered {r.outcome}: {result.error_message}")


def plan_fix(
    fix_id: str,
    report: Report,
    settings: AppSettings,
    *,
    operator: OperatorSpec | None,
    inputs: Mapping[str, str] | None = None,
    listeners: tuple[Listener, ...] = (),
) -> Plan:
    spec = fix_spec(fix_id)
    rc = report.context
    ctx = PlanContext(
        fix_id=fix_id,
        report=report,
        settings=settings,
        operator=operator,
        inputs={k: str(v) for k, v in (inputs or {}).items()},
        listeners=listeners,
        user=rc.app_user,
        account=rc.app_account,
        region=rc.region,
        domain=rc.domain,
        sender=rc.sender,
        key_id=clean(settings.access_key_id) if settings.access_key_id else None,
    )
    plan = Plan(fix_id=fix_id, title=spec.title, kind=spec.kind, summary=spec.description)
    plan.inputs = dict(ctx.inputs)
    if spec.kind == "guidance":
        from sesfix.fixes.guidance import plan_guidance

        plan_guidance(ctx, plan)
    else:
        try:
            refused = _operator_gate(ctx)
            if not refused:
                _PLANNERS[fix_id](ctx, plan)
            else:
                plan.refused = refused
        except ReadRefused as exc:
            plan.refused = exc.reason
            plan.missing_permission = exc.missing
    plan.target = {
        "user": ctx.user,
        "account": ctx.account,
        "region": ctx.region,
        "domain": ctx.domain,
        "key_id": mask_key_id(ctx.key_id) if ctx.key_id else None,
        "operator_arn": ctx.operator_arn,
        "operator_profile": operator.profile if operator else None,
        "source": settings.source,
    }
    return plan


# ---- gates ---------------------------------------------------------------------------------


def _operator_gate(ctx: PlanContext) -> str:
    if ctx.operator is None:
        return (
            "this fix changes AWS and needs an operator identity: pass --operator-profile NAME "
            "(an AWS profile allowed to change IAM and SES in the app's account)"
        )
    from sesfix.aws.connect import make_gateway

    ctx.gateway = make_gateway(ctx.settings, ctx.operator, ctx.listeners)
    who = ctx.read("sts", "get_caller_identity")
    if not who.ok or not who.data:
        return (
            f"AWS refused the operator identity itself ({who.record.outcome}): "
            f"{who.error_message or 'no answer'}"
        )
    ctx.operator_arn = who.data.get("Arn")
    op_account = who.data.get("Account")
    if ctx.account and op_account and ctx.account != op_account:
        return (
            f"the app's key belongs to account {ctx.account}, but the operator works in account "
            f"{op_account}: sesfix will not change another account. Use an operator profile of "
            f"account {ctx.account}."
        )
    ctx.account = ctx.account or op_account
    return ""


def _resolve_user(ctx: PlanContext) -> None:
    """Find (and check) the IAM user that owns the app's key; ReadRefused if impossible."""
    if ctx.inputs.get("user"):
        ctx.user = ctx.inputs["user"].strip()
    arn = ctx.report.context.app_arn or ""
    if not ctx.user and ":assumed-role/" in arn:
        raise ReadRefused(
            f"the app runs as an assumed role ({arn}), not as an IAM user; sesfix changes "
            "IAM users only"
        )
    masked = mask_key_id(ctx.key_id)
    if not ctx.user:
        if not ctx.key_id:
            raise ReadRefused(
                "the app has no access key ID, so its IAM user is unknown; name it with "
                "--input user=NAME"
            )
        last = ctx.read("iam", "get_access_key_last_used", AccessKeyId=ctx.key_id)
        if last.denied:
            required_read(ctx, last)  # raises, naming the missing right
        if last.ok and last.data and last.data.get("UserName"):
            ctx.user = str(last.data["UserName"])
        else:
            info = ctx.read("sts", "get_access_key_info", AccessKeyId=ctx.key_id)
            owner = (info.data or {}).get("Account") if info.ok else None
            if owner and ctx.account and owner != ctx.account:
                raise ReadRefused(
                    f"the key {masked} belongs to account {owner}, not to the operator's account "
                    f"{ctx.account}: sesfix will not change another account"
                )
            raise ReadRefused(
                f"no IAM user of account {ctx.account} owns the key {masked}: it was deleted or "
                "mistyped. To act on a user anyway, name it with --input user=NAME"
            )
    got = ctx.read("iam", "get_user", UserName=ctx.user)
    if got.error_code == "NoSuchEntity":
        raise ReadRefused(f"IAM user {ctx.user} does not exist in account {ctx.account}")
    required_read(ctx, got, f"arn:aws:iam::{ctx.account}:user/{ctx.user}")


def _user_arn(ctx: PlanContext) -> str:
    return f"arn:aws:iam::{ctx.account}:user/{ctx.user}"


def _attached_arns(ctx: PlanContext) -> list[str]:
    data = required_read(
        ctx, ctx.read("iam", "list_attached_user_policies", UserName=ctx.user), _user_arn(ctx)
    )
    return [p["PolicyArn"] for p in data.get("AttachedPolicies", [])]


def _attach(ctx: PlanContext, arn: str, name: str) -> PlannedCall:
    params = {"UserName": ctx.user, "PolicyArn": arn}
    return planned_call(
        "iam",
        "attach_user_policy",
        IAM_REGION,
        params,
        f"attach {name} to IAM user {ctx.user}",
        (undo_call("iam", "detach_user_policy", IAM_REGION, dict(params)),),
    )


def _blocked_warnings(ctx: PlanContext, plan: Plan) -> None:
    ids = set(ctx.report.finding_ids())
    if "iam.ses_explicit_deny" in ids:
        plan.warnings.append(
            "an explicit Deny already blocks sending: attaching an Allow will not help until that "
            "statement is changed (fix remove-explicit-deny)"
        )
    if "iam.permissions_boundary_blocks" in ids:
        plan.warnings.append(
            "the user's permissions boundary does not allow SES: the boundary must allow it too "
            "(fix relax-permissions-boundary)"
        )


def _iam_verify_text(ctx: PlanContext) -> str:
    return (
        f"as the app's own credentials: ses:GetSendQuota in {ctx.region or 'its region'}, "
        "repeated with back-off until AWS allows it, then the IAM step (step 1) of the diagnosis"
    )


# ---- attach-ses-full-access ----------------------------------------------------------------


def _plan_attach_full(ctx: PlanContext, plan: Plan) -> None:
    _resolve_user(ctx)
    plan.summary = (
        f"Attach the AWS-managed policy AmazonSESFullAccess (ses:* on every resource) to IAM "
        f"user {ctx.user} in account {ctx.account}. Undo: detach it."
    )
    plan.verify = _iam_verify_text(ctx)
    if D.SES_FULL_ACCESS in _attached_arns(ctx):
        plan.noop = True
        plan.noop_reason = f"AmazonSESFullAccess is already attached to IAM user {ctx.user}"
        return
    plan.calls.append(_attach(ctx, D.SES_FULL_ACCESS, "AmazonSESFullAccess"))
    plan.warnings.append(
        "AmazonSESFullAccess allows every SES action, including deleting identities and "
        "changing account settings; create-custom-policy grants only what sending needs"
    )
    _blocked_warnings(ctx, plan)


# ---- create-custom-policy ------------------------------------------------------------------


def _plan_custom(ctx: PlanContext, plan: Plan) -> None:
    _resolve_user(ctx)
    name = ctx.inputs.get("policy_name", D.POLICY_NAME).strip() or D.POLICY_NAME
    get_account = ctx.flag("get_account")
    scope = ctx.inputs.get("scope", "all").strip().lower()
    plan.options = [
        InputField(
            "get_account",
            "Also allow ses:GetAccount (some mail libraries call it before sending)",
            default="no",
            choices=("no", "yes"),
        ),
        InputField(
            "scope",
            "Resource of the sending actions",
            default="all",
            choices=("all", "sender"),
            help=f"sender: only the sender identity's ARN in {ctx.region or 'the app region'}",
        ),
        InputField("policy_name", "Name of the customer-managed policy", default=D.POLICY_NAME),
    ]
    if scope not in ("all", "sender"):
        raise ReadRefused(f"scope must be 'all' or 'sender', not {scope!r}")
    scope_to: list[str] | None = None
    if scope == "sender":
        if not (ctx.region and ctx.domain and ctx.account):
            raise ReadRefused(
                "scope=sender needs the sender's domain (EMAIL_FROM) and a valid AWS_SES_REGION"
            )
        scope_to = D.identity_arns(ctx.region, ctx.account, ctx.domain, ctx.sender)
        plan.warnings.append(
            "sending is limited to " + ", ".join(scope_to) + ": mail from another identity or "
            "region, or through a configuration set, will be denied"
        )
    doc = D.custom_policy(get_account=get_account, scope_to=scope_to)
    plan.documents[name] = doc
    arn = f"arn:aws:iam::{ctx.account}:policy/{name}"
    plan.verify = _iam_verify_text(ctx)
    attached = arn in _attached_arns(ctx)
    pol = ctx.read("iam", "get_policy", PolicyArn=arn)
    variant = []
    if get_account:
        variant.append("with ses:GetAccount")
    if scope_to:
        variant.append(f"sending scoped to the sender in {ctx.region}")
    what = f"{name} ({', '.join(variant)})" if variant else name
    if pol.error_code == "NoSuchEntity":
        plan.summary = (
            f"Create the customer-managed policy {what} and attach it to IAM user {ctx.user} in "
            f"account {ctx.account}. Undo: detach it, then delete the policy."
        )
        plan.calls.append(
            planned_call(
                "iam",
                "create_policy",
                IAM_REGION,
                {
                    "PolicyName": name,
                    "PolicyDocument": D.compact(doc),
                    "Description": "SES sending for the app (created by sesfix)",
                },
                f"create the policy {name}",
                (undo_call("iam", "delete_policy", IAM_REGION, {"PolicyArn": arn}),),
            )
        )
        plan.calls.append(_attach(ctx, arn, name))
        _blocked_warnings(ctx, plan)
        return
    data = required_read(ctx, pol, arn)
    default = str(data["Policy"].get("DefaultVersionId") or "v1")
    ver = required_read(
        ctx, ctx.read("iam", "get_policy_version", PolicyArn=arn, VersionId=default), arn
    )
    current = policy.parse_document(ver["PolicyVersion"]["Document"])
    if D.same_document(current, doc):
        if attached:
            plan.noop = True
            plan.noop_reason = (
                f"{name} already exists with this document and is attached to IAM user {ctx.user}"
            )
            return
        plan.summary = (
            f"{name} already exists with this document; attach it to IAM user {ctx.user}. "
            "Undo: detach it."
        )
        plan.calls.append(_attach(ctx, arn, name))
        _blocked_warnings(ctx, plan)
        return
    plan.diff = D.diff(current, doc, f"{name} {default} (current default)", f"{name} (new)")
    plan.summary = (
        f"{name} already exists with another document: add the new document as its default "
        f"version" + ("" if attached else f" and attach it to IAM user {ctx.user}") + ". "
        f"Undo: make {default} the default again and delete the new version."
    )
    versions = required_read(ctx, ctx.read("iam", "list_policy_versions", PolicyArn=arn), arn)
    listed = versions.get("Versions", [])
    if len(listed) >= 5:
        non_default = [v for v in listed if not v.get("IsDefaultVersion")]
        oldest = min(non_default, key=_version_age)
        vid = str(oldest["VersionId"])
        old_doc = required_read(
            ctx, ctx.read("iam", "get_policy_version", PolicyArn=arn, VersionId=vid), arn
        )
        old_document = policy.parse_document(old_doc["PolicyVersion"]["Document"])
        plan.warnings.append(
            f"IAM keeps at most 5 versions of a policy and {name} has {len(listed)}: its oldest "
            f"non-default version {vid} (created {oldest.get('CreateDate', '?')}) will be deleted "
            "first. Undo re-creates that document as a new non-default version (with a new "
            "version id)."
        )
        plan.calls.append(
            planned_call(
                "iam",
                "delete_policy_version",
                IAM_REGION,
                {"PolicyArn": arn, "VersionId": vid},
                f"make room: delete the oldest non-default version {vid}",
                (
                    undo_call(
                        "iam",
                        "create_policy_version",
                        IAM_REGION,
                        {
                            "PolicyArn": arn,
                            "PolicyDocument": D.compact(old_document),
                            "SetAsDefault": False,
                        },
                        tolerate=(),
                    ),
                ),
            )
        )
    plan.calls.append(
        planned_call(
            "iam",
            "create_policy_version",
            IAM_REGION,
            {"PolicyArn": arn, "PolicyDocument": D.compact(doc), "SetAsDefault": True},
            f"add the new document as the default version of {name}",
            (
                undo_call(
                    "iam",
                    "set_default_policy_version",
                    IAM_REGION,
                    {"PolicyArn": arn, "VersionId": default},
                ),
                undo_call(
                    "iam",
                    "delete_policy_version",
                    IAM_REGION,
                    {"PolicyArn": arn, "VersionId": ""},
                    fill={"VersionId": "PolicyVersion.VersionId"},
                ),
            ),
        )
    )
    if not attached:
        plan.calls.append(_attach(ctx, arn, name))
    _blocked_warnings(ctx, plan)


def _version_age(version: Mapping[str, Any]) -> tuple[str, int]:
    """Oldest first: by creation date, then by number (IAM dates have 1 s resolution)."""
    vid = str(version.get("VersionId", "v0"))
    number = int(vid[1:]) if vid[1:].isdigit() else 0
    return str(version.get("CreateDate", "")), number


# ---- access keys ---------------------------------------------------------------------------


def _keys(ctx: PlanContext) -> list[dict[str, Any]]:
    data = required_read(
        ctx, ctx.read("iam", "list_access_keys", UserName=ctx.user), _user_arn(ctx)
    )
    return list(data.get("AccessKeyMetadata", []))


def _last_used(ctx: PlanContext, key_id: str) -> str:
    r = ctx.read("iam", "get_access_key_last_used", AccessKeyId=key_id)
    if not r.ok or not r.data:
        return "last use unknown"
    info = r.data.get("AccessKeyLastUsed", {})
    date = info.get("LastUsedDate")
    if not date:
        return "never used"
    return f"last used {date} ({info.get('ServiceName', '?')}, {info.get('Region', '?')})"


def _describe_key(ctx: PlanContext, meta: dict[str, Any]) -> str:
    kid = str(meta["AccessKeyId"])
    mine = " — the key in the app's variables" if kid == ctx.key_id else ""
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
    _resolve_user(ctx)
    keys = _keys(ctx)
    user = ctx.user
    old = mask_key_id(ctx.key_id) if ctx.key_id else "(none)"
    plan.summary = (
        f"Create a new access key for IAM user {user}, store it in the OS keyring and show it "
        f"once. The key the app uses now ({old}) is left as it is: once the app runs with the "
        "new key, retire the old one with `sesfix fix retire-old-key`. Undo: delete the new key."
    )
    plan.verify = (
        f"as the new key: sts:GetCallerIdentity and ses:GetSendQuota in {ctx.region or '?'}, "
        "repeated with back-off (a new key can take 10–15 s to work)"
    )
    plan.options = [
        InputField("again", "Create another key even if one is pending", "no", ("no", "yes"))
    ]
    pending = _pending_rotation(ctx, keys)
    if pending and not ctx.flag("again"):
        plan.noop = True
        plan.noop_reason = (
            f"sesfix already created the key {mask_key_id(pending[0])} for {user} at "
            f"{pending[1]} and the app's variables do not hold it yet. Put it into the app "
            "(its secret is in the OS keyring if it could be stored) and redeploy; to create "
            "another key anyway, pass --input again=yes"
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
                    f"IAM allows 2 access keys per user and {user} has 2; which one must be "
                    "deleted to make room (this cannot be undone)?",
                    default="",
                    choices=tuple(mask_key_id(str(k["AccessKeyId"])) for k in keys),
                    help=(f"{suggest} is not the app's key" if suggest else ""),
                )
            )
            plan.warnings.append(f"{user}'s keys: " + "; ".join(listing))
        else:
            kid = _match_key(choice, keys)
            if kid is None:
                raise ReadRefused(f"{choice!r} is not one of {user}'s keys: " + "; ".join(listing))
            plan.warnings.append(
                f"the key {mask_key_id(kid)} will be deleted first; a deleted key cannot be "
                "restored, and anything still using it stops working"
            )
            if kid == ctx.key_id:
                plan.warnings.append(
                    f"{mask_key_id(kid)} is the key in the app's variables: the app keeps failing "
                    "until it runs with the new key"
                )
            plan.calls.append(
                planned_call(
                    "iam",
                    "delete_access_key",
                    IAM_REGION,
                    {"UserName": user, "AccessKeyId": kid},
                    f"make room: delete {mask_key_id(kid)} (cannot be undone)",
                )
            )
    plan.calls.append(
        planned_call(
            "iam",
            "create_access_key",
            IAM_REGION,
            {"UserName": user},
            f"create a new access key for {user}",
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
        return (
            "the app's own key is not proven: the diagnosis fails at step 2 (credentials). "
            "Retire the old key only once the app's variables hold the new key and "
            "`sesfix check` passes step 2"
        )
    return ""


def _plan_retire(ctx: PlanContext, plan: Plan) -> None:
    _resolve_user(ctx)
    keys = _keys(ctx)
    app_key = ctx.key_id
    plan.options = [
        InputField(
            "delete",
            "Delete old keys that are already Inactive (cannot be undone)",
            "no",
            ("no", "yes"),
        )
    ]
    if app_key not in {str(k["AccessKeyId"]) for k in keys}:
        raise ReadRefused(
            f"the app's key {mask_key_id(app_key)} is not a key of IAM user {ctx.user}"
        )
    reason = _app_key_proven(ctx)
    if reason:
        raise ReadRefused(reason)
    old = [k for k in keys if str(k["AccessKeyId"]) != app_key]
    plan.verify = (
        "as the app's key: sts:GetCallerIdentity still works; as the operator: the old key's "
        "status has changed"
    )
    if not old:
        plan.noop = True
        plan.noop_reason = f"IAM user {ctx.user} has only the key the app uses; nothing to retire"
        return
    active = [k for k in old if k.get("Status") == "Active"]
    for meta in old:
        plan.warnings.append("old key " + _describe_key(ctx, meta))
    if active:
        plan.summary = (
            f"Deactivate the old key(s) of IAM user {ctx.user} ("
            + ", ".join(mask_key_id(str(k["AccessKeyId"])) for k in active)
            + f"); the app keeps its key {mask_key_id(app_key)}. Deleting comes later, once "
            "nothing broke. Undo: reactivate."
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
                    f"deactivate the old key {mask_key_id(kid)}",
                    (
                        undo_call(
                            "iam", "update_access_key", IAM_REGION, {**params, "Status": "Active"}
                        ),
                    ),
                )
            )
        return
    if ctx.flag("delete"):
        plan.summary = (
            f"Delete the inactive old key(s) of IAM user {ctx.user}. This cannot be undone."
        )
        plan.warnings.append("a deleted key cannot be restored")
        for meta in old:
            kid = str(meta["AccessKeyId"])
            plan.calls.append(
                planned_call(
                    "iam",
                    "delete_access_key",
                    IAM_REGION,
                    {"UserName": ctx.user, "AccessKeyId": kid},
                    f"delete the inactive old key {mask_key_id(kid)} (cannot be undone)",
                )
            )
        return
    plan.noop = True
    plan.noop_reason = (
        f"the old key(s) of {ctx.user} are already Inactive; once nothing broke for a while, "
        "delete them with --input delete=yes (cannot be undone)"
    )


def _plan_reactivate(ctx: PlanContext, plan: Plan) -> None:
    _resolve_user(ctx)
    keys = _keys(ctx)
    kid = _match_key(ctx.inputs.get("key", ""), keys) if ctx.inputs.get("key") else ctx.key_id
    meta = next((k for k in keys if str(k["AccessKeyId"]) == kid), None)
    if meta is None or kid is None:
        raise ReadRefused(f"the key {mask_key_id(kid)} is not a key of IAM user {ctx.user}")
    plan.verify = (
        "as the app: sts:GetCallerIdentity accepts the key; as the operator: status Active"
    )
    plan.summary = (
        f"Set the access key {mask_key_id(kid)} of IAM user {ctx.user} to Active. Undo: Inactive."
    )
    if meta.get("Status") == "Active":
        plan.noop = True
        plan.noop_reason = f"the key {mask_key_id(kid)} is already Active"
        return
    params = {"UserName": ctx.user, "AccessKeyId": kid, "Status": "Active"}
    plan.calls.append(
        planned_call(
            "iam",
            "update_access_key",
            IAM_REGION,
            params,
            f"reactivate {mask_key_id(kid)}",
            (undo_call("iam", "update_access_key", IAM_REGION, {**params, "Status": "Inactive"}),),
        )
    )


# ---- verify-domain -------------------------------------------------------------------------


def dns_records(domain: str, token: str | None, dkim_tokens: list[str]) -> list[str]:
    out = []
    if token:
        out.append(f'_amazonses.{domain}  TXT  "{token}"')
    for t in dkim_tokens:
        out.append(f"{t}._domainkey.{domain}  CNAME  {t}.dkim.amazonses.com")
    return out


def _plan_verify_domain(ctx: PlanContext, plan: Plan) -> None:
    region, domain = ctx.region, ctx.domain
    if not domain:
        raise ReadRefused("no sender domain: EMAIL_FROM has no address (or pass --domain)")
    if not region:
        raise ReadRefused("AWS_SES_REGION is not a valid SES region: set it first (set-ses-region)")
    attrs = required_read(
        ctx, ctx.read("ses", "get_identity_verification_attributes", region, Identities=[domain])
    )
    mine = attrs.get("VerificationAttributes", {}).get(domain)
    status = mine.get("VerificationStatus") if mine else None
    token = mine.get("VerificationToken") if mine else None
    dk = required_read(
        ctx, ctx.read("ses", "get_identity_dkim_attributes", region, Identities=[domain])
    )
    dkim = dk.get("DkimAttributes", {}).get(domain, {})
    dkim_tokens = list(dkim.get("DkimTokens", []) or [])
    elsewhere = [r for r in ctx.report.context.verified_regions if r and r != region]
    if elsewhere:
        plan.warnings.append(
            f"{domain} is already verified in {', '.join(elsewhere)}. Two choices: move the app "
            f"there (AWS_SES_REGION={elsewhere[0]}, fix set-ses-region: no AWS change, but that "
            f"region's sandbox status and quotas apply), or verify {domain} in {region} as this "
            "plan does (new DNS records, and production access is per region too)"
        )
    plan.verify = (
        f"ses:GetIdentityVerificationAttributes in {region} shows {domain} (Pending until the "
        "DNS records are published; DKIM detection can take up to 72 h)"
    )
    undo_delete = (undo_call("ses", "delete_identity", region, {"Identity": domain}, tolerate=()),)
    if status is None:
        plan.summary = (
            f"Create the domain identity {domain} in {region} and its Easy DKIM tokens; then "
            "add the DNS records shown. Undo: delete the identity."
        )
        plan.calls.append(
            planned_call(
                "ses",
                "verify_domain_identity",
                region,
                {"Domain": domain},
                f"create the identity {domain} in {region}",
                undo_delete,
            )
        )
        plan.calls.append(
            planned_call(
                "ses",
                "verify_domain_dkim",
                region,
                {"Domain": domain},
                f"create the Easy DKIM tokens for {domain} in {region}",
                covered=True,  # deleting the new identity removes its DKIM tokens too
            )
        )
        return
    if status in ("Failed", "TemporaryFailure"):
        plan.warnings.append(
            f"verification of {domain} in {region} is {status}: asking again issues a new TXT "
            "token (the old record no longer counts)"
        )
        plan.calls.append(
            planned_call(
                "ses",
                "verify_domain_identity",
                region,
                {"Domain": domain},
                f"restart the verification of {domain} in {region}",
            )
        )
    if not dkim_tokens or not dkim.get("DkimEnabled", True):
        plan.calls.append(
            planned_call(
                "ses",
                "verify_domain_dkim",
                region,
                {"Domain": domain},
                f"create the Easy DKIM tokens for {domain} in {region}",
                (
                    undo_call(
                        "ses",
                        "set_identity_dkim_enabled",
                        region,
                        {"Identity": domain, "DkimEnabled": False},
                        tolerate=(),
                    ),
                ),
            )
        )
    records = dns_records(domain, token, dkim_tokens)
    if not plan.calls:
        plan.noop = True
        plan.noop_reason = (
            f"{domain} already exists in {region}: verification {status}, DKIM "
            f"{dkim.get('DkimVerificationStatus', 'NotStarted')}"
        )
        if status != "Success" or dkim.get("DkimVerificationStatus") != "Success":
            plan.guidance = ["Publish these DNS records at the domain's DNS host:", *records]
        return
    plan.summary = f"Complete the identity {domain} in {region} (status {status})."
    plan.guidance = ["DNS records known so far:", *records] if records else []


# ---- request-production-access --------------------------------------------------------------

MAIL_TYPES = ("TRANSACTIONAL", "MARKETING")


def _plan_production(ctx: PlanContext, plan: Plan) -> None:
    region = ctx.region
    if not region:
        raise ReadRefused("AWS_SES_REGION is not a valid SES region: set it first (set-ses-region)")
    acct = ctx.read("sesv2", "get_account", region)
    if acct.ok and acct.data:
        if acct.data.get("ProductionAccessEnabled"):
            plan.noop = True
            plan.noop_reason = f"the SES account already has production access in {region}"
            return
        review = (acct.data.get("Details") or {}).get("ReviewDetails") or {}
        if review.get("Status") == "PENDING":
            plan.noop = True
            plan.noop_reason = (
                f"a production access request for {region} is already under review "
                f"(case {review.get('CaseId', '?')})"
            )
            return
    elif acct.denied:
        plan.warnings.append(
            "the operator may not call ses:GetAccount, so whether a request is already pending "
            "is unknown; AWS will say so"
        )
    else:
        plan.warnings.append(
            f"the account's status in {region} could not be read (sesv2:GetAccount answered "
            f"{acct.record.outcome}); AWS will say if a request already exists"
        )
    website_default = f"https://{ctx.domain}" if ctx.domain else ""
    fields = {
        "mail_type": InputField(
            "mail_type",
            "Mail type",
            "TRANSACTIONAL",
            MAIL_TYPES,
            "sign-up and receipts are transactional",
        ),
        "website_url": InputField("website_url", "Website URL", website_default),
        "use_case": InputField(
            "use_case",
            "Use case: what mail you send, to whom, how recipients opt in, how you handle "
            "bounces and complaints",
        ),
    }
    plan.options = [InputField("contact_language", "Contact language", "EN", ("EN", "JA"))]
    values: dict[str, str] = {}
    for name, spec in fields.items():
        value = ctx.inputs.get(name, "").strip()
        if not value:
            plan.inputs_needed.append(spec)
        else:
            values[name] = value
    if plan.inputs_needed:
        plan.summary = "Type the request's fields first (AWS reviews them)."
        return
    mail_type = values["mail_type"].upper()
    if mail_type not in MAIL_TYPES:
        raise ReadRefused(f"mail_type must be one of {', '.join(MAIL_TYPES)}, not {mail_type!r}")
    if not values["website_url"].startswith(("http://", "https://")):
        raise ReadRefused("website_url must start with http:// or https://")
    if len(values["use_case"]) > 5000:
        raise ReadRefused("use_case is longer than AWS's 5000 characters")
    lang = ctx.inputs.get("contact_language", "EN").strip().upper() or "EN"
    plan.summary = (
        f"Ask AWS to move the SES account out of the sandbox in {region}. AWS reviews the "
        "request (usually within a day); this cannot be undone from here."
    )
    plan.verify = f"as the operator: sesv2:GetAccount in {region} shows the review"
    plan.calls.append(
        planned_call(
            "sesv2",
            "put_account_details",
            region,
            {
                "MailType": mail_type,
                "WebsiteURL": values["website_url"],
                "ContactLanguage": lang,
                "UseCaseDescription": values["use_case"],
                "ProductionAccessEnabled": True,
            },
            f"request production access in {region}",
        )
    )


_PLANNERS: dict[str, Callable[[PlanContext, Plan], None]] = {
    "attach-ses-full-access": _plan_attach_full,
    "create-custom-policy": _plan_custom,
    "rotate-access-key": _plan_rotate,
    "retire-old-key": _plan_retire,
    "reactivate-access-key": _plan_reactivate,
    "verify-domain": _plan_verify_domain,
    "request-production-access": _plan_production,
}

__all__ = ["IAM_REGION", "PlanContext", "dns_records", "plan_fix", "planned_call", "undo_call"]
