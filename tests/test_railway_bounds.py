"""The railway child is bounded: its own process group, killed whole on timeout; its
output and every variable value size-capped, an oversized value named with its length
and never echoed."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from sesfix import railway
from tests.support.fake_railway import FakeRailway, install


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeRailway:
    return install(tmp_path, monkeypatch)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0): only its parent (the fake CLI, killed) would reap it.
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _wait_dead(pid: int, limit: float = 5.0) -> bool:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.05)
    return False


def test_timeout_kills_the_whole_process_group(
    fake: FakeRailway, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.set_mode("grandchild-hang")
    monkeypatch.setenv("SESFIX_RAILWAY_TIMEOUT", "1")
    started = time.monotonic()
    with pytest.raises(railway.RailwayTimeout) as info:
        railway.read_variables()
    assert time.monotonic() - started < 4, "the timeout must bound the call"
    assert "1 s" in str(info.value)
    pid = fake.grandchild_pid()
    assert pid is not None, "the fake CLI should have started its grandchild"
    assert _wait_dead(pid), "the grandchild outlived the timeout"


def test_a_grandchild_holding_the_pipes_does_not_hold_sesfix(fake: FakeRailway) -> None:
    fake.set_mode("grandchild-orphan")
    fake.set_variables({"EMAIL_PROVIDER": "ses"})
    started = time.monotonic()
    assert railway.read_variables() == {"EMAIL_PROVIDER": "ses"}
    assert time.monotonic() - started < 5
    pid = fake.grandchild_pid()
    assert pid is not None and _wait_dead(pid)


@pytest.mark.parametrize("what", ["variables", "logs"])
def test_a_50_mb_answer_is_cut_off_not_read(fake: FakeRailway, what: str) -> None:
    fake.set_mode("huge-output")
    with pytest.raises(railway.RailwayOutputTooLarge) as info:
        if what == "variables":
            railway.read_variables()
        else:
            railway.fetch_logs(lines=10)
    message = str(info.value)
    limit = railway.MAX_OUTPUT if what == "variables" else railway.MAX_LOG_OUTPUT
    assert f"{limit // 1024:,} kB" in message
    assert "AAAAAAAAAAAA" not in message


def test_an_oversized_value_sesfix_reads_is_named_with_its_length(fake: FakeRailway) -> None:
    big = "B" * 20_000
    fake.set_variables({"AWS_SECRET_ACCESS_KEY": big, "EMAIL_PROVIDER": "ses"})
    with pytest.raises(railway.RailwayValueTooLarge) as info:
        railway.read_variables()
    message = str(info.value)
    assert "AWS_SECRET_ACCESS_KEY" in message and "20,000 characters" in message
    assert "BBBBBBBBBBBB" not in message


def test_an_oversized_unrelated_value_is_left_out(fake: FakeRailway) -> None:
    fake.set_variables({"TLS_BUNDLE": "C" * 20_000, "EMAIL_PROVIDER": "ses"})
    assert railway.read_variables() == {"EMAIL_PROVIDER": "ses"}


def test_check_from_railway_reports_the_oversized_value_in_one_line(
    fake: FakeRailway, capsys: pytest.CaptureFixture[str]
) -> None:
    from sesfix.cli import main

    fake.set_variables({"AWS_SECRET_ACCESS_KEY": "D" * 9_000, "EMAIL_PROVIDER": "ses"})
    assert main(["check", "--from-railway"]) == 1
    err = capsys.readouterr().err
    assert "AWS_SECRET_ACCESS_KEY" in err and "9,000 characters" in err
    assert "DDDDDDDDDDDD" not in err and "Traceback" not in err
