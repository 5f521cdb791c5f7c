"""Offline SMTP forensics: what the app's SMTP settings say, without any network.

Every decision rests on the published derivation (:mod:`sesfix.smtp.derive`) and SES's
endpoint and port tables (:mod:`sesfix.smtp.endpoints`). Evidence never shows the password,
the secret, or a full key ID.
"""

from __future__ import annotations

import hmac
import re

from sesfix import findings as F
from sesfix.masking import Secret, mask_key_id
from sesfix.smtp import derive, endpoints
from sesfix.smtp import settings as S
from sesfix.text import visible

_KEY_ID = re.compile(r"^A(KIA|SIA)[A-Z0-9]{16}$")
_CONSOLE_USER = re.compile(r"^ses-smtp-user\.\d{8}-\d{6}$", re.IGNORECASE)
_SECRET_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+=")
_ENTITY = {"AIDA": "an IAM user ID", "AROA": "an IAM role ID", "AGPA": "an IAM group ID"}


def _clean(value: str) -> str:
    from sesfix.settings import clean

    return clean(value)


def _secret_shaped(value: str) -> bool:
    return len(value) == 40 and set(value) <= _SECRET_ALPHABET


def lint(
    smtp: S.SmtpSettings,
    *,
    secret: Secret | None = None,
    secret_key_id: str | None = None,
    secret_label: str = "AWS_SECRET_ACCESS_KEY",
) -> list[F.Finding]:
    """Findings about the SMTP variables; ``secret`` (and the key ID it belongs to), when
    known, lets the password be traced to its key and region."""
    if not smtp.configured:
        return []
    out: list[F.Finding] = []
    out += _presence_and_shape(smtp)
    region = _host(smtp, out)
    _port(smtp, region, out)
    user = _username(smtp, out)
    _password(smtp, region, user, secret, secret_key_id, secret_label, out)
    return out


def _quoted(value: str) -> bool:
    """Quotes kept around the value: what :func:`sesfix.settings.clean` removes beyond
    whitespace and invisible characters."""
    from sesfix.settings import clean, strip_invisible

    return clean(value) != strip_invisible(value).replace("\u00a0", " ").strip()


def _presence_and_shape(smtp: S.SmtpSettings) -> list[F.Finding]:
    from sesfix.settings import whitespace_problems

    out: list[F.Finding] = []
    values = smtp.present()
    if smtp.provider_is_smtp:
        for name in (S.HOST, S.PORT, smtp.username_variable, smtp.password_variable):
            value = values.get(name)
            if value is None or not value.strip():
                state = "is not set" if value is None else "is empty"
                out.append(
                    F.make(
                        "config.missing_variable",
                        f"{name} {state} in {smtp.source}, and EMAIL_PROVIDER is smtp",
                        variable=name,
                    )
                )
    for name, value in values.items():
        if not value:
            continue
        problems = whitespace_problems(value)
        if problems:
            out.append(
                F.make(
                    "credentials.whitespace",
                    *(f"{name}: {p}" for p in problems[:5]),
                    variable=name,
                )
            )
        if _quoted(value):
            out.append(
                F.make(
                    "credentials.quoted_value",
                    f"{name} starts and ends with a quote character ({len(value)} characters)",
                    variable=name,
                )
            )
    return out


def _host(smtp: S.SmtpSettings, out: list[F.Finding]) -> str | None:
    host = smtp.clean_host
    if not host:
        return None
    shown = visible(host, limit=120)
    region = endpoints.region_of_host(host)
    if region is None:
        why = endpoints.other_aws_mail_host(host)
        if why:
            out.append(
                F.make(
                    "smtp.host_not_ses",
                    f"{S.HOST} is {shown}: {why}",
                    severity="error",
                    variable=S.HOST,
                )
            )
        else:
            out.append(
                F.make(
                    "smtp.host_not_ses",
                    f"{S.HOST} is {shown}, not email-smtp.<region>.amazonaws.com: "
                    "mail goes to another provider, which sesfix cannot check",
                    variable=S.HOST,
                )
            )
        return None
    if region in endpoints.NO_SMTP_ENDPOINT:
        out.append(
            F.make(
                "smtp.no_endpoint_in_region",
                f"{S.HOST} is {shown}: SES has no SMTP endpoint in {region} "
                "(SES Developer Guide, smtp-credentials)",
                variable=S.HOST,
                region=region,
            )
        )
    elif region not in endpoints.DERIVATION_REGIONS:
        out.append(
            F.make(
                "smtp.host_not_ses",
                f"{S.HOST} is {shown}: {region} is not a region where SES is offered",
                severity="error",
                variable=S.HOST,
                region=region,
            )
        )
    return region


def _port(smtp: S.SmtpSettings, region: str | None, out: list[F.Finding]) -> None:
    """SMTP_PORT and SMTP_SECURE against SES's table. The suggested pair keeps the app's port
    when SES listens there (only the TLS flag changes), else follows SMTP_SECURE."""
    evidence: list[str] = []
    secure = endpoints.secure_mode(smtp.secure)
    suggestion: tuple[int, endpoints.TlsMode] = (
        endpoints.port_for(secure or "starttls"),
        secure or "starttls",
    )
    if smtp.port is not None and smtp.port.strip():
        port = smtp.port_number
        mode = endpoints.tls_mode(port) if port else None
        if port is None:
            evidence.append(
                f"{S.PORT} is {visible(_clean(smtp.port), limit=20)!r}, not a port number "
                f"(SES: {endpoints.describe_ports()})"
            )
        elif mode is None and region is not None:
            evidence.append(f"SES does not listen on port {port} ({endpoints.describe_ports()})")
        elif mode is not None:
            suggestion = (port, mode)
            if secure is not None and secure != mode:
                evidence.append(
                    f"port {port} speaks {_mode_name(mode)}, but {S.SECURE}="
                    f"{visible(_clean(smtp.secure or ''), limit=20)} asks for {_mode_name(secure)}"
                )
    if smtp.secure and smtp.secure.strip() and secure is None:
        evidence.append(
            f"{S.SECURE}={visible(_clean(smtp.secure), limit=20)!r} is neither true "
            "(implicit TLS) nor false (STARTTLS)"
        )
    if evidence:
        port, mode = suggestion
        flag = "true" if mode == "implicit" else "false"
        evidence.append(f"a working pair: port {port} with {S.SECURE}={flag}")
        out.append(
            F.make(
                "smtp.tls_mode_mismatch",
                *evidence,
                variable=S.PORT,
                suggested_port=port,
                suggested_mode=mode,
            )
        )


def _mode_name(mode: endpoints.TlsMode) -> str:
    return "STARTTLS" if mode == "starttls" else "implicit TLS"


def _username(smtp: S.SmtpSettings, out: list[F.Finding]) -> str | None:
    user = smtp.clean_username
    if not user:
        return None
    name = smtp.username_variable
    if _KEY_ID.match(user):
        if user.startswith("ASIA"):
            out.append(
                F.make(
                    "smtp.username_not_key_id",
                    f"{name} ({mask_key_id(user)}) is a temporary key: SMTP has no place for "
                    "its session token, so SES cannot accept it",
                    variable=name,
                )
            )
        return user
    if _CONSOLE_USER.match(user):
        why = (
            f"{name} is {visible(user, limit=64)}, the IAM user name the SES console "
            "creates; the SMTP username is that user's access key ID (AKIA…)"
        )
    elif "@" in user:
        why = f"{name} is an email address; the SMTP username is an access key ID (AKIA…)"
    elif user[:4].upper() in _ENTITY:
        why = f"{name} ({mask_key_id(user)}) is {_ENTITY[user[:4].upper()]}, not an access key ID"
    elif _secret_shaped(user):
        why = (
            f"{name} has the shape of a secret access key (40 characters); it should be the key ID"
        )
    else:
        why = (
            f"{name} ({mask_key_id(user)}, {len(user)} characters) is not AKIA followed by "
            "16 capitals and digits"
        )
    out.append(F.make("smtp.username_not_key_id", why, variable=name))
    return None


def _password(
    smtp: S.SmtpSettings,
    region: str | None,
    user: str | None,
    secret: Secret | None,
    secret_key_id: str | None,
    label: str,
    out: list[F.Finding],
) -> None:
    if smtp.password is None or not smtp.password.reveal().strip():
        return
    name = smtp.password_variable
    pw = _clean(smtp.password.reveal())
    s = _clean(secret.reveal()) if secret is not None and secret.reveal().strip() else None
    key_id = _clean(secret_key_id) if secret_key_id else None
    # The secret belongs to the SMTP user's key, as far as we can tell.
    same_key = s is not None and (key_id is None or user is None or key_id == user)
    form = derive.password_form(pw)

    if s is not None and hmac.compare_digest(pw.encode(), s.encode()):
        out.append(
            F.make(
                "smtp.password_is_secret_key",
                f"{name} is the same value as {label} (the raw secret, {len(pw)} characters)",
                variable=name,
            )
        )
        return
    if form == "other" and _secret_shaped(pw):
        out.append(
            F.make(
                "smtp.password_is_secret_key",
                f"{name} is 40 characters of A-Z a-z 0-9 / + =, the shape of a secret access "
                "key; an SES SMTP password is 44 characters starting with 'B'",
                variable=name,
            )
        )
        return
    if form == "sigv2":
        evidence = [f"{name} decodes to a version 2 (SigV2) SMTP password, made before 2019-01-10"]
        if s is not None and derive.origin(pw, s, ()).from_secret:
            evidence.append(f"it was derived from {label}")
        out.append(F.make("smtp.password_legacy_sigv2", *evidence, variable=name))
        return
    if s is None:
        return
    tried = (region,) if region else ()
    origin = derive.origin(pw, s, (*tried, *endpoints.DERIVATION_REGIONS))
    if origin.from_secret:
        if key_id and user and key_id != user:
            out.append(
                F.make(
                    "smtp.username_not_key_id",
                    f"{name} was derived from the secret of {mask_key_id(key_id)}, but "
                    f"{smtp.username_variable} is {mask_key_id(user)}: the username must be "
                    "the ID of the key whose secret made the password",
                    variable=smtp.username_variable,
                )
            )
        if region and origin.region != region:
            out.append(
                F.make(
                    "smtp.password_wrong_region",
                    f"{name} was derived from {label} for {origin.region}, "
                    f"but {S.HOST} is in {region}",
                    variable=name,
                    derived_region=origin.region,
                    region=region,
                )
            )
        return
    if not same_key:
        return
    regions = len(set((*tried, *endpoints.DERIVATION_REGIONS)))
    if form == "sigv4":
        why = (
            f"{name} is an SES SMTP password, but not one derived from {label} "
            f"(tried {regions} regions and the legacy form)"
        )
    else:
        why = (
            f"{name} is {len(pw)} characters and not derived from {label}; an SES SMTP "
            "password is 44 characters starting with 'B'"
        )
    out.append(F.make("smtp.password_other_key", why, variable=name))


__all__ = ["lint"]
