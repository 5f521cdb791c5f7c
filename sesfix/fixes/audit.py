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
Writers take an exclusive ``fcntl.flock`` so two processes never interleave a line;
readers skip a truncated or corrupt line instead of failing.
"""

from __future__ import annotations

import datetime as _dt
import fcntl
import json
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sesfix.fixes.model import AuditCall, AuditEntry, UndoCall
from sesfix.locations import audit_log_path
from sesfix.masking import redact

SCHEMA = 1


def now_iso() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def new_entry_id() -> str:
    stamp = _dt.datetime.now(_dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{secrets.token_hex(3)}"


def append(record: dict[str, Any], path: Path | None = None) -> None:
    """Append one line under an exclusive lock, fsync'd; repairs a truncated last line."""
    p = path or audit_log_path()
    line = json.dumps({"v": SCHEMA, **record}, separators=(",", ":"), default=str)
    fd = os.open(p, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            size = os.fstat(fd).st_size
            prefix = b""
            if size > 0 and os.pread(fd, 1, size - 1) != b"\n":
                prefix = b"\n"  # a writer died mid-line: end that line, keep ours whole
            os.write(fd, prefix + line.encode("utf-8") + b"\n")
            os.fsync(fd)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def read_lines(path: Path | None = None) -> Iterator[dict[str, Any]]:
    """Every well-formed line; a truncated or corrupt line is skipped."""
    p = path or audit_log_path()
    if not p.exists():
        return
    with open(p, encoding="utf-8", errors="replace") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_SH)
        try:
            raw_lines = fh.readlines()
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
    for raw in raw_lines:
        raw = raw.strip()
        if not raw:
            continue
        try:
            record = json.loads(raw)
        except ValueError:
            continue
        if isinstance(record, dict) and "entry" in record and "type" in record:
            yield record


def read_entries(path: Path | None = None) -> list[AuditEntry]:
    """Fold the lines into entries, oldest first."""
    entries: dict[str, AuditEntry] = {}
    calls: dict[tuple[str, int], AuditCall] = {}
    for rec in read_lines(path):
        eid = str(rec["entry"])
        kind = rec["type"]
        if kind == "begin":
            entries[eid] = AuditEntry(
                id=eid,
                time=str(rec.get("time", "")),
                fix_id=str(rec.get("fix_id", "")),
                operator_arn=str(rec.get("operator_arn", "")),
                kind="undo" if rec.get("kind") == "undo" else "apply",
                target=dict(rec.get("target") or {}),
                undoes=str(rec.get("undoes") or ""),
                note=str(rec.get("note") or ""),
            )
            continue
        entry = entries.get(eid)
        if entry is None:
            continue
        if kind == "intent":
            seq = int(rec.get("seq", 0))
            call = AuditCall(
                seq=seq,
                call=str(rec.get("call", "")),
                params=dict(rec.get("params") or {}),
                cli=str(rec.get("cli", "")),
                status="unknown",
                undo=[UndoCall.from_json(u) for u in rec.get("undo") or []],
                reverses=tuple(rec["reverses"]) if rec.get("reverses") else None,
                covered=bool(rec.get("covered")),
            )
            calls[(eid, seq)] = call
            entry.calls.append(call)
        elif kind == "result":
            found = calls.get((eid, int(rec.get("seq", 0))))
            if found is None:
                continue
            status = rec.get("status")
            found.status = status if status in ("ok", "failed", "unknown") else "unknown"
            found.error_code = str(rec.get("error_code") or "")
            if rec.get("undo") is not None:
                found.undo = [UndoCall.from_json(u) for u in rec["undo"]]
        elif kind == "end":
            entry.status = str(rec.get("status", entry.status))
        elif kind == "verified":
            v = rec.get("verified")
            entry.verified = v if isinstance(v, bool) else None
            entry.note = str(rec.get("detail") or entry.note)
        elif kind == "undone":
            entry.undone_by = str(rec.get("by") or "")
    for entry in entries.values():
        if entry.status == "started":
            entry.status = "interrupted"
    return list(entries.values())


class EntryWriter:
    """Writes one entry's lines; every message is redacted before it is written."""

    def __init__(
        self,
        fix_id: str,
        operator_arn: str,
        target: dict[str, Any],
        *,
        kind: str = "apply",
        undoes: str = "",
        note: str = "",
        path: Path | None = None,
    ) -> None:
        self.id = new_entry_id()
        self.path = path
        self._seq = 0
        append(
            {
                "type": "begin",
                "entry": self.id,
                "time": now_iso(),
                "kind": kind,
                "fix_id": fix_id,
                "operator_arn": operator_arn,
                "target": target,
                **({"undoes": undoes} if undoes else {}),
                **({"note": note} if note else {}),
            },
            path,
        )

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
        append(
            {
                "type": "result",
                "entry": self.id,
                "seq": seq,
                "time": now_iso(),
                "status": status,
                **({"error_code": error_code} if error_code else {}),
                **({"message": redact(message)[:300]} if message else {}),
                **({"undo": [u.to_json() for u in undo]} if undo is not None else {}),
            },
            self.path,
        )

    def end(self, status: str) -> None:
        append({"type": "end", "entry": self.id, "time": now_iso(), "status": status}, self.path)

    def verified(self, verified: bool | None, detail: str) -> None:
        append(
            {
                "type": "verified",
                "entry": self.id,
                "time": now_iso(),
                "verified": verified,
                "detail": redact(detail)[:500],
            },
            self.path,
        )


def mark_undone(entry_id: str, by: str, path: Path | None = None) -> None:
    append({"type": "undone", "entry": entry_id, "by": by, "time": now_iso()}, path)
