"""SMTP fixes: derive the SMTP password, set the endpoint/port/TLS pair, or leave SMTP for
the SES HTTPS API. All guidance (no AWS call); their variable changes are data
(:attr:`Plan.changes`, values wrapped as :class:`Secret`) that practice applies and the
front-ends hand over (keyring, clipboard, Railway through stdin), never printed by a plan.

``derive-smtp-password`` takes the secret sesfix holds: a keyring entry (input
``keyring_label``) or the app's AWS_SECRET_ACCESS_KEY; a front-end that lets a person type
the secret plans with settings carrying it (``replace(settings, secret_access_key=...)``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sesfix.fixes.context import Fix, PlanContext, PlanStep, findings
from sesfix.fixes.model import InputField, Plan, VariableChange
from sesfix.fixes.targets import source_text
from sesfix.lang import say
from sesfix.masking import Secret, mask_key_id
from sesfix.settings import KEY_ID, PROVIDER, REGION, SECRET, clean
from sesfix.smtp import derive, endpoints
from sesfix.smtp import settings as S

if TYPE_CHECKING:
    from sesfix.settings import AppSettings
    from sesfix.smtp.settings import SmtpSettings

#: The app's own secret cannot make a working SMTP password when AWS rejects it.
_BROKEN_SECRET = ("credentials.secret_mismatch", "credentials.key_not_found")


def keyring_label(key_id: str, region: str) -> str:
    """Where a derived SMTP credential is kept in the OS keyring: ``smtp:AKIA…WXYZ:region``."""
    return f"smtp:{mask_key_id(key_id)}:{region}"


def _smtp(ctx: PlanContext) -> SmtpSettings:
    return S.from_app(ctx.settings)


def _region(ctx: PlanContext, smtp: SmtpSettings) -> str | None:
    """The region the SMTP password must be derived for: SMTP_HOST's, else AWS_SES_REGION."""
    if smtp.region:
        return smtp.region
    raw = ctx.settings.region
    if raw and clean(raw).lower() in endpoints.DERIVATION_REGIONS:
        return clean(raw).lower()
    return None


def _refuse_without_smtp(ctx: PlanContext, plan: Plan, smtp: SmtpSettings) -> bool:
    """True (and the plan refused as not applicable) when the app does not send through SMTP:
    no SMTP variable and EMAIL_PROVIDER is not smtp. Refused like the other fixes that do
    not apply (no sender domain, no valid region): ``sesfix fix`` exits 1, nothing changes.
    derive-smtp-password does not ask this: deriving the password is how an app starts to
    send through SMTP, so its plan is the SMTP variables to set whatever the app has."""
    if smtp.configured:
        return False
    plan.refused = say(
        "smtpfix.not_applicable",
        fix=ctx.fix_id,
        variables=", ".join(S.VARIABLES),
        provider=S.PROVIDER,
        source=source_text(ctx.settings.source),
    )
    return True


def _redeploy(ctx: PlanContext) -> str:
    return say("plans.smtp.redeploy", source=source_text(ctx.settings.source))


def _held_secret(ctx: PlanContext, plan: Plan) -> tuple[str, Secret, str] | None:
    """(key ID, secret, where it came from), or None with the plan told why."""
    label = ctx.inputs.get("keyring_label", "").strip()
    if label:
        from sesfix.secrets import load_credentials

        creds = load_credentials(label)
        if creds is None:
            plan.refused = say("plans.smtp.keyring_missing", label=label)
            return None
        source = say("plans.smtp.keyring_source", label=label)
        return creds.access_key_id, creds.secret_access_key, source
    secret = ctx.settings.secret_access_key
    key_id = ctx.key_id
    if secret is None or not secret.reveal().strip() or not key_id:
        from sesfix.secrets import list_labels

        labels = tuple(x for x in list_labels() if not x.startswith("smtp:"))
        plan.inputs_needed.append(
            InputField(
                "keyring_label",
                say("plans.smtp.keyring_label"),
                choices=labels,
                help=say("plans.smtp.keyring_help"),
            )
        )
        return None
    broken = findings(ctx, *_BROKEN_SECRET)
    if broken:
        plan.refused = say("plans.smtp.broken_secret", finding=broken[0].id)
        return None
    return key_id, Secret(clean(secret.reveal())), SECRET


def _derive(ctx: PlanContext, plan: Plan) -> None:
    smtp = _smtp(ctx)
    region = _region(ctx, smtp)
    if region is None:
        plan.refused = say("plans.smtp.no_region", host=S.HOST, region=REGION)
        return
    if region in endpoints.NO_SMTP_ENDPOINT:
        plan.refused = say("plans.smtp.no_endpoint", region=region)
        return
    held = _held_secret(ctx, plan)
    if held is None:
        return
    key_id, secret, source = held
    password = derive.smtp_password(secret.reveal(), region)
    user_var, pass_var = smtp.username_variable, smtp.password_variable
    if smtp.clean_username != key_id:
        plan.changes.append(VariableChange(user_var, Secret(key_id)))
        plan.guidance.append(say("plans.smtp.set_user", variable=user_var, key=mask_key_id(key_id)))
    current = smtp.password.reveal() if smtp.password is not None else None
    if current == password:
        plan.noop = not plan.changes
        plan.noop_reason = say("plans.smtp.password_current", variable=pass_var, region=region)
    else:
        plan.changes.append(VariableChange(pass_var, Secret(password)))
        plan.guidance.append(
            say(
                "plans.smtp.set_password",
                variable=pass_var,
                source=source,
                key=mask_key_id(key_id),
                region=region,
            )
        )
    if not smtp.clean_host or smtp.region != region:
        plan.changes.append(VariableChange(S.HOST, Secret(endpoints.endpoint(region))))
        plan.guidance.append(
            say("plans.smtp.set_host", variable=S.HOST, endpoint=endpoints.endpoint(region))
        )
    plan.guidance.append(say("plans.smtp.snippet"))
    plan.guidance.append(derive.GUIDE_SNIPPET.rstrip())
    plan.guidance.append(_redeploy(ctx))
    plan.summary = say("plans.smtp.derive.summary", key=mask_key_id(key_id), region=region)
    plan.verify = say("plans.smtp.derive.verify")


def _port_pair(ctx: PlanContext, smtp: SmtpSettings) -> tuple[int, endpoints.TlsMode]:
    """The port to use: one a live probe found answering, else the app's TLS wish, else 587."""
    for f in ctx.report.findings:
        port = f.data.get("suggested_port")
        if f.id in ("smtp.port_blocked", "smtp.tls_mode_mismatch") and isinstance(port, int):
            mode = f.data.get("suggested_mode") or endpoints.tls_mode(port) or "starttls"
            return port, mode
    want = endpoints.secure_mode(smtp.secure)
    if smtp.port_number and endpoints.tls_mode(smtp.port_number):
        port = smtp.port_number
        return port, endpoints.tls_mode(port) or "starttls"
    mode = want or "starttls"
    return endpoints.port_for(mode), mode


def _set_port(ctx: PlanContext, plan: Plan) -> None:
    smtp = _smtp(ctx)
    if _refuse_without_smtp(ctx, plan, smtp):
        return
    port, mode = _port_pair(ctx, smtp)
    secure = "true" if mode == "implicit" else "false"
    region = _region(ctx, smtp)
    if smtp.region is None and region and region not in endpoints.NO_SMTP_ENDPOINT:
        plan.changes.append(VariableChange(S.HOST, Secret(endpoints.endpoint(region))))
        plan.guidance.append(
            say(
                "plans.smtp.port.set_host",
                variable=S.HOST,
                endpoint=endpoints.endpoint(region),
                region=region,
            )
        )
    if smtp.port_number != port:
        plan.changes.append(VariableChange(S.PORT, Secret(str(port))))
    if endpoints.secure_mode(smtp.secure) != mode or smtp.secure is None:
        plan.changes.append(VariableChange(S.SECURE, Secret(secure)))
    if not plan.changes:
        plan.noop = True
        plan.noop_reason = say("plans.smtp.port.agree", host=S.HOST, port=S.PORT, secure=S.SECURE)
        return
    name = "STARTTLS" if mode == "starttls" else say("plans.smtp.port.implicit")
    plan.guidance.append(
        say(
            "plans.smtp.port.set",
            port_variable=S.PORT,
            port=port,
            secure_variable=S.SECURE,
            secure=secure,
            mode=name,
            ports=endpoints.describe_ports(),
            django="SSL" if mode == "implicit" else "TLS",
            laravel="ssl" if mode == "implicit" else "tls",
        )
    )
    for f in findings(ctx, "smtp.port_blocked"):
        answering = f.data.get("answering_ports") or []
        if answering:
            ports = ", ".join(str(p) for p in answering)
            plan.guidance.append(say("plans.smtp.port.answering", ports=ports))
        else:
            plan.guidance.append(say("plans.smtp.port.none_answering"))
    plan.guidance.append(_redeploy(ctx))
    plan.verify = say("plans.smtp.port.verify")


def _switch_to_api(ctx: PlanContext, plan: Plan) -> None:
    smtp = _smtp(ctx)
    if _refuse_without_smtp(ctx, plan, smtp):
        return
    region = _region(ctx, smtp)
    plan.changes.append(VariableChange(PROVIDER, Secret("ses")))
    plan.guidance.append(
        say(
            "plans.smtp.api.send",
            provider=PROVIDER,
            key_variable=KEY_ID,
            key=mask_key_id(ctx.key_id) if ctx.key_id else say("plans.smtp.api.the_key"),
            secret_variable=SECRET,
            region_variable=REGION,
            region=region or say("plans.smtp.api.the_region"),
        )
    )
    if region and not ctx.settings.region:
        plan.changes.append(VariableChange(REGION, Secret(region)))
    for f in findings(ctx, "smtp.port_blocked"):
        if f.data.get("platform") == "railway":
            plan.guidance.append(say("plans.smtp.api.railway"))
    present = [name for name, value in smtp.present().items() if value is not None]
    for name in present:
        plan.changes.append(VariableChange(name, None))
    if present:
        plan.guidance.append(say("plans.smtp.api.delete", variables=", ".join(present)))
    plan.guidance.append(say("plans.smtp.api.rights"))
    plan.guidance.append(_redeploy(ctx))
    plan.verify = say("plans.smtp.api.verify")


def _guide(fix_id: str, title: str, description: str, plan: PlanStep) -> Fix:
    return Fix(
        id=fix_id, title=title, kind="guidance", undoable=False, description=description, plan=plan
    )


FIXES = (
    _guide(
        "derive-smtp-password",
        "Derive the SES SMTP password for the app's region",
        "Compute the SMTP password from the access key's secret for the SMTP endpoint's region "
        "(AWS's published derivation) and hand it over with the key ID as username.",
        _derive,
    ),
    _guide(
        "set-smtp-port",
        "Use SES's SMTP endpoint with a port and TLS mode that agree",
        "STARTTLS on 587 (or 2587, 25), implicit TLS on 465 (or 2465): set SMTP_PORT and "
        "SMTP_SECURE as one pair, and SMTP_HOST to the region's email-smtp endpoint.",
        _set_port,
    ),
    _guide(
        "switch-to-ses-api",
        "Send through the SES HTTPS API instead of SMTP",
        "For hosts that block outbound SMTP (Railway below Pro, Render free, DigitalOcean) or "
        "regions without an SMTP endpoint: the SES API on port 443.",
        _switch_to_api,
    ),
)


@dataclass(frozen=True)
class HandOver:
    """A derived SMTP credential, handed over: kept in the keyring when it can be."""

    username: str
    password: Secret
    region: str
    keyring_label: str
    keyring_stored: bool
    keyring_detail: str = ""
    #: The variables to write, in the app's spellings (for Railway, practice, the wizard).
    values: dict[str, Secret] | None = None


def hand_over(plan: Plan, settings: AppSettings) -> HandOver | None:
    """Keep a derive-smtp-password plan's credential in the OS keyring (like a rotated key);
    None when the plan carries no new password. Never raises for the keyring."""
    if plan.fix_id != "derive-smtp-password" or plan.refused:
        return None
    smtp = S.from_app(settings)
    values = {c.name: c.value for c in plan.changes if c.value is not None}
    password = values.get(smtp.password_variable)
    if password is None:
        return None
    user = values.get(smtp.username_variable)
    username = user.reveal() if user is not None else (smtp.clean_username or "")
    host = values.get(S.HOST)
    region = endpoints.region_of_host(host.reveal() if host else (smtp.host or "")) or ""
    from sesfix.secrets import store_credentials

    label = keyring_label(username, region)
    status = store_credentials(label, username, password)
    return HandOver(
        username, password, region, label, status.usable, status.reason or status.backend, values
    )


__all__ = ["FIXES", "HandOver", "hand_over", "keyring_label"]
