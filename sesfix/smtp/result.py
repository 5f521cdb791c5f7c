"""What the live SMTP probe produced: its records and findings (shared by probe and verdict)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from sesfix import findings as F
from sesfix.aws.gateway import CallRecord
from sesfix.smtp.settings import Target

#: Call names of the probe's records (public: they appear in ``check --json``).
CONNECT = "smtp:Connect"
STARTTLS = "smtp:StartTLS"
AUTH = "smtp:Auth"
CALLS = (CONNECT, STARTTLS, AUTH)
#: The live probe belongs to step 3 (live test).
STEP = 3

Reached = Literal["nothing", "connected", "tls", "authenticated"]


@dataclass
class ProbeResult:
    target: Target
    records: list[CallRecord] = field(default_factory=list)
    findings: list[F.Finding] = field(default_factory=list)
    reached: Reached = "nothing"
    #: Other SES ports tried after a blocked one: port -> outcome.
    alternatives: dict[int, str] = field(default_factory=dict)

    @property
    def authenticated(self) -> bool:
        return self.reached == "authenticated"
