"""The catalogue of findings: one place, data not prose.

A finding id, once published, is a public contract: scripts and other tools
match on it. Add new ids; never rename or reuse one. The CLI prints these, the
wizard renders them, the tests assert on them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


#: Most serious first: the order findings are shown and merged in.
SEVERITY_RANK: Mapping[Severity, int] = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


STEP_NAMES: Mapping[int, str] = {
    1: "IAM permissions",
    2: "Credentials",
    3: "Live test",
    4: "Region",
    5: "Account readiness",
}


@dataclass(frozen=True)
class FindingSpec:
    id: str
    severity: Severity
    step: int
    title: str
    explanation: str
    fixes: tuple[str, ...] = ()


def _spec(
    id: str, severity: str, step: int, title: str, explanation: str, *fixes: str
) -> FindingSpec:
    return FindingSpec(id, Severity(severity), step, title, explanation, tuple(fixes))


CATALOGUE: dict[str, FindingSpec] = {
    s.id: s
    for s in (
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
        # --- SMTP (issue 14) ---
        _spec(
            "smtp.password_is_secret_key",
            "error",
            2,
            "The SMTP password is the secret access key itself",
            "SES SMTP does not take the secret access key as the password: the password is derived from it for one region (44 characters starting with 'B'). With the raw secret SES answers 535 Authentication Credentials Invalid.",
            "derive-smtp-password",
        ),
        _spec(
            "smtp.password_wrong_region",
            "error",
            2,
            "The SMTP password was derived for another region",
            "An SES SMTP password works only in the region it was derived for. This one belongs to another region than SMTP_HOST's, so SES answers 535 Authentication Credentials Invalid.",
            "derive-smtp-password",
        ),
        _spec(
            "smtp.password_other_key",
            "error",
            2,
            "The SMTP password does not come from the app's secret access key",
            "The password is not the SMTP password of the secret sesfix holds for this key ID, in any region nor in the legacy form: it was derived from another (older or rotated) key, or mistyped. SES answers 535 Authentication Credentials Invalid.",
            "derive-smtp-password",
        ),
        _spec(
            "smtp.password_legacy_sigv2",
            "warning",
            2,
            "The SMTP password is a legacy (SigV2) one",
            "SMTP passwords created before 10 January 2019 use Signature Version 2 (they start with 'A'). AWS limits them ('Maximum SigV2 SMTP sending rate exceeded') and asks for a SigV4 password derived for the region instead.",
            "derive-smtp-password",
        ),
        _spec(
            "smtp.username_not_key_id",
            "error",
            2,
            "The SMTP username is not an access key ID",
            "SES SMTP logs in with the access key ID (AKIA…, 20 characters) as the username, not the IAM user name (such as 'ses-smtp-user.20240101-123456') nor an email address; temporary ASIA keys cannot log in at all. Otherwise SES answers 535.",
            "derive-smtp-password",
        ),
        _spec(
            "smtp.host_not_ses",
            "warning",
            2,
            "SMTP_HOST is not an SES SMTP endpoint",
            "SES's SMTP endpoints are email-smtp.<region>.amazonaws.com. The API endpoint (email.<region>…) and the receiving endpoint (inbound-smtp.<region>…) take no submissions; any other host is another mail provider, which sesfix cannot check.",
            "set-smtp-port",
        ),
        _spec(
            "smtp.no_endpoint_in_region",
            "error",
            2,
            "SES has no SMTP endpoint in this region",
            "AWS offers SES in Africa (Cape Town), Asia Pacific (Jakarta), Europe (Milan), Israel (Tel Aviv) and Middle East (Bahrain) through the HTTPS API only; an SMTP host there does not exist. Use a region with an SMTP endpoint, or the SES API.",
            "switch-to-ses-api",
        ),
        _spec(
            "smtp.tls_mode_mismatch",
            "error",
            2,
            "The SMTP port and TLS mode disagree",
            "SES speaks STARTTLS on ports 25, 587 and 2587 and implicit TLS (TLS wrapper, 'secure') on 465 and 2465, and nothing on other ports. The wrong pair fails before login with 'wrong version number' or 'Greeting never received'.",
            "set-smtp-port",
        ),
        _spec(
            "smtp.port_blocked",
            "error",
            3,
            "Outbound SMTP is blocked on this port",
            "Connections to the SMTP port get no answer while HTTPS to SES works: the host's network drops outbound SMTP. Railway allows SMTP only on the Pro plan and above (redeploy after upgrading); Render's free services and DigitalOcean block 25, 465 and 587. Use a port that answers, or send through the SES HTTPS API on port 443.",
            "set-smtp-port",
            "switch-to-ses-api",
        ),
        _spec(
            "smtp.auth_failed",
            "error",
            3,
            "SES refused the SMTP login",
            "The server answered AUTH LOGIN with an error (535 Authentication Credentials Invalid, for instance): the username must be the access key ID and the password the SMTP password derived from its secret for this region, with nothing around it.",
            "derive-smtp-password",
        ),
        _spec(
            "smtp.connection_refused",
            "error",
            3,
            "The SMTP server refused the connection",
            "Nothing listens on this host and port (the connection was refused at once, not dropped): a wrong port, or a host that is not a mail server.",
            "set-smtp-port",
        ),
        _spec(
            "smtp.host_unknown",
            "error",
            3,
            "SMTP_HOST does not resolve",
            "DNS has no address for the SMTP host: a typo, a region without an SMTP endpoint, or a resolver that cannot answer.",
            "set-smtp-port",
        ),
        _spec(
            "smtp.tls_failed",
            "error",
            3,
            "The TLS handshake with the SMTP server failed",
            "The server's certificate could not be verified against the trusted CAs (the system store, or SSL_CERT_FILE), or the handshake broke off: something between the app and SES intercepts TLS, or the trust store is incomplete.",
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
        # --- delivery readiness (issue 15) ---
        _spec(
            "iam.send_raw_email_missing",
            "error",
            1,
            "The user may call ses:SendEmail but not ses:SendRawEmail",
            "SMTP, SESv2 SendEmail with raw content and most mail libraries need "
            "ses:SendRawEmail; a policy that allows only ses:SendEmail makes AWS answer "
            "'not authorized to perform ses:SendRawEmail'.",
            "create-custom-policy",
            "attach-ses-full-access",
        ),
        _spec(
            "iam.identity_not_in_resource",
            "error",
            1,
            "The policy allows sending only from other identities",
            "Sending is authorised against the sender's identity ARNs "
            "(arn:aws:ses:REGION:ACCOUNT:identity/DOMAIN and …/identity/ADDRESS; in the "
            "sandbox the recipients' too). The allowing statement's Resource names none of them.",
            "create-custom-policy",
        ),
        _spec(
            "iam.condition_blocks",
            "error",
            1,
            "A policy condition blocks this send",
            "The statement that allows sending has a Condition (ses:FromAddress, ses:Recipients, "
            "ses:FromDisplayName or ses:ApiVersion) that the app's send does not meet.",
            "create-custom-policy",
        ),
        _spec(
            "iam.scp_denies",
            "error",
            1,
            "An organization policy (SCP) denies sending",
            "The user's own policies allow it, but a service control policy of the AWS "
            "Organization does not. Only the organization's administrators can change it; "
            "no policy attached to the user helps.",
        ),
        _spec(
            "identity.mail_from_not_verified",
            "warning",
            4,
            "The custom MAIL FROM domain is not verified",
            "SES checks for exactly one MX record sending to feedback-smtp.REGION.amazonses.com "
            "on the MAIL FROM domain. Until it finds it, mail falls back to amazonses.com "
            "(no SPF alignment) or, if set to reject, fails with MailFromDomainNotVerified.",
            "show-dns-records",
        ),
        _spec(
            "dns.dkim_records_missing",
            "error",
            4,
            "The DKIM records are not published",
            "Easy DKIM needs one CNAME per SES token: TOKEN._domainkey.DOMAIN pointing to "
            "TOKEN.dkim.amazonses.com. Without them SES cannot verify the domain nor sign its mail.",
            "show-dns-records",
        ),
        _spec(
            "dns.dkim_records_wrong",
            "error",
            4,
            "The DKIM records are published wrongly",
            "A DKIM CNAME points somewhere else, or the DNS host appended the domain a second "
            "time (TOKEN._domainkey.DOMAIN.DOMAIN). SES only looks at the exact names.",
            "show-dns-records",
        ),
        _spec(
            "dns.spf_missing",
            "warning",
            4,
            "The MAIL FROM domain has no SPF record for SES",
            "The custom MAIL FROM domain needs a TXT record 'v=spf1 include:amazonses.com ~all' "
            "so receivers see SES as allowed to send for it (SPF, and DMARC alignment by SPF).",
            "show-dns-records",
        ),
        _spec(
            "dns.dmarc_missing",
            "warning",
            4,
            "The domain has no DMARC record",
            "Gmail and Yahoo require DMARC (a TXT record at _dmarc.DOMAIN) from bulk senders and "
            "reject their mail without it ('550 5.7.26').",
            "show-dns-records",
        ),
        _spec(
            "dns.dmarc_not_aligned",
            "warning",
            4,
            "DMARC finds no aligned DKIM or SPF",
            "DMARC passes only when the From domain matches the DKIM signing domain (Easy DKIM "
            "of the domain) or the MAIL FROM domain (a custom MAIL FROM). With neither, a "
            "quarantine or reject policy makes receivers drop the mail.",
            "show-dns-records",
        ),
        _spec(
            "dns.unanswered",
            "warning",
            4,
            "DNS did not answer every question",
            "A DNS query timed out or the server failed, so the domain's DKIM, MAIL FROM or "
            "DMARC records could not be checked; that question stays open (not 'missing').",
        ),
        _spec(
            "account.under_review",
            "warning",
            5,
            "The SES account is under review",
            "AWS put sending on probation (EnforcementStatus PROBATION), usually for a bounce "
            "rate near 10 % or complaints near 0.5 %. Mail still goes out; unless the rates "
            "fall, AWS pauses sending.",
        ),
        _spec(
            "account.paused",
            "error",
            5,
            "AWS paused sending for this account",
            "EnforcementStatus SHUTDOWN: AWS stopped the account's sending after a review (bounces "
            "or complaints). Only a reply to the review case in the AWS Support center restores "
            "it.",
        ),
        _spec(
            "account.send_quota_low",
            "warning",
            5,
            "SES's send quota is below what the app needs",
            "The account's quota (per second and per 24 hours; 1/s and 200 a day in the "
            "sandbox) caps sending: beyond it sends fail with 'Maximum sending rate exceeded' "
            "or 'Daily message quota exceeded'. A higher quota is asked for in AWS's Service "
            "Quotas console.",
        ),
        _spec(
            "account.recipient_not_verified",
            "error",
            5,
            "The recipient is not verified (the account is in the sandbox)",
            "In the sandbox SES sends only to verified addresses and the mailbox simulator; "
            "any other recipient fails with 'Email address is not verified'.",
            "request-production-access",
            "verify-recipient",
        ),
        _spec(
            "recipient.suppressed",
            "error",
            5,
            "The recipient is on the account's suppression list",
            "SES accepts the send but drops the mail without trying, because this address "
            "bounced or complained before.",
            "unsuppress-recipient",
        ),
        _spec(
            "config.configuration_set_missing",
            "error",
            5,
            "The configuration set does not exist in this region",
            "Configuration sets are per region. A send naming a set that does not exist here "
            "(a typo, a set in another region, or an identity's deleted default set) fails "
            "with ConfigurationSetDoesNotExist.",
        ),
    )
}


@dataclass(frozen=True)
class Finding:
    """One observation, tied to its catalogue entry, with evidence (secrets masked)."""

    id: str
    severity: Severity
    step: int
    title: str
    explanation: str
    evidence: tuple[str, ...] = ()
    fixes: tuple[str, ...] = ()
    data: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "severity": str(self.severity),
            "step": self.step,
            "title": self.title,
            "explanation": self.explanation,
            "evidence": list(self.evidence),
            "fixes": list(self.fixes),
            "data": dict(self.data),
        }


def make(
    finding_id: str,
    *evidence: str,
    severity: Severity | str | None = None,
    step: int | None = None,
    fixes: tuple[str, ...] | None = None,
    title: str | None = None,
    **data: Any,
) -> Finding:
    """Build a finding from the catalogue; overrides are for context (e.g. a probe's step)."""
    spec = CATALOGUE[finding_id]
    return Finding(
        id=spec.id,
        severity=Severity(severity) if severity is not None else spec.severity,
        step=step if step is not None else spec.step,
        title=title or spec.title,
        explanation=spec.explanation,
        evidence=tuple(evidence),
        fixes=spec.fixes if fixes is None else fixes,
        data=data,
    )
