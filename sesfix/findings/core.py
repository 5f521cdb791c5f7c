"""The guide's five steps: variables, IAM, region, account, and probes AWS could not answer."""

from __future__ import annotations

from sesfix.findings.spec import FindingSpec
from sesfix.findings.spec import spec as _spec

SPECS: tuple[FindingSpec, ...] = (
    # --- step 2: the app's variables -------------------------------------------------
    _spec(
        "config.missing_variable",
        "error",
        2,
        "A required variable is not set",
        "The app reads its SES settings from these variables; without them the mail "
        "service never builds an SES client (the log says 'AWS credentials not configured').",
        "set-variable",
    ),
    _spec(
        "config.provider_not_ses",
        "error",
        2,
        "EMAIL_PROVIDER is not 'ses'",
        "The app only sends through SES when EMAIL_PROVIDER is exactly 'ses'; any other "
        "value routes mail elsewhere (for example to the console).",
        "set-email-provider",
    ),
    _spec(
        "config.email_from_invalid",
        "error",
        2,
        "EMAIL_FROM has no usable sender address",
        "SES needs a sender address (plain, or in 'Name <address>' form) whose domain is "
        "verified; this value has none, so sends fail with InvalidParameterValue.",
        "set-variable",
    ),
    _spec(
        "credentials.key_id_malformed",
        "warning",
        2,
        "The access key ID does not look like one",
        "AWS access key IDs are 20 characters of A-Z and 0-9 starting with AKIA (long-term) "
        "or ASIA (temporary). AIDA/AROA/ANPA prefixes are user, role or policy IDs, not keys.",
        "clean-variable",
        "rotate-access-key",
    ),
    _spec(
        "credentials.secret_malformed",
        "warning",
        2,
        "The secret access key does not look like one",
        "A secret access key is 40 characters of A-Z, a-z, 0-9, '/', '+' and '='. "
        "A different length usually means it was truncated or pasted with something else.",
        "clean-variable",
        "rotate-access-key",
    ),
    _spec(
        "credentials.whitespace",
        "error",
        2,
        "A variable contains invisible characters",
        "AWS SDKs do not trim keys: a trailing space or newline, a non-breaking or zero-width "
        "character makes AWS see a different key ID (InvalidClientTokenId) or compute "
        "another signature (SignatureDoesNotMatch).",
        "clean-variable",
    ),
    _spec(
        "credentials.quoted_value",
        "error",
        2,
        "A variable still has its quotes",
        'Railway and most dashboards store values literally: "AKIA..." with the quotes is a '
        "different key ID to AWS (InvalidClientTokenId).",
        "clean-variable",
    ),
    _spec(
        "credentials.temporary_key_without_token",
        "error",
        2,
        "A temporary key (ASIA…) is used without AWS_SESSION_TOKEN",
        "Keys starting with ASIA come from STS and are only valid with their session token; "
        "without it AWS answers InvalidClientTokenId. A server app should use a long-term "
        "AKIA key of an IAM user instead (temporary keys also expire).",
        "use-long-term-key",
        "add-session-token",
    ),
    _spec(
        "credentials.stale_session_token",
        "error",
        2,
        "AWS_SESSION_TOKEN is set beside a long-term key",
        "A session token belongs to temporary (ASIA…) keys. Left over beside a long-term AKIA "
        "key, it makes AWS reject the request with InvalidClientTokenId.",
        "remove-session-token",
    ),
    _spec(
        "credentials.smtp_password_as_secret",
        "error",
        2,
        "The secret looks like an SES SMTP password",
        "SES SMTP passwords are 44 characters derived from the secret for one region; they "
        "work only with the SMTP interface. The SES API needs the 40-character secret access "
        "key, or AWS answers SignatureDoesNotMatch.",
        "rotate-access-key",
    ),
    _spec(
        "credentials.key_not_found",
        "error",
        2,
        "AWS does not know this access key ID",
        "AWS answered InvalidClientTokenId: the key ID is not in its records. It was mistyped, "
        "deleted, or belongs to another account or partition.",
        "rotate-access-key",
    ),
    _spec(
        "credentials.key_inactive",
        "error",
        2,
        "The access key is Inactive",
        "The key exists but was deactivated in IAM; AWS rejects every request signed with it.",
        "reactivate-access-key",
        "rotate-access-key",
    ),
    _spec(
        "credentials.secret_mismatch",
        "error",
        2,
        "The secret does not belong to this key ID",
        "AWS answered SignatureDoesNotMatch: the key ID is known but the secret is not its "
        "pair (mixed keys, truncated paste, or a rotated key). A secret is shown only once, "
        "when the key is created, so the cure is a new key.",
        "rotate-access-key",
    ),
    _spec(
        "credentials.key_and_secret_swapped",
        "error",
        2,
        "The key ID and the secret are swapped",
        "AWS_ACCESS_KEY_ID holds a value shaped like a secret (a secret access key, SMTP "
        "password or session token), not a key ID (AKIA or ASIA and 16 more letters and "
        "digits). Signed with it, every request would carry the secret in its "
        "Authorization header, so sesfix sent none. Put the key ID and the secret back in "
        "their own variables; if the app ever logged its AWS_ACCESS_KEY_ID, the secret is "
        "in those logs: rotate the key.",
    ),
    _spec(
        "credentials.clock_skew",
        "error",
        2,
        "This machine's clock is off",
        "AWS rejects signatures more than 5 minutes (SignatureDoesNotMatch: 'Signature "
        "expired') or 15 minutes (RequestExpired) away from its own time.",
        "sync-clock",
    ),
    _spec(
        "credentials.token_expired",
        "error",
        2,
        "The temporary credentials have expired",
        "AWS answered ExpiredToken: the session token is past its expiry. Use a long-term key "
        "for a server app.",
        "use-long-term-key",
    ),
    _spec(
        "credentials.key_count",
        "info",
        2,
        "The IAM user already has two access keys",
        "IAM allows two keys per user, active or inactive. Rotating needs one of them deleted first.",
    ),
    # --- step 1: IAM ------------------------------------------------------------------
    _spec(
        "iam.ses_permission_missing",
        "error",
        1,
        "The IAM user may not send with SES",
        "The credentials are valid, but no policy of this user allows ses:SendEmail and "
        "ses:SendRawEmail. AWS answers AccessDenied (through some SDKs and proxies the app "
        "only reports a generic credentials error).",
        "attach-ses-full-access",
        "create-custom-policy",
    ),
    _spec(
        "iam.ses_explicit_deny",
        "error",
        1,
        "A policy explicitly denies sending",
        "An explicit Deny beats every Allow: attaching more policies will not help until the "
        "denying statement is changed or removed.",
        "remove-explicit-deny",
    ),
    _spec(
        "iam.permissions_boundary_blocks",
        "error",
        1,
        "The user's permissions boundary does not allow SES",
        "A permissions boundary caps what a user may do; SES actions must be allowed by both "
        "the user's policies and the boundary.",
        "relax-permissions-boundary",
    ),
    _spec(
        "iam.cannot_inspect",
        "warning",
        1,
        "The IAM policies could not be inspected",
        "Without an operator identity allowed to read IAM, sesfix judges permissions only by "
        "what AWS answers the app's own credentials.",
        "use-operator-profile",
    ),
    _spec(
        "iam.ses_read_denied",
        "warning",
        1,
        "The user may send, but not read its SES account",
        "The user's policies allow ses:SendEmail and ses:SendRawEmail, but AWS denied a "
        "read such as ses:GetSendQuota or ses:GetAccount. Sending works; a mail library "
        "that checks the quota before sending fails with AccessDenied.",
        "create-custom-policy",
    ),
    # --- step 4: region ----------------------------------------------------------------
    _spec(
        "region.invalid",
        "error",
        4,
        "AWS_SES_REGION is not an SES region",
        "SES is not offered under this name, so the SDK cannot reach an endpoint.",
        "set-ses-region",
    ),
    _spec(
        "region.opt_in_disabled",
        "error",
        4,
        "The region is an opt-in region not enabled",
        "Opt-in regions must be enabled for the account; until then every request there "
        "answers InvalidClientTokenId even with good credentials.",
        "enable-opt-in-region",
        "set-ses-region",
    ),
    _spec(
        "region.identity_not_in_region",
        "error",
        4,
        "The sender is verified in another region",
        "SES identities are per region. Sending from this region fails with MessageRejected "
        "(not InvalidClientTokenId) until the domain is verified here or the app uses the "
        "region where it is verified.",
        "set-ses-region",
        "verify-domain",
    ),
    _spec(
        "identity.not_verified",
        "error",
        4,
        "The sender's domain is not verified in SES",
        "SES only sends from verified identities; every send answers MessageRejected.",
        "verify-domain",
    ),
    _spec(
        "identity.dkim_not_verified",
        "warning",
        5,
        "DKIM is not verified for the domain",
        "Mail still sends, but without DKIM many receivers mark it as spam. Add the three "
        "CNAME records SES gives; detection can take up to 72 hours.",
        "verify-domain",
    ),
    # --- step 5: account ------------------------------------------------------------------
    _spec(
        "account.sandbox",
        "warning",
        5,
        "The SES account is in the sandbox",
        "In the sandbox SES sends at most 200 messages a day, 1 per second, and only to "
        "verified addresses or the mailbox simulator; sign-up mail to customers is rejected.",
        "request-production-access",
    ),
    _spec(
        "account.sending_disabled",
        "error",
        5,
        "Sending is paused for this account",
        "AWS paused sending in this region (review or enforcement); nothing is delivered "
        "until it is resumed.",
        "resume-sending",
    ),
    # --- any step -------------------------------------------------------------------------
    _spec(
        "probe.unreachable",
        "warning",
        3,
        "A check could not get an answer from AWS",
        "The call timed out, was throttled, hit an endpoint that does not implement it, or "
        "the network failed; its question is left open or answered by another probe.",
    ),
    _spec(
        "probe.access_denied",
        "info",
        3,
        "A check was not allowed for the identity that ran it",
        "The identity has no right to this read-only call; sesfix used what it could see.",
    ),
)
