"""The fix catalogue. A fix id, once published, is a public contract (like finding ids).

``answers`` is derived from :data:`sesfix.findings.CATALOGUE`, so a finding that names a
fix and the fix that answers it can never disagree.
"""

from __future__ import annotations

from sesfix.errors import UsageError
from sesfix.findings import CATALOGUE as FINDINGS
from sesfix.fixes.model import FixKind, FixSpec

# (id, title, kind, undoable, description)
_FIXES: tuple[tuple[str, str, FixKind, bool, str], ...] = (
    (
        "attach-ses-full-access",
        "Attach AmazonSESFullAccess to the app's IAM user",
        "aws",
        True,
        "The guide's option 1: the AWS-managed policy allowing ses:* on every resource.",
    ),
    (
        "create-custom-policy",
        "Create RentalShopSESPermissions and attach it",
        "aws",
        True,
        "The guide's option 2: a customer-managed policy with only the sending actions "
        "(ses:SendEmail, ses:SendRawEmail, ses:GetSendStatistics, ses:GetSendQuota).",
    ),
    (
        "rotate-access-key",
        "Create a new access key for the app's IAM user",
        "aws",
        True,
        "A secret is shown only when its key is created: a lost, doubted or mistyped secret "
        "is cured by a new key. The old key is left alone (see retire-old-key).",
    ),
    (
        "retire-old-key",
        "Deactivate the app's old access key",
        "aws",
        True,
        "Once the new key is proven and the app runs with it: deactivate the old key first "
        "(reversible); delete it later.",
    ),
    (
        "reactivate-access-key",
        "Reactivate the app's access key",
        "aws",
        True,
        "Set the key's status back to Active.",
    ),
    (
        "verify-domain",
        "Verify the sender's domain in the app's SES region",
        "aws",
        True,
        "Create the domain identity (ses:VerifyDomainIdentity) and Easy DKIM tokens "
        "(ses:VerifyDomainDkim) in the app's region, and show the DNS records to add.",
    ),
    (
        "request-production-access",
        "Ask AWS to take the SES account out of the sandbox",
        "aws",
        False,
        "sesv2:PutAccountDetails with the mail type, website and use case you type; AWS "
        "reviews the request (usually within a day).",
    ),
    (
        "set-variable",
        "Set the missing variable",
        "guidance",
        False,
        "Give the app the variable it needs.",
    ),
    (
        "set-email-provider",
        "Set EMAIL_PROVIDER=ses",
        "guidance",
        False,
        "The app sends through SES only when EMAIL_PROVIDER is exactly 'ses'.",
    ),
    (
        "clean-variable",
        "Remove invisible characters and quotes from a variable",
        "guidance",
        False,
        "Paste the value again without spaces, newlines or quotes around it.",
    ),
    (
        "set-ses-region",
        "Set AWS_SES_REGION to the region where the sender is verified",
        "guidance",
        False,
        "SES identities are per region; the app must use the region that holds its sender.",
    ),
    (
        "add-session-token",
        "Add AWS_SESSION_TOKEN for the temporary key",
        "guidance",
        False,
        "A temporary ASIA… key works only with its session token (and expires).",
    ),
    (
        "use-long-term-key",
        "Use a long-term access key of an IAM user",
        "guidance",
        False,
        "A server app should not run on temporary credentials.",
    ),
    (
        "remove-session-token",
        "Remove the stale AWS_SESSION_TOKEN",
        "guidance",
        False,
        "A session token beside a long-term key makes AWS reject the request.",
    ),
    ("sync-clock", "Synchronise the clock", "guidance", False, "Turn on NTP time sync."),
    (
        "remove-explicit-deny",
        "Change or remove the statement that denies sending",
        "guidance",
        False,
        "An explicit Deny beats every Allow; it must be edited by whoever owns that policy.",
    ),
    (
        "relax-permissions-boundary",
        "Allow SES in the user's permissions boundary",
        "guidance",
        False,
        "The boundary must allow ses:SendEmail and ses:SendRawEmail too.",
    ),
    (
        "use-operator-profile",
        "Give sesfix an operator profile that may read IAM",
        "guidance",
        False,
        "With --operator-profile sesfix reads the user's policies instead of guessing.",
    ),
    (
        "enable-opt-in-region",
        "Enable the opt-in region for the account",
        "guidance",
        False,
        "Account > AWS Regions > Enable; or choose another region.",
    ),
    (
        "resume-sending",
        "Ask AWS to resume sending",
        "guidance",
        False,
        "Sending was paused by AWS; it is resumed after the review in the SES console.",
    ),
)

#: Fixes that need the operator identity to apply.
_NEEDS_OPERATOR = {fid for fid, _t, kind, _u, _d in _FIXES if kind == "aws"}


def _answers(fix_id: str) -> tuple[str, ...]:
    return tuple(f.id for f in FINDINGS.values() if fix_id in f.fixes)


FIX_CATALOGUE: dict[str, FixSpec] = {
    fid: FixSpec(
        id=fid,
        title=title,
        kind=kind,
        answers=_answers(fid),
        needs_operator=fid in _NEEDS_OPERATOR,
        undoable=undoable,
        description=description,
    )
    for fid, title, kind, undoable, description in _FIXES
}


def fix_spec(fix_id: str) -> FixSpec:
    """The spec of ``fix_id``; ``UsageError`` (exit 2) naming the known ids otherwise."""
    spec = FIX_CATALOGUE.get(fix_id)
    if spec is None:
        raise UsageError(
            f"unknown fix {fix_id!r}", hint="known fixes: " + ", ".join(sorted(FIX_CATALOGUE))
        )
    return spec
