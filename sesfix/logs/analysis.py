"""The result of reading a log: sightings of markers and codes, the timeline, where the
send path stops, and the findings the live diagnosis would report.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from sesfix import findings as F
from sesfix.aws import meanings
from sesfix.findings import Finding
from sesfix.logs.patterns import (
    SCHEMA,
    TIMELINE,
    Marker,
    Stage,
)

# ---- the result ---------------------------------------------------------------------------


@dataclass
class Sighting:
    """Where and when something was seen: count, first and last line and time."""

    count: int = 0
    first_line: int = 0
    last_line: int = 0
    first_at: str | None = None
    last_at: str | None = None

    def see(self, line: int, at: str | None) -> None:
        if self.count == 0:
            self.first_line, self.first_at = line, at
        self.count += 1
        self.last_line, self.last_at = line, at

    def when(self) -> str:
        """'at 10:42, 3 times' / '3 times, first at 10:40, last at 10:42' / 'at line 12'."""

        def where(at: str | None, line: int) -> str:
            return f"at {short_time(at)}" if at else f"at line {line}"

        times = "once" if self.count == 1 else f"{self.count} times"
        first = where(self.first_at, self.first_line)
        last = where(self.last_at, self.last_line)
        if self.count == 1 or first == last:
            return f"{first}, {times}"
        return f"{times}, first {first}, last {last}"

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class CodeSighting(Sighting):
    code: str = ""
    #: The first message that came with the code, redacted and cut to 300 characters.
    sample: str = ""
    #: Refinements read from messages: the finding id each message pointed at, by count.
    finding_ids: dict[str, int] = field(default_factory=dict)
    regions: set[str] = field(default_factory=set)

    @property
    def meaning(self) -> str:
        return meanings.meaning(self.code) or meanings.meaning(_CANONICAL.get(self.code, ""))

    @property
    def finding_id(self) -> str | None:
        if not self.finding_ids:
            return None
        return max(self.finding_ids.items(), key=lambda kv: kv[1])[0]

    def to_json(self) -> dict[str, Any]:
        out = super().to_json()
        out["regions"] = sorted(self.regions)
        out["meaning"] = self.meaning
        out["finding"] = self.finding_id
        return out


_CANONICAL = {
    "InvalidAccessKeyId": "InvalidClientTokenId",
    "NoCredentialsError": "NoCredentials",
    "CredentialsProviderError": "NoCredentials",
}


@dataclass(frozen=True)
class Event:
    """One thing on the send path, for the timeline."""

    line: int
    at: str | None
    kind: Marker
    code: str | None = None
    text: str = ""  # redacted, short

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class LogAnalysis:
    lines: int = 0
    json_lines: int = 0
    markers: dict[str, Sighting] = field(default_factory=dict)
    codes: dict[str, CodeSighting] = field(default_factory=dict)
    timeline: deque[Event] = field(default_factory=lambda: deque(maxlen=TIMELINE))
    #: The last send-path event: what the most recent attempt ended with.
    last: Event | None = None
    source: str = ""
    #: Sightings of codes beyond the first MAX_CODES distinct ones.
    other_codes: int = 0

    # -- where does it stop ------------------------------------------------------------------

    @property
    def stage(self) -> Stage:
        last = self.last
        if last is None:
            return "client_not_initialised" if "service" in self.markers else "no_markers"
        if last.kind == "not_configured":
            return "credentials_not_loaded"
        if last.kind == "sent":
            return "success"
        if last.kind == "error":
            if last.code in _CREDENTIALS_CODES:
                return "credentials_not_loaded"
            return "api_failed"
        if last.kind in ("init", "sending"):
            return "no_outcome"
        return "client_not_initialised"

    @property
    def failing_code(self) -> str | None:
        last = self.last
        return last.code if last is not None and last.kind == "error" else None

    @property
    def ok(self) -> bool:
        return self.stage in ("success", "no_markers")

    def summary(self) -> str:
        """One sentence: where the send path stops and why."""
        stage = self.stage
        last = self.last
        when = f" (last at {short_time(last.at)})" if last and last.at else ""
        if stage == "no_markers":
            return (
                "The log has none of the mail service's lines and no AWS error: check that it "
                "is the right service's log and that EMAIL_PROVIDER is 'ses'."
            )
        if stage == "success":
            before = [c.code for c in self.codes.values()]
            extra = f"; earlier failures: {', '.join(before)}" if before else ""
            return f"The send path completes: mail is sent{when}{extra}."
        if stage == "client_not_initialised":
            svc = self.markers["service"]
            return (
                f"The mail service logs ({svc.when()}) but never initialises its SES client: "
                "its credentials check failed, or EMAIL_PROVIDER is not 'ses'."
            )
        if stage == "credentials_not_loaded":
            return (
                "The send path stops before AWS: the app has no credentials "
                f"(AWS_ACCESS_KEY_ID or AWS_SECRET_ACCESS_KEY not set){when}."
            )
        if stage == "no_outcome":
            step = "sending" if last and last.kind == "sending" else "initialising the SES client"
            return (
                f"The send path stops after {step}{when}: the log shows neither success nor an "
                "error (cut off, or the call hangs)."
            )
        code = self.failing_code
        if code:
            c = self.codes.get(code)
            seen = f" ({c.when()})" if c else ""
            fid = c.finding_id if c else None
            names = f", which sesfix check calls {fid}" if fid else ""
            return f"The send path stops at the SES API call: AWS answers {code}{seen}{names}."
        return (
            f"The send path stops at the SES API call: the app logs an error without a code{when}."
        )

    def steps(self) -> list[tuple[str, str, str]]:
        """The guide's step-5 checks in order: (name, status ✓/✗/?/·, detail)."""
        m = self.markers
        out: list[tuple[str, str, str]] = []
        nc = m.get("not_configured")
        init = m.get("init")
        send = m.get("sending")
        sent = m.get("sent")
        err = m.get("error")
        stage = self.stage
        if stage == "credentials_not_loaded":
            detail = f"'AWS credentials not configured' {nc.when()}" if nc else "no credentials"
            out.append(("credentials loaded", "✗", detail))
        elif init or send or sent:
            out.append(("credentials loaded", "✓", "no 'credentials not configured' after them"))
        else:
            out.append(("credentials loaded", "?", "no marker"))
        if init:
            out.append(
                ("SES client initialised", "✓", f"'Initializing AWS SES client' {init.when()}")
            )
        elif stage == "credentials_not_loaded":
            out.append(("SES client initialised", "✗", "never (credentials check failed)"))
        else:
            out.append(("SES client initialised", "?", "not in this log (maybe earlier)"))
        if send:
            out.append(("send attempted", "✓", f"'Sending email via AWS SES' {send.when()}"))
        else:
            out.append(("send attempted", "·", "not in this log"))
        if stage == "success" and sent:
            out.append(("result", "✓", f"'Email sent successfully' {sent.when()}"))
        elif stage == "api_failed":
            code = self.failing_code
            c = self.codes.get(code or "")
            detail = f"{code} {c.when()}" if code and c else (
                f"error without a code {err.when()}" if err else "error"
            )  # fmt: skip
            out.append(("result", "✗", detail))
        elif stage == "no_outcome":
            out.append(("result", "?", "neither success nor error"))
        else:
            out.append(("result", "·", "none"))
        return out

    # -- findings ---------------------------------------------------------------------------

    def findings(self) -> list[Finding]:
        """The live diagnosis's findings for what the logs show, evidence 'seen in the logs'."""
        out: list[Finding] = []
        by_id: dict[str, list[str]] = {}
        data: dict[str, dict[str, Any]] = {}
        nc = self.markers.get("not_configured")
        if nc:
            by_id.setdefault("config.missing_variable", []).append(
                f"the app logged 'AWS credentials not configured' {nc.when()} "
                "(seen in the logs): AWS_ACCESS_KEY_ID or AWS_SECRET_ACCESS_KEY is not set "
                "where the app runs"
            )
            data.setdefault("config.missing_variable", {"codes": []})
        for c in sorted(self.codes.values(), key=lambda c: c.first_line):
            fid = c.finding_id
            if fid is None:
                continue
            ev = f"seen in the logs: {c.code} {c.when()}"
            if c.meaning:
                ev += f" — {c.meaning}"
            lines = by_id.setdefault(fid, [])
            lines.append(ev)
            if c.sample:
                lines.append(f"log line {c.first_line}: {c.sample}")
            if c.regions:
                lines.append(f"AWS named region {', '.join(sorted(c.regions))}")
            if fid == "identity.not_verified":
                lines.append(
                    "if the domain is verified in another region this is "
                    "region.identity_not_in_region; in the sandbox an unverified recipient "
                    "gives the same code (sesfix check tells which)"
                )
            data.setdefault(fid, {"codes": []})["codes"].append(c.code)
        for fid, evidence in by_id.items():
            out.append(F.make(fid, *evidence, source="logs", **data.get(fid, {})))
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "source": self.source,
            "lines": self.lines,
            "json_lines": self.json_lines,
            "other_codes": self.other_codes,
            "stage": self.stage,
            "ok": self.ok,
            "summary": self.summary(),
            "failing_code": self.failing_code,
            "steps": [{"check": n, "status": s, "detail": d} for n, s, d in self.steps()],
            "markers": {k: v.to_json() for k, v in self.markers.items()},
            "codes": {k: v.to_json() for k, v in self.codes.items()},
            "timeline": [e.to_json() for e in self.timeline],
            "findings": [f.to_json() for f in self.findings()],
        }


_CREDENTIALS_CODES = frozenset({"NoCredentials", "NoCredentialsError", "CredentialsProviderError"})


def short_time(at: str | None) -> str:
    """'2026-11-29T10:42:07.123Z' -> '10:42'; a bare clock stays as HH:MM."""
    if not at:
        return "?"
    m = re.search(r"(\d{2}):(\d{2})", at)
    return f"{m.group(1)}:{m.group(2)}" if m else at[:16]
