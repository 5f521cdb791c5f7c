"""Reading a log line by line in constant memory: plain, JSON, timestamped, coloured."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from sesfix.errors import UsageError
from sesfix.logs.analysis import CodeSighting, Event, LogAnalysis, Sighting
from sesfix.logs.patterns import (
    _ANSI,
    _CAMEL,
    _CLOCK,
    _CODE_IN_BLOCK,
    _CODE_STRUCT,
    _CODE_WORD,
    _ISO_TIME,
    _MARKERS,
    _NO_CREDENTIALS,
    _REGION_IN_MESSAGE,
    _SERVICE_LINE,
    AMBIGUOUS_CODES,
    KNOWN_CODES,
    MAX_BLOCK_LINES,
    MAX_CODES,
    MAX_LINE,
    SAME_FAILURE_WINDOW,
    Marker,
    _interesting,
    finding_id_for,
)
from sesfix.masking import Secret, redact

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
    from sesfix.smtp.logs import decode

    smtp = decode(text)  # an SMTP reply or TLS error: its own code
    if smtp is not None:
        return smtp.code, text
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


_FIELD_WORDS = ("token", "secret", "signature", "password")


def scrub(text: str, *secrets: str | Secret | None) -> str:
    """Redact given secrets, key IDs (AKIA…WXYZ), anything with the shape of a secret
    (secret access keys with or without digits, session tokens, SMTP passwords:
    :func:`sesfix.masking.redact`), and the values of secret-bearing fields and SigV4
    signatures in any spelling a log may hold them (a logged request, a presigned URL)."""
    low = text.lower()
    if any(word in low for word in _FIELD_WORDS):
        from sesfix.debuglog import scrub_fields

        text = scrub_fields(text)
    return redact(text, *secrets)


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
