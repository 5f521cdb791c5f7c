"""DNS authentication checks against a real authoritative server on loopback (dnslib),
queried with dnspython: DKIM, custom MAIL FROM, SPF, DMARC, IDNA, failures and deadlines."""

from __future__ import annotations

import time

import pytest

from sesfix.delivery import dns as D
from sesfix.delivery.records import organizational_domain
from sesfix.errors import UsageError
from sesfix.findings import Severity
from tests.support.dns_server import LocalDns, Zone, local_dns, ses_zone

__all__ = ["local_dns"]

DOMAIN = "anyrent.shop"
REGION = "ap-southeast-1"
TOKENS = (
    "tok1aaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "tok2bbbbbbbbbbbbbbbbbbbbbbbbbbbb",
    "tok3cccccccccccccccccccccccccccc",
)
MAIL_FROM = f"mail.{DOMAIN}"


def auth(**kw: object) -> D.DomainAuth:
    base: dict[str, object] = {
        "domain": DOMAIN,
        "region": REGION,
        "dkim_tokens": TOKENS,
        "dkim_status": "SUCCESS",
        "mail_from": MAIL_FROM,
        "mail_from_status": "SUCCESS",
    }
    base.update(kw)
    return D.DomainAuth(**base)  # type: ignore[arg-type]


def run(server: LocalDns, a: D.DomainAuth, timeout: float = 2.0) -> tuple[D.DnsReport, D.Resolver]:
    resolver = D.Resolver(server.server, timeout=timeout)
    return D.check_domain(resolver, a), resolver


def ids(report: D.DnsReport) -> list[str]:
    return sorted(f.id for f in report.findings)


def serve(server: LocalDns, zone: Zone) -> None:
    server.zone.records[:] = zone.records


def test_healthy_domain_has_no_findings_and_every_name_was_asked(local_dns: LocalDns) -> None:
    serve(local_dns, ses_zone(DOMAIN, REGION, TOKENS, mail_from=MAIL_FROM))
    report, resolver = run(local_dns, auth())
    assert report.findings == [] and report.unanswered == []
    asked = set(local_dns.queries)
    for tok in TOKENS:
        assert (f"{tok}._domainkey.{DOMAIN}", "CNAME") in asked
    assert {(MAIL_FROM, "MX"), (MAIL_FROM, "TXT"), (f"_dmarc.{DOMAIN}", "TXT")} <= asked
    assert all(lk.status == "ok" for lk in resolver.lookups)


def test_missing_dkim_records_name_the_exact_cnames_to_publish(local_dns: LocalDns) -> None:
    zone = ses_zone(DOMAIN, REGION, TOKENS, mail_from=MAIL_FROM)
    zone.remove(f"{TOKENS[1]}._domainkey.{DOMAIN}")
    serve(local_dns, zone)
    report, _ = run(local_dns, auth(dkim_status="PENDING"))
    assert ids(report) == ["dns.dkim_records_missing"]
    f = report.findings[0]
    assert f.severity == Severity.ERROR
    assert f.data["records"] == [
        f"{TOKENS[1]}._domainkey.{DOMAIN}. 1800 IN CNAME {TOKENS[1]}.dkim.amazonses.com."
    ]


def test_missing_dkim_is_a_warning_when_ses_already_verified_it(local_dns: LocalDns) -> None:
    serve(local_dns, Zone().add(f"_dmarc.{DOMAIN}", "TXT", "v=DMARC1; p=none"))
    report, _ = run(local_dns, auth(mail_from=None))
    (f,) = report.findings
    assert f.id == "dns.dkim_records_missing" and f.severity == Severity.WARNING
    assert len(f.data["records"]) == 3


def test_domain_appended_twice_is_recognised(local_dns: LocalDns) -> None:
    zone = ses_zone(DOMAIN, REGION, (), mail_from=MAIL_FROM)
    for tok in TOKENS:  # what a DNS host that appends the zone name produces
        zone.add(f"{tok}._domainkey.{DOMAIN}.{DOMAIN}", "CNAME", f"{tok}.dkim.amazonses.com")
    serve(local_dns, zone)
    report, _ = run(local_dns, auth(dkim_status="FAILED"))
    assert ids(report) == ["dns.dkim_records_wrong"]
    f = report.findings[0]
    assert "appended twice" in f.evidence[0]
    assert f"{TOKENS[0]}._domainkey.{DOMAIN}.{DOMAIN}" in f.evidence[0]
    assert len(f.data["records"]) == 3


def test_dkim_cname_to_another_target_is_wrong(local_dns: LocalDns) -> None:
    zone = ses_zone(DOMAIN, REGION, TOKENS, mail_from=MAIL_FROM)
    zone.remove(f"{TOKENS[2]}._domainkey.{DOMAIN}")
    zone.add(f"{TOKENS[2]}._domainkey.{DOMAIN}", "CNAME", "dkim.mailhost.example")
    serve(local_dns, zone)
    report, _ = run(local_dns, auth(dkim_status="FAILED"))
    assert ids(report) == ["dns.dkim_records_wrong"]
    assert "dkim.mailhost.example" in report.findings[0].evidence[0]
    assert f"{TOKENS[2]}.dkim.amazonses.com" in report.findings[0].evidence[0]


def test_mail_from_mx_of_another_region(local_dns: LocalDns) -> None:
    zone = ses_zone(DOMAIN, "us-east-1", TOKENS, mail_from=MAIL_FROM)
    serve(local_dns, zone)
    report, _ = run(local_dns, auth(mail_from_status="FAILED", mail_from_behavior="REJECT_MESSAGE"))
    assert ids(report) == ["identity.mail_from_not_verified"]
    f = report.findings[0]
    assert f.severity == Severity.ERROR  # reject on MX failure: sends fail
    assert any("another region" in e for e in f.evidence)
    assert f.data["records"] == [
        f"{MAIL_FROM}. 1800 IN MX 10 feedback-smtp.{REGION}.amazonses.com."
    ]


def test_mail_from_with_two_mx_records(local_dns: LocalDns) -> None:
    zone = ses_zone(DOMAIN, REGION, TOKENS, mail_from=MAIL_FROM)
    zone.add(MAIL_FROM, "MX", "20 mx.other.example")
    serve(local_dns, zone)
    report, _ = run(local_dns, auth(mail_from_status="PENDING"))
    assert ids(report) == ["identity.mail_from_not_verified"]
    f = report.findings[0]
    assert f.severity == Severity.WARNING  # SES falls back to amazonses.com
    assert any("exactly one MX" in e for e in f.evidence)


def test_spf_missing_on_mail_from(local_dns: LocalDns) -> None:
    zone = ses_zone(DOMAIN, REGION, TOKENS, mail_from=MAIL_FROM)
    zone.remove(MAIL_FROM, "TXT")
    zone.add(MAIL_FROM, "TXT", "v=spf1 include:_spf.google.com ~all")
    serve(local_dns, zone)
    report, _ = run(local_dns, auth())
    assert ids(report) == ["dns.spf_missing"]
    assert report.findings[0].data["records"] == [
        f'{MAIL_FROM}. 1800 IN TXT "v=spf1 include:amazonses.com ~all"'
    ]


def test_dmarc_missing(local_dns: LocalDns) -> None:
    serve(local_dns, ses_zone(DOMAIN, REGION, TOKENS, mail_from=MAIL_FROM, dmarc=None))
    report, _ = run(local_dns, auth())
    assert ids(report) == ["dns.dmarc_missing"]
    assert report.findings[0].data["records"] == [
        f'_dmarc.{DOMAIN}. 1800 IN TXT "v=DMARC1; p=none;"'
    ]


def test_dmarc_of_the_organizational_domain_applies_to_a_subdomain(local_dns: LocalDns) -> None:
    sub = f"news.{DOMAIN}"
    serve(
        local_dns,
        ses_zone(sub, REGION, TOKENS, dmarc=None).add(
            f"_dmarc.{DOMAIN}", "TXT", "v=DMARC1; p=reject"
        ),
    )
    report, _ = run(local_dns, auth(domain=sub, mail_from=None))
    assert report.findings == []
    assert (f"_dmarc.{sub}", "TXT") in local_dns.queries and (
        f"_dmarc.{DOMAIN}",
        "TXT",
    ) in local_dns.queries


def test_dmarc_reject_without_alignment_is_an_error(local_dns: LocalDns) -> None:
    zone = ses_zone(DOMAIN, REGION, TOKENS, dmarc="v=DMARC1; p=reject; adkim=s")
    serve(local_dns, zone)
    report, _ = run(local_dns, auth(dkim_status="PENDING", mail_from=None))
    assert ids(report) == ["dns.dmarc_not_aligned"]
    f = report.findings[0]
    assert f.severity == Severity.ERROR and f.data["policy"] == "reject"
    assert any("amazonses.com" in e for e in f.evidence)


def test_alignment_modes(local_dns: LocalDns) -> None:
    serve(
        local_dns, Zone().add(f"_dmarc.{DOMAIN}", "TXT", "v=DMARC1; p=quarantine; adkim=s; aspf=r")
    )
    r = D.Resolver(local_dns.server, timeout=2)
    strict = D.DnsReport()
    D.check_dmarc(r, f"x.{DOMAIN}", strict, dkim_domain=DOMAIN, mail_from=None)
    assert [f.id for f in strict.findings] == ["dns.dmarc_not_aligned"]
    relaxed_spf = D.DnsReport()
    D.check_dmarc(r, f"x.{DOMAIN}", relaxed_spf, dkim_domain=None, mail_from=MAIL_FROM)
    assert relaxed_spf.findings == []


def test_international_domain_is_queried_in_idna_form(local_dns: LocalDns) -> None:
    domain = "cửahàng.vn"
    ascii_name = D.ascii_domain(domain)
    assert ascii_name.startswith("xn--") and ascii_name.endswith(".vn")
    serve(local_dns, ses_zone(ascii_name, REGION, TOKENS))
    report, _ = run(local_dns, auth(domain=domain, mail_from=None))
    assert report.findings == []
    assert all(name.isascii() for name, _ in local_dns.queries)
    lines = D.zone_lines(domain, REGION, TOKENS)
    assert "IDNA" in lines[1] and all(ascii_name in line for line in lines[2:])


def test_servfail_is_unanswered_not_missing(local_dns: LocalDns) -> None:
    zone = ses_zone(DOMAIN, REGION, TOKENS)
    zone.servfail.add(f"{TOKENS[0]}._domainkey.{DOMAIN}")
    serve(local_dns, zone)
    local_dns.zone.servfail |= zone.servfail
    report, _ = run(local_dns, auth(mail_from=None))
    assert report.findings == []
    assert [lk.name for lk in report.unanswered] == [f"{TOKENS[0]}._domainkey.{DOMAIN}"]
    assert "SERVFAIL" in report.unanswered[0].detail


def test_a_silent_server_is_cut_off_at_the_deadline(local_dns: LocalDns) -> None:
    local_dns.zone.silent.add(f"_dmarc.{DOMAIN}")
    serve(local_dns, ses_zone(DOMAIN, REGION, TOKENS))
    started = time.monotonic()
    report, _ = run(local_dns, auth(mail_from=None), timeout=0.5)
    elapsed = time.monotonic() - started
    assert [f.id for f in report.findings] == []
    assert [lk.name for lk in report.unanswered] == [f"_dmarc.{DOMAIN}"]
    assert "0.5" in report.unanswered[0].detail
    assert elapsed < 3.0


def test_long_txt_answer_comes_over_tcp(local_dns: LocalDns) -> None:
    """A 900-byte TXT answer is truncated on UDP; dnspython must retry over TCP."""
    long_spf = (
        "v=spf1 "
        + " ".join(f"ip4:10.0.{i}.0/24" for i in range(60))
        + " include:amazonses.com ~all"
    )
    zone = ses_zone(DOMAIN, REGION, TOKENS, mail_from=MAIL_FROM)
    zone.remove(MAIL_FROM, "TXT").add(MAIL_FROM, "TXT", long_spf)
    serve(local_dns, zone)
    report, resolver = run(local_dns, auth())
    assert report.findings == []
    (txt,) = [lk for lk in resolver.lookups if lk.name == MAIL_FROM and lk.rtype == "TXT"]
    assert txt.values == (long_spf,) and len(long_spf) > 512


def test_zone_lines_are_complete_aligned_with_spaces_and_parse_as_zone_text() -> None:
    lines = D.zone_lines(DOMAIN, REGION, TOKENS, MAIL_FROM)
    records = lines[1:]
    assert [line.split(None, 4) for line in records] == [
        *(
            [f"{t}._domainkey.{DOMAIN}.", "1800", "IN", "CNAME", f"{t}.dkim.amazonses.com."]
            for t in TOKENS
        ),
        [f"{MAIL_FROM}.", "1800", "IN", "MX", f"10 feedback-smtp.{REGION}.amazonses.com."],
        [f"{MAIL_FROM}.", "1800", "IN", "TXT", '"v=spf1 include:amazonses.com ~all"'],
        [f"_dmarc.{DOMAIN}.", "1800", "IN", "TXT", '"v=DMARC1; p=none;"'],
    ]
    # No tab (a screen shows it as \\t): columns lined up with spaces.
    assert not any("\t" in line for line in lines)
    assert len({line.index(" IN ") for line in records}) == 1
    assert len({line.index(" 1800 ") for line in records}) == 1
    text = "\n".join(lines) + "\n"
    # dnspython reads it as a zone file ...
    import dns.rdatatype
    import dns.zone

    zone = dns.zone.from_text(text, origin=DOMAIN, relativize=False, check_origin=False)
    cname = zone.find_rdataset(f"{TOKENS[0]}._domainkey.{DOMAIN}.", dns.rdatatype.CNAME)
    assert cname.ttl == 1800 and str(cname[0].target) == f"{TOKENS[0]}.dkim.amazonses.com."
    spf = zone.find_rdataset(f"{MAIL_FROM}.", dns.rdatatype.TXT)
    assert b"".join(spf[0].strings) == b"v=spf1 include:amazonses.com ~all"
    mx = zone.find_rdataset(f"{MAIL_FROM}.", dns.rdatatype.MX)
    assert mx[0].preference == 10
    # ... and so does dnslib (the practice DNS server's library).
    from dnslib import RR

    rrs = RR.fromZone(text)
    assert [(str(rr.rname), rr.ttl) for rr in rrs][: len(TOKENS)] == [
        (f"{t}._domainkey.{DOMAIN}.", 1800) for t in TOKENS
    ]
    assert str(rrs[-1].rdata) == '"v=DMARC1; p=none;"'


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("127.0.0.1", ("127.0.0.1", 53)),
        ("127.0.0.1:5353", ("127.0.0.1", 5353)),
        ("[::1]:54", ("::1", 54)),
        ("::1", ("::1", 53)),
    ],
)
def test_dns_server_spec(spec: str, expected: tuple[str, int]) -> None:
    assert D.parse_server(spec) == expected


@pytest.mark.parametrize(
    "spec", ["ns1.example.com", "127.0.0.1:0", "127.0.0.1:99999", "[::1]x", "1.2.3.4:dns"]
)
def test_bad_dns_server_spec_is_a_usage_error(spec: str) -> None:
    with pytest.raises(UsageError):
        D.parse_server(spec)


@pytest.mark.parametrize(
    ("domain", "organizational"),
    [
        ("news.anyrent.shop", "anyrent.shop"),
        ("mail.anyrent.com.vn", "anyrent.com.vn"),
        # Suffixes a "last two labels" rule gets wrong: the Public Suffix List knows them.
        ("news.anyrent.ltd.uk", "anyrent.ltd.uk"),
        ("a.b.anyrent.github.io", "anyrent.github.io"),
        ("xn--anyrnt-9ua.xn--p1ai", "xn--anyrnt-9ua.xn--p1ai"),
        ("Anyrent.Shop.", "anyrent.shop"),
        ("co.uk", "co.uk"),  # a public suffix is its own
    ],
)
def test_organizational_domain_follows_the_public_suffix_list(
    domain: str, organizational: str
) -> None:
    assert organizational_domain(domain) == organizational
