"""sesfix's own settings (``SESFIX_*``): read and checked in one place.

Every number sesfix takes from the environment is read here, so an invalid value (``abc``,
``nan``, a negative or zero timeout) is one usage error, named, before any probe — never a
wrong verdict and never a traceback. :func:`validate` checks them all at start-up; each
getter checks its own on use.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass

from sesfix.errors import UsageError


@dataclass(frozen=True)
class Number:
    name: str
    default: float
    minimum: float
    maximum: float
    integer: bool = False
    meaning: str = ""

    def read(self, environ: Mapping[str, str] | None = None) -> float:
        env = os.environ if environ is None else environ
        raw = env.get(self.name, "")
        if not raw.strip():
            return self.default
        try:
            value = int(raw) if self.integer else float(raw)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or not (self.minimum <= value <= self.maximum):
            kind = "a whole number" if self.integer else "a number of seconds"
            from sesfix.text import visible

            raise UsageError(
                f"{self.name}={visible(raw, limit=40)!s} is not valid: it must be {kind} "
                f"from {self.minimum:g} to {self.maximum:g} ({self.meaning}).",
                hint=f"unset it to use the default, {self.default:g}.",
            )
        return value


CONNECT_TIMEOUT = Number(
    "SESFIX_CONNECT_TIMEOUT", 3, 0.1, 60, meaning="seconds to open a connection to AWS"
)
READ_TIMEOUT = Number("SESFIX_READ_TIMEOUT", 6, 0.1, 300, meaning="seconds between two reads")
CALL_DEADLINE = Number(
    "SESFIX_CALL_DEADLINE", 15, 0.5, 600, meaning="seconds one AWS call may take in all"
)
DIAGNOSIS_DEADLINE = Number(
    "SESFIX_DIAGNOSIS_DEADLINE", 40, 1, 1800, meaning="seconds the whole diagnosis may take"
)
MAX_ATTEMPTS = Number(
    "SESFIX_MAX_ATTEMPTS", 3, 1, 10, integer=True, meaning="tries per AWS call (standard retries)"
)
VERIFY_TIMEOUT = Number(
    "SESFIX_VERIFY_TIMEOUT", 120, 0, 3600, meaning="seconds to wait for a fix to take effect"
)
SMTP_DEADLINE = Number(
    "SESFIX_SMTP_DEADLINE", 25, 1, 600, meaning="seconds the whole live SMTP probe may take"
)
RAILWAY_TIMEOUT = Number(
    "SESFIX_RAILWAY_TIMEOUT", 60, 1, 3600, meaning="seconds one railway CLI call may take"
)

ALL: tuple[Number, ...] = (
    CONNECT_TIMEOUT,
    READ_TIMEOUT,
    CALL_DEADLINE,
    DIAGNOSIS_DEADLINE,
    MAX_ATTEMPTS,
    VERIFY_TIMEOUT,
    RAILWAY_TIMEOUT,
    SMTP_DEADLINE,
)


def validate(environ: Mapping[str, str] | None = None) -> None:
    """Raise :class:`UsageError` for the first invalid ``SESFIX_*`` number (and for a
    ``SESFIX_SMTP_ENDPOINT`` that is not HOST:PORT)."""
    for number in ALL:
        number.read(environ)
    smtp_endpoint(environ)


SMTP_ENDPOINT = "SESFIX_SMTP_ENDPOINT"


def smtp_endpoint(environ: Mapping[str, str] | None = None) -> tuple[str, int] | None:
    """``SESFIX_SMTP_ENDPOINT=HOST:PORT`` (``[v6]:PORT`` for IPv6): where the live SMTP probe
    connects instead of SMTP_HOST:SMTP_PORT (tests, practice, proxies); None when unset."""
    env = os.environ if environ is None else environ
    raw = env.get(SMTP_ENDPOINT, "").strip()
    if not raw:
        return None
    host, sep, port = raw.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        from sesfix.text import visible

        raise UsageError(
            f"{SMTP_ENDPOINT}={visible(raw, limit=80)} is not HOST:PORT.",
            hint="for example 127.0.0.1:2587, or unset it to probe SMTP_HOST:SMTP_PORT.",
        )
    return host, int(port)
