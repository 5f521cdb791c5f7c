"""The DNS records SES's authentication needs, and their zone-file lines.

Names are in ASCII (IDNA ``xn--`` labels), without the final dot. No I/O here.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from sesfix.delivery.words import ev

if TYPE_CHECKING:
    from publicsuffixlist import PublicSuffixList

TTL = 1800
SES_SPF = "v=spf1 include:amazonses.com ~all"
DMARC_STARTER = "v=DMARC1; p=none;"

# --- names --------------------------------------------------------------------------------


def ascii_domain(domain: str) -> str:
    """``domain`` in the form DNS uses: lower case, IDNA (``xn--``) labels, no final dot.

    Raises :class:`ValueError` for a name DNS cannot carry (empty or over-long labels).
    """
    import dns.exception
    import dns.name

    text = domain.strip().rstrip(".")
    if not text:
        raise ValueError(ev("domain.empty"))
    try:
        name = dns.name.from_text(text)
    except (dns.exception.DNSException, UnicodeError) as exc:
        raise ValueError(ev("domain.invalid", kind=type(exc).__name__)) from None
    return str(name.to_text(omit_final_dot=True)).lower()


def organizational_domain(domain: str) -> str:
    """The registrable part of ``domain`` (DMARC's organizational domain, RFC 7489 3.2):
    one label below its public suffix, by the Public Suffix List that ``publicsuffixlist``
    ships (no network). A name that is itself a public suffix is its own.
    """
    name = domain.lower().rstrip(".")
    return _suffixes().privatesuffix(name) or name


@functools.cache
def _suffixes() -> PublicSuffixList:
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()


# --- records to publish --------------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    """One DNS record SES needs, in ASCII, names without the final dot."""

    name: str
    rtype: Literal["CNAME", "MX", "TXT"]
    value: str
    ttl: int = TTL

    def fields(self) -> tuple[str, str, str, str, str]:
        """Owner (absolute), TTL, class, type and data, as a zone file writes them."""
        if self.rtype == "TXT":
            value = '"' + self.value.replace("\\", "\\\\").replace('"', '\\"') + '"'
        elif self.rtype == "MX":
            preference, host = self.value.split(" ", 1)
            value = f"{preference} {host}."
        else:
            value = self.value + "."
        return (f"{self.name}.", str(self.ttl), "IN", self.rtype, value)

    def zone_line(self) -> str:
        """One zone-file line, its fields separated by one space (RFC 1035 allows any run
        of blanks; spaces, unlike tabs, show the same on every screen)."""
        return " ".join(self.fields())


def aligned(records: Iterable[Record]) -> list[str]:
    """Zone-file lines whose columns line up, padded with spaces (still valid zone text:
    a run of blanks separates fields), for people to read and copy."""
    rows = [r.fields() for r in records]
    if not rows:
        return []
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return [
        " ".join([*(cell.ljust(widths[i]) for i, cell in enumerate(row[:4])), row[4]])
        for row in rows
    ]


def dkim_records(domain: str, tokens: Iterable[str]) -> list[Record]:
    d = ascii_domain(domain)
    return [
        Record(f"{tok.lower()}._domainkey.{d}", "CNAME", f"{tok.lower()}.dkim.amazonses.com")
        for tok in tokens
    ]


def feedback_host(region: str) -> str:
    return f"feedback-smtp.{region}.amazonses.com"


def mail_from_records(mail_from: str, region: str) -> list[Record]:
    m = ascii_domain(mail_from)
    return [Record(m, "MX", f"10 {feedback_host(region)}"), Record(m, "TXT", SES_SPF)]


def dmarc_record(domain: str) -> Record:
    return Record(f"_dmarc.{ascii_domain(domain)}", "TXT", DMARC_STARTER)


def zone_lines(
    domain: str, region: str, tokens: Sequence[str], mail_from: str | None = None
) -> list[str]:
    """Every record SES's authentication of ``domain`` needs, as zone-file lines to copy
    (fix ``show-dns-records``): the DKIM CNAMEs, the MAIL FROM MX and SPF, a starter DMARC."""
    d = ascii_domain(domain)
    lines = ["; " + ev("zone.header", region=region, domain=d)]
    if d != domain.strip().rstrip(".").lower():
        lines.append("; " + ev("zone.idna", domain=domain.strip()))
    records = dkim_records(d, tokens)
    if mail_from:
        records += mail_from_records(mail_from, region)
    records.append(dmarc_record(d))
    return lines + aligned(records)
