"""An authoritative DNS server on loopback (dnslib), UDP and TCP on one random port.

The practice account serves its domain's zone here so the DNS checks (DKIM, MAIL FROM,
DMARC) ask a real server over the real protocol, and nothing leaves 127.0.0.1; the tests
build their zones with it too. Answers follow RFC 1034: a name with other types answers
NODATA, an unknown name NXDOMAIN, and a CNAME is answered (and followed inside the zone)
for any type. Names listed in ``servfail`` answer SERVFAIL; names in ``silent`` are
never answered (to prove the resolver's deadline).
"""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

#: (name, type, value): name without the final dot; MX value "10 host"; TXT value the text.
RecordSpec = tuple[str, str, str]


def _norm(name: str) -> str:
    return name.lower().rstrip(".")


def is_zone_line(line: str) -> bool:
    """``name. TTL IN TYPE value``, with any blanks between (show-dns-records aligns them
    with spaces); a comment is not one."""
    parts = line.split(None, 4)
    return not line.lstrip().startswith(";") and len(parts) == 5 and parts[2] == "IN"


@dataclass
class Zone:
    records: list[RecordSpec] = field(default_factory=list)
    servfail: set[str] = field(default_factory=set)
    silent: set[str] = field(default_factory=set)
    ttl: int = 300

    def add(self, name: str, rtype: str, value: str) -> Zone:
        self.records.append((_norm(name), rtype.upper(), value))
        return self

    def remove(self, name: str, rtype: str | None = None) -> Zone:
        n = _norm(name)
        self.records = [r for r in self.records if not (r[0] == n and rtype in (None, r[1]))]
        return self

    def publish(self, zone_line: str) -> bool:
        """Add one zone-file line (``name. TTL IN TYPE value``) as a DNS host would; a line
        that is a comment or not one of the served types is skipped (False)."""
        if not is_zone_line(zone_line):
            return False
        name, _ttl, _cls, rtype, value = zone_line.split(None, 4)
        if rtype not in ("CNAME", "MX", "TXT"):
            return False
        if rtype == "TXT":
            value = value.strip()
            if value.startswith('"') and value.endswith('"'):
                value = value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        else:
            value = value.strip().rstrip(".")
        n = _norm(name)
        kind = value.split(" ", 1)[0].lower() if rtype == "TXT" else None
        # One CNAME, one MX (as SES asks), one SPF and one DMARC record per name: replaced.
        self.records = [
            r
            for r in self.records
            if not (
                r[0] == n
                and r[1] == rtype
                and (kind is None or r[2].split(" ", 1)[0].lower() == kind)
            )
        ]
        self.add(name, rtype, value)
        return True

    def lookup(self, name: str, rtype: str) -> tuple[list[RecordSpec], bool]:
        """(records answering, name exists)."""
        n = _norm(name)
        here = [r for r in self.records if r[0] == n]
        return [r for r in here if r[1] == rtype], bool(here)


class _Resolver:
    def __init__(self, zone: Zone) -> None:
        self.zone = zone
        self.queries: list[tuple[str, str]] = []
        self.lock = threading.Lock()

    def resolve(self, request: Any, handler: Any) -> Any:
        from dnslib import QTYPE, RCODE, RR

        q = request.q
        qname = str(q.qname).rstrip(".")
        qtype = QTYPE[q.qtype]
        with self.lock:
            self.queries.append((_norm(qname), qtype))
        reply = request.reply()
        reply.header.aa = 1
        if _norm(qname) in self.zone.servfail:
            reply.header.rcode = RCODE.SERVFAIL
            return reply
        name = qname
        for _ in range(8):  # follow CNAMEs inside the zone, at most 8 deep
            answers, exists = self.zone.lookup(name, qtype)
            if answers:
                for rec in answers:
                    reply.add_answer(
                        RR(name, QTYPE.reverse[qtype], rdata=_rdata(rec), ttl=self.zone.ttl)
                    )
                return reply
            cnames, _ = self.zone.lookup(name, "CNAME")
            if cnames and qtype != "CNAME":
                rec = cnames[0]
                reply.add_answer(RR(name, QTYPE.CNAME, rdata=_rdata(rec), ttl=self.zone.ttl))
                name = rec[2]
                continue
            if not exists and name == qname:
                reply.header.rcode = RCODE.NXDOMAIN
            return reply
        return reply


def _rdata(rec: RecordSpec) -> Any:
    from dnslib import CNAME, MX, TXT

    _, rtype, value = rec
    if rtype == "CNAME":
        return CNAME(value)
    if rtype == "MX":
        preference, host = value.split(" ", 1)
        return MX(host, int(preference))
    if rtype == "TXT":
        data = value.encode()
        return TXT([data[i : i + 255] for i in range(0, len(data), 255)] or [b""])
    raise ValueError(f"record type {rtype} is not served")


class _Silent(Exception):
    pass


def _handler_class() -> Any:
    from dnslib.server import DNSHandler

    class Handler(DNSHandler):
        def get_reply(self, data: bytes) -> bytes:
            from dnslib import DNSRecord

            request = DNSRecord.parse(data)
            if _norm(str(request.q.qname)) in self.server.resolver.zone.silent:
                raise _Silent()
            reply = self.server.resolver.resolve(request, self)
            packed: bytes = reply.pack()
            if self.protocol == "udp" and len(packed) > 512:
                # As a classic server does: over UDP, a long answer (a long TXT record) is
                # cut to the question with TC set, and the resolver must ask again over TCP.
                cut = request.reply()
                cut.header.tc = 1
                cut.header.aa = 1
                packed = cut.pack()
            return packed

        def handle(self) -> None:
            try:
                super().handle()
            except _Silent:
                return

    return Handler


class _UDP(socketserver.ThreadingMixIn, socketserver.UDPServer):
    allow_reuse_address = True
    daemon_threads = True


class _TCP(socketserver.ThreadingMixIn, socketserver.TCPServer):
    allow_reuse_address = True
    daemon_threads = True


class _QuietLogger:
    def __getattr__(self, name: str) -> Any:
        return lambda *a, **k: None


class LocalDns:
    """``with LocalDns(zone) as dns: dns.server`` -> ``"127.0.0.1:PORT"``."""

    def __init__(self, zone: Zone | None = None, host: str = "127.0.0.1") -> None:
        self.zone = zone or Zone()
        self.host = host
        self.resolver = _Resolver(self.zone)
        self._servers: list[Any] = []
        self.port = 0

    @property
    def server(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def queries(self) -> list[tuple[str, str]]:
        with self.resolver.lock:
            return list(self.resolver.queries)

    def start(self) -> LocalDns:
        from dnslib.server import DNSServer

        handler = _handler_class()
        for _ in range(20):
            udp = DNSServer(
                self.resolver, self.host, 0, handler=handler, server=_UDP, logger=_QuietLogger()
            )
            port = udp.server.server_address[1]
            try:
                tcp = DNSServer(
                    self.resolver,
                    self.host,
                    port,
                    tcp=True,
                    handler=handler,
                    server=_TCP,
                    logger=_QuietLogger(),
                )
            except OSError:  # the TCP side of that port is taken: another pair
                udp.server.server_close()
                continue
            self._servers = [udp, tcp]
            self.port = port
            for s in self._servers:
                # A short poll so stop() returns at once (the default waits 0.5 s a server).
                threading.Thread(
                    target=s.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
                ).start()
            return self
        raise OSError("no free port for UDP and TCP together on loopback")

    def stop(self) -> None:
        for s in self._servers:
            s.server.shutdown()
            s.server.server_close()
        self._servers = []

    def __enter__(self) -> LocalDns:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def ses_zone(
    domain: str,
    region: str,
    tokens: Iterable[str],
    *,
    mail_from: str | None = None,
    dmarc: str | None = "v=DMARC1; p=none;",
) -> Zone:
    """The zone of a domain set up as SES asks: DKIM CNAMEs, MAIL FROM MX and SPF, DMARC."""
    zone = Zone()
    zone.add(domain, "TXT", "v=spf1 -all")
    for tok in tokens:
        zone.add(f"{tok}._domainkey.{domain}", "CNAME", f"{tok}.dkim.amazonses.com")
    if mail_from:
        zone.add(mail_from, "MX", f"10 feedback-smtp.{region}.amazonses.com")
        zone.add(mail_from, "TXT", "v=spf1 include:amazonses.com ~all")
    if dmarc:
        zone.add(f"_dmarc.{domain}", "TXT", dmarc)
    return zone


#: Faults a practice scenario can put in its zone.
DNS_FAULTS = ("no-dkim", "no-dmarc")


def practice_zone(
    domain: str, region: str, tokens: Iterable[str], faults: Iterable[str] = ()
) -> Zone:
    """The practice account's zone: what SES asked for, less the scenario's faults."""
    faults = set(faults)
    unknown = faults - set(DNS_FAULTS)
    if unknown:
        raise ValueError(f"unknown DNS faults: {', '.join(sorted(unknown))}")
    return ses_zone(
        domain,
        region,
        () if "no-dkim" in faults else tokens,
        dmarc=None if "no-dmarc" in faults else "v=DMARC1; p=none;",
    )


__all__ = ["DNS_FAULTS", "LocalDns", "Zone", "is_zone_line", "practice_zone", "ses_zone"]
