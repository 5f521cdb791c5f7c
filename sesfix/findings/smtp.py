"""SES's SMTP interface (issue 14): credential forensics on step 2, the live test on step 3."""

from __future__ import annotations

from sesfix.findings.spec import FindingSpec
from sesfix.findings.spec import spec as _spec

SPECS: tuple[FindingSpec, ...] = (
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
)
