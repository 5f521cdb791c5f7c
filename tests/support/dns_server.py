"""A real authoritative DNS server on loopback for the tests (dnslib, UDP + TCP).

The server is the practice account's (``sesfix.demo.dns``); this module gives the tests a
fixture that starts one per test on a random port, with a zone the test builds, and
stops it afterwards. dnspython queries it through ``--dns-server 127.0.0.1:PORT``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sesfix.demo.dns import LocalDns, Zone, ses_zone

__all__ = ["LocalDns", "Zone", "local_dns", "ses_zone"]


@pytest.fixture
def local_dns() -> Iterator[LocalDns]:
    """A started server with an empty zone; the test fills ``local_dns.zone``."""
    with LocalDns(Zone()) as server:
        yield server
