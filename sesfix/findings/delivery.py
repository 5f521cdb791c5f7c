"""Delivery readiness (issue 15): the exact send on step 1, identity and DNS on step 4, account health and recipients on step 5."""

from __future__ import annotations

from sesfix.findings.spec import FindingSpec
from sesfix.findings.spec import spec as _spec

SPECS: tuple[FindingSpec, ...] = (
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
