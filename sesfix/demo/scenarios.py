"""The practice scenarios: what each one breaks, what it should find and how it is fixed.

Data only; :mod:`sesfix.demo.account` builds a simulated account from one of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sesfix.demo.delivery import SEND_ONLY_POLICY

ACCOUNT_ID = "123456789012"
OPERATOR_USER = "sesfix-operator"
SES_FULL = "arn:aws:iam::aws:policy/AmazonSESFullAccess"
S3_FULL = "arn:aws:iam::aws:policy/AmazonS3FullAccess"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


def _rotate_chars(secret: str) -> str:
    """A different secret of the same shape, so only AWS can tell."""
    return secret[20:] + secret[:20]


#: How a scenario spoils one of the app's variables (see :attr:`Scenario.faults`).
FAULTS: dict[str, Callable[[str], str]] = {
    "trailing-space": lambda v: v + " ",
    "quoted": lambda v: f'"{v}"',
    "lost": _rotate_chars,
}


@dataclass(frozen=True)
class Scenario:
    """One broken (or healthy) shop, declared."""

    name: str
    description: str
    user: str = "rental-app"
    managed_policies: tuple[str, ...] = (S3_FULL,)
    inline_policies: tuple[tuple[str, dict[str, Any]], ...] = ()
    groups: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (group, managed policy ARNs)
    boundary: str | None = None
    sender: str = "no-reply@anyrent.shop"
    region: str = "ap-southeast-1"
    verified_regions: tuple[str, ...] = ("ap-southeast-1",)
    #: How the app's variables differ from what AWS issued: (variable, fault) pairs, where
    #: fault is one of :data:`FAULTS`.
    faults: tuple[tuple[str, str], ...] = ()
    key_status: str = "Active"
    #: SES production access (False: the sandbox, as every new SES account starts).
    production_access: bool = False
    provider: str = "ses"
    #: Finding ids of severity error the scenario is built to produce.
    expected_errors: tuple[str, ...] = ()
    #: Finding ids of severity warning it shows, broken or fixed (every new SES account
    #: starts in the sandbox; the closing story says so).
    expected_warnings: tuple[str, ...] = ("account.sandbox",)
    #: The AWS error code the app's send gets, so what its log shows ("" when it sends, or
    #: never calls SES); see :func:`sesfix.demo.samples.sample_log`.
    app_error: str = ""
    #: The fixes a learner applies to make it healthy (ids from the fix catalogue).
    intended_fixes: tuple[str, ...] = ()
    #: Extra app variables (may hold secret-shaped values: kept out of repr).
    extra_env: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    #: The learner's test inbox (``--to``): the recipient the delivery checks look at.
    recipient: str | None = None
    #: Addresses the learner verified as identities in the app's region (test inboxes).
    verified_addresses: tuple[str, ...] = ()
    #: What the practice DNS zone lacks (see :func:`sesfix.demo.dns.practice_zone`).
    dns_faults: tuple[str, ...] = ()
    #: Addresses on the account's suppression list in the app's region (they bounced).
    suppressed: tuple[str, ...] = ()
    #: The app sends through SES SMTP, broken this way (``sesfix.demo.smtp.SCENARIO_KINDS``);
    #: a practice SMTP endpoint on loopback stands for SES's.
    smtp: str = ""
    #: ``sesv2:GetAccount``'s EnforcementStatus: HEALTHY, PROBATION (under review) or
    #: SHUTDOWN (AWS paused sending: every send fails with AccountSendingPausedException).
    enforcement_status: str = "HEALTHY"

    def __post_init__(self) -> None:
        from sesfix.settings import VARIABLES

        for variable, fault in self.faults:
            if variable not in VARIABLES or fault not in FAULTS:
                raise ValueError(f"scenario {self.name}: unknown fault {fault!r} of {variable}")
        if self.enforcement_status not in ("HEALTHY", "PROBATION", "SHUTDOWN"):
            raise ValueError(f"scenario {self.name}: unknown {self.enforcement_status!r}")

    @property
    def domain(self) -> str:
        return self.sender.rsplit("@", 1)[1]


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario(
            "seed",
            "The guide's incident: the app's IAM user has only AmazonS3FullAccess.",
            app_error="AccessDenied",
            expected_errors=("iam.ses_permission_missing",),
            intended_fixes=("attach-ses-full-access",),
        ),
        Scenario(
            "wrong-region",
            "Permissions are fine, but the domain is verified only in us-east-1.",
            managed_policies=(S3_FULL, SES_FULL),
            verified_regions=("us-east-1",),
            app_error="MessageRejected",
            expected_errors=("region.identity_not_in_region",),
            intended_fixes=("set-ses-region",),
        ),
        Scenario(
            "bad-secret",
            "The secret in the app's variables has a trailing space.",
            managed_policies=(S3_FULL, SES_FULL),
            faults=(("AWS_SECRET_ACCESS_KEY", "trailing-space"),),
            app_error="SignatureDoesNotMatch",
            expected_errors=("credentials.whitespace",),
            intended_fixes=("clean-variable",),
        ),
        Scenario(
            "lost-secret",
            "The app's secret belongs to no key: the pair does not match.",
            managed_policies=(S3_FULL, SES_FULL),
            faults=(("AWS_SECRET_ACCESS_KEY", "lost"),),
            app_error="SignatureDoesNotMatch",
            expected_errors=("credentials.secret_mismatch",),
            # The lost secret may be anywhere: the old key is retired once the new one works.
            intended_fixes=("rotate-access-key", "retire-old-key"),
        ),
        Scenario(
            "quoted-key",
            "The key ID was pasted into the dashboard with its quotes.",
            managed_policies=(S3_FULL, SES_FULL),
            faults=(("AWS_ACCESS_KEY_ID", "quoted"),),
            app_error="InvalidClientTokenId",
            expected_errors=("credentials.quoted_value",),
            intended_fixes=("clean-variable",),
        ),
        Scenario(
            "inactive-key",
            "Someone deactivated the app's access key.",
            managed_policies=(S3_FULL, SES_FULL),
            key_status="Inactive",
            app_error="InvalidClientTokenId",
            expected_errors=("credentials.key_inactive",),
            intended_fixes=("reactivate-access-key",),
        ),
        Scenario(
            "missing-provider",
            "EMAIL_PROVIDER says 'console', so the app never calls SES.",
            managed_policies=(S3_FULL, SES_FULL),
            provider="console",
            expected_errors=("config.provider_not_ses",),
            intended_fixes=("set-email-provider",),
        ),
        Scenario(
            "stale-token",
            "A leftover AWS_SESSION_TOKEN sits beside the long-term key.",
            managed_policies=(S3_FULL, SES_FULL),
            extra_env=(("AWS_SESSION_TOKEN", "IQoJb3JpZ2luX2VjEPractice0LeftOverSessionToken"),),
            app_error="InvalidClientTokenId",
            expected_errors=("credentials.stale_session_token",),
            intended_fixes=("remove-session-token",),
        ),
        Scenario(
            "unverified-domain",
            "The sender's domain was never verified in SES, in any region "
            "(here verification is instant; on AWS it waits for the DNS records).",
            managed_policies=(S3_FULL, SES_FULL),
            verified_regions=(),
            app_error="MessageRejected",
            expected_errors=("identity.not_verified",),
            intended_fixes=("verify-domain",),
        ),
        Scenario(
            "smtp-raw-secret",
            "The app sends through SES SMTP with the secret access key as its SMTP password.",
            managed_policies=(S3_FULL, SES_FULL),
            provider="smtp",
            smtp="raw-secret",
            expected_errors=("smtp.password_is_secret_key",),
            intended_fixes=("derive-smtp-password",),
        ),
        Scenario(
            "smtp-wrong-region",
            "The SMTP password was derived for us-east-1; the SMTP endpoint is in ap-southeast-1.",
            managed_policies=(S3_FULL, SES_FULL),
            provider="smtp",
            smtp="wrong-region",
            expected_errors=("smtp.password_wrong_region",),
            intended_fixes=("derive-smtp-password",),
        ),
        Scenario(
            "smtp-blocked-port",
            "The host drops outbound SMTP (like Railway below Pro); HTTPS to SES works.",
            managed_policies=(S3_FULL, SES_FULL),
            provider="smtp",
            smtp="blocked-port",
            expected_errors=("smtp.port_blocked",),
            intended_fixes=("switch-to-ses-api",),
        ),
        Scenario(
            "sandbox-recipient",
            "The account is in the sandbox and the learner's test inbox was never verified.",
            managed_policies=(S3_FULL, SES_FULL),
            recipient="owner@gmail.com",
            expected_errors=("account.recipient_not_verified",),
            intended_fixes=("verify-recipient",),
        ),
        Scenario(
            "suppressed-recipient",
            "Mail is accepted but never arrives: the recipient bounced once and is on the "
            "account's suppression list.",
            managed_policies=(S3_FULL, SES_FULL),
            recipient="owner@gmail.com",
            verified_addresses=("owner@gmail.com",),
            suppressed=("owner@gmail.com",),
            expected_errors=("recipient.suppressed",),
            intended_fixes=("unsuppress-recipient",),
        ),
        Scenario(
            "dkim-not-published",
            "The domain is verified, but its DKIM records were never published in DNS.",
            managed_policies=(S3_FULL, SES_FULL),
            dns_faults=("no-dkim",),
            expected_errors=("dns.dkim_records_missing",),
            # SES has not seen the records either; without DKIM, DMARC finds nothing aligned
            expected_warnings=(
                "account.sandbox",
                "identity.dkim_not_verified",
                "dns.dmarc_not_aligned",
            ),
            intended_fixes=("show-dns-records",),
        ),
        Scenario(
            "send-raw-missing",
            "A hand-written policy allows ses:SendEmail but not ses:SendRawEmail (SMTP).",
            managed_policies=(S3_FULL,),
            inline_policies=(("ses-send-only", SEND_ONLY_POLICY),),
            expected_errors=("iam.send_raw_email_missing",),
            intended_fixes=("create-custom-policy",),
        ),
        Scenario(
            "account-paused",
            "AWS paused the account's sending after a review of its bounce rate: no setting "
            "can lift it, only a reply to AWS's review case.",
            managed_policies=(S3_FULL, SES_FULL),
            production_access=True,
            enforcement_status="SHUTDOWN",
            app_error="AccountSendingPausedException",
            expected_errors=("account.paused",),
            expected_warnings=(),
        ),
        Scenario(
            "healthy",
            "Everything is right: this is what good looks like.",
            managed_policies=(S3_FULL, SES_FULL),
        ),
    )
}


def describe(scenario: Scenario) -> str:
    """The scenario's one line in the current language (the declared English otherwise)."""
    from sesfix.locale import has, t

    key = f"scenario.{scenario.name}.description"
    return t(key) if has(key) else scenario.description


def pick_random_scenario() -> Scenario:
    """One of the broken scenarios a learner can fix: ``healthy`` has nothing to find and
    ``account-paused`` nothing to fix (only AWS lifts a pause), so neither is drawn."""
    import secrets

    return SCENARIOS[secrets.choice(drawable())]


def drawable() -> list[str]:
    """The scenarios ``random`` draws from: broken, with fixes that make them healthy."""
    return sorted(n for n, s in SCENARIOS.items() if s.expected_errors and s.intended_fixes)


def resolve_scenario(name: str | None) -> Scenario:
    from sesfix.errors import UsageError

    if name in (None, ""):
        return SCENARIOS["seed"]
    if name == "random":
        return pick_random_scenario()
    assert name is not None
    if name not in SCENARIOS:
        raise UsageError(
            f"unknown demo scenario {name!r}",
            hint="choose one of: " + ", ".join([*SCENARIOS, "random"]),
        )
    return SCENARIOS[name]
