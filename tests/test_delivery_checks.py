"""The delivery checks per step, end to end: moto's server (auth enforced) for identities,
DKIM tokens, MAIL FROM and configuration sets; the local DNS server for the zone;
Stubber for what moto lacks (GetAccount, GetSuppressedDestination)."""

from __future__ import annotations

from collections.abc import Callable

from botocore.stub import Stubber

from sesfix.delivery import checks as C
from sesfix.delivery import dns as D
from sesfix.demo.account import ACCOUNT_ID, SimulatedAccount
from tests.support.dns_server import LocalDns, local_dns, ses_zone
from tests.support.engine import gateway_for, stub_ops

__all__ = ["local_dns"]

REGION = "ap-southeast-1"
DOMAIN = "anyrent.shop"
TO = "customer@gmail.com"
Load = Callable[[str], SimulatedAccount]


def tokens_of(acct: SimulatedAccount) -> list[str]:
    attrs = acct.operator_client("ses", REGION).get_identity_dkim_attributes(Identities=[DOMAIN])
    return list(attrs["DkimAttributes"][DOMAIN]["DkimTokens"])


def inputs(server: LocalDns, **kw: object) -> C.DeliveryInputs:
    base: dict[str, object] = {
        "email_from": f"AnyRent <no-reply@{DOMAIN}>",
        "region": REGION,
        "dns_server": server.server,
        "dns_timeout": 2.0,
        "has_operator": True,
        "app_user": "rental-app",
        "account_id": ACCOUNT_ID,
    }
    base.update(kw)
    return C.DeliveryInputs(**base)  # type: ignore[arg-type]


def test_step4_published_zone_is_clean(account: Load, local_dns: LocalDns) -> None:
    acct = account("healthy")
    acct.operator_client("ses", REGION).set_identity_mail_from_domain(
        Identity=DOMAIN, MailFromDomain=f"mail.{DOMAIN}"
    )
    local_dns.zone.records[:] = ses_zone(
        DOMAIN, REGION, tokens_of(acct), mail_from=f"mail.{DOMAIN}"
    ).records
    _, gw = gateway_for(acct)
    out, info = C.identity_and_dns(gw, inputs(local_dns))
    assert out.findings == [] and not out.unknown
    assert info is not None and info.mail_from == f"mail.{DOMAIN}"
    lines = C.show_dns_records(info)
    assert any(f"feedback-smtp.{REGION}.amazonses.com." in line for line in lines)


def test_step4_nothing_published(account: Load, local_dns: LocalDns) -> None:
    acct = account("healthy")
    _, gw = gateway_for(acct)
    out, _ = C.identity_and_dns(gw, inputs(local_dns))
    assert sorted(f.id for f in out.findings) == ["dns.dkim_records_missing", "dns.dmarc_missing"]
    dkim = next(f for f in out.findings if f.id == "dns.dkim_records_missing")
    assert len(dkim.data["records"]) == 3
    assert {name for name, _ in local_dns.queries} >= {f"_dmarc.{DOMAIN}"}


def test_step4_dns_server_down_leaves_the_question_open(account: Load) -> None:
    acct = account("healthy")
    _, gw = gateway_for(acct)
    with LocalDns() as dead:
        server = dead.server
    out, _ = C.identity_and_dns(
        gw,
        C.DeliveryInputs(
            f"no-reply@{DOMAIN}", REGION, dns_server=server, dns_timeout=0.3, has_operator=True
        ),
    )
    assert out.findings == [] and out.unknown
    assert any(n.startswith("DNS: ") for n in out.notes)


def test_step5_account_recipient_and_configuration_set(account: Load, local_dns: LocalDns) -> None:
    acct = account("healthy")
    _, gw = gateway_for(acct)

    def get_account(stubber: Stubber) -> None:
        stubber.add_response(
            "get_account",
            {
                "EnforcementStatus": "PROBATION",
                "ProductionAccessEnabled": False,
                "SendingEnabled": True,
                "SendQuota": {"Max24HourSend": 200.0, "MaxSendRate": 1.0, "SentLast24Hours": 3.0},
            },
            {},
        )

    def suppressed(stubber: Stubber) -> None:
        stubber.add_response(
            "get_suppressed_destination",
            {
                "SuppressedDestination": {
                    "EmailAddress": TO,
                    "Reason": "COMPLAINT",
                    "LastUpdateTime": "2026-11-01T00:00:00Z",
                }
            },
            {"EmailAddress": TO},
        )

    stub_ops(
        gw,
        "operator",
        "sesv2",
        REGION,
        get_account=get_account,
        get_suppressed_destination=suppressed,
    )
    di = C.DeliveryInputs.from_environment(
        {"SES_CONFIGURATION_SET": "transactional"},
        email_from=f"no-reply@{DOMAIN}",
        region=REGION,
        to=TO,
        has_operator=True,
    )
    assert (
        di.configuration_set == "transactional"
        and di.configuration_set_from == "SES_CONFIGURATION_SET"
    )
    out, health = C.account_and_recipients(gw, di)
    assert health is not None and health.sandbox
    assert sorted(f.id for f in out.findings) == [
        "account.recipient_not_verified",
        "account.under_review",
        "config.configuration_set_missing",
        "recipient.suppressed",
    ]


def test_flag_wins_over_the_variable() -> None:
    di = C.DeliveryInputs.from_environment(
        {"SES_CONFIGURATION_SET": "from-env"},
        email_from="a@b.c",
        region=REGION,
        configuration_set="from-flag",
    )
    assert (di.configuration_set, di.configuration_set_from) == ("from-flag", "--configuration-set")


def test_step1_without_operator_says_so(account: Load, local_dns: LocalDns) -> None:
    acct = account("healthy")
    _, gw = gateway_for(acct, operator=False)
    out = C.send_permissions(gw, inputs(local_dns, has_operator=False))
    assert out.findings == [] and gw.calls() == []
    assert "operator" in out.notes[0]


def test_step1_healthy_user_may_send(account: Load, local_dns: LocalDns) -> None:
    acct = account("healthy")
    _, gw = gateway_for(acct)
    out = C.send_permissions(gw, inputs(local_dns, to=TO, sandbox=True))
    # moto has no simulation: sesfix's own evaluation of AmazonSESFullAccess allows it
    assert out.findings == []
    assert any("cannot see SCPs" in n for n in out.notes)


def test_live_rejection_is_decoded_against_this_send() -> None:
    di = C.DeliveryInputs(f"no-reply@{DOMAIN}", REGION, to=TO)
    got = C.decode_rejection(
        "Email address is not verified. The following identities failed the check in region "
        f"AP-SOUTHEAST-1: {TO}",
        "MessageRejected",
        di,
    )
    assert [d.finding_id for d in got] == ["account.recipient_not_verified"]


def test_resolver_is_the_one_named(local_dns: LocalDns) -> None:
    r = D.Resolver(local_dns.server, 1.0)
    r.query("x.example", "TXT")
    assert ("x.example", "TXT") in local_dns.queries
