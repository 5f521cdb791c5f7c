"""Step 2's lint: the six variables read without any network call.

Whitespace and invisible characters, kept quotes, the key ID's and the secret's shapes (an
SMTP password told apart; a secret in the key ID's place is ``credentials.key_and_secret_swapped``),
oversized values (named by their length only), the region name and the sender. Registered as
the check ``credentials.lint`` (:mod:`sesfix.diagnosis.catalogue`); key shapes and the SMTP
password's shape are in docs/aws-facts.md.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sesfix import findings as F
from sesfix.aws import regions
from sesfix.diagnosis.evidence import ev
from sesfix.diagnosis.run import Judge, Run
from sesfix.findings import Severity
from sesfix.masking import mask_key_id
from sesfix.settings import (
    EMAIL_FROM,
    KEY_ID,
    MAX_VALUE_CHARS,
    PROVIDER,
    QUOTE_PAIRS,
    REGION,
    REQUIRED,
    SECRET,
    SECRET_VARIABLES,
    TOKEN,
    VARIABLES,
    AppSettings,
    clean,
    is_domain_name,
    key_id_shaped,
    strip_invisible,
    whitespace_spots,
)

STS_REGION = regions.DEFAULT_STS_REGION


# --- the lint ------------------------------------------------------------------------------

_KEY_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_SECRET_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+=")
_ENTITY_PREFIXES = {
    "AIDA": "an IAM user ID",
    "AROA": "an IAM role ID",
    "AGPA": "an IAM group ID",
    "ANPA": "a managed policy ID",
    "ANVA": "a policy version ID",
    "AIPA": "an EC2 instance profile ID",
    "APKA": "a CloudFront public key ID",
    "ASCA": "a certificate ID",
}


def _quoted(value: str) -> bool:
    v = strip_invisible(value).strip()
    return any(len(v) >= 2 and v.startswith(lft) and v.endswith(rgt) for lft, rgt in QUOTE_PAIRS)


def looks_like_smtp_password(secret: str) -> bool:
    """SES SMTP passwords: 44 base64 characters, first byte 0x04 ('B...')."""
    return len(secret) == 44 and set(secret) <= _SECRET_ALPHABET and secret.startswith("B")


def _secret_shaped(value: str) -> bool:
    """About 40 characters of the secret alphabet, mixed case and digits: a secret key."""
    v = clean(value)
    return (
        30 <= len(v) <= 60
        and set(v) <= _SECRET_ALPHABET
        and any(c.islower() for c in v)
        and any(c.isupper() for c in v)
        and any(c.isdigit() for c in v)
    )


def _echo(settings: AppSettings, value: str, limit: int) -> str:
    """``repr`` of a plain variable for evidence, unless it is (or looks like) a secret
    pasted into the wrong variable: then only its shape is shown."""
    secrets = [settings.raw(SECRET), settings.raw(TOKEN)]
    if any(s and len(clean(s)) >= 6 and clean(s) in value for s in secrets):
        return ev("lint.echo.secret_value")
    if _secret_shaped(value):
        return ev("lint.echo.secret_shaped")
    return repr(value[:limit])


def lint(settings: AppSettings) -> list[F.Finding]:
    """Static checks of the six variables; no network."""
    oversized = _lint_oversized(settings)
    if settings.key_and_secret_swapped:
        # The swap is the cause: the key ID's and the secret's shapes are its symptoms.
        shapes = [_swapped(settings)]
    else:
        shapes = [*_lint_key_id(settings), *_lint_secret(settings)]
    found = [
        *_lint_missing(settings),
        *_lint_invisible(settings),
        *shapes,
        *_lint_values(settings),
    ]
    # An oversized value is named once, by its length only; no other lint reads it.
    big = {f.data.get("variable") for f in oversized}
    return [*oversized, *(f for f in found if not _about(f, big))]


_OVERSIZED_IDS = {
    KEY_ID: "credentials.key_id_malformed",
    SECRET: "credentials.secret_malformed",
    TOKEN: "credentials.secret_malformed",
    REGION: "region.invalid",
    PROVIDER: "config.provider_not_ses",
    EMAIL_FROM: "config.email_from_invalid",
}
_FINDING_VARIABLE = {
    "credentials.key_id_malformed": KEY_ID,
    "credentials.secret_malformed": SECRET,
    "credentials.smtp_password_as_secret": SECRET,
    "region.invalid": REGION,
    "config.provider_not_ses": PROVIDER,
    "config.email_from_invalid": EMAIL_FROM,
}


def _about(finding: F.Finding, variables: set[Any]) -> bool:
    variable = finding.data.get("variable") or _FINDING_VARIABLE.get(finding.id)
    return variable in variables


def _lint_oversized(settings: AppSettings) -> list[F.Finding]:
    """A value over MAX_VALUE_CHARS: its own variable's finding, showing only the length.
    The diagnosis never uses it in a probe (AppSettings.for_probes)."""
    return [
        F.make(
            _OVERSIZED_IDS[name],
            ev(
                "lint.oversized",
                variable=name,
                length=len(settings.raw(name) or ""),
                limit=MAX_VALUE_CHARS,
            ),
            severity=Severity.ERROR,
            variable=name,
        )
        for name in settings.oversized()
    ]


def _swapped(settings: AppSettings) -> F.Finding:
    key_id = clean(settings.access_key_id or "")
    secret = clean(settings.raw(SECRET) or "")
    evidence = [ev("lint.swapped.key_is_secret", variable=KEY_ID, length=len(key_id))]
    if key_id_shaped(secret):
        evidence.append(
            ev("lint.swapped.secret_is_key", variable=SECRET, masked=mask_key_id(secret))
        )
    evidence.append(ev("lint.swapped.not_sent"))
    return F.make("credentials.key_and_secret_swapped", *evidence, variable=KEY_ID)


def _lint_missing(settings: AppSettings) -> list[F.Finding]:
    """Required variables that are not set or empty."""
    out: list[F.Finding] = []
    src = settings.source
    # An app sending through SMTP reads no AWS variable: only sesfix's AWS checks need them.
    smtp = settings.provider is not None and clean(settings.provider) == "smtp"
    for name in REQUIRED:
        value = settings.raw(name)
        if value is None or value.strip() == "":
            state = "lint.not_set" if value is None else "lint.empty"
            note = smtp and name in (KEY_ID, SECRET, REGION)
            evidence = [ev(state, variable=name, source=src)]
            if note:
                evidence.append(ev("lint.smtp_needs_no_aws_variable"))
            finding = F.make("config.missing_variable", *evidence, variable=name)
            out.append(replace(finding, severity=F.Severity.INFO) if note else finding)
    return out


def _lint_invisible(settings: AppSettings) -> list[F.Finding]:
    """Invisible characters and kept quotes, per variable."""
    out: list[F.Finding] = []
    for name in VARIABLES:
        value = settings.raw(name)
        if not value or (value.strip() == "" and name not in SECRET_VARIABLES):
            continue
        spots = whitespace_spots(value)
        if name == EMAIL_FROM:
            # 'Rental Shop <no-reply@anyrent.shop>': spaces inside the display name are fine.
            spots = [p for p in spots if not (p.where == "inner" and p.name == "space")]
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
                    step=2,
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


def _lint_key_id(settings: AppSettings) -> list[F.Finding]:
    """The key ID's shape, and its session token's presence."""
    out: list[F.Finding] = []
    key_id = settings.access_key_id
    token = settings.raw(TOKEN)
    if key_id:
        k = clean(key_id)
        reasons: list[str] = []
        prefix = k[:4].upper()
        if prefix in _ENTITY_PREFIXES:
            reasons.append(ev("lint.key.entity", prefix=prefix, entity=ev(f"lint.entity.{prefix}")))
        elif prefix not in ("AKIA", "ASIA"):
            reasons.append(ev("lint.key.prefix", start=repr(k[:4])))
        if len(k) != 20:
            reasons.append(ev("lint.key.length", length=len(k)))
        bad = sorted({c for c in k if c not in _KEY_ALPHABET})
        if bad:
            lower = any(c.islower() for c in bad)
            reasons.append(
                ev("lint.key.lower") if lower else ev("lint.key.outside", count=len(bad))
            )
        if reasons:
            masked = settings.masked_key_id
            out.append(
                F.make(
                    "credentials.key_id_malformed",
                    *(
                        ev("lint.key.reason", variable=KEY_ID, masked=masked, reason=r)
                        for r in reasons
                    ),
                )
            )
        if prefix == "ASIA" and not (token and token.strip()):
            out.append(
                F.make(
                    "credentials.temporary_key_without_token",
                    ev("lint.key.asia", variable=KEY_ID, masked=mask_key_id(k), token=TOKEN),
                )
            )
        if prefix == "AKIA" and token and token.strip():
            out.append(
                F.make(
                    "credentials.stale_session_token",
                    ev(
                        "lint.key.stale_token",
                        token=TOKEN,
                        length=len(token),
                        masked=mask_key_id(k),
                    ),
                )
            )
    return out


def _lint_secret(settings: AppSettings) -> list[F.Finding]:
    """The secret's shape (an SMTP password is told apart)."""
    out: list[F.Finding] = []
    secret = settings.raw(SECRET)
    if secret:
        s = clean(secret)
        if looks_like_smtp_password(s):
            out.append(
                F.make(
                    "credentials.smtp_password_as_secret",
                    ev("lint.secret.smtp", variable=SECRET),
                )
            )
        elif len(s) != 40 or not set(s) <= _SECRET_ALPHABET:
            why = []
            if len(s) != 40:
                why.append(ev("lint.secret.length", variable=SECRET, length=len(s)))
            if not set(s) <= _SECRET_ALPHABET:
                why.append(ev("lint.secret.alphabet", variable=SECRET))
            out.append(F.make("credentials.secret_malformed", *why))
    return out


def _lint_values(settings: AppSettings) -> list[F.Finding]:
    """EMAIL_PROVIDER, AWS_SES_REGION and EMAIL_FROM hold usable values."""
    out: list[F.Finding] = []
    provider = settings.provider
    # Whitespace or quotes around 'ses' were reported above against EMAIL_PROVIDER.
    # 'smtp': the app sends through SES's SMTP interface (sesfix.diagnosis.smtp checks it).
    if provider is not None and provider.strip() != "" and clean(provider) not in ("ses", "smtp"):
        out.append(
            F.make(
                "config.provider_not_ses",
                ev("lint.provider", variable=PROVIDER, value=_echo(settings, clean(provider), 40)),
            )
        )

    region = settings.region
    if region is not None and region.strip() != "":
        r = clean(region)
        if not regions.is_ses_region(r):
            hint = regions.closest_region_names(r)
            evidence = [ev("lint.region", variable=REGION, value=_echo(settings, r, 40))]
            if r.lower() != r and regions.is_ses_region(r.lower()):
                evidence = [
                    ev("lint.region.case", variable=REGION, value=repr(r), lower=repr(r.lower()))
                ]
            elif hint:
                evidence.append(ev("lint.region.hint", names=" / ".join(hint)))
            out.append(F.make("region.invalid", *evidence))

    if settings.email_from and settings.email_from.strip():
        address = settings.sender_address
        if not address or "@" not in address or not is_domain_name(address.rsplit("@", 1)[-1]):
            out.append(
                F.make(
                    "config.email_from_invalid",
                    ev(
                        "lint.email_from",
                        variable=EMAIL_FROM,
                        value=_echo(settings, clean(settings.email_from), 80),
                    ),
                )
            )
    return out


def lint_check(run: Run) -> Judge | None:
    """The lint as a registered check (stage ``lint``): its findings come first."""
    for finding in lint(run.settings):
        run.add(finding)
    return None
