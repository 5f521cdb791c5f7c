"""No secret ever leaves the process: stdout, stderr, every file under HOME/XDG, the debug
log at its most verbose, error messages and a crash report are grepped for the secret and
every 12-character window of it.

The secrets are the conftest sentinel (as the app's secret, so AWS answers
SignatureDoesNotMatch), the scenario's real secret (so the diagnosis goes all the way),
and the operator's secret (read by botocore from the profile file).
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from sesfix import debuglog
from sesfix.demo.account import SimulatedAccount
from sesfix.masking import Secret
from tests.conftest import SENTINEL_SECRET
from tests.support.leakcheck import assert_no_leak, files_under, leaks, pieces

Loader = Callable[[str], SimulatedAccount]


def _run_sesfix(
    args: list[str], env: dict[str, str], timeout: float = 120
) -> tuple[int, bytes, bytes]:
    proc = subprocess.run(
        [sys.executable, "-m", "sesfix", *args],
        env=env,
        capture_output=True,
        timeout=timeout,
        cwd=env["HOME"],
    )
    return proc.returncode, proc.stdout, proc.stderr


def _everything(home: Path, stdout: bytes, stderr: bytes, exclude: list[Path]) -> dict[str, bytes]:
    return {"stdout": stdout, "stderr": stderr, **files_under(home, exclude=exclude)}


# ---- the leak checker itself ----------------------------------------------------------------


def test_the_checker_finds_a_secret_and_its_pieces() -> None:
    s = SENTINEL_SECRET
    assert leaks({"x": f"value={s}"}, s)
    assert leaks({"x": s[5:20]}, s)  # a 15-character piece
    assert leaks({"x": s.replace("/", "%2F")}, s)  # URL-encoded
    assert leaks({"x": s[:12] + "\n" + s[12:]}, s)  # split over two lines
    assert not leaks({"x": "AKIA…WXYZ ******** (set, 40 characters)"}, s)
    assert len(pieces(s)) >= len(s) - 12


# ---- the Secret type ---------------------------------------------------------------------


def test_secret_never_prints_itself() -> None:
    s = Secret(SENTINEL_SECRET)
    shown = [
        str(s),
        repr(s),
        f"{s}",
        f"{s!r}",
        format(s, ""),
        "{} {}".format(s, 1),  # noqa: UP032
        json.dumps({"k": s}, default=str),
    ]
    shown.append(repr([s, {"s": s}]))
    assert_no_leak({f"form {i}": v for i, v in enumerate(shown)}, SENTINEL_SECRET)
    with pytest.raises(TypeError):
        pickle.dumps(s)


# ---- the debug log filter, on the shapes botocore really logs ------------------------------


def test_debug_filter_scrubs_what_botocore_logs(tmp_path: Path) -> None:
    Secret(SENTINEL_SECRET)  # known to the process, as every secret sesfix holds is
    unknown = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"  # never wrapped: caught by shape
    token = "IQoJb3JpZ2luX2VjEHoaCXVzLWVhc3QtMSJHMEUCIQD" + "x" * 200
    path = debuglog.enable(tmp_path / "debug.log")
    try:
        log = logging.getLogger("botocore.parsers")
        log.debug(
            "Response body:\n%r",
            f"<CreateAccessKeyResult><AccessKey><SecretAccessKey>{unknown}</SecretAccessKey>"
            f"<AccessKeyId>AKIAIOSFODNN7EXAMPLE</AccessKeyId></AccessKey>".encode(),
        )
        logging.getLogger("botocore.endpoint").debug(
            "Sending http request: %s",
            {"headers": {"X-Amz-Security-Token": token.encode(), "Authorization": b"AWS4 x"}},
        )
        logging.getLogger("botocore.auth").debug(
            "CanonicalRequest:\nPOST\n/\n\nx-amz-security-token:%s\n", token
        )
        logging.getLogger("sesfix").debug("url-encoded %s", SENTINEL_SECRET.replace("/", "%2F"))
        logging.getLogger("sesfix").debug('{"SecretAccessKey": "%s"}', SENTINEL_SECRET)
        try:
            raise ValueError(f"bad value {SENTINEL_SECRET!r}")
        except ValueError:
            logging.getLogger("sesfix").exception("it failed")
        logging.getLogger("sesfix").debug("a broken format %s %s", SENTINEL_SECRET)
    finally:
        debuglog.disable()
    text = path.read_text()
    assert "Response body" in text and "it failed" in text and "ValueError" in text
    assert "AKIA…MPLE" in text and "AKIAIOSFODNN7EXAMPLE" not in text
    assert_no_leak({"debug.log": text}, SENTINEL_SECRET, unknown, token)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


# ---- sesfix check end to end, in a separate process ----------------------------------------


def _case_env(
    case: str, acct: SimulatedAccount, secret_dir: Path
) -> tuple[dict[str, str], list[str], list[str]]:
    """(app variables, extra CLI args, secrets to look for) for one way in."""
    app = dict(acct.app_env)
    real = app["AWS_SECRET_ACCESS_KEY"]
    if case == "sentinel-secret":
        app["AWS_SECRET_ACCESS_KEY"] = SENTINEL_SECRET
        return app, [], [SENTINEL_SECRET, real]
    if case == "sentinel-trailing-newline":
        app["AWS_SECRET_ACCESS_KEY"] = SENTINEL_SECRET + " \r\n"
        return app, [], [SENTINEL_SECRET, real]
    if case == "sentinel-quoted":
        app["AWS_SECRET_ACCESS_KEY"] = f'"{SENTINEL_SECRET}"'
        return app, [], [SENTINEL_SECRET, real]
    if case == "sentinel-session-token":
        app["AWS_SESSION_TOKEN"] = SENTINEL_SECRET
        return app, [], [SENTINEL_SECRET, real]
    if case == "real-secret":
        return app, [], [real]
    if case == "env-file":
        app["AWS_SECRET_ACCESS_KEY"] = SENTINEL_SECRET
        env_file = secret_dir / "app.env"
        env_file.write_text("".join(f"{k}={v}\r\n" for k, v in app.items()))
        return {}, ["--env-file", str(env_file)], [SENTINEL_SECRET, real]
    raise AssertionError(case)


CASES = [
    ("healthy", "real-secret"),
    ("healthy", "sentinel-secret"),
    ("seed", "sentinel-trailing-newline"),
    ("seed", "sentinel-quoted"),
    ("wrong-region", "sentinel-session-token"),
    ("bad-secret", "real-secret"),
    ("lost-secret", "real-secret"),
    ("seed", "env-file"),
]


@pytest.mark.parametrize("output", ["human", "json"])
@pytest.mark.parametrize(("scenario", "case"), CASES)
def test_check_never_leaks_a_secret(
    scenario: str,
    case: str,
    output: str,
    account: Loader,
    operator_profile: Callable[[], str],
    isolated_world: Path,
    tmp_path: Path,
) -> None:
    acct = account(scenario)
    profile = operator_profile()
    inputs = tmp_path / "inputs"  # outside HOME: the test's own inputs hold the secret
    inputs.mkdir()
    app, extra, secrets = _case_env(case, acct, inputs)
    env = {**os.environ, **app, "SESFIX_DEBUG": "1", "SESFIX_OPERATOR_PROFILE": profile}
    args = ["check", *extra, *(["--json"] if output == "json" else [])]
    code, out, err = _run_sesfix(args, env)
    assert code in (0, 1), err.decode(errors="replace")[-2000:]
    if output == "json":
        report = json.loads(out)
        assert report["schema"] == "sesfix.check/1"
    else:
        assert b"Verdict:" in out
    debug_log = isolated_world / ".local/state/sesfix/debug.log"
    assert debug_log.stat().st_size > 10_000, "the debug log should be verbose"
    assert b"botocore" in debug_log.read_bytes()
    operator_secret = acct.operator.credentials.secret_access_key.reveal()  # type: ignore[union-attr]
    produced = _everything(isolated_world, out, err, exclude=[isolated_world / "aws-credentials"])
    assert_no_leak(produced, *secrets, operator_secret)


def test_a_secret_in_the_wrong_variable_is_not_echoed(
    account: Loader, isolated_world: Path
) -> None:
    """People paste the secret into the wrong box: lint must not echo region/sender values
    that are the secret."""
    acct = account("seed")
    app = dict(acct.app_env)
    app["AWS_SES_REGION"] = SENTINEL_SECRET
    app["EMAIL_PROVIDER"] = SENTINEL_SECRET
    app["EMAIL_FROM"] = SENTINEL_SECRET
    app["AWS_ACCESS_KEY_ID"] = SENTINEL_SECRET
    env = {**os.environ, **app, "SESFIX_DEBUG": "1"}
    for args in (["check"], ["check", "--json"]):
        code, out, err = _run_sesfix(args, env)
        assert code == 1, err[-2000:]
        assert_no_leak(_everything(isolated_world, out, err, []), SENTINEL_SECRET)


# ---- errors and a crash ------------------------------------------------------------------


def test_unreadable_sources_name_the_problem_without_the_secret(
    isolated_world: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from sesfix.cli import main

    binary = tmp_path / "binary.env"
    binary.write_bytes(b"AWS_SECRET_ACCESS_KEY=" + SENTINEL_SECRET.encode() + b"\x00\xff\xfe")
    assert main(["check", "--env-file", str(binary)]) == 2
    assert main(["check", "--env-file", str(tmp_path / "missing.env")]) == 2
    assert main(["check", "--operator-profile", "nobody", "--env-file", str(binary)]) == 2
    captured = capsys.readouterr()
    assert "binary" in captured.err or "UTF-8" in captured.err
    assert "missing.env" in captured.err
    assert_no_leak(
        {"out": captured.out, "err": captured.err, **files_under(isolated_world)}, SENTINEL_SECRET
    )


def test_a_crash_is_a_message_and_a_scrubbed_report(
    isolated_world: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unexpected exception whose text holds the secret: exit 1, one line on stderr, no
    traceback on screen, and the crash report and debug log hold no secret."""
    from sesfix.cli import main
    from sesfix.diagnosis import engine

    def explode(settings, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError(f"boom with {settings.secret_access_key.reveal()} inside")

    monkeypatch.setattr(engine, "diagnose", explode)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SENTINEL_SECRET)
    monkeypatch.setenv("AWS_SES_REGION", "us-east-1")
    monkeypatch.setenv("SESFIX_DEBUG", "1")
    try:
        code = main(["check", "--json"])
    finally:
        debuglog.disable()
    captured = capsys.readouterr()
    assert code == 1
    assert "internal error (RuntimeError)" in captured.err
    assert "Traceback" not in captured.err
    crash = isolated_world / ".local/state/sesfix/crash.log"
    assert "RuntimeError" in crash.read_text() and "boom with ********" in crash.read_text()
    assert stat.S_IMODE(crash.stat().st_mode) == 0o600
    assert_no_leak(
        {"out": captured.out, "err": captured.err, **files_under(isolated_world)}, SENTINEL_SECRET
    )


def test_no_debug_log_unless_asked(
    isolated_world: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without SESFIX_DEBUG nothing but the audit log is ever written (and check writes
    none)."""
    from sesfix.cli import main

    env_file = tmp_path / "app.env"
    env_file.write_text(
        f"AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\nAWS_SECRET_ACCESS_KEY={SENTINEL_SECRET}\n"
        "AWS_SES_REGION=us-east-1\nEMAIL_PROVIDER=ses\nEMAIL_FROM=a@example.com\n"
    )
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("SESFIX_MAX_ATTEMPTS", "1")
    assert main(["check", "--env-file", str(env_file)]) == 1
    captured = capsys.readouterr()
    assert files_under(isolated_world) == {}
    assert_no_leak({"out": captured.out, "err": captured.err}, SENTINEL_SECRET)
