"""sesfix's own settings at start-up: an invalid SESFIX_* number or a state directory that
is a file is one usage error (exit 2) before any probe, for every command and the wizard;
no path prints a traceback (crash.log keeps it)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from sesfix import cli
from sesfix.demo.account import SimulatedAccount
from tests.support.proxy import DelayProxy

Loader = Callable[[str], SimulatedAccount]


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _usage_error(code: int, out: str, err: str, name: str) -> None:
    __tracebackhide__ = True
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2, err
    assert out == ""
    assert 1 <= len(lines) <= 2 and lines[0].startswith("sesfix: ") and name in lines[0], err
    assert "Traceback" not in err and "\x1b" not in err


COMMANDS = [
    ["check"],
    ["check", "--json"],
    ["fix", "attach-ses-full-access", "--dry-run"],
    ["undo", "--list"],
    ["logs", "/dev/null"],
    [],  # the wizard: refused before any screen is drawn
]


@pytest.mark.parametrize("variable", ["SESFIX_CONNECT_TIMEOUT", "SESFIX_VERIFY_TIMEOUT"])
@pytest.mark.parametrize("raw", ["abc", "nan", "-1"])
def test_an_invalid_number_is_one_usage_error_before_any_probe(
    variable: str,
    raw: str,
    account: Loader,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    acct = account("seed")
    for name, value in acct.app_env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv(variable, raw)
    with DelayProxy(acct.endpoint) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.url)
        for argv in COMMANDS:
            _usage_error(*_run(capsys, *argv), variable)
    assert proxy.count == 0, "no probe may run with an invalid setting"


@pytest.mark.parametrize("kind", ["file", "under-a-file"])
def test_a_state_dir_that_is_a_file_is_a_usage_error(
    kind: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    afile = tmp_path / "passwd"
    afile.write_text("root:x:0:0\n")
    monkeypatch.setenv("SESFIX_STATE_DIR", str(afile if kind == "file" else afile / "sesfix"))
    for argv in COMMANDS:
        _usage_error(*_run(capsys, *argv), "SESFIX_STATE_DIR")
    monkeypatch.setenv("SESFIX_DEBUG", "1")  # the debug log lives there too
    _usage_error(*_run(capsys, "check"), "SESFIX_STATE_DIR")
    assert afile.read_text() == "root:x:0:0\n"


def test_a_valid_state_dir_is_not_created_by_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "not-yet"
    monkeypatch.setenv("SESFIX_STATE_DIR", str(target))
    code, _out, err = _run(capsys, "logs", "/dev/null")
    assert code == 3, err
    assert not target.exists()


def test_the_client_config_reads_the_checked_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from sesfix.aws.identity import client_config

    monkeypatch.setenv("SESFIX_CONNECT_TIMEOUT", "1.5")
    monkeypatch.setenv("SESFIX_READ_TIMEOUT", "4")
    monkeypatch.setenv("SESFIX_MAX_ATTEMPTS", "2")
    cfg = client_config()
    assert cfg.connect_timeout == 1.5 and cfg.read_timeout == 4
    assert cfg.retries == {"mode": "standard", "total_max_attempts": 2}


def test_a_worker_thread_crash_goes_to_crash_log_not_the_terminal(
    isolated_world: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    cli._install_thread_hook()

    def boom() -> None:
        raise RuntimeError("worker exploded")

    t = threading.Thread(target=boom)
    t.start()
    t.join()
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    crash = isolated_world / ".local/state/sesfix/crash.log"
    assert "RuntimeError: worker exploded" in crash.read_text()
