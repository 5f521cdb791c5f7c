"""The audit log: JSON lines under the XDG state directory, never a secret.

One applied change (an *entry*) is written as several lines sharing its ``entry`` id, so
that an interruption anywhere leaves the log exact:

* ``begin``    who (operator ARN), which fix, where (user, account, region, domain);
* ``intent``   written **before** each AWS call: the call, its arguments, its undo calls;
* ``result``   written after it: ``ok`` / ``failed`` (with the error code), undo calls
               completed from the answer (e.g. a new key's ID, never its secret);
* ``end``      the entry's outcome; ``verified`` once verification finished;
* ``undone``   appended to an entry when an undo entry reversed it.

An ``intent`` without a ``result`` means the process died during the call: AWS may or
may not have applied it, and :func:`read_entries` reports that call as ``unknown``.
Writers take an exclusive ``fcntl.flock`` so two processes never interleave a line, check
that the whole line reached the file, then ``fsync``. ``begin`` and ``intent`` must be
written (:class:`AuditWriteError` otherwise: the call is not sent); a later line that
cannot be written (a full disk) is noted in :attr:`EntryWriter.incomplete` and the change
goes on, so a new key's secret is never lost to the log.

Every ``begin`` records the account the operator acted in and the origin (``real`` or
``practice:<scenario>``: practice runs write to their own log, see
:func:`sesfix.locations.audit_log_path`). Readers check every line's shape: a truncated,
malformed or wrong-typed line is skipped and reported with its line number
(:class:`AuditLog.problems`), never executed and never a traceback.
"""

from __future__ import annotations

import datetime as _dt
import errno
import fcntl
import json
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sesfix.errors import SesfixError
from sesfix.fixes.model import AuditCall, AuditEntry, UndoCall
from sesfix.locations import audit_log_path, origin, practice_run
from sesfix.masking import redact

SCHEMA = 1
_TYPES = ("begin", "intent", "result", "end", "verified", "undone")
_STATUSES = ("ok", "failed", "unknown")

#: The system call that writes a line (a seam for tests of a full disk or a short write).
_raw_write: Callable[[int, bytes], int] = os.write


class AuditWriteError(SesfixError):
    """A line could not be written whole to the audit log."""

    def __init__(self, message: str) -> None:
        super().__init__(message, title="Audit log")


def now_iso() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def parse_time(value: str) -> _dt.datetime | None:
    """An entry's time as an aware datetime; ``None`` if it is not an ISO time."""
    try:
        when = _dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (TypeError, ValueError):
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=_dt.UTC)


def new_entry_id() -> str:
    stamp = _dt.datetime.now(_dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{secrets.token_hex(3)}"


def _write_whole(fd: int, data: bytes, size: int) -> None:
    """Write ``data`` at the end; a short write is undone (truncated back) and raised."""
    written = _raw_write(fd, data)
    if written != len(data):
        try:
            os.ftruncate(fd, size)  # never leave half a line behind
        finally:
            raise OSError(errno.EIO, f"short write ({written} of {len(data)} bytes)")


def append(record: dict[str, Any], path: Path | None = None) -> None:
    """Append one whole line under an exclusive lock, then fsync; repairs a truncated last line.

    :class:`AuditWriteError` when the line could not be written whole (disk full, I/O error).
    """
    p = path or audit_log_path()
    line = json.dumps({"v": SCHEMA, **record}, separators=(",", ":"), default=str)
    try:
        fd = os.open(p, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
    except OSError as exc:
        raise AuditWriteError(f"the audit log {p} cannot be opened: {exc.strerror}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            size = os.fstat(fd).st_size
            prefix = b""
            if size > 0 and os.pread(fd, 1, size - 1) != b"\n":
                prefix = b"\n"  # a writer died mid-line: end that line, keep ours whole
            _write_whole(fd, prefix + line.encode("utf-8") + b"\n", size)
            os.fsync(fd)
        except OSError as exc:
            why = exc.strerror or str(exc)
            raise AuditWriteError(
                f"a line could not be written to the audit log {p}: {why}"
            ) from None
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


# ---- reading: every line checked -----------------------------------------------------------


@dataclass
class AuditLog:
    """The entries of a log (oldest first) and the lines that were skipped, with why."""

    entries: list[AuditEntry] = field(default_factory=list)
    #: ``"line 7: ..."``, one per skipped line or skipped undo call.
    problems: list[str] = field(default_factory=list)


class _Bad(ValueError):
    pass


def _str(rec: dict[str, Any], name: str, *, required: bool = False) -> str:
    value = rec.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise _Bad(f"{name} is {type(value).__name__}, not text")
    return value


def _int(rec: dict[str, Any], name: str) -> int:
    value = rec.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise _Bad(f"{name} is not a positive whole number")
    return value


def _dict(rec: dict[str, Any], name: str) -> dict[str, Any]:
    value = rec.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise _Bad(f"{name} is {type(value).__name__}, not an object")
    return dict(value)


def _undo_calls(rec: dict[str, Any]) -> list[UndoCall]:
    raw = rec.get("undo")
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise _Bad("undo is not a list")
    calls = []
    for item in raw:
        if not isinstance(item, dict):
            raise _Bad("an undo call is not an object")
        fill = _dict(item, "fill")
        tolerate = item.get("tolerate", ["NoSuchEntity"])
        if not all(isinstance(v, str) for v in fill.values()):
            raise _Bad("an undo call's fill is not a map of names")
        if not isinstance(tolerate, list) or not all(isinstance(v, str) for v in tolerate):
            raise _Bad("an undo call's tolerate is not a list of codes")
        calls.append(
            UndoCall(
                service=_str(item, "service", required=True),
                operation=_str(item, "operation", required=True),
                region=_str(item, "region", required=True),
                params=_dict(item, "params"),
                fill=fill,
                tolerate=tuple(tolerate),
            )
        )
    return calls


def _reverses(rec: dict[str, Any]) -> tuple[int, int] | None:
    raw = rec.get("reverses")
    if raw is None:
        return None
    if (
        not isinstance(raw, list)
        or len(raw) != 2
        or not all(isinstance(x, int) and not isinstance(x, bool) for x in raw)
    ):
        raise _Bad("reverses is not a pair of numbers")
    return int(raw[0]), int(raw[1])


def _raw_lines(p: Path) -> list[str]:
    with open(p, encoding="utf-8", errors="replace") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_SH)
        try:
            return fh.readlines()
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


class _Folder:
    """Folds checked lines into entries; a line that does not fit raises :class:`_Bad`."""

    def __init__(self) -> None:
        self.entries: dict[str, AuditEntry] = {}
        self.calls: dict[tuple[str, int], AuditCall] = {}

    def add(self, number: int, rec: dict[str, Any]) -> None:
        eid = _str(rec, "entry", required=True)
        kind = _str(rec, "type", required=True)
        if not eid or kind not in _TYPES:
            raise _Bad(f"unknown record type {kind[:40]!r}")
        if kind == "begin":
            self._begin(number, eid, rec)
            return
        entry = self.entries.get(eid)
        if entry is None:
            raise _Bad(f"{kind} line of an entry with no begin line")
        if kind == "intent":
            seq = _int(rec, "seq")
            if (eid, seq) in self.calls:
                raise _Bad(f"call {seq} of entry {eid[:40]} is recorded twice")
            call = AuditCall(
                seq=seq,
                call=_str(rec, "call", required=True),
                params=_dict(rec, "params"),
                cli=_str(rec, "cli"),
                status="unknown",
                undo=_undo_calls(rec),
                reverses=_reverses(rec),
                covered=rec.get("covered") is True,
                line=number,
                undo_line=number,
            )
            self.calls[(eid, seq)] = call
            entry.calls.append(call)
        elif kind == "result":
            found = self.calls.get((eid, _int(rec, "seq")))
            if found is None:
                raise _Bad("result of a call with no intent line")
            status = _str(rec, "status", required=True)
            if status not in _STATUSES:
                raise _Bad(f"unknown call status {status[:20]!r}")
            undo = _undo_calls(rec) if rec.get("undo") is not None else None
            found.status = status  # type: ignore[assignment]
            found.error_code = _str(rec, "error_code")
            if undo is not None:
                found.undo, found.undo_line = undo, number
        elif kind == "end":
            entry.status = _str(rec, "status", required=True)
        elif kind == "verified":
            v = rec.get("verified")
            entry.verified = v if isinstance(v, bool) else None
            entry.note = _str(rec, "detail") or entry.note
        else:
            entry.undone_by = _str(rec, "by", required=True)

    def _begin(self, number: int, eid: str, rec: dict[str, Any]) -> None:
        if eid in self.entries:
            raise _Bad(f"entry {eid[:40]} begins twice")
        kind = _str(rec, "kind") or "apply"
        if kind not in ("apply", "undo"):
            raise _Bad(f"unknown entry kind {kind[:20]!r}")
        self.entries[eid] = AuditEntry(
            id=eid,
            time=_str(rec, "time"),
            fix_id=_str(rec, "fix_id", required=True),
            operator_arn=_str(rec, "operator_arn"),
            kind="undo" if kind == "undo" else "apply",
            target=_dict(rec, "target"),
            undoes=_str(rec, "undoes"),
            note=_str(rec, "note"),
            account=_str(rec, "account"),
            origin=_str(rec, "origin") or "real",
            practice_run=_str(rec, "practice_run"),
            line=number,
        )


def read_log(path: Path | None = None) -> AuditLog:
    """Fold the log's lines into entries, oldest first; report every line that was skipped."""
    p = path or audit_log_path()
    log = AuditLog()
    if not p.exists():
        return log
    try:
        raw_lines = _raw_lines(p)
    except OSError as exc:
        log.problems.append(f"the audit log {p} cannot be read: {exc.strerror}")
        return log
    folder = _Folder()
    for number, raw in enumerate(raw_lines, 1):
        raw = raw.strip()
        if not raw:
            continue
        try:
            record = json.loads(raw)
        except ValueError:
            log.problems.append(f"line {number}: not a whole JSON line (truncated or edited)")
            continue
        if not isinstance(record, dict):
            log.problems.append(f"line {number}: not a JSON object")
            continue
        try:
            folder.add(number, record)
        except _Bad as exc:
            log.problems.append(f"line {number}: {redact(str(exc))}")
    for entry in folder.entries.values():
        if entry.status == "started":
            entry.status = "interrupted"
    log.entries = list(folder.entries.values())
    return log


def read_entries(path: Path | None = None) -> list[AuditEntry]:
    """The entries of the log, oldest first (skipped lines: see :func:`read_log`)."""
    return read_log(path).entries


class EntryWriter:
    """Writes one entry's lines; every message is redacted before it is written.

    ``begin`` (here) and :meth:`intent` raise :class:`AuditWriteError` when their line cannot
    be written, so no AWS call is ever sent unrecorded. The other lines are written on a
    best-effort basis: a failure is added to :attr:`incomplete` and the change goes on.
    """

    def __init__(
        self,
        fix_id: str,
        operator_arn: str,
        target: dict[str, Any],
        *,
        kind: str = "apply",
        undoes: str = "",
        note: str = "",
        account: str = "",
        path: Path | None = None,
    ) -> None:
        self.id = new_entry_id()
        self.path = path or audit_log_path()
        self._seq = 0
        #: Why lines of this entry are missing from the log; empty when the log is whole.
        self.incomplete: list[str] = []
        append(
            {
                "type": "begin",
                "entry": self.id,
                "time": now_iso(),
                "kind": kind,
                "fix_id": fix_id,
                "operator_arn": operator_arn,
                "account": account,
                "origin": origin(),
                **({"practice_run": practice_run()} if practice_run() else {}),
                "target": target,
                **({"undoes": undoes} if undoes else {}),
                **({"note": note} if note else {}),
            },
            self.path,
        )

    def _soft(self, record: dict[str, Any]) -> None:
        try:
            append(record, self.path)
        except AuditWriteError as exc:
            self.incomplete.append(exc.message)

    def intent(
        self,
        call: str,
        params: dict[str, Any],
        cli: str,
        undo: list[UndoCall],
        reverses: tuple[int, int] | None = None,
        *,
        covered: bool = False,
    ) -> int:
        self._seq += 1
        append(
            {
                "type": "intent",
                "entry": self.id,
                "seq": self._seq,
                "time": now_iso(),
                "call": call,
                "params": params,
                "cli": cli,
                "undo": [u.to_json() for u in undo],
                **({"reverses": list(reverses)} if reverses else {}),
                **({"covered": True} if covered else {}),
            },
            self.path,
        )
        return self._seq

    def result(
        self,
        seq: int,
        status: str,
        *,
        error_code: str = "",
        message: str = "",
        undo: list[UndoCall] | None = None,
    ) -> None:
        self._soft(
            {
                "type": "result",
                "entry": self.id,
                "seq": seq,
                "time": now_iso(),
                "status": status,
                **({"error_code": error_code} if error_code else {}),
                **({"message": redact(message)[:300]} if message else {}),
                **({"undo": [u.to_json() for u in undo]} if undo is not None else {}),
            }
        )

    def end(self, status: str) -> None:
        self._soft({"type": "end", "entry": self.id, "time": now_iso(), "status": status})

    def verified(self, verified: bool | None, detail: str) -> None:
        self._soft(
            {
                "type": "verified",
                "entry": self.id,
                "time": now_iso(),
                "verified": verified,
                "detail": redact(detail)[:500],
            }
        )

    def mark_undone(self, entry_id: str) -> None:
        """Note on ``entry_id`` that this (undo) entry reversed it."""
        self._soft({"type": "undone", "entry": entry_id, "by": self.id, "time": now_iso()})


def mark_undone(entry_id: str, by: str, path: Path | None = None) -> None:
    append({"type": "undone", "entry": entry_id, "by": by, "time": now_iso()}, path)
