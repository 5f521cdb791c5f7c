"""Step 2, the credentials: the variables' lint and the judgement of AWS's answer to them.

The lint reads the six variables without any network call (whitespace, quotes, key and
secret shapes, the region name, the sender). The judgement reads ``sts:GetCallerIdentity``
as the app and, with an operator, ``iam:GetAccessKeyLastUsed`` / ``iam:ListAccessKeys`` /
``sts:GetAccessKeyInfo``, and names why AWS rejects the key: the meaning of each error code,
key shapes and the SMTP password's shape are in docs/aws-facts.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from sesfix import findings as F
from sesfix.aws import meanings, regions
from sesfix.aws.connect import app_credentials
from sesfix.aws.gateway import CallResult
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
    for name in REQUIRED:
        value = settings.raw(name)
        if value is None or value.strip() == "":
            state = "lint.not_set" if value is None else "lint.empty"
            out.append(
                F.make(
                    "config.missing_variable", ev(state, variable=name, source=src), variable=name
                )
            )
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
    if provider is not None and provider.strip() != "" and clean(provider) != "ses":
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


# --- AWS's answer --------------------------------------------------------------------------


def describe_last_use(used: dict[str, Any]) -> str:
    when = used.get("LastUsedDate")
    if not when:
        return ev("key.never_used")
    stamp = when.strftime("%Y-%m-%d %H:%M UTC") if hasattr(when, "strftime") else str(when)
    service, region = used.get("ServiceName"), used.get("Region")
    where = ev("key.by_service", service=service) if service and service != "N/A" else ""
    where += ev("key.in_region", region=region) if region and region != "N/A" else ""
    return ev("key.last_used", when=stamp) + where


def judge_keys(run: Run, keys: CallResult | None, key_id: str | None) -> None:
    ctx = run.ctx
    if keys is None:
        return
    if not keys.ok or not keys.data:
        if keys.unreachable:
            run.unreachable(keys, step=2, severity=Severity.INFO, note=ev("note.key_unchecked"))
        return
    metadata = keys.data.get("AccessKeyMetadata", [])
    ctx.key_count = len(metadata)
    for meta in metadata:
        kid = meta.get("AccessKeyId", "")
        if kid == key_id:
            ctx.key_status = meta.get("Status")
        else:
            ctx.other_key_ids.append(f"{mask_key_id(kid)} ({meta.get('Status')})")
    if ctx.key_status == "Inactive":
        run.add(
            F.make(
                "credentials.key_inactive",
                ev("key.inactive", masked=mask_key_id(key_id), user=ctx.app_user),
                user=ctx.app_user,
            )
        )
    if ctx.key_count >= 2:
        run.add(
            F.make(
                "credentials.key_count",
                ev(
                    "key.count",
                    user=ctx.app_user,
                    count=ctx.key_count,
                    keys=", ".join(
                        [f"{mask_key_id(key_id)} ({ctx.key_status})", *ctx.other_key_ids]
                    ),
                ),
            )
        )


def judge_credentials(
    run: Run, caller: CallResult | None, last_used: CallResult | None, key_id: str | None
) -> bool:
    """Name why the app's credentials fail (if they do). Returns True when they do.

    The cause is named once: when the lint already explains a rejection (whitespace,
    quotes, an ASIA key without its token, an SMTP password), AWS's answer becomes that
    finding's evidence, proven by the same call with the cleaned values, instead of a
    second finding about the same symptom.
    """
    ctx = run.ctx
    if caller is None:
        run.unknown_steps.update({1, 3, 4, 5} if not run.gateway.identities.has_operator else {3})
        return True
    if caller.ok:
        return False
    code = caller.error_code or ""
    if caller.unreachable:
        run.unreachable(
            caller,
            step=2,
            severity=Severity.ERROR,
            note=ev("note.credentials_unjudged"),
        )
        run.unknown_steps.update({2, 3})
        if not run.gateway.identities.has_operator:
            run.unknown_steps.add(1)
        return True
    evidence = ev("probe.app_answered", call="sts:GetCallerIdentity", code=code)
    message = caller.error_message.lower()
    skewed = code == "RequestExpired" or (
        code in meanings.AUTH_BAD_SIGNATURE
        and ("signature expired" in message or "request has expired" in message)
    )
    lint_explains = _already_explained(run, (KEY_ID, SECRET, TOKEN)) or run.has(
        *_UNREPAIRABLE_LINT, "credentials.stale_session_token"
    )
    if skewed:
        run.add(
            F.make(
                "credentials.clock_skew",
                evidence,
                ev("aws.message", message=caller.error_message[:200]),
            )
        )
    elif code == "NoCredentials":
        if not run.has("config.missing_variable"):
            run.add(F.make("config.missing_variable", ev("key.sdk_none")))
    elif lint_explains:
        _confirm_with_cleaned(run, evidence)
    elif code in meanings.AUTH_UNKNOWN_KEY:
        if run.has("credentials.key_inactive"):
            inactive_note = ev("key.inactive_rejected")
            run.append_evidence("credentials.key_inactive", evidence, inactive_note)
        else:
            run.add(
                F.make("credentials.key_not_found", evidence, *_key_origin(run, last_used, key_id))
            )
    elif code in meanings.AUTH_BAD_SIGNATURE:
        owner = (
            ev("key.owner_user", masked=ctx.key_id_masked, user=ctx.app_user)
            if ctx.app_user
            else ev("key.owner_known", masked=ctx.key_id_masked)
        )
        run.add(
            F.make(
                "credentials.secret_mismatch",
                evidence,
                owner,
                user=ctx.app_user,
            )
        )
    elif code == "ExpiredToken":
        run.add(F.make("credentials.token_expired", evidence))
    elif code in ("IncompleteSignature", "Unsignable"):
        # The lint's shape warning is a guess; AWS refusing to parse the key makes it an error.
        run.add(
            F.make(
                "credentials.key_id_malformed",
                evidence,
                ev("aws.message", message=caller.error_message[:200]),
                severity=Severity.ERROR,
            )
        )
    else:
        run.add(
            F.make(
                "credentials.key_not_found",
                evidence,
                ev(f"meaning.{code}")
                if code in meanings.CAUSES
                else ev("aws.message", message=caller.error_message[:200]),
            )
        )
    run.unknown_steps.update({3})
    if not run.gateway.identities.has_operator:
        run.unknown_steps.update({1})
    return True


#: Lint findings that name a cause cleaning cannot repair: AWS's answer is their evidence.
_UNREPAIRABLE_LINT = (
    "credentials.smtp_password_as_secret",
    "credentials.temporary_key_without_token",
)
_CREDENTIAL_VARIABLES = (KEY_ID, SECRET, TOKEN)


def _already_explained(run: Run, variables: Iterable[str]) -> bool:
    return any(
        run.lint_for(fid, var) is not None
        for var in variables
        for fid in ("credentials.whitespace", "credentials.quoted_value")
    )


def _confirm_with_cleaned(run: Run, evidence: str) -> None:
    """Prove the lint's cause: the same call with the cleaned values."""
    targets = [
        f
        for f in run.findings
        if (
            f.id in ("credentials.whitespace", "credentials.quoted_value")
            and f.data.get("variable") in _CREDENTIAL_VARIABLES
        )
        or f.id in (*_UNREPAIRABLE_LINT, "credentials.stale_session_token")
    ]
    creds = app_credentials(run.settings.for_probes().cleaned())
    if creds is None or not targets:
        return
    if run.has(*_UNREPAIRABLE_LINT):
        # Cleaning cannot repair these; AWS's answer is the evidence.
        for f in targets:
            run.append_evidence(f.id, evidence)
        return
    if run.has("credentials.stale_session_token"):
        creds = replace(creds, session_token=None)
    probe = run.gateway.with_identities(run.gateway.identities.with_app(creds))
    result = probe.read("app", "sts", "get_caller_identity", STS_REGION, step=2)
    if result.ok:
        note = ev("key.cleaned_accepted")
        if run.has("credentials.stale_session_token"):
            note = ev("key.without_token_accepted")
    else:
        note = ev("key.cleaned_refused", code=result.record.outcome)
        if result.error_code in meanings.AUTH_UNKNOWN_KEY:
            run.add(F.make("credentials.key_not_found", note))
        elif result.error_code in meanings.AUTH_BAD_SIGNATURE:
            run.add(F.make("credentials.secret_mismatch", note))
    for f in targets:
        run.append_evidence(f.id, evidence, note)


def _key_origin(run: Run, last_used: CallResult | None, key_id: str | None) -> list[str]:
    """With an operator: where does the key ID come from?"""
    ctx = run.ctx
    if last_used is None:
        return [ev("key.origin.no_operator")]
    if last_used.ok and last_used.data:
        user = last_used.data.get("UserName")
        return [ev("key.origin.in_records", user=user)]
    if not key_id:
        return [ev("key.origin.not_key_shaped")]
    info = run.gateway.read(
        "operator", "sts", "get_access_key_info", STS_REGION, AccessKeyId=key_id, step=2
    )
    if info.ok and info.data:
        owner = info.data.get("Account")
        if ctx.operator_account and owner != ctx.operator_account:
            return [ev("key.origin.other_account", owner=owner, operator=ctx.operator_account)]
        return [ev("key.origin.deleted", owner=owner)]
    return [ev("key.origin.not_here", code=last_used.record.outcome)]
