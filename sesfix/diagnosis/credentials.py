"""Step 2, the credentials: the judgement of AWS's answer to them.

The variables' lint (no network) is :mod:`sesfix.diagnosis.lint`; its ``lint`` and
``lint_check`` stay importable from here. The judgement reads ``sts:GetCallerIdentity`` as
the app and, with an operator, ``iam:GetAccessKeyLastUsed`` / ``iam:ListAccessKeys`` /
``sts:GetAccessKeyInfo``, and names why AWS rejects the key: the meaning of each error code
is in docs/aws-facts.md.
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
from sesfix.diagnosis.lint import lint as lint
from sesfix.diagnosis.lint import lint_check as lint_check
from sesfix.diagnosis.lint import looks_like_smtp_password as looks_like_smtp_password
from sesfix.diagnosis.run import Run
from sesfix.findings import Severity
from sesfix.masking import mask_key_id
from sesfix.settings import (
    KEY_ID,
    SECRET,
    TOKEN,
)

STS_REGION = regions.DEFAULT_STS_REGION

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
