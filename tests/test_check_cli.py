"""`sesfix check`: the JSON contract, exit codes, human output, and failure without tracebacks."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from sesfix import cli
from sesfix.findings import CATALOGUE, STEP_NAMES
from tests.conftest import SENTINEL_SECRET

STATUSES = {"pass", "warning", "fail", "unknown"}


def write_env(path: Path, env: dict[str, str]) -> Path:
    path.write_text("".join(f'{k}="{v}"\n' for k, v in env.items()))
    return path


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_schema(doc: dict) -> None:
    assert doc["schema"] == "sesfix.check/1"
    assert isinstance(doc["healthy"], bool)
    assert [s["number"] for s in doc["steps"]] == [1, 2, 3, 4, 5]
    for step in doc["steps"]:
        assert step["name"] == STEP_NAMES[step["number"]]
        assert step["status"] in STATUSES
        for probe in step["probes"]:
            assert {"call", "identity", "region", "outcome", "ms"} <= set(probe)
            assert probe["identity"] in ("app", "operator")
            assert isinstance(probe["ms"], int) and probe["ms"] >= 0
            assert ":" in probe["call"] and probe["outcome"]
            assert probe["cli"].startswith(
                "openssl " if probe["call"].startswith("smtp:") else "aws "
            )
    for f in doc["findings"]:
        assert f["id"] in CATALOGUE
        assert f["severity"] in ("error", "warning", "info")
        assert f["step"] in STEP_NAMES
        assert f["title"] and f["explanation"]
        assert isinstance(f["evidence"], list) and isinstance(f["fixes"], list)
    assert doc["healthy"] == (not any(f["severity"] == "error" for f in doc["findings"]))


def assert_no_secret(text: str, env: dict[str, str]) -> None:
    assert env["AWS_SECRET_ACCESS_KEY"] not in text
    assert env["AWS_ACCESS_KEY_ID"] not in text
    assert SENTINEL_SECRET not in text


# --- the guide's incident and the healthy user, end to end -----------------------------------


def test_seed_incident_json_with_operator_profile(account, operator_profile, tmp_path, capsys):
    acct = account("seed")
    profile = operator_profile()
    env_file = write_env(tmp_path / "app.env", acct.app_env)
    code, out, err = run_cli(
        capsys, "check", "--json", "--env-file", str(env_file), "--operator-profile", profile
    )
    assert code == 1, err
    doc = json.loads(out)
    assert_schema(doc)
    errors = [f for f in doc["findings"] if f["severity"] == "error"]
    assert [f["id"] for f in errors] == ["iam.ses_permission_missing"]
    assert any("AmazonS3FullAccess" in e for e in errors[0]["evidence"])
    assert doc["healthy"] is False
    assert "attach-ses-full-access" in errors[0]["fixes"]
    assert_no_secret(out + err, acct.app_env)


def test_healthy_json_exits_zero(account, operator_profile, tmp_path, capsys):
    acct = account("healthy")
    env_file = write_env(tmp_path / "app.env", acct.app_env)
    code, out, _err = run_cli(
        capsys, "check", "--json", "--env-file", str(env_file), "--operator-profile",
        operator_profile(),
    )  # fmt: skip
    assert code == 0, out
    doc = json.loads(out)
    assert_schema(doc)
    assert doc["healthy"] is True
    assert {s["status"] for s in doc["steps"][:4]} == {"pass"}


def test_incident_from_the_process_environment_without_operator(account, monkeypatch, capsys):
    acct = account("seed")
    for name, value in acct.app_env.items():
        monkeypatch.setenv(name, value)
    code, out, _ = run_cli(capsys, "check", "--json")
    assert code == 1
    doc = json.loads(out)
    assert_schema(doc)
    ids = [f["id"] for f in doc["findings"]]
    assert "iam.ses_permission_missing" in ids and "iam.cannot_inspect" in ids
    assert doc["operator"] == "none"


def test_seed_incident_as_a_real_process(account, operator_profile, tmp_path):
    """The 'done when' of the issue: the console script, its own process, exit 1."""
    acct = account("seed")
    profile = operator_profile()
    env_file = write_env(tmp_path / "app.env", acct.app_env)
    proc = subprocess.run(
        [sys.executable, "-m", "sesfix", "check", "--json", "--env-file", str(env_file),
         "--operator-profile", profile],
        capture_output=True, text=True, timeout=120, env=dict(os.environ),
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    assert [f["id"] for f in doc["findings"] if f["severity"] == "error"] == [
        "iam.ses_permission_missing"
    ]
    assert "Traceback" not in proc.stderr
    assert_no_secret(proc.stdout + proc.stderr, acct.app_env)


# --- human output ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["seed", "wrong-region", "lost-secret"])
def test_human_output_fits_80_columns_and_shows_cli_commands(
    account, operator_profile, tmp_path, capsys, name
):
    acct = account(name)
    env_file = write_env(tmp_path / "app.env", acct.app_env)
    code, out, err = run_cli(
        capsys, "check", "--env-file", str(env_file), "--operator-profile", operator_profile()
    )
    assert code == 1
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80, max(lines, key=len)
    assert "$ aws sts get-caller-identity --region us-east-1" in out
    assert "$ aws ses get-send-quota --region " in out
    for n, step in STEP_NAMES.items():
        assert f"Step {n}  {step}" in out
    assert out.rstrip().splitlines()[-1].startswith("Verdict: ")
    assert acct.scenario is not None
    for fid in acct.scenario.expected_errors:
        assert fid in out
    assert_no_secret(out + err, acct.app_env)


# --- usage errors: exit 2, one line, no traceback ----------------------------------------------


def _one_line(err: str) -> None:
    lines = [line for line in err.splitlines() if line.strip()]
    assert 1 <= len(lines) <= 2, err  # the message, and at most a hint
    assert lines[0].startswith("sesfix")
    assert "Traceback" not in err


def test_unknown_flag(capsys):
    code, out, err = run_cli(capsys, "check", "--no-such-flag")
    assert code == 2 and out == ""
    _one_line(err)
    assert "--no-such-flag" in err


def test_unreadable_env_file(tmp_path, capsys):
    code, _, err = run_cli(capsys, "check", "--env-file", str(tmp_path / "missing.env"))
    assert code == 2
    _one_line(err)
    code, _, err = run_cli(capsys, "check", "--env-file", str(tmp_path))
    assert code == 2
    _one_line(err)
    binary = tmp_path / "binary.env"
    binary.write_bytes(b"\x00\xff\xfe")
    code, _, err = run_cli(capsys, "check", "--env-file", str(binary))
    assert code == 2
    _one_line(err)


def test_unknown_profile(tmp_path, capsys):
    env_file = write_env(
        tmp_path / "app.env",
        {"AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY": SENTINEL_SECRET},
    )
    code, out, err = run_cli(
        capsys, "check", "--env-file", str(env_file), "--operator-profile", "nobody"
    )
    assert code == 2 and out == ""
    _one_line(err)
    assert "nobody" in err
    assert SENTINEL_SECRET not in err


# --- probes without an answer, and crashes ------------------------------------------------------


def test_endpoint_down_exits_1_with_probe_unreachable(account, tmp_path, monkeypatch, capsys):
    acct = account("healthy")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("SESFIX_MAX_ATTEMPTS", "1")
    env_file = write_env(tmp_path / "app.env", acct.app_env)
    code, out, err = run_cli(capsys, "check", "--json", "--env-file", str(env_file))
    # Documented: an unanswered step is an error finding, so the exit code is 1 (not 0,
    # which would claim health; not 2, which means the command line was wrong).
    assert code == 1
    assert "Traceback" not in err
    doc = json.loads(out)
    assert_schema(doc)
    unreachable = [f for f in doc["findings"] if f["id"] == "probe.unreachable"]
    assert any(
        f["data"]["call"] == "sts:GetCallerIdentity" and f["data"]["region"] == "us-east-1"
        for f in unreachable
    )
    assert doc["steps"][1]["status"] == "unknown"


def test_unexpected_exception_is_one_line(monkeypatch, capsys):
    from sesfix.commands import check

    def boom(args):
        raise RuntimeError(f"exploded near {SENTINEL_SECRET}")

    monkeypatch.setattr(check, "run", boom)
    code, _out, err = run_cli(capsys, "check")
    assert code == 1
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "RuntimeError" in lines[0], err
    assert "Traceback" not in err and SENTINEL_SECRET not in err


def test_unexpected_exception_detail_goes_to_the_scrubbed_crash_report(
    monkeypatch, capsys, isolated_world
):
    """The screen gets one line even with SESFIX_DEBUG=1; the traceback, scrubbed, goes to
    the crash report in the state directory (tests/test_security_secrets.py owns the rest)."""
    from sesfix import debuglog
    from sesfix.commands import check
    from sesfix.masking import Secret

    secret = Secret(SENTINEL_SECRET)  # known to the scrubber, as the app's secret would be

    def boom(args):
        raise RuntimeError(f"exploded near {secret.reveal()}")

    monkeypatch.setattr(check, "run", boom)
    monkeypatch.setenv("SESFIX_DEBUG", "1")
    try:
        code, _, err = run_cli(capsys, "check")
    finally:
        debuglog.disable()
    assert code == 1
    assert "Traceback" not in err and SENTINEL_SECRET not in err
    crash = (isolated_world / ".local/state/sesfix/crash.log").read_text()
    assert "Traceback" in crash and "exploded near" in crash
    assert SENTINEL_SECRET not in crash


# --- start-up weight -----------------------------------------------------------------------------


def test_version_imports_neither_boto3_nor_textual():
    script = (
        "import sys, io, contextlib\n"
        "from sesfix.cli import main\n"
        "buf = io.StringIO()\n"
        "with contextlib.redirect_stdout(buf):\n"
        "    code = main(['--version'])\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('boto3', 'botocore', 'textual', 'rich', 'moto'))\n"
        "print(code, buf.getvalue().strip(), heavy)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    code, *_rest = proc.stdout.split()
    assert code == "0"
    assert proc.stdout.strip().endswith("[]"), proc.stdout
    assert "sesfix" in proc.stdout


def test_version_as_console_script_under_importtime():
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "sesfix", "--version"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0 and proc.stdout.startswith("sesfix ")
    imported = {
        line.split("|")[-1].strip().split(".")[0]
        for line in proc.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert not imported & {"boto3", "botocore", "textual"}, sorted(imported)


def test_a_closed_pipe_is_not_a_crash(tmp_path):
    """`sesfix check | head -1`: the reader leaves early; no 'internal error', no traceback."""
    import subprocess
    import sys

    env_file = tmp_path / ".env"
    env_file.write_text("EMAIL_PROVIDER=console\n")
    proc = subprocess.run(
        # The reader closes its end at once; sesfix writes after probing (about a second).
        f"{sys.executable} -m sesfix check --env-file {env_file} "
        f"| {sys.executable} -c 'import sys; sys.stdin.close()'",
        shell=True,
        capture_output=True,
        text=True,
        timeout=120,
        env={**__import__("os").environ, "AWS_ENDPOINT_URL": "http://127.0.0.1:9"},
    )
    assert "internal error" not in proc.stderr
    assert "Traceback" not in proc.stderr
    assert "Exception ignored" not in proc.stderr


# --- first use without a terminal, without variables -------------------------------------------


@pytest.mark.parametrize("argv", [[], ["demo"], ["demo", "--scenario", "random"], ["--demo"]])
def test_without_a_terminal_the_wizard_is_one_line_and_exit_2(argv):
    """`sesfix demo | cat`: no screen codes, no hang, one line pointing to `check --demo`.

    A real process with stdin and stdout that are not terminals (a pipe and /dev/null)."""
    proc = subprocess.run(
        [sys.executable, "-m", "sesfix", *argv],
        stdin=subprocess.DEVNULL, capture_output=True, timeout=60, env=dict(os.environ),
    )  # fmt: skip
    assert proc.returncode == 2
    assert proc.stdout == b""
    err = proc.stderr.decode()
    assert len(err.strip().splitlines()) == 1, err
    assert "sesfix check --demo" in err
    assert "\x1b" not in err and "Traceback" not in err


def test_no_app_variables_is_one_message_naming_the_ways(capsys):
    code, out, err = run_cli(capsys, "check")
    assert code == 2 and out == ""
    _one_line(err)
    for way in ("--env-file", "--from-railway", "sesfix demo"):
        assert way in err
    assert "is not set" not in err


def test_malformed_env_file_names_the_line(tmp_path, capsys):
    path = tmp_path / "app.env"
    path.write_text(
        'AWS_ACCESS_KEY_ID="AKIAIOSFODNN7EXAMPLE"\n'
        f"AWS_SECRET_ACCESS_KEY='{SENTINEL_SECRET}\n"
        "AWS_SES_REGION=ap-southeast-1\n"
    )
    code, out, err = run_cli(capsys, "check", "--env-file", str(path))
    assert code == 2 and out == ""
    _one_line(err)
    assert "line 2" in err and "AWS_SECRET_ACCESS_KEY" in err
    assert "AWS_ACCESS_KEY_ID is not set" not in err
    assert SENTINEL_SECRET not in err


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "--json", "--quiet", "--demo", "wrong-region"],
        ["--demo", "wrong-region", "check", "--json", "--quiet"],
    ],
)
def test_demo_before_or_after_the_subcommand(argv, capsys):
    code, out, _err = run_cli(capsys, *argv)
    doc = json.loads(out)
    assert doc["source"] == "practice account (wrong-region)"
    assert [f["id"] for f in doc["findings"] if f["severity"] == "error"] == [
        "region.identity_not_in_region"
    ]
    assert code == 1


def test_without_a_terminal_in_vietnamese():
    proc = subprocess.run(
        [sys.executable, "-m", "sesfix", "demo"],
        stdin=subprocess.DEVNULL, capture_output=True, timeout=60,
        env={**os.environ, "SESFIX_LANG": "vi"},
    )  # fmt: skip
    assert proc.returncode == 2
    err = proc.stderr.decode()
    assert "cần một terminal" in err and "sesfix check --demo" in err


def test_first_use_messages_in_vietnamese(tmp_path, capsys):
    from sesfix.locale import set_language

    path = tmp_path / "app.env"
    path.write_text("AWS_ACCESS_KEY_ID='AKIAIOSFODNN7EXAMPLE\n")
    try:
        code, _out, err = run_cli(capsys, "--lang", "vi", "check")
        assert code == 2 and "không có biến nào của app" in err and "--env-file" in err
        code, _out, err = run_cli(capsys, "--lang", "vi", "check", "--env-file", str(path))
        assert code == 2 and "dòng 1" in err and "AWS_ACCESS_KEY_ID" in err
    finally:
        set_language("en")
