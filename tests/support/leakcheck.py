"""Grep every byte sesfix produced for a secret and for its non-trivial pieces.

A piece is every window of :data:`WINDOW` characters of the secret, in the spellings a
secret can take on its way out (plain, URL-encoded, JSON-escaped), so a secret that was
truncated, split across lines or quoted is still caught.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from urllib.parse import quote

WINDOW = 12


def pieces(secret: str, window: int = WINDOW) -> set[str]:
    """The secret, and every ``window``-character window of each of its spellings."""
    spellings = {secret, secret.strip(), quote(secret, safe=""), json.dumps(secret)[1:-1]}
    out: set[str] = set()
    for s in spellings:
        if len(s) <= window:
            out.add(s)
            continue
        out.update(s[i : i + window] for i in range(len(s) - window + 1))
    return {p for p in out if p.strip()}


def files_under(*roots: Path, exclude: Iterable[Path] = ()) -> dict[str, bytes]:
    """Every regular file under ``roots`` (recursively), minus the test's own inputs."""
    skip = {Path(p).resolve() for p in exclude}
    found: dict[str, bytes] = {}
    for root in roots:
        if not root.exists():
            continue
        for dirpath, _dirs, files in os.walk(root):
            for name in files:
                path = Path(dirpath, name)
                if path.resolve() in skip or path.is_symlink() or not path.is_file():
                    continue
                found[str(path)] = path.read_bytes()
    return found


def leaks(outputs: Mapping[str, bytes | str], *secrets: str) -> list[str]:
    """``["<output>: <piece>"]`` for every piece of every secret found in any output."""
    found: list[str] = []
    for secret in secrets:
        needles = pieces(secret)
        for name, blob in outputs.items():
            data = blob.encode("utf-8", "surrogateescape") if isinstance(blob, str) else blob
            hits = sorted(p for p in needles if p.encode() in data)
            if hits:
                found.append(f"{name}: {len(hits)} piece(s), e.g. a window at {hits[0][:3]}…")
    return found


def assert_no_leak(outputs: Mapping[str, bytes | str], *secrets: str) -> None:
    __tracebackhide__ = True
    assert outputs, "nothing to check: the test captured no output"
    problems = leaks(outputs, *secrets)
    # The message names where, never the secret itself (pytest prints it on failure).
    assert not problems, "secret leaked into: " + "; ".join(problems)
