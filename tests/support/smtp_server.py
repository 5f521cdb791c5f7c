"""SES's SMTP interface on loopback for tests: real SMTP (aiosmtpd), real TLS (trustme).

* :func:`smtp_endpoint` — a :class:`PracticeSmtpServer` with a STARTTLS port and an
  implicit-TLS port, accepting ``AUTH LOGIN`` only with :data:`KEY_ID` and the password
  derived from :data:`SECRET` for :data:`REGION` (the rule SES applies);
* :func:`blocked_port` — TCP connects time out (a firewall dropping SMTP);
* :func:`silent_port` — connects are accepted and nothing is ever said;
* :func:`closed_port` — connects are refused;
* :func:`dns_server` — a dnslib server on loopback that knows one name and answers
  NXDOMAIN for every other, with a resolver for the probe that asks it (dnspython).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from sesfix.demo.smtp import BlockedPort, Certificates, ClosedPort, PracticeSmtpServer, SilentPort
from sesfix.masking import Secret

KEY_ID = "AKIAQSMTPTESTKEY0001"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYsmtpTESTKY"  # 40 characters
REGION = "eu-west-1"
HOST = f"email-smtp.{REGION}.amazonaws.com"


@pytest.fixture(scope="module")
def certificates() -> Iterator[Certificates]:
    certs = Certificates.make()
    try:
        yield certs
    finally:
        certs.cleanup()


@pytest.fixture(scope="module")
def smtp_endpoint(certificates: Certificates) -> Iterator[PracticeSmtpServer]:
    server = PracticeSmtpServer(KEY_ID, Secret(SECRET), REGION, certificates).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def blocked_port() -> Iterator[BlockedPort]:
    port = BlockedPort()
    try:
        yield port
    finally:
        port.close()


@pytest.fixture
def silent_port() -> Iterator[SilentPort]:
    port = SilentPort()
    try:
        yield port
    finally:
        port.close()


@pytest.fixture
def closed_port() -> Iterator[ClosedPort]:
    port = ClosedPort()
    try:
        yield port
    finally:
        port.close()


@dataclass
class DnsServer:
    port: int
    known: dict[str, str]

    def resolver(self, host: str, port: int) -> list[tuple[int, tuple[str, int]]]:
        """The probe's resolver, asking this server over UDP with dnspython."""
        import dns.exception
        import dns.resolver

        r = dns.resolver.Resolver(configure=False)
        r.nameservers = ["127.0.0.1"]
        r.port = self.port
        r.lifetime = 2.0
        try:
            answer = r.resolve(host, "A")
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer) as exc:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known") from exc
        except dns.exception.Timeout as exc:
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution") from exc
        return [(socket.AF_INET, (rr.address, port)) for rr in answer]


@pytest.fixture
def dns_server() -> Iterator[DnsServer]:
    from dnslib import QTYPE, RCODE, RR, A
    from dnslib.server import BaseResolver, DNSServer

    known = {HOST: "127.0.0.1"}

    class Resolver(BaseResolver):  # type: ignore[misc]
        def resolve(self, request, handler):  # type: ignore[no-untyped-def]
            reply = request.reply()
            name = str(request.q.qname).rstrip(".").lower()
            if name in known and request.q.qtype == QTYPE.A:
                reply.add_answer(RR(request.q.qname, QTYPE.A, rdata=A(known[name]), ttl=60))
            else:
                reply.header.rcode = RCODE.NXDOMAIN
            return reply

    server = DNSServer(Resolver(), port=0, address="127.0.0.1")
    server.start_thread()
    try:
        yield DnsServer(server.server.server_address[1], known)
    finally:
        server.stop()
