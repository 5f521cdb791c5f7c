"""Account health, recipients, configuration sets and the sender identity, from SES's answers.

* :class:`AccountHealth` reads ``sesv2:GetAccount``: enforcement (HEALTHY / PROBATION ->
  ``account.under_review`` / SHUTDOWN -> ``account.paused``), review details, production
  access, sending enabled, suppression settings and the send quota against the rate the
  app needs;
* :func:`check_recipient`: in the sandbox, is ``--to`` verified in the sending region
  (``account.recipient_not_verified``); is it on the account's suppression list
  (``sesv2:GetSuppressedDestination`` -> ``recipient.suppressed``);
* :func:`check_configuration_set`: does the set the app names (or the identity's default
  set) exist in the sending region (``config.configuration_set_missing``);
* :func:`read_identity`: the sender domain's DKIM tokens and status, custom MAIL FROM and
  default configuration set (``sesv2:GetEmailIdentity``; the SES v1 reads for any field
  its answer lacks), as the input of the DNS checks.

Every call goes through :class:`~sesfix.aws.gateway.Gateway`; a call that gets no answer
leaves its question open (``notes``), never a verdict.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sesfix import findings as F
from sesfix.aws.gateway import CallResult, Gateway
from sesfix.aws.identity import IdentityName
from sesfix.delivery.dns import DomainAuth
from sesfix.delivery.words import ev
from sesfix.findings import Finding

SIMULATOR_DOMAIN = "simulator.amazonses.com"
_NOT_FOUND = (
    "NotFoundException",
    "ConfigurationSetDoesNotExist",
    "ConfigurationSetDoesNotExistException",
)


@dataclass
class Outcome:
    """What a check found, and what it could not find out."""

    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: True when a question stayed open (no answer, or no right to ask).
    unknown: bool = False

    def extend(self, other: Outcome) -> Outcome:
        self.findings += other.findings
        self.notes += other.notes
        self.unknown = self.unknown or other.unknown
        return self


def _no_answer(out: Outcome, result: CallResult, question: str) -> None:
    r = result.record
    why = ev("not_allowed") if result.denied else (result.error_code or r.outcome)
    out.notes.append(
        ev(
            "no_answer",
            question=question,
            call=r.call,
            region=r.region,
            identity=r.identity,
            why=why,
        )
    )
    out.unknown = True


# --- the account ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountHealth:
    region: str
    enforcement: str | None = None
    production_access: bool | None = None
    sending_enabled: bool | None = None
    review_status: str | None = None
    review_case: str | None = None
    suppressed_reasons: tuple[str, ...] | None = None
    max_24h: float | None = None
    max_rate: float | None = None
    sent_24h: float | None = None

    @classmethod
    def from_get_account(cls, data: Mapping[str, Any], region: str) -> AccountHealth:
        quota = data.get("SendQuota") or {}
        review = (data.get("Details") or {}).get("ReviewDetails") or {}
        suppression = data.get("SuppressionAttributes")
        reasons = (
            tuple(str(r) for r in suppression.get("SuppressedReasons") or ())
            if isinstance(suppression, Mapping)
            else None
        )
        return cls(
            region=region,
            enforcement=_upper(data.get("EnforcementStatus")),
            production_access=_bool(data.get("ProductionAccessEnabled")),
            sending_enabled=_bool(data.get("SendingEnabled")),
            review_status=_upper(review.get("Status")),
            review_case=str(review["CaseId"]) if review.get("CaseId") else None,
            suppressed_reasons=reasons,
            max_24h=_number(quota.get("Max24HourSend")),
            max_rate=_number(quota.get("MaxSendRate")),
            sent_24h=_number(quota.get("SentLast24Hours")),
        )

    @property
    def sandbox(self) -> bool | None:
        return None if self.production_access is None else not self.production_access

    def describe(self) -> list[str]:
        """The account's state in evidence lines (from GetAccount, nothing inferred)."""
        lines = [
            ev(
                "account.state",
                region=self.region,
                enforcement=self.enforcement or "?",
                sending=_yes(self.sending_enabled),
                production=_yes(self.production_access),
            )
        ]
        if self.review_status or self.review_case:
            status = self.review_status or "?"
            lines.append(
                ev("account.review_case", status=status, case=self.review_case)
                if self.review_case
                else ev("account.review", status=status)
            )
        if self.max_24h is not None or self.max_rate is not None:
            daily = (
                ev("account.unlimited")
                if self.max_24h is not None and self.max_24h < 0
                else _fmt(self.max_24h)
            )
            lines.append(
                ev("account.quota", sent=_fmt(self.sent_24h), daily=daily, rate=_fmt(self.max_rate))
            )
        if self.suppressed_reasons is not None:
            reasons = ", ".join(self.suppressed_reasons) or ev("account.suppression_off")
            lines.append(ev("account.suppression", reasons=reasons))
        return lines


def _upper(value: Any) -> str | None:
    return str(value).upper() if value else None


def _bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _fmt(value: float | None) -> str:
    return "?" if value is None else f"{value:g}"


def _yes(value: bool | None) -> str:
    return "?" if value is None else ("true" if value else "false")


def judge_account(health: AccountHealth, needed_rate: float | None = None) -> list[Finding]:
    """Enforcement and quota findings (the sandbox and SendingEnabled are the engine's)."""
    out: list[Finding] = []
    state = health.describe()
    if health.enforcement == "PROBATION":
        out.append(F.make("account.under_review", *state, region=health.region))
    elif health.enforcement == "SHUTDOWN":
        out.append(F.make("account.paused", *state, region=health.region))
    daily_used = (
        health.max_24h is not None
        and health.max_24h >= 0
        and health.sent_24h is not None
        and health.sent_24h >= health.max_24h
    )
    too_slow = (
        needed_rate is not None and health.max_rate is not None and needed_rate > health.max_rate
    )
    if daily_used or too_slow:
        evidence = [state[-1]] if len(state) > 1 else []
        if daily_used:
            evidence.append(ev("account.daily_used"))
        if too_slow:
            evidence.append(
                ev("account.too_slow", needed=f"{needed_rate:g}", allowed=_fmt(health.max_rate))
            )
        out.append(F.make("account.send_quota_low", *evidence, region=health.region))
    return out


def read_account(
    gateway: Gateway, who: IdentityName, region: str
) -> tuple[AccountHealth | None, Outcome]:
    out = Outcome()
    result = gateway.read(who, "sesv2", "get_account", region, step=5)
    if not result.ok or result.data is None:
        _no_answer(out, result, ev("question.account"))
        return None, out
    return AccountHealth.from_get_account(result.data, region), out


# --- recipients ----------------------------------------------------------------------------


def is_simulator(address: str) -> bool:
    return address.strip().lower().rpartition("@")[2] == SIMULATOR_DOMAIN


def check_recipient(
    gateway: Gateway,
    who: IdentityName,
    region: str,
    address: str,
    *,
    sandbox: bool | None,
) -> Outcome:
    """The recipient (``--to``): verified if the account is in the sandbox; not suppressed."""
    out = Outcome()
    to = address.strip()
    if not to or "@" not in to:
        out.notes.append(ev("recipient.none"))
        return out
    if is_simulator(to):
        out.notes.append(ev("recipient.simulator", to=to))
        return out
    if sandbox:
        domain = to.rpartition("@")[2].lower()
        result = gateway.read(
            who,
            "ses",
            "get_identity_verification_attributes",
            region,
            step=5,
            Identities=[to, domain],
        )
        if result.ok and result.data is not None:
            attrs = result.data.get("VerificationAttributes") or {}
            statuses = {
                name: (attrs.get(name) or {}).get("VerificationStatus") for name in (to, domain)
            }
            if "Success" not in statuses.values():
                out.findings.append(
                    F.make(
                        "account.recipient_not_verified",
                        ev("recipient.sandbox", region=region),
                        *(
                            ev("recipient.status", name=name, region=region, status=status)
                            if status
                            else ev("recipient.absent", name=name, region=region)
                            for name, status in statuses.items()
                        ),
                        recipient=to,
                        region=region,
                    )
                )
        else:
            _no_answer(out, result, ev("question.verified", to=to))
    elif sandbox is None:
        out.notes.append(ev("recipient.sandbox_unknown"))
    result = gateway.read(
        who, "sesv2", "get_suppressed_destination", region, step=5, EmailAddress=to
    )
    if result.ok and result.data is not None:
        entry = result.data.get("SuppressedDestination") or {}
        reason = str(entry.get("Reason") or "?")
        when = entry.get("LastUpdateTime")
        attrs = entry.get("Attributes") or {}
        evidence = [ev("recipient.suppressed", to=to, region=region, reason=reason)]
        if when:
            evidence.append(ev("recipient.since", when=when))
        if attrs.get("MessageId"):
            evidence.append(ev("recipient.after_message", message=attrs["MessageId"]))
        out.findings.append(
            F.make("recipient.suppressed", *evidence, recipient=to, region=region, reason=reason)
        )
    elif result.error_code != "NotFoundException":
        _no_answer(out, result, ev("question.suppressed", to=to))
    return out


# --- configuration sets ---------------------------------------------------------------------


def check_configuration_set(
    gateway: Gateway,
    who: IdentityName,
    region: str,
    name: str,
    *,
    named_by: str,
    other_regions: Iterable[str] = (),
    shown_as: str | None = None,
) -> Outcome:
    """Does configuration set ``name`` exist in ``region``? If not, where else does it?

    ``named_by`` goes into the finding's data as it is; ``shown_as`` (default ``named_by``)
    is how the evidence says it, in the reader's language."""
    out = Outcome()
    result = gateway.read(
        who, "ses", "describe_configuration_set", region, step=5, ConfigurationSetName=name
    )
    if result.ok:
        return out
    if result.error_code not in _NOT_FOUND:
        _no_answer(out, result, ev("question.configuration_set", name=name))
        return out
    elsewhere: list[str] = []
    for other in other_regions:
        if other == region:
            continue
        r = gateway.read(
            who, "ses", "describe_configuration_set", other, step=5, ConfigurationSetName=name
        )
        if r.ok:
            elsewhere.append(other)
    evidence = [
        ev(
            "configuration_set.missing",
            named_by=shown_as or named_by,
            name=name,
            region=region,
            code=result.error_code,
        )
    ]
    if elsewhere:
        evidence.append(ev("configuration_set.elsewhere", regions=", ".join(elsewhere)))
    out.findings.append(
        F.make(
            "config.configuration_set_missing",
            *evidence,
            configuration_set=name,
            region=region,
            named_by=named_by,
            elsewhere=elsewhere,
        )
    )
    return out


# --- the sender identity --------------------------------------------------------------------


@dataclass(frozen=True)
class IdentityInfo:
    """What SES says about the sender's domain identity in one region."""

    domain: str
    region: str
    exists: bool
    dkim_tokens: tuple[str, ...] = ()
    dkim_status: str | None = None
    mail_from: str | None = None
    mail_from_status: str | None = None
    mail_from_behavior: str | None = None
    default_configuration_set: str | None = None
    #: Whether the default set could be read at all (only sesv2:GetEmailIdentity says).
    default_set_known: bool = False

    def domain_auth(self) -> DomainAuth:
        return DomainAuth(
            self.domain,
            self.region,
            self.dkim_tokens,
            self.dkim_status,
            self.mail_from,
            self.mail_from_status,
            self.mail_from_behavior,
        )


def read_identity(
    gateway: Gateway,
    who: IdentityName,
    region: str,
    domain: str,
    *,
    dkim_answer: Mapping[str, Any] | None = None,
) -> tuple[IdentityInfo | None, Outcome]:
    """``dkim_answer``: a ``ses:GetIdentityDkimAttributes`` answer for ``domain`` in
    ``region`` the caller already has (never asked twice)."""
    out = Outcome()
    v2 = gateway.read(who, "sesv2", "get_email_identity", region, step=4, EmailIdentity=domain)
    if v2.error_code == "NotFoundException":
        return IdentityInfo(domain, region, exists=False, default_set_known=True), out
    data: Mapping[str, Any] = v2.data if v2.ok and v2.data is not None else {}
    dkim = data.get("DkimAttributes") or {}
    mail = data.get("MailFromAttributes")
    tokens = tuple(str(t) for t in dkim.get("Tokens") or ())
    dkim_status = _upper(dkim.get("Status"))
    if not tokens:
        if dkim_answer is not None:
            r_data: Mapping[str, Any] | None = dkim_answer
            r = None
        else:
            r = gateway.read(
                who, "ses", "get_identity_dkim_attributes", region, step=4, Identities=[domain]
            )
            r_data = r.data if r.ok else None
        if r_data is not None:
            attrs = (r_data.get("DkimAttributes") or {}).get(domain) or {}
            tokens = tuple(str(t) for t in attrs.get("DkimTokens") or ())
            dkim_status = _upper(attrs.get("DkimVerificationStatus")) or dkim_status
        else:
            # Without its tokens SES's DKIM answer is incomplete: the status is unknown,
            # not evidence that SES does not sign.
            dkim_status = None
            if r is not None and not v2.ok:
                _no_answer(out, r, ev("question.dkim_tokens", domain=domain))
    if not isinstance(mail, Mapping):
        r = gateway.read(
            who,
            "ses",
            "get_identity_mail_from_domain_attributes",
            region,
            step=4,
            Identities=[domain],
        )
        if r.ok and r.data is not None:
            mail = (r.data.get("MailFromDomainAttributes") or {}).get(domain) or {}
        else:
            _no_answer(out, r, ev("question.mail_from", domain=domain))
            mail = {}
    if not v2.ok:
        out.notes.append(
            ev(
                "identity.default_set_unknown",
                domain=domain,
                code=v2.error_code or v2.record.outcome,
            )
        )
    behavior = mail.get("BehaviorOnMxFailure") or mail.get("BehaviorOnMXFailure")
    return (
        IdentityInfo(
            domain=domain,
            region=region,
            exists=True,
            dkim_tokens=tokens,
            dkim_status=dkim_status,
            mail_from=str(mail["MailFromDomain"]) if mail.get("MailFromDomain") else None,
            mail_from_status=_upper(mail.get("MailFromDomainStatus")),
            mail_from_behavior=_upper(behavior),
            default_configuration_set=(
                str(data["ConfigurationSetName"]) if data.get("ConfigurationSetName") else None
            ),
            default_set_known=v2.ok,
        ),
        out,
    )


def check_default_configuration_set(
    gateway: Gateway, who: IdentityName, info: IdentityInfo
) -> Outcome:
    if not info.default_configuration_set:
        return Outcome()
    return check_configuration_set(
        gateway,
        who,
        info.region,
        info.default_configuration_set,
        named_by=f"the default configuration set of identity {info.domain}",
        shown_as=ev("configuration_set.default_of", domain=info.domain),
    )


__all__ = [
    "AccountHealth",
    "IdentityInfo",
    "Outcome",
    "check_configuration_set",
    "check_default_configuration_set",
    "check_recipient",
    "is_simulator",
    "judge_account",
    "read_account",
    "read_identity",
]
