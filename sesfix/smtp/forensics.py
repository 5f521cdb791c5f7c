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
from sesfix.smtp.words import ev, mode_name
from sesfix.text import visible

_KEY_ID = re.compile(r"^A(KIA|SIA)[A-Z0-9]{16}$")
_CONSOLE_USER = re.compile(r"^ses-smtp-user\.\d{8}-\d{6}$", re.IGNORECASE)
_SECRET_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+=")
_ENTITY = ("AIDA", "AROA", "AGPA")  # an IAM user, role or group ID


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
    if _another_provider(smtp):
        # Another provider's login is its own (a user name, an API key): judging it as an
        # access key ID and a password derived from an AWS secret would be wrong.
        return out
    user = _username(smtp, out)
    _password(smtp, region, user, secret, secret_key_id, secret_label, out)
    return out


def _another_provider(smtp: S.SmtpSettings) -> bool:
    """SMTP_HOST names a server that is not AWS's (smtp.mailgun.org, say)."""
    host = smtp.clean_host
    return (
        bool(host)
        and endpoints.region_of_host(host or "") is None
        and (endpoints.other_aws_mail_host(host or "") is None)
    )


def _quoted(value: str) -> bool:
    """Quotes kept around the value: what :func:`sesfix.settings.clean` removes beyond
    whitespace and invisible characters."""
    from sesfix.settings import clean, strip_invisible

    return clean(value) != strip_invisible(value).replace("\u00a0", " ").strip()


def _presence_and_shape(smtp: S.SmtpSettings) -> list[F.Finding]:
    from sesfix.settings import whitespace_spots

    out: list[F.Finding] = []
    values = smtp.present()
    if smtp.provider_is_smtp:
        for name in (S.HOST, S.PORT, smtp.username_variable, smtp.password_variable):
            value = values.get(name)
            if value is None or not value.strip():
                state = "smtp.not_set_for_provider" if value is None else "smtp.empty_for_provider"
                out.append(
                    F.make(
                        "config.missing_variable",
                        ev(state, variable=name, source=smtp.source),
                        variable=name,
                    )
                )
    for name, value in values.items():
        if not value:
            continue
        spots = whitespace_spots(value)
        if spots:
            out.append(
                F.make(
                    "credentials.whitespace",
                    *(
                        ev(
                            "lint.whitespace",
                            variable=name,
                            where=ev(f"lint.where.{p.where}"),
                            char=p.name,
                            code=p.code,
                            position=p.position,
                            length=p.length,
                        )
                        for p in spots[:5]
                    ),
                    variable=name,
                )
            )
        if _quoted(value):
            out.append(
                F.make(
                    "credentials.quoted_value",
                    ev("lint.quoted", variable=name, length=len(value)),
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
                    ev("smtp.host_other_aws", variable=S.HOST, host=shown, why=why),
                    severity="error",
                    variable=S.HOST,
                )
            )
        else:
            out.append(
                F.make(
                    "smtp.host_not_ses",
                    ev("smtp.host_not_ses", variable=S.HOST, host=shown),
                    variable=S.HOST,
                )
            )
        return None
    if region in endpoints.NO_SMTP_ENDPOINT:
        out.append(
            F.make(
                "smtp.no_endpoint_in_region",
                ev("smtp.no_endpoint", variable=S.HOST, host=shown, region=region),
                variable=S.HOST,
                region=region,
            )
        )
    elif region not in endpoints.DERIVATION_REGIONS:
        out.append(
            F.make(
                "smtp.host_not_ses",
                ev("smtp.not_ses_region", variable=S.HOST, host=shown, region=region),
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
                ev(
                    "smtp.port_not_number",
                    variable=S.PORT,
                    value=repr(visible(_clean(smtp.port), limit=20)),
                    ports=endpoints.describe_ports(),
                )
            )
        elif mode is None and region is not None:
            evidence.append(ev("smtp.port_not_ses", port=port, ports=endpoints.describe_ports()))
        elif mode is not None:
            suggestion = (port, mode)
            if secure is not None and secure != mode:
                evidence.append(
                    ev(
                        "smtp.port_vs_secure",
                        port=port,
                        mode=mode_name(mode),
                        variable=S.SECURE,
                        value=visible(_clean(smtp.secure or ""), limit=20),
                        wanted=mode_name(secure),
                    )
                )
    if smtp.secure and smtp.secure.strip() and secure is None:
        evidence.append(
            ev(
                "smtp.secure_invalid",
                variable=S.SECURE,
                value=repr(visible(_clean(smtp.secure), limit=20)),
            )
        )
    if evidence:
        port, mode = suggestion
        flag = "true" if mode == "implicit" else "false"
        evidence.append(ev("smtp.working_pair", port=port, variable=S.SECURE, flag=flag))
        out.append(
            F.make(
                "smtp.tls_mode_mismatch",
                *evidence,
                variable=S.PORT,
                suggested_port=port,
                suggested_mode=mode,
            )
        )


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
                    ev("smtp.user_temporary", variable=name, key=mask_key_id(user)),
                    variable=name,
                )
            )
        return user
    if _CONSOLE_USER.match(user):
        why = ev("smtp.user_console", variable=name, value=visible(user, limit=64))
    elif "@" in user:
        why = ev("smtp.user_email", variable=name)
    elif user[:4].upper() in _ENTITY:
        entity = ev(f"smtp.entity.{user[:4].upper()}")
        why = ev("smtp.user_entity", variable=name, key=mask_key_id(user), entity=entity)
    elif _secret_shaped(user):
        why = ev("smtp.user_secret_shaped", variable=name)
    else:
        why = ev("smtp.user_shape", variable=name, key=mask_key_id(user), length=len(user))
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
                ev("smtp.password_is_secret", variable=name, label=label, length=len(pw)),
                variable=name,
            )
        )
        return
    if form == "other" and _secret_shaped(pw):
        out.append(
            F.make(
                "smtp.password_is_secret_key",
                ev("smtp.password_secret_shaped", variable=name),
                variable=name,
            )
        )
        return
    if form == "sigv2":
        evidence = [ev("smtp.password_sigv2", variable=name)]
        if s is not None and derive.origin(pw, s, ()).from_secret:
            evidence.append(ev("smtp.password_sigv2_from", label=label))
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
                    ev(
                        "smtp.user_other_key",
                        variable=name,
                        key=mask_key_id(key_id),
                        user_variable=smtp.username_variable,
                        user=mask_key_id(user),
                    ),
                    variable=smtp.username_variable,
                )
            )
        if region and origin.region != region:
            out.append(
                F.make(
                    "smtp.password_wrong_region",
                    ev(
                        "smtp.password_wrong_region",
                        variable=name,
                        label=label,
                        derived=origin.region,
                        host_variable=S.HOST,
                        region=region,
                    ),
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
        why = ev("smtp.password_other_sigv4", variable=name, label=label, count=regions)
    else:
        why = ev("smtp.password_other_shape", variable=name, label=label, length=len(pw))
    out.append(F.make("smtp.password_other_key", why, variable=name))


__all__ = ["lint"]
