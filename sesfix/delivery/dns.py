"""Domain authentication over DNS: DKIM, custom MAIL FROM (MX + SPF) and DMARC.

SES hands sesfix the DKIM tokens and the MAIL FROM domain, so nothing is guessed: each
check asks DNS for the exact names SES looks at and, when they are wrong, the finding
carries the exact records to publish (``data["records"]``, zone-file lines).

The resolver is the system's, or the one named by ``--dns-server HOST[:PORT]`` (tests,
split-horizon DNS); every query has a deadline (:mod:`sesfix.delivery.resolver`).
Internationalised domains are queried in their IDNA (``xn--``) form. A query that gets no
answer (timeout, SERVFAIL) is reported as unanswered, never as "record missing".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sesfix import findings as F
from sesfix.delivery.records import (
    Record,
    aligned,
    ascii_domain,
    dkim_records,
    dmarc_record,
    feedback_host,
    mail_from_records,
    organizational_domain,
    zone_lines,
)
from sesfix.delivery.resolver import DEFAULT_TIMEOUT, Lookup, Resolver, parse_server
from sesfix.delivery.words import ev
from sesfix.findings import Finding, Severity

# --- the checks ---------------------------------------------------------------------------


@dataclass
class DnsReport:
    findings: list[Finding] = field(default_factory=list)
    #: Lookups that got no answer: their question stays open (not "missing").
    unanswered: list[Lookup] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _answered(report: DnsReport, lookup: Lookup) -> bool:
    if lookup.status == "error":
        report.unanswered.append(lookup)
        return False
    return True


def check_dkim(
    dns: Resolver, domain: str, tokens: Sequence[str], report: DnsReport, ses_status: str | None
) -> bool:
    """Each token's CNAME: present and pointing at SES? Returns True when all are right."""
    d = ascii_domain(domain)
    missing: list[Record] = []
    wrong: list[str] = []
    wrong_records: list[Record] = []
    complete = True
    for record in dkim_records(d, tokens):
        found = dns.query(record.name, "CNAME")
        if not _answered(report, found):
            complete = False
            continue
        if found.status == "ok":
            if record.value in found.values:
                continue
            wrong.append(ev("dkim.wrong", seen=found.describe(), expected=record.value))
            wrong_records.append(record)
            continue
        doubled = dns.query(f"{record.name}.{d}", "CNAME")
        if doubled.status == "ok":
            wrong.append(
                ev(
                    "dkim.doubled",
                    seen=doubled.describe(),
                    short=record.name.removesuffix("." + d),
                    name=record.name,
                )
            )
            wrong_records.append(record)
            continue
        _answered(report, doubled)
        missing.append(record)
    verified = (ses_status or "").upper() == "SUCCESS"
    if missing:
        report.findings.append(
            F.make(
                "dns.dkim_records_missing",
                *(ev("dkim.not_found", name=r.name) for r in missing),
                *(ev("publish", line=line) for line in aligned(missing)),
                *([ev("dkim.ses_verified", status=ses_status)] if verified else []),
                severity=Severity.WARNING if verified else None,
                records=aligned(missing),
                domain=d,
            )
        )
    if wrong:
        report.findings.append(
            F.make(
                "dns.dkim_records_wrong",
                *wrong,
                *(ev("publish", line=line) for line in aligned(wrong_records)),
                records=aligned(wrong_records),
                domain=d,
            )
        )
    return complete and not missing and not wrong


def check_mail_from(
    dns: Resolver,
    mail_from: str,
    region: str,
    report: DnsReport,
    *,
    ses_status: str | None,
    behavior: str | None = None,
) -> tuple[bool, bool]:
    """The MAIL FROM domain: exactly one MX to SES's feedback host, and SES's SPF.

    Returns (MX right, SPF present)."""
    m = ascii_domain(mail_from)
    mx_record, spf_record = mail_from_records(m, region)
    host = feedback_host(region)
    mx = dns.query(m, "MX")
    mx_ok = False
    problem = ""
    if _answered(report, mx):
        hosts = [v.split(" ", 1)[1] for v in mx.values]
        if mx.status != "ok":
            problem = mx.describe()
        elif len(hosts) != 1:
            problem = ev("mx.not_one", seen=mx.describe())
        elif hosts[0] != host:
            other = hosts[0]
            problem = (
                ev("mx.other_region", seen=mx.describe(), host=host)
                if other.startswith("feedback-smtp.")
                else ev("mx.wrong", seen=mx.describe(), host=host)
            )
        else:
            mx_ok = True
    status = (ses_status or "").upper()
    rejects = (behavior or "").upper() in ("REJECT_MESSAGE", "REJECTMESSAGE")
    if status != "SUCCESS" or problem:
        evidence = [
            ev("mail_from.status", mail_from=m, status=ses_status)
            if ses_status
            else ev("mail_from.no_status", mail_from=m)
        ]
        if problem:
            evidence += [problem, ev("publish", line=mx_record.zone_line())]
        elif mx_ok:
            evidence.append(ev("mx.right", host=host))
        if rejects:
            evidence.append(ev("mail_from.rejects"))
        report.findings.append(
            F.make(
                "identity.mail_from_not_verified",
                *evidence,
                severity=Severity.ERROR if rejects else None,
                records=[mx_record.zone_line()] if problem else [],
                mail_from=m,
            )
        )
    spf = dns.query(m, "TXT")
    spf_ok = False
    if _answered(report, spf):
        spf_values = [v for v in spf.values if v.lower().startswith("v=spf1")]
        spf_ok = any("include:amazonses.com" in v.lower().split() for v in spf_values)
        if not spf_ok:
            seen = (
                ev("spf.seen", name=m, values="; ".join(spf_values))
                if spf_values
                else ev("spf.none", name=m)
            )
            report.findings.append(
                F.make(
                    "dns.spf_missing",
                    seen,
                    ev("publish", line=spf_record.zone_line()),
                    records=[spf_record.zone_line()],
                    mail_from=m,
                )
            )
    return mx_ok, spf_ok


@dataclass(frozen=True)
class Dmarc:
    """A parsed DMARC record (tags as RFC 7489 names them)."""

    found_at: str
    policy: str
    adkim: str = "r"
    aspf: str = "r"
    raw: str = ""


def parse_dmarc(text: str, found_at: str) -> Dmarc | None:
    tags: dict[str, str] = {}
    for part in text.split(";"):
        key, sep, value = part.strip().partition("=")
        if sep:
            tags[key.strip().lower()] = value.strip()
    if tags.get("v") != "DMARC1" or "p" not in tags:
        return None
    return Dmarc(
        found_at,
        tags["p"].lower(),
        tags.get("adkim", "r").lower(),
        tags.get("aspf", "r").lower(),
        text,
    )


def find_dmarc(dns: Resolver, domain: str, report: DnsReport) -> tuple[Dmarc | None, bool]:
    """The DMARC record that applies to ``domain``: its own, else its organizational
    domain's. Returns (record, answered)."""
    d = ascii_domain(domain)
    candidates = [d]
    org = organizational_domain(d)
    if org != d:
        candidates.append(org)
    for name in candidates:
        found = dns.query(f"_dmarc.{name}", "TXT")
        if not _answered(report, found):
            return None, False
        records = [v for v in found.values if v.strip().upper().startswith("V=DMARC1")]
        if len(records) > 1:
            report.notes.append(ev("dmarc.several", name=f"_dmarc.{name}", count=len(records)))
            return None, True
        if records:
            parsed = parse_dmarc(records[0], f"_dmarc.{name}")
            if parsed is None:
                report.notes.append(
                    ev("dmarc.invalid", name=f"_dmarc.{name}", record=records[0][:200])
                )
            return parsed, True
    return None, True


def _aligned(mode: str, one: str, other: str) -> bool:
    if mode == "s":
        return one == other
    return organizational_domain(one) == organizational_domain(other)


def check_dmarc(
    dns: Resolver,
    from_domain: str,
    report: DnsReport,
    *,
    dkim_domain: str | None,
    mail_from: str | None,
    judge_alignment: bool = True,
) -> Dmarc | None:
    """``dkim_domain``: the domain SES signs with (Easy DKIM verified), if any;
    ``mail_from``: the custom MAIL FROM domain if verified and SPF-authorised, if any;
    ``judge_alignment`` False when SES's DKIM status is unknown (no answer): alignment is
    then not judged, since a missing answer is no evidence of a missing signature."""
    d = ascii_domain(from_domain)
    dmarc, answered = find_dmarc(dns, d, report)
    if not answered:
        return None
    if dmarc is None:
        record = dmarc_record(d)
        report.findings.append(
            F.make(
                "dns.dmarc_missing",
                ev("dmarc.none", name=f"_dmarc.{d}"),
                ev("dmarc.publish", line=record.zone_line()),
                records=[record.zone_line()],
                domain=d,
            )
        )
        return None
    by_dkim = dkim_domain is not None and _aligned(dmarc.adkim, ascii_domain(dkim_domain), d)
    by_spf = mail_from is not None and _aligned(dmarc.aspf, ascii_domain(mail_from), d)
    if not (by_dkim or by_spf) and judge_alignment:
        enforcing = dmarc.policy in ("quarantine", "reject")
        report.findings.append(
            F.make(
                "dns.dmarc_not_aligned",
                ev("dmarc.found", name=dmarc.found_at, record=dmarc.raw[:200], policy=dmarc.policy),
                ev("dmarc.dkim_other", signer=dkim_domain, domain=d, mode=dmarc.adkim)
                if dkim_domain
                else ev("dmarc.dkim_none"),
                ev("dmarc.spf_other", mail_from=mail_from, domain=d, mode=dmarc.aspf)
                if mail_from
                else ev("dmarc.spf_none"),
                severity=Severity.ERROR if enforcing else None,
                policy=dmarc.policy,
                domain=d,
            )
        )
    return dmarc


@dataclass(frozen=True)
class DomainAuth:
    """What SES says about the sending domain (from GetEmailIdentity or the v1 reads)."""

    domain: str
    region: str
    dkim_tokens: tuple[str, ...] = ()
    dkim_status: str | None = None
    mail_from: str | None = None
    mail_from_status: str | None = None
    mail_from_behavior: str | None = None


def check_domain(dns: Resolver, auth: DomainAuth) -> DnsReport:
    """All of the domain's authentication, as SES and receivers will see it."""
    report = DnsReport()
    try:
        d = ascii_domain(auth.domain)
    except ValueError as exc:
        report.notes.append(ev("domain.unusable", error=exc))
        return report
    dkim_ok = False
    if auth.dkim_tokens:
        dkim_ok = check_dkim(dns, d, auth.dkim_tokens, report, auth.dkim_status)
    else:
        report.notes.append(ev("dkim.no_tokens"))
    spf_mail_from: str | None = None
    if auth.mail_from:
        mx_ok, spf_ok = check_mail_from(
            dns,
            auth.mail_from,
            auth.region,
            report,
            ses_status=auth.mail_from_status,
            behavior=auth.mail_from_behavior,
        )
        if mx_ok and spf_ok and (auth.mail_from_status or "").upper() == "SUCCESS":
            spf_mail_from = auth.mail_from
    # The verdict on signing is SES's own: it signs once it has verified the DKIM records.
    signing = (auth.dkim_status or "").upper() == "SUCCESS"
    if signing and auth.dkim_tokens and not dkim_ok:
        report.notes.append(ev("dkim.signing_but_gone"))
    known = auth.dkim_status is not None
    if not known:
        report.notes.append(ev("dkim.status_unknown"))
    check_dmarc(
        dns,
        d,
        report,
        dkim_domain=d if signing else None,
        mail_from=spf_mail_from,
        judge_alignment=known,
    )
    return report


__all__ = [
    "DEFAULT_TIMEOUT",
    "DnsReport",
    "DomainAuth",
    "Lookup",
    "Record",
    "Resolver",
    "ascii_domain",
    "check_dkim",
    "check_dmarc",
    "check_domain",
    "check_mail_from",
    "dkim_records",
    "dmarc_record",
    "feedback_host",
    "mail_from_records",
    "organizational_domain",
    "parse_server",
    "zone_lines",
]
