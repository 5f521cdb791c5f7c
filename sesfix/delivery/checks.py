"""The delivery checks, one entry per step of the guide, for the engine to register.

* step 1 (permissions): :func:`send_permissions` — the exact send, simulated;
* step 4 (identity and DNS): :func:`identity_and_dns` — the domain's DKIM, MAIL FROM and
  DMARC as SES and DNS see them, and the identity's default configuration set;
* step 5 (account, recipients, deliverability): :func:`account_and_recipients` —
  enforcement, quota, the ``--to`` recipient (sandbox, suppression) and the configuration
  set the app names.

Each takes the run's :class:`~sesfix.aws.gateway.Gateway` and one :class:`DeliveryInputs`
and returns an :class:`~sesfix.delivery.account.Outcome`; reads go out as the operator when
there is one, else as the app.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from email.utils import parseaddr
from typing import Any

from sesfix.aws.conditions import SendContext
from sesfix.aws.gateway import Gateway
from sesfix.aws.identity import IdentityName
from sesfix.aws.policy import PolicyDoc
from sesfix.delivery import account as A
from sesfix.delivery import dns as D
from sesfix.delivery.simulate import check_send
from sesfix.delivery.words import ev

CONFIGURATION_SET_VARIABLE = "SES_CONFIGURATION_SET"
DNS_SERVER_VARIABLE = "SESFIX_DNS_SERVER"
RECIPIENT_VARIABLE = "SESFIX_TO"


@dataclass(frozen=True)
class DeliveryOptions:
    """What ``sesfix check`` (or the wizard) tells the delivery checks about the send."""

    #: ``--to`` (else SESFIX_TO): the recipient to check (sandbox verification, suppression).
    to: str | None = None
    #: ``--configuration-set``: wins over the app's SES_CONFIGURATION_SET.
    configuration_set: str | None = None
    #: ``--dns-server HOST[:PORT]``; else SESFIX_DNS_SERVER; else the system's resolver.
    dns_server: str | None = None
    #: Messages per second the app needs (for the quota check).
    needed_rate: float | None = None

    def recipient(self, environ: Mapping[str, str] | None = None) -> str | None:
        """``--to``, else SESFIX_TO (the practice account sets it to its test inbox)."""
        import os

        env = os.environ if environ is None else environ
        return (self.to or env.get(RECIPIENT_VARIABLE) or "").strip() or None

    def resolver_address(self, environ: Mapping[str, str] | None = None) -> str | None:
        import os

        env = os.environ if environ is None else environ
        chosen = self.dns_server or (env.get(DNS_SERVER_VARIABLE) or "").strip() or None
        if chosen:
            D.parse_server(chosen)  # a usage error, named, before any query
        return chosen


@dataclass(frozen=True)
class DeliveryInputs:
    """What the delivery checks need to know about the send and the run."""

    email_from: str
    region: str
    to: str | None = None
    #: The configuration set the app names, and who names it (flag or variable).
    configuration_set: str | None = None
    configuration_set_from: str = CONFIGURATION_SET_VARIABLE
    dns_server: str | None = None
    dns_timeout: float = D.DEFAULT_TIMEOUT
    has_operator: bool = False
    app_user: str | None = None
    account_id: str | None = None
    sandbox: bool | None = None
    #: Regions to look for a configuration set that is missing in ``region``.
    other_regions: tuple[str, ...] = ()
    needed_rate: float | None = None
    api_version: str = "2"

    @property
    def sender(self) -> str:
        return parseaddr(self.email_from)[1].strip().lower()

    @property
    def display_name(self) -> str | None:
        return parseaddr(self.email_from)[0] or None

    @property
    def domain(self) -> str:
        return self.sender.rpartition("@")[2]

    @property
    def reader(self) -> IdentityName:
        return "operator" if self.has_operator else "app"

    @classmethod
    def from_environment(
        cls, variables: Mapping[str, str], *, email_from: str, region: str, **kw: Any
    ) -> DeliveryInputs:
        """``--configuration-set`` (in ``kw``) wins over the app's SES_CONFIGURATION_SET."""
        if not kw.get("configuration_set"):
            name = (variables.get(CONFIGURATION_SET_VARIABLE) or "").strip()
            if name:
                kw["configuration_set"] = name
                kw["configuration_set_from"] = CONFIGURATION_SET_VARIABLE
        elif "configuration_set_from" not in kw:
            kw["configuration_set_from"] = "--configuration-set"
        return cls(email_from=email_from, region=region, **kw)


def send_permissions(
    gateway: Gateway,
    inputs: DeliveryInputs,
    *,
    policies: tuple[list[PolicyDoc], PolicyDoc | None] | None = None,
    simulation: bool = True,
) -> A.Outcome:
    """Step 1: may the app's user send this exact message (needs the operator)."""
    if not (inputs.has_operator and inputs.app_user and inputs.account_id and inputs.sender):
        out = A.Outcome()
        out.notes.append(ev("send.no_operator"))
        return out
    ctx = SendContext(
        inputs.sender,
        (inputs.to.strip(),) if inputs.to else (),
        inputs.display_name,
        inputs.api_version,
    )
    return check_send(
        gateway,
        user=inputs.app_user,
        account=inputs.account_id,
        region=inputs.region,
        ctx=ctx,
        sandbox=inputs.sandbox,
        policies=policies,
        simulation=simulation,
    )


def identity_and_dns(
    gateway: Gateway,
    inputs: DeliveryInputs,
    resolver: D.Resolver | None = None,
    *,
    dkim_answer: Mapping[str, Any] | None = None,
) -> tuple[A.Outcome, A.IdentityInfo | None]:
    """Step 4: the domain's authentication as SES and DNS see it (and its default set)."""
    out = A.Outcome()
    if not inputs.domain:
        out.notes.append(ev("send.no_domain"))
        return out, None
    info, read = A.read_identity(
        gateway, inputs.reader, inputs.region, inputs.domain, dkim_answer=dkim_answer
    )
    out.extend(read)
    if info is None or not info.exists:
        # identity.not_verified / region.identity_not_in_region say it already.
        return out, info
    dns = resolver or D.Resolver(inputs.dns_server, inputs.dns_timeout)
    report = D.check_domain(dns, info.domain_auth())
    try:
        zone = show_dns_records(info)
    except ValueError:
        zone = []
    # Every DNS finding carries the domain's complete zone too (fix show-dns-records).
    out.findings += [replace(f, data={**f.data, "zone": zone}) for f in report.findings]
    out.notes += report.notes
    if report.unanswered:
        out.unknown = True
        out.notes += [f"DNS: {lk.describe()}" for lk in report.unanswered]
    return out.extend(A.check_default_configuration_set(gateway, inputs.reader, info)), info


def account_and_recipients(
    gateway: Gateway,
    inputs: DeliveryInputs,
    account_data: Mapping[str, Any] | None = None,
) -> tuple[A.Outcome, A.AccountHealth | None]:
    """Step 5: enforcement and quota, the recipient, the named configuration set.

    ``account_data``: a GetAccount answer the run already has (saves the call)."""
    out = A.Outcome()
    if account_data is not None:
        health: A.AccountHealth | None = A.AccountHealth.from_get_account(
            account_data, inputs.region
        )
    else:
        health, read = A.read_account(gateway, inputs.reader, inputs.region)
        out.extend(read)
    if health is not None:
        out.findings += A.judge_account(health, inputs.needed_rate)
        if health.sandbox is not None:
            inputs = replace(inputs, sandbox=health.sandbox)
    return out.extend(recipient_and_configuration_set(gateway, inputs)), health


def recipient_and_configuration_set(gateway: Gateway, inputs: DeliveryInputs) -> A.Outcome:
    """Step 5, the parts the person names: the ``--to`` recipient (verified in the sandbox,
    not suppressed) and the configuration set (here, or in which region)."""
    out = A.Outcome()
    if inputs.to:
        out.extend(
            A.check_recipient(
                gateway, inputs.reader, inputs.region, inputs.to, sandbox=inputs.sandbox
            )
        )
    if inputs.configuration_set:
        out.extend(
            A.check_configuration_set(
                gateway,
                inputs.reader,
                inputs.region,
                inputs.configuration_set,
                named_by=inputs.configuration_set_from,
                other_regions=inputs.other_regions,
            )
        )
    return out


def show_dns_records(info: A.IdentityInfo) -> list[str]:
    """The zone lines of fix ``show-dns-records`` for an identity SES knows."""
    return D.zone_lines(info.domain, info.region, info.dkim_tokens, info.mail_from)


def decode_rejection(
    message: str, code: str | None, inputs: DeliveryInputs, return_path: str | None = None
) -> Sequence[Any]:
    """A live send's error text, decoded against this send's sender and recipient."""
    from sesfix.delivery.rejected import decode

    return decode(
        message,
        code,
        sender=inputs.sender,
        recipients=[inputs.to] if inputs.to else [],
        return_path=return_path,
    )


__all__ = [
    "CONFIGURATION_SET_VARIABLE",
    "DNS_SERVER_VARIABLE",
    "RECIPIENT_VARIABLE",
    "DeliveryInputs",
    "DeliveryOptions",
    "account_and_recipients",
    "decode_rejection",
    "identity_and_dns",
    "recipient_and_configuration_set",
    "send_permissions",
    "show_dns_records",
]
