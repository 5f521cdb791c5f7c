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
from sesfix.locale import has, t
from sesfix.logs import causes
from sesfix.logs.causes import is_ambiguous
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
            if at:
                return t("logread.when.at_time", time=short_time(at))
            return t("logread.when.at_line", line=line)

        times = (
            t("logread.when.once") if self.count == 1 else t("logread.when.times", count=self.count)
        )
        first = where(self.first_at, self.first_line)
        last = where(self.last_at, self.last_line)
        if self.count == 1 or first == last:
            return t("logread.when.one", first=first, times=times)
        return t("logread.when.span", times=times, first=first, last=last)

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
        """What the code means, in the current language (empty when sesfix does not know)."""
        for code in (self.code, _CANONICAL.get(self.code, "")):
            if code and has(f"logread.meaning.{code}"):
                return t(f"logread.meaning.{code}")
        return meanings.meaning(self.code) or meanings.meaning(_CANONICAL.get(self.code, ""))

    @property
    def ambiguous(self) -> bool:
        """The code has several causes with different fixes: the log alone names none."""
        return is_ambiguous(self.code, self.finding_id)

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
        out["ambiguous"] = self.ambiguous
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
        when = t("logread.last_at", time=short_time(last.at)) if last and last.at else ""
        if stage == "no_markers":
            return t("logread.summary.no_markers")
        if stage == "success":
            before = [c.code for c in self.codes.values()]
            extra = t("logread.summary.earlier_failures", codes=", ".join(before)) if before else ""
            return t("logread.summary.success", when=when, extra=extra)
        if stage == "client_not_initialised":
            return t("logread.summary.client_not_initialised", when=self.markers["service"].when())
        if stage == "credentials_not_loaded":
            return t("logread.summary.credentials_not_loaded", when=when)
        if stage == "no_outcome":
            step = "sending" if last and last.kind == "sending" else "initialising"
            return t("logread.summary.no_outcome", step=t(f"logread.step.{step}"), when=when)
        code = self.failing_code
        if code:
            c = self.codes.get(code)
            seen = f" ({c.when()})" if c else ""
            if c is not None and c.ambiguous:
                return t("logread.summary.ambiguous", code=code, seen=seen)
            fid = c.finding_id if c else None
            names = t("logread.summary.calls_it", finding=fid) if fid else ""
            return t("logread.summary.api_failed", code=code, seen=seen, names=names)
        return t("logread.summary.no_code", when=when)

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
        name = {k: t(f"logread.check.{k}") for k in ("credentials", "client", "send", "result")}
        if stage == "credentials_not_loaded":
            detail = (
                t("logread.detail.not_configured", when=nc.when())
                if nc
                else t("logread.detail.no_credentials")
            )
            out.append((name["credentials"], "✗", detail))
        elif init or send or sent:
            out.append((name["credentials"], "✓", t("logread.detail.credentials_ok")))
        else:
            out.append((name["credentials"], "?", t("logread.detail.no_marker")))
        if init:
            out.append((name["client"], "✓", t("logread.detail.init", when=init.when())))
        elif stage == "credentials_not_loaded":
            out.append((name["client"], "✗", t("logread.detail.init_never")))
        else:
            out.append((name["client"], "?", t("logread.detail.init_maybe_earlier")))
        if send:
            out.append((name["send"], "✓", t("logread.detail.sending", when=send.when())))
        else:
            out.append((name["send"], "·", t("logread.detail.not_in_log")))
        if stage == "success" and sent:
            out.append((name["result"], "✓", t("logread.detail.sent", when=sent.when())))
        elif stage == "api_failed":
            code = self.failing_code
            c = self.codes.get(code or "")
            if code and c:
                detail = t("logread.detail.code", code=code, when=c.when())
            elif err:
                detail = t("logread.detail.error_without_code", when=err.when())
            else:
                detail = t("logread.detail.error")
            out.append((name["result"], "✗", detail))
        elif stage == "no_outcome":
            out.append((name["result"], "?", t("logread.detail.no_outcome")))
        else:
            out.append((name["result"], "·", t("logread.detail.none")))
        return out

    # -- findings ---------------------------------------------------------------------------

    def findings(self) -> list[Finding]:
        """The live diagnosis's findings for what the logs show, evidence 'seen in the logs'.

        A code with several causes (InvalidClientTokenId, SignatureDoesNotMatch) keeps its
        finding id but names no fix: its evidence lists the causes from the most likely,
        with what tells them apart, and points to the live check."""
        out: list[Finding] = []
        by_id: dict[str, list[str]] = {}
        data: dict[str, dict[str, Any]] = {}
        ambiguous: dict[str, str] = {}
        nc = self.markers.get("not_configured")
        if nc:
            by_id.setdefault("config.missing_variable", []).append(
                t("logread.evidence.not_configured", when=nc.when())
            )
            data.setdefault("config.missing_variable", {"codes": []})
        for c in sorted(self.codes.values(), key=lambda c: c.first_line):
            fid = c.finding_id
            if fid is None:
                continue
            ev = t("logread.evidence.seen", code=c.code, when=c.when())
            if c.meaning:
                ev += f" — {c.meaning}"
            lines = by_id.setdefault(fid, [])
            lines.append(ev)
            if c.sample:
                lines.append(t("logread.evidence.line", line=c.first_line, sample=c.sample))
            if c.regions:
                lines.append(t("logread.evidence.region", regions=", ".join(sorted(c.regions))))
            if fid == "identity.not_verified":
                lines.append(t("logread.evidence.not_verified_note"))
            if c.ambiguous and fid not in ambiguous:
                ambiguous[fid] = c.code
            data.setdefault(fid, {"codes": []})["codes"].append(c.code)
        for fid, evidence in by_id.items():
            code = ambiguous.get(fid)
            if code is None:
                out.append(F.make(fid, *evidence, source="logs", **data.get(fid, {})))
                continue
            out.append(
                F.make(
                    fid,
                    *evidence,
                    *causes.evidence(code),
                    fixes=(),
                    title=t("logread.ambiguous.title", code=code),
                    source="logs",
                    ambiguous=True,
                    causes=[cause.finding_id for cause in causes.AMBIGUOUS[code]],
                    **data.get(fid, {}),
                )
            )
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
