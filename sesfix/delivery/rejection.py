"""A live send SES rejected: which identities failed, and what SES says of each now.

``MessageRejected: Email address is not verified. The following identities failed the check
in region X: a, b`` names the identities; :mod:`sesfix.delivery.rejected` decodes them and
tells the sender, a recipient and a Return-Path apart. Here each one is checked in that
region (``ses:GetIdentityVerificationAttributes``: the address and its domain, since SES
accepts either), and the account's sandbox status is read (``sesv2:GetAccount``), so the
person sees *why* each identity failed: never verified, still pending, or a recipient an
account in the sandbox may not write to.

Used by the wizard's Test send (:mod:`sesfix.diagnosis.testsend`). Each read goes first as
the app (the account that sent) and, if the app may not read it, as the operator. A call
without an answer leaves its question open; nothing is guessed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sesfix.aws.gateway import CallResult, Gateway
from sesfix.aws.identity import IdentityName
from sesfix.delivery.account import is_simulator
from sesfix.delivery.rejected import Role, decode_message_rejected
from sesfix.lang import say
from sesfix.text import visible

#: What SES answers for a name that is no identity at all (our word, not SES's).
NOT_AN_IDENTITY = "absent"


@dataclass(frozen=True)
class IdentityCheck:
    """One identity the rejection named, as SES sees it in the region now."""

    identity: str
    role: Role
    #: SES's VerificationStatus of the identity itself (Success, Pending, Failed, …),
    #: :data:`NOT_AN_IDENTITY`, or None when SES could not be asked.
    status: str | None
    #: For an address: the same for its domain (SES accepts a verified domain's addresses).
    domain_status: str | None = None

    @property
    def domain(self) -> str | None:
        return self.identity.rpartition("@")[2].lower() if "@" in self.identity else None

    @property
    def verified(self) -> bool | None:
        statuses = [self.status] + ([self.domain_status] if self.domain else [])
        if "Success" in statuses:
            return True
        if any(s is None for s in statuses):
            return None
        return False


@dataclass(frozen=True)
class RejectionReport:
    """The decoded rejection, each identity checked, and the sandbox."""

    region: str
    checks: tuple[IdentityCheck, ...]
    #: True: the account is in the sandbox in ``region``; None: not known.
    sandbox: bool | None
    #: Questions left open (a call that got no answer), in the reader's language.
    notes: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        """What the person reads, in the current language (values shown as plain text)."""
        region = visible(self.region, limit=40)
        out = [_say("title", region=region)]
        if not self.checks:
            out.append(_say("none_listed"))
        for check in self.checks:
            out.append(
                _say(
                    "identity",
                    identity=visible(check.identity, limit=120),
                    role=_say("role." + check.role),
                    state=_state(check, region),
                )
            )
        if self.sandbox is True:
            out.append(_say("sandbox.yes", region=region))
        elif self.sandbox is False:
            out.append(_say("sandbox.no", region=region))
        else:
            out.append(_say("sandbox.unknown", region=region))
        out += [_say("advice." + a) for a in self.advice()]
        out += list(self.notes)
        return out

    def advice(self) -> list[str]:
        """Keys of what to do, most useful first (each a sentence in the catalogue)."""
        out: list[str] = []
        for check in self.checks:
            if check.verified is not False:
                continue
            if check.role == "recipient":
                key = "recipient" if self.sandbox is not False else "recipient_production"
            elif check.role in ("sender", "sender-domain"):
                key = "sender"
            elif check.role == "return-path":
                key = "return-path"
            else:
                continue
            if key not in out:  # one sentence per role, however many identities share it
                out.append(key)
        return out


def _say(key: str, **values: object) -> str:
    return say("delivery.rejection." + key, **values)


def _state(check: IdentityCheck, region: str) -> str:
    def status(value: str | None) -> str:
        if value is None:
            return _say("status.unknown")
        if value == NOT_AN_IDENTITY:
            return _say("status.absent")
        return _say("status.known", status=visible(value, limit=40))

    if check.domain is None:
        return status(check.status)
    return _say(
        "state.address",
        address=status(check.status),
        domain=visible(check.domain, limit=120),
        domain_state=status(check.domain_status),
    )


def _read(
    gateway: Gateway,
    readers: Iterable[IdentityName],
    service: str,
    op: str,
    region: str,
    **p: object,
) -> CallResult:
    """As the first reader; as the next only if the first may not ask (AccessDenied)."""
    result: CallResult | None = None
    for who in readers:
        result = gateway.read(who, service, op, region, step=5, **p)
        if not result.denied:
            return result
    assert result is not None
    return result


def _open(result: CallResult, question: str) -> str:
    r = result.record
    why = result.error_code or r.outcome
    return _say(
        "open", question=question, call=r.call, identity=r.identity, why=visible(why, limit=80)
    )


def explain_rejection(
    gateway: Gateway,
    region: str,
    message: str,
    *,
    sender: str | None,
    recipients: Iterable[str] = (),
    return_path: str | None = None,
    readers: tuple[IdentityName, ...] = ("app",),
) -> RejectionReport | None:
    """None if ``message`` is no ``Email address is not verified`` rejection."""
    rejected = decode_message_rejected(message)
    if rejected is None:
        return None
    where = rejected.region or region
    roles = rejected.roles(sender, list(recipients), return_path)
    notes: list[str] = []
    names: list[str] = []
    for ident, _role in roles:
        for name in (ident, ident.rpartition("@")[2].lower() if "@" in ident else ""):
            if name and name not in names:
                names.append(name)
    statuses: dict[str, str] | None = None
    if names:
        result = _read(
            gateway,
            readers,
            "ses",
            "get_identity_verification_attributes",
            where,
            Identities=names[:100],
        )
        if result.ok and result.data is not None:
            attrs = result.data.get("VerificationAttributes") or {}
            statuses = {
                n: str((attrs.get(n) or {}).get("VerificationStatus") or NOT_AN_IDENTITY)
                for n in names
            }
        else:
            notes.append(_open(result, _say("question.verified")))

    def of(name: str) -> str | None:
        if statuses is None:
            return None
        if is_simulator(name) or name == "simulator.amazonses.com":
            return "Success"
        return statuses.get(name)

    checks = tuple(
        IdentityCheck(
            ident,
            role,
            of(ident),
            of(ident.rpartition("@")[2].lower()) if "@" in ident else None,
        )
        for ident, role in roles
    )
    account = _read(gateway, readers, "sesv2", "get_account", where)
    sandbox: bool | None = None
    if account.ok and account.data is not None:
        production = account.data.get("ProductionAccessEnabled")
        if isinstance(production, bool):
            sandbox = not production
    else:
        notes.append(_open(account, _say("question.sandbox")))
    return RejectionReport(where, checks, sandbox, tuple(notes))


__all__ = ["NOT_AN_IDENTITY", "IdentityCheck", "RejectionReport", "explain_rejection"]
