"""Ctrl-C ends ``check``, ``fix`` and ``undo`` within 1 s, whatever the network is doing.

Each test runs sesfix in its own process against the simulated account behind the fault
proxy, makes the proxy hang (never answer) or drip (headers, then one byte every 2 s: no
read timeout ever fires), waits until sesfix's request is sitting in the proxy, sends
SIGINT and measures how long the process takes to end. Worker threads stuck in reads must
not hold it open, the exit status is 130, and for a write in flight the audit intent is
already on disk.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from sesfix.demo.account import SimulatedAccount
from tests.support.proxy import Delay, DelayProxy, Drip, RequestInfo, when

Loader = Callable[[str], SimulatedAccount]
BOUND = 1.0  # seconds from SIGINT to the end of the process


def _start(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "sesfix", *args],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=env["HOME"],
    )


def _wait_for(condition: Callable[[], bool], proc: subprocess.Popen[bytes], limit: float) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        if proc.poll() is not None:
            _out, err = proc.communicate()
            pytest.fail(f"sesfix ended before the moment under test: {err.decode()[-2000:]}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("the request never reached the proxy")
        time.sleep(0.02)


def _interrupt(proc: subprocess.Popen[bytes]) -> tuple[float, int, bytes, bytes]:
    time.sleep(0.3)  # let the request settle into its read
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail("sesfix was still running 10 s after Ctrl-C")
    return time.monotonic() - sent, proc.returncode, out, err


def _env(app: dict[str, str], endpoint: str, **extra: str) -> dict[str, str]:
    return {**os.environ, **app, "AWS_ENDPOINT_URL": endpoint, **extra}


FAULTS = {"hang": Delay(3600), "drip": Drip(interval=2.0)}


@pytest.mark.parametrize("fault", sorted(FAULTS))
@pytest.mark.parametrize(
    "face", [["check"], ["check", "--json"], ["fix", "attach-ses-full-access", "--dry-run"]]
)
def test_ctrl_c_ends_a_diagnosis_within_a_second(
    fault: str,
    face: list[str],
    account: Loader,
    operator_profile: Callable[[], str],
) -> None:
    acct = account("seed")
    profile = operator_profile()
    hook = when(FAULTS[fault])
    with DelayProxy(acct.endpoint, fault=hook) as proxy:
        env = _env(acct.app_env, proxy.url, SESFIX_OPERATOR_PROFILE=profile)
        proc = _start(face, env)
        _wait_for(lambda: proxy.count >= 1, proc, limit=30)
        elapsed, code, _out, err = _interrupt(proc)
    assert code == 130, err.decode()[-2000:]
    assert elapsed < BOUND, f"{elapsed:.2f} s from Ctrl-C to exit"
    assert b"interrupted" in err and b"Traceback" not in err


def _is_attach(info: RequestInfo) -> bool:
    return info.action == "AttachUserPolicy"


def test_ctrl_c_during_a_write_keeps_its_audit_intent(
    account: Loader, operator_profile: Callable[[], str], isolated_world: Path
) -> None:
    acct = account("seed")
    profile = operator_profile()
    with DelayProxy(
        acct.endpoint, fault=when(Drip(interval=2.0), action="AttachUserPolicy")
    ) as proxy:
        env = _env(acct.app_env, proxy.url, SESFIX_OPERATOR_PROFILE=profile)
        proc = _start(["fix", "attach-ses-full-access", "--yes"], env)
        _wait_for(lambda: any(_is_attach(r) for r in proxy.snapshot()), proc, limit=60)
        elapsed, code, _out, err = _interrupt(proc)
    assert code == 130, err.decode()[-2000:]
    assert elapsed < BOUND, f"{elapsed:.2f} s from Ctrl-C to exit"
    audit = isolated_world / ".local/state/sesfix/audit.jsonl"
    lines = [json.loads(line) for line in audit.read_text().splitlines() if line.strip()]
    intents = [r for r in lines if r.get("type") == "intent"]
    assert any("AttachUserPolicy" in str(r.get("call")) for r in intents), lines


def test_ctrl_c_ends_an_undo_within_a_second(
    account: Loader, operator_profile: Callable[[], str], isolated_world: Path
) -> None:
    acct = account("seed")
    profile = operator_profile()
    env = _env(
        acct.app_env, acct.endpoint, SESFIX_OPERATOR_PROFILE=profile, SESFIX_VERIFY_TIMEOUT="0"
    )
    applied = subprocess.run(
        [sys.executable, "-m", "sesfix", "fix", "attach-ses-full-access", "--yes"],
        env=env,
        capture_output=True,
        cwd=env["HOME"],
        timeout=120,
    )
    assert applied.returncode in (0, 1), applied.stderr.decode()[-2000:]
    with DelayProxy(acct.endpoint, fault=when(Drip(interval=2.0))) as proxy:
        proc = _start(["undo", "--last", "--yes"], {**env, "AWS_ENDPOINT_URL": proxy.url})
        _wait_for(lambda: proxy.count >= 1, proc, limit=30)
        elapsed, code, _out, err = _interrupt(proc)
    assert code == 130, err.decode()[-2000:]
    assert elapsed < BOUND, f"{elapsed:.2f} s from Ctrl-C to exit"


def test_a_thread_left_running_does_not_hold_the_process_open(tmp_path: Path) -> None:
    """A worker that never returns (a call abandoned at its deadline) must not keep the
    process alive after the command has printed its answer."""
    script = tmp_path / "run.py"
    script.write_text(
        "import sys, threading, time\n"
        "from sesfix import cli\n"
        "from sesfix.commands import check\n"
        "def run(args):\n"
        "    threading.Thread(target=time.sleep, args=(3600,), name='stuck').start()\n"
        "    print('answer printed')\n"
        "    return 0\n"
        "check.run = run\n"
        "sys.argv = ['sesfix', 'check']\n"
        "raise SystemExit(cli.main())\n"
    )
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, str(script)], capture_output=True, timeout=30, env=os.environ.copy()
    )
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    assert proc.stdout == b"answer printed\n"  # flushed before the process ended
    assert time.monotonic() - started < 10
