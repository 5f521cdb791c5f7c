"""Put the fake ``railway`` first on PATH and inspect what it received.

The script (``railway`` beside this file) is copied into a private bin directory with this
interpreter in its shebang, so it runs with the test's Python whatever ``python3`` is.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

SCRIPT = Path(__file__).with_name("railway")


@dataclass
class FakeRailway:
    state: Path
    bin_dir: Path

    def set_variables(self, values: dict[str, str]) -> None:
        (self.state / "variables.json").write_text(json.dumps(values), encoding="utf-8")

    def variables(self) -> dict[str, str]:
        path = self.state / "variables.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}

    def set_logs(self, entries: list[dict[str, Any]] | list[str]) -> None:
        lines = [e if isinstance(e, str) else json.dumps(e) for e in entries]
        (self.state / "logs.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")

    def set_mode(self, mode: str) -> None:
        (self.state / "mode").write_text(mode)

    def set_services(self, *names: str) -> None:
        (self.state / "services").write_text("\n".join(names) + "\n")

    def calls(self) -> list[dict[str, Any]]:
        path = self.state / "calls.jsonl"
        if not path.exists():
            return []
        return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]

    def grandchild_pid(self) -> int | None:
        path = self.state / "grandchild.pid"
        return int(path.read_text()) if path.exists() else None

    def deploys(self) -> int:
        path = self.state / "deploys"
        return len(path.read_text().splitlines()) if path.exists() else 0


def install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeRailway:
    state = tmp_path / "fake-railway-state"
    bin_dir = tmp_path / "fake-railway-bin"
    state.mkdir()
    bin_dir.mkdir()
    body = SCRIPT.read_text(encoding="utf-8").split("\n", 1)[1]
    exe = bin_dir / "railway"
    exe.write_text(f"#!{sys.executable}\n{body}", encoding="utf-8")
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    monkeypatch.setenv("FAKE_RAILWAY_DIR", str(state))
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    return FakeRailway(state, bin_dir)


def remove_from_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A PATH with no ``railway`` on it (only an empty directory)."""
    empty = tmp_path / "empty-bin"
    empty.mkdir(exist_ok=True)
    monkeypatch.setenv("PATH", str(empty))
