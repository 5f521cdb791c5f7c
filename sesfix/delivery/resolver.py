"""The resolver the DNS checks use: the system's, or ``--dns-server HOST[:PORT]``.

dnspython's stub resolver, no cache, a deadline on every query; every lookup is recorded
with what came back, so a check can tell "no such record" from "no answer".
"""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass
from typing import Any, Literal

from sesfix.delivery.words import ev
from sesfix.errors import UsageError

DEFAULT_TIMEOUT = 3.0

Status = Literal["ok", "nxdomain", "nodata", "error"]


def parse_server(spec: str) -> tuple[str, int]:
    """``HOST[:PORT]`` (``[v6]:PORT`` for IPv6) -> (address, port); HOST must be an IP."""
    text = spec.strip()
    host, port = text, 53
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        if rest:
            if not rest.startswith(":"):
                raise UsageError(ev("server.shape", spec=text))
            port = _port(rest[1:], text)
    elif text.count(":") == 1:
        host, raw_port = text.split(":")
        port = _port(raw_port, text)
    try:
        ipaddress.ip_address(host)
    except ValueError:
        raise UsageError(ev("server.host", spec=text), hint=ev("server.example")) from None
    return host, port


def _port(raw: str, spec: str) -> int:
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise UsageError(ev("server.port", spec=spec))
    return int(raw)


@dataclass(frozen=True)
class Lookup:
    """One query and what came back (values normalised: lower-case names, no final dot)."""

    name: str
    rtype: str
    status: Status
    values: tuple[str, ...] = ()
    detail: str = ""
    ms: int = 0

    def describe(self) -> str:
        if self.status == "ok":
            return ev("lookup.ok", name=self.name, rtype=self.rtype, values=", ".join(self.values))
        return ev("lookup." + self.status, name=self.name, rtype=self.rtype, detail=self.detail)


class Resolver:
    """dnspython's stub resolver with a deadline per query; records every lookup."""

    def __init__(self, server: str | None = None, timeout: float = DEFAULT_TIMEOUT) -> None:
        import dns.resolver

        self.timeout = timeout
        self.server = server
        if server:
            host, port = parse_server(server)
            self._resolver = dns.resolver.Resolver(configure=False)
            self._resolver.nameservers = [host]
            self._resolver.port = port
            self._broken = ""
        else:
            try:
                self._resolver = dns.resolver.Resolver()
                self._broken = ""
            except dns.resolver.NoResolverConfiguration:
                self._resolver = dns.resolver.Resolver(configure=False)
                self._broken = ev("resolver.none")
        self._resolver.timeout = timeout
        self._resolver.lifetime = timeout
        self._resolver.cache = None
        self.lookups: list[Lookup] = []

    def query(self, name: str, rtype: str) -> Lookup:
        import dns.exception
        import dns.name
        import dns.resolver

        started = time.perf_counter()
        status: Status = "ok"
        values: tuple[str, ...] = ()
        detail = ""
        if self._broken:
            status, detail = "error", self._broken
        else:
            try:
                answer = self._resolver.resolve(
                    dns.name.from_text(name), rtype, search=False, lifetime=self.timeout
                )
                values = tuple(_value(rdata, rtype) for rdata in answer)
            except dns.resolver.NXDOMAIN:
                status = "nxdomain"
            except dns.resolver.NoAnswer:
                status = "nodata"
            except dns.resolver.LifetimeTimeout:
                status, detail = "error", ev("resolver.timeout", seconds=f"{self.timeout:g}")
            except dns.resolver.NoNameservers:
                status, detail = "error", ev("resolver.servfail")
            except dns.exception.DNSException as exc:
                status, detail = "error", type(exc).__name__
        ms = int((time.perf_counter() - started) * 1000)
        lookup = Lookup(name, rtype, status, values, detail, ms)
        self.lookups.append(lookup)
        return lookup


def _value(rdata: Any, rtype: str) -> str:
    if rtype == "TXT":
        return b"".join(rdata.strings).decode("utf-8", "replace")
    if rtype == "MX":
        return f"{rdata.preference} {rdata.exchange.to_text(omit_final_dot=True).lower()}"
    return str(rdata.to_text()).rstrip(".").lower()
