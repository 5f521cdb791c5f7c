"""Step 5 of the guide: read the app's logs and say where the send path stops, and why.

The app (the guide's Node mail service) logs four markers along its send path::

    ❌ [Email Service - SES] AWS credentials not configured...   (variables missing)
    🔧 [Email Service - SES] Initializing AWS SES client...        (credentials loaded)
    📤 [Email Service - SES] Sending email via AWS SES...           (API call starts)
    ✅ [Email Service - SES] Email sent successfully                (API call succeeded)

and on failure ``❌ [Email Service - SES] Error: { message: "...", code: "..." }``, often
over several lines. Besides those, any AWS error code the SDKs print (botocore's
``An error occurred (Code) when calling ...``, the JS SDK's ``Code: message``, Java's
``Error Code: Code``, XML ``<Code>``, JSON ``"code": "..."``) counts.

Lines may be plain, JSON (``railway logs --json``, pino, bunyan), timestamped or not,
coloured with ANSI escapes, prefixed with emoji. :func:`analyze` reads them one at a time
and keeps only counters and a bounded sample, so a 100 MB log costs constant memory.

Each error code becomes the finding the live diagnosis would report for it (same ids, see
:data:`CODE_FINDINGS`), with evidence "seen in the logs …". :func:`correlate` links an
analysis to a live :class:`~sesfix.diagnosis.report.Report`. Everything echoed from a log
passes :func:`sesfix.masking.redact` (key IDs masked) and a secret-shaped-token scrub.
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal

from sesfix import findings as F
from sesfix.aws import meanings
from sesfix.errors import UsageError
from sesfix.findings import Finding
from sesfix.masking import Secret, redact

if TYPE_CHECKING:
    from sesfix.diagnosis.report import Report

SCHEMA = "sesfix.logs/1"

#: A line longer than this is cut (and its tail read as the next line): bounded memory.
MAX_LINE = 64 * 1024
#: The multi-line ``Error: { ... }`` object is followed for at most this many lines.
MAX_BLOCK_LINES = 40
#: The same code again within this many lines of its last count, with no new send attempt and
#: at most 2 s later, is the same failure told again (the app's error object, the SDK's stack
#: trace and the HTTP response all name it). Counts approximate the number of failed sends.
SAME_FAILURE_WINDOW = 12
#: How many recent events the analysis keeps for display.
TIMELINE = 30

Marker = Literal["not_configured", "init", "sending", "sent", "error"]
Stage = Literal[
    "no_markers",  # nothing of the mail service in the log
    "credentials_not_loaded",  # 'AWS credentials not configured'
    "client_not_initialised",  # the mail service logged, but never built its SES client
    "no_outcome",  # initialised / sending, then neither success nor error
    "api_failed",  # the SES call failed (with a code, or an error without one)
    "success",  # 'Email sent successfully'
]

STAGE_TEXT: Mapping[str, str] = {
    "no_markers": "the log has none of the mail service's lines",
    "credentials_not_loaded": "the credentials are not loaded (AWS credentials not configured)",
    "client_not_initialised": "the SES client is never initialised",
    "no_outcome": "the send starts but the log shows no result",
    "api_failed": "the SES API call fails",
    "success": "mail is sent",
}

# ---- what counts as what -------------------------------------------------------------------

_MARKERS: tuple[tuple[Marker, re.Pattern[str]], ...] = (
    ("not_configured", re.compile(r"AWS credentials (?:are )?not configured", re.I)),
    ("init", re.compile(r"Initiali[sz]ing (?:the )?AWS SES client", re.I)),
    ("sending", re.compile(r"Sending (?:an )?e-?mail via (?:AWS )?SES", re.I)),
    ("sent", re.compile(r"E-?mail sent successfully", re.I)),
    ("error", re.compile(r"\[Email Service[^\]]*\]\s*Error\b", re.I)),
)

#: Codes named by word anywhere in a line: distinctive enough not to occur in prose.
KNOWN_CODES: frozenset[str] = frozenset(
    {
        *meanings.AUTH_FAILURES,
        *meanings.ACCESS_DENIED,
        "InvalidAccessKeyId",
        "MessageRejected",
        "MailFromDomainNotVerified",
        "MailFromDomainNotVerifiedException",
        "InvalidParameterValue",
        "ThrottlingException",
        "TooManyRequestsException",
        "LimitExceededException",
        "AccountSendingPausedException",
        "SendingPausedException",
        "ConfigurationSetDoesNotExist",
        "OptInRequired",
        "NoCredentialsError",
        "CredentialsProviderError",
        "UnrecognizedClientException",
    }
)
#: Codes that are ordinary words too: counted only in an error's structure.
AMBIGUOUS_CODES: frozenset[str] = frozenset({"Throttling"})

_CODE_WORD = re.compile(r"\b(" + "|".join(sorted(KNOWN_CODES, key=len, reverse=True)) + r")\b")
_AMBIGUOUS = "|".join(sorted(AMBIGUOUS_CODES))
_CODE_STRUCT = re.compile(
    r"(?:\(|<Code>|Error Code:\s*|\bcode\W{0,3}\s*[:=]\s*\W{0,2}|Error:\s*)(" + _AMBIGUOUS + r")\b"
    r"|\b(" + _AMBIGUOUS + r"):\s",
    re.I,
)
_CODE_IN_BLOCK = re.compile(
    r"\b(?:code|Code|name|__type|errorCode|Error\.Code)\W{0,3}\s*[:=]\s*\W{0,2}([A-Z][A-Za-z]+)\b"
)
#: An AWS-style code in the app's error object: CamelCase, two words at least.
_CAMEL = re.compile(r"^[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+$")
_SERVICE_LINE = re.compile(r"\[Email Service\b", re.I)
#: Distinct codes kept; more are counted in ``LogAnalysis.other_codes``.
MAX_CODES = 64
_NO_CREDENTIALS = re.compile(
    r"Unable to locate credentials|Could not load credentials from any providers"
    r"|Missing credentials in config",
    re.I,
)
# One cheap pass decides whether a line is worth the rest of the work: substring tests on
# the lower-cased line (C speed; a case-insensitive regex alternation is ten times slower).
_GENERIC_KEYWORDS = (
    "e-mail",
    "email",
    "credential",
    "error",
    "exception",
    "denied",
    "rejected",
    "ses client",
    "aws ses",
)
_KEYWORDS: tuple[str, ...] = _GENERIC_KEYWORDS + tuple(
    sorted(
        code.lower()
        for code in KNOWN_CODES | AMBIGUOUS_CODES
        if not any(k in code.lower() for k in _GENERIC_KEYWORDS)
    )
)


def _interesting(line: str) -> bool:
    low = line.lower()
    return any(k in low for k in _KEYWORDS)


_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
_ISO_TIME = re.compile(
    r"\b(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?(Z|[+-]\d{2}:?\d{2})?\b"
)
_CLOCK = re.compile(r"^\W{0,3}(?:[A-Z][a-z]{2} +\d{1,2} +)?(\d{2}):(\d{2}):(\d{2})\b")
_SECRET_SHAPED = re.compile(r"(?<![A-Za-z0-9/+])(?=[A-Za-z0-9/+=]*\d)[A-Za-z0-9/+]{39}[A-Za-z0-9/+=]"
                            r"(?![A-Za-z0-9/+=])")  # fmt: skip
_SIGNATURE_EXPIRED = re.compile(r"Signature expired|request has expired", re.I)
_REGION_IN_MESSAGE = re.compile(r"in region ([A-Za-z]{2}-[A-Za-z]+-\d)", re.I)

# ---- code -> finding (the live diagnosis's ids) ---------------------------------------------

#: The finding the live diagnosis reports for each code (refined by the message, see below).
CODE_FINDINGS: Mapping[str, str] = {
    "InvalidClientTokenId": "credentials.key_not_found",
    "UnrecognizedClientException": "credentials.key_not_found",
    "InvalidAccessKeyId": "credentials.key_not_found",
    "SignatureDoesNotMatch": "credentials.secret_mismatch",
    "InvalidSignatureException": "credentials.secret_mismatch",
    "IncompleteSignature": "credentials.key_id_malformed",
    "Unsignable": "credentials.key_id_malformed",
    "ExpiredToken": "credentials.token_expired",
    "RequestExpired": "credentials.clock_skew",
    "AccessDenied": "iam.ses_permission_missing",
    "AccessDeniedException": "iam.ses_permission_missing",
    "MessageRejected": "identity.not_verified",
    "MailFromDomainNotVerified": "identity.not_verified",
    "MailFromDomainNotVerifiedException": "identity.not_verified",
    "InvalidParameterValue": "config.email_from_invalid",
    "AccountSendingPausedException": "account.sending_disabled",
    "SendingPausedException": "account.sending_disabled",
    "OptInRequired": "region.opt_in_disabled",
    "NoCredentials": "config.missing_variable",
    "NoCredentialsError": "config.missing_variable",
    "CredentialsProviderError": "config.missing_variable",
}

#: Live findings that explain each log finding (for :func:`correlate`).
RELATED: Mapping[str, tuple[str, ...]] = {
    "credentials.key_not_found": (
        "credentials.key_not_found",
        "credentials.key_inactive",
        "credentials.whitespace",
        "credentials.quoted_value",
        "credentials.temporary_key_without_token",
        "credentials.stale_session_token",
        "credentials.key_id_malformed",
        "region.opt_in_disabled",
    ),
    "credentials.secret_mismatch": (
        "credentials.secret_mismatch",
        "credentials.whitespace",
        "credentials.quoted_value",
        "credentials.smtp_password_as_secret",
        "credentials.secret_malformed",
        "credentials.clock_skew",
    ),
    "credentials.key_id_malformed": ("credentials.key_id_malformed", "credentials.whitespace"),
    "credentials.token_expired": ("credentials.token_expired",),
    "credentials.clock_skew": ("credentials.clock_skew",),
    "iam.ses_permission_missing": (
        "iam.ses_permission_missing",
        "iam.ses_explicit_deny",
        "iam.permissions_boundary_blocks",
    ),
    "iam.ses_explicit_deny": ("iam.ses_explicit_deny", "iam.ses_permission_missing"),
    "iam.permissions_boundary_blocks": (
        "iam.permissions_boundary_blocks",
        "iam.ses_permission_missing",
    ),
    "identity.not_verified": (
        "identity.not_verified",
        "region.identity_not_in_region",
        "account.sandbox",
    ),
    "config.email_from_invalid": ("config.email_from_invalid",),
    "account.sending_disabled": ("account.sending_disabled",),
    "region.opt_in_disabled": ("region.opt_in_disabled",),
    "config.missing_variable": ("config.missing_variable",),
}


def finding_id_for(code: str, message: str = "") -> str | None:
    """The finding id the live diagnosis reports for ``code`` (None if it names none)."""
    if code in meanings.AUTH_BAD_SIGNATURE and _SIGNATURE_EXPIRED.search(message):
        return "credentials.clock_skew"
    if code in meanings.ACCESS_DENIED:
        kind = meanings.denial_kind(message)
        return {
            "explicit": "iam.ses_explicit_deny",
            "boundary": "iam.permissions_boundary_blocks",
        }.get(kind, "iam.ses_permission_missing")
    return CODE_FINDINGS.get(code)


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


# ---- reading ------------------------------------------------------------------------------


class Analyzer:
    """Feed lines one at a time; :meth:`result` at any point. Bounded memory."""

    def __init__(self, secrets: Iterable[str | Secret | None] = (), source: str = "") -> None:
        self._secrets = tuple(s for s in secrets if s)
        self.analysis = LogAnalysis(source=source)
        self._block: _Block | None = None
        # code -> (line it was last counted on, attempt number then, its second of the day);
        # only codes kept in ``analysis.codes``, so bounded by MAX_CODES.
        self._recent: dict[str, tuple[int, int, int | None]] = {}
        self._attempt = 0
        # The last time stamp seen on a relevant line: (line, stamp).
        self._stamp: tuple[int, str | None] = (-(10**9), None)

    def feed(self, raw: str) -> None:
        a = self.analysis
        a.lines += 1
        n = a.lines
        if raw.startswith("{"):
            a.json_lines += 1  # JSON-shaped (railway logs --json, pino); parsed only if relevant
        if self._block is None and not _interesting(raw):
            return
        text, at, _is_json = _normalise(raw)
        if at is not None:
            self._stamp = (n, at)
        elif n - self._stamp[0] <= SAME_FAILURE_WINDOW:
            # A traceback or an object's lines carry the time of the record they belong to.
            at = self._stamp[1]
        if self._block is not None:
            if self._block.take(text, n):
                return
            self._close_block()
        marker = _marker(text)
        if marker == "error":
            code, message = _find_code(text)
            if code is None and not _NO_CREDENTIALS.search(text):
                # The JS object form: 'Error: {' then the fields on the next lines.
                block = self._block = _Block(line=n, at=at, text=text, depth=0)
                block.take(text, n, header=True)
                if block.depth <= 0:
                    self._close_block()
                return
            self._error(n, at, code or "NoCredentials", message or text, marker=True)
            return
        if marker is not None:
            self._marker(marker, n, at, text)
            return
        if _SERVICE_LINE.search(text):
            self._sighting("service").see(n, at)
        if _NO_CREDENTIALS.search(text):
            self._error(n, at, "NoCredentials", text, marker=False)
            return
        code, message = _find_code(text)
        if code is not None:
            self._error(n, at, code, message or text, marker=False)

    def result(self) -> LogAnalysis:
        if self._block is not None:
            self._close_block()
        return self.analysis

    # -- internals ---------------------------------------------------------------------------

    def _sighting(self, kind: str) -> Sighting:
        return self.analysis.markers.setdefault(kind, Sighting())

    def _event(self, event: Event) -> None:
        self.analysis.timeline.append(event)
        self.analysis.last = event

    def _marker(self, kind: Marker, n: int, at: str | None, text: str) -> None:
        self._sighting(kind).see(n, at)
        if kind in ("init", "sending", "not_configured"):
            self._attempt += 1
        self._event(Event(n, at, kind, None, self._clean(text)))

    def _error(self, n: int, at: str | None, code: str, message: str, *, marker: bool) -> None:
        if marker:
            self._sighting("error").see(n, at)
        code = _canonical_code(code)
        second = _second_of_day(at)
        recent = self._recent.get(code)
        if (
            recent is not None
            and n - recent[0] <= SAME_FAILURE_WINDOW
            and recent[1] == self._attempt
            and (second is None or recent[2] is None or abs(second - recent[2]) <= 2)
        ):
            return  # the same failure told again (stack trace, HTTP response)
        c = self.analysis.codes.get(code)
        if c is None:
            if len(self.analysis.codes) >= MAX_CODES:
                self.analysis.other_codes += 1
                return
            c = self.analysis.codes[code] = CodeSighting(code=code, sample=self._clean(message))
        self._recent[code] = (n, self._attempt, second)
        c.see(n, at)
        fid = finding_id_for(code, message)
        if fid is not None:
            c.finding_ids[fid] = c.finding_ids.get(fid, 0) + 1
        if len(c.regions) < 5:
            for r in _REGION_IN_MESSAGE.findall(message):
                c.regions.add(r.lower())
        self._event(Event(n, at, "error", code, self._clean(message)))

    def _close_block(self) -> None:
        block = self._block
        self._block = None
        if block is None:
            return
        if block.code:
            message = f"{block.text} {block.message}".strip()
            self._error(block.line, block.at, block.code, message, marker=True)
            return
        self._sighting("error").see(block.line, block.at)
        self._event(Event(block.line, block.at, "error", None, self._clean(block.text)))

    def _clean(self, text: str) -> str:
        return scrub(text, *self._secrets)[:300]


_HMS = re.compile(r"(\d{2}):(\d{2}):(\d{2})")


def _second_of_day(at: str | None) -> int | None:
    m = _HMS.search(at) if at else None
    return int(m.group(1)) * 3600 + int(m.group(2)) * 60 + int(m.group(3)) if m else None


def _canonical_code(code: str) -> str:
    return {"NoCredentialsError": "NoCredentials", "CredentialsProviderError": "NoCredentials"}.get(
        code, code
    )


@dataclass
class _Block:
    """The lines of a multi-line ``Error: { ... }`` object, until its closing brace."""

    line: int
    at: str | None
    text: str
    lines: int = 0
    depth: int = 1
    code: str | None = None
    message: str = ""

    def take(self, text: str, n: int, *, header: bool = False) -> bool:
        """Absorb one line; False when the line is not part of the object (block ended)."""
        if not header and (self.lines >= MAX_BLOCK_LINES or _marker(text) is not None):
            return False
        self.lines += 1
        if self.code is None:
            m = _CODE_IN_BLOCK.search(text)
            candidate = m.group(1) if m else None
            if candidate and (
                candidate in KNOWN_CODES or candidate in AMBIGUOUS_CODES or _CAMEL.match(candidate)
            ):
                self.code = candidate
            else:
                code, _ = _find_code(text)
                self.code = code
        if not self.message and re.search(r"\bmessage\b", text, re.I):
            self.message = text.strip()
        self.depth += text.count("{") - text.count("}")
        if self.depth <= 0:
            self.lines = MAX_BLOCK_LINES  # closed: the next line is not ours
        return True


def _marker(text: str) -> Marker | None:
    for kind, pattern in _MARKERS:
        if pattern.search(text):
            return kind
    return None


def _find_code(text: str) -> tuple[str | None, str]:
    m = _CODE_WORD.search(text)
    if m:
        return m.group(1), text
    m2 = _CODE_STRUCT.search(text)
    if m2:
        word = m2.group(1) or m2.group(2)
        canonical = next((c for c in AMBIGUOUS_CODES if c.lower() == word.lower()), word)
        if word[0].isupper():
            return canonical, text
    return None, ""


_MESSAGE_KEYS = ("message", "msg", "log", "text", "@message")
_TIME_KEYS = ("timestamp", "time", "ts", "@timestamp", "date")


def _normalise(raw: str) -> tuple[str, str | None, bool]:
    """(text without ANSI, timestamp or None, was JSON) for one log line."""
    line = _ANSI.sub("", raw).strip()
    if line.startswith("{") and line.endswith("}"):
        try:
            obj = json.loads(line)
        except ValueError:
            obj = None
        if isinstance(obj, dict):
            return _from_json(obj)
    at = None
    m = _ISO_TIME.search(line[:80])
    if m:
        at = m.group(0)
    else:
        c = _CLOCK.match(line)
        if c:
            at = f"{c.group(1)}:{c.group(2)}:{c.group(3)}"
    return line, at, False


def _from_json(obj: dict[str, Any]) -> tuple[str, str | None, bool]:
    message = ""
    for key in _MESSAGE_KEYS:
        value = obj.get(key)
        if isinstance(value, str):
            message = value
            break
    at: str | None = None
    for key in _TIME_KEYS:
        value = obj.get(key)
        if isinstance(value, str) and value:
            at = value[:40]
            break
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
            seconds = value / 1000 if value > 1e11 else value
            try:
                at = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            except (OverflowError, OSError, ValueError):
                at = None
            break
    rest = {k: v for k, v in obj.items() if k not in _MESSAGE_KEYS and k not in _TIME_KEYS}
    text = _ANSI.sub("", message)
    if rest:
        # Error fields (pino's err, Railway's attributes) carry the code outside the message.
        extra = json.dumps(rest, default=str, ensure_ascii=False)
        if _interesting(extra):
            text = f"{text} {extra[:4000]}"
    return text, at, True


def scrub(text: str, *secrets: str | Secret | None) -> str:
    """Redact given secrets, key IDs (AKIA…WXYZ) and any secret-shaped 40-character token."""
    return _SECRET_SHAPED.sub("********", redact(text, *secrets))


def iter_lines(stream: IO[bytes] | IO[str], max_line: int = MAX_LINE) -> Iterator[str]:
    """Lines of a binary or text stream, each at most ``max_line`` characters; undecodable
    bytes replaced. Never holds more than one line."""
    while True:
        chunk = stream.readline(max_line)
        if not chunk:
            return
        if isinstance(chunk, bytes):
            yield chunk.decode("utf-8", errors="replace")
        else:
            yield chunk


def analyze(
    lines: Iterable[str], *, secrets: Iterable[str | Secret | None] = (), source: str = ""
) -> LogAnalysis:
    """Read a log line by line (constant memory) and say where the send path stops."""
    analyzer = Analyzer(secrets, source)
    for line in lines:
        analyzer.feed(line)
    return analyzer.result()


def analyze_text(text: str, **kw: Any) -> LogAnalysis:
    """Pasted text."""
    kw.setdefault("source", "pasted text")
    return analyze(iter(text.splitlines()), **kw)


def analyze_file(path: str | Path, **kw: Any) -> LogAnalysis:
    p = Path(path)
    kw.setdefault("source", str(p))
    try:
        with p.open("rb") as fh:
            return analyze(iter_lines(fh), **kw)
    except IsADirectoryError:
        raise UsageError(f"{p} is a directory, not a log file") from None
    except OSError as exc:
        raise UsageError(f"cannot read log file {p}: {exc.strerror or exc}") from None


# ---- logs and the live check ----------------------------------------------------------------


def correlate(analysis: LogAnalysis, report: Report) -> list[str]:
    """Sentences that join what the logs show to what the live check found."""
    out: list[str] = []
    live = {f.id: f for f in report.findings}
    for c in sorted(analysis.codes.values(), key=lambda c: c.last_line):
        fid = c.finding_id
        at = f"at {short_time(c.last_at)}" if c.last_at else f"on line {c.last_line}"
        times = "" if c.count == 1 else f" ({c.count} times)"
        head = f"the logs show {c.code} {at}{times}"
        if fid is None:
            if c.meaning:
                out.append(f"{head}: {c.meaning}")
            continue
        related = [live[i] for i in RELATED.get(fid, (fid,)) if i in live]
        if related:
            first = related[0]
            detail = f" ({first.evidence[0]})" if first.evidence else ""
            out.append(f"{head}; the live probe shows: {_lower_first(first.title)}{detail}")
        elif report.healthy:
            out.append(
                f"{head}, but the live check passes now: the cause is fixed in the variables "
                "checked; if the service still fails, redeploy it (a restart does not pick up "
                "new variables) or check that the logs and the variables are the same "
                "service and environment"
            )
        else:
            errors = ", ".join(dict.fromkeys(f.id for f in report.errors))
            out.append(
                f"{head}; the live check does not reproduce it and finds {errors} instead: "
                "the logs may predate a change, or the deployed variables differ from the "
                "ones checked"
            )
    nc = analysis.markers.get("not_configured")
    if nc and analysis.stage == "credentials_not_loaded":
        missing = live.get("config.missing_variable")
        at = f"at {short_time(nc.last_at)}" if nc.last_at else f"on line {nc.last_line}"
        if missing:
            out.append(
                f"the logs show 'AWS credentials not configured' {at}; the live check agrees: "
                f"{missing.evidence[0] if missing.evidence else missing.title}"
            )
        else:
            out.append(
                f"the logs show 'AWS credentials not configured' {at}, but the variables checked "
                "have both keys: the service was not redeployed after they were set, or they "
                "are set on another service or environment"
            )
    if analysis.stage == "success" and not report.healthy:
        errors = ", ".join(dict.fromkeys(f.id for f in report.errors))
        out.append(
            "the logs show mail sent successfully, but the live check finds "
            f"{errors}: the variables checked are not the ones the running service uses"
        )
    return out


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


__all__ = [
    "CODE_FINDINGS",
    "SCHEMA",
    "Analyzer",
    "CodeSighting",
    "Event",
    "LogAnalysis",
    "Sighting",
    "analyze",
    "analyze_file",
    "analyze_text",
    "correlate",
    "finding_id_for",
    "iter_lines",
    "scrub",
    "short_time",
]
