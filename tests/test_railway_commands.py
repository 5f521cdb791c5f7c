"""The commands with the fake Railway CLI: ``check --from-railway``, ``logs`` in its shapes."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from sesfix.cli import main
from tests.support.fake_railway import FakeRailway, install, remove_from_path

ERROR_LOG = """\
2026-11-29T10:42:00.101Z 🔧 [Email Service - SES] Initializing AWS SES client...
2026-11-29T10:42:00.180Z 📤 [Email Service - SES] Sending email via AWS SES...
2026-11-29T10:42:00.734Z ❌ [Email Service - SES] Error: {
  message: "User is not authorized to perform ses:SendEmail",
  code: "AccessDenied"
}
"""


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeRailway:
    return install(tmp_path, monkeypatch)


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    stream = io.TextIOWrapper(io.BytesIO(text.encode()), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", stream)


def test_check_from_railway_diagnoses_the_deployed_variables(account, fake, capsys) -> None:
    acct = account("seed")
    fake.set_variables(acct.app_env)
    rc = main(["check", "--from-railway", "-s", "api", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 1
    assert out["source"] == "Railway service variables"
    ids = [f["id"] for f in out["findings"] if f["severity"] == "error"]
    assert "iam.ses_permission_missing" in ids
    calls = fake.calls()
    assert [c["argv"] for c in calls] == [["variable", "list", "-s", "api", "--json"]]
    secret = acct.app_env["AWS_SECRET_ACCESS_KEY"]
    assert secret not in json.dumps(out)


def test_check_from_railway_sees_a_trailing_space(account, fake, capsys) -> None:
    acct = account("healthy")
    env = dict(acct.app_env)
    env["AWS_SECRET_ACCESS_KEY"] += " "
    fake.set_variables(env)
    rc = main(["check", "--from-railway", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 1
    assert "credentials.whitespace" in [f["id"] for f in out["findings"]]


def test_check_from_railway_not_logged_in(fake, capsys) -> None:
    fake.set_mode("unauthorized")
    rc = main(["check", "--from-railway"])
    err = capsys.readouterr().err
    assert rc == 1
    assert "railway login" in err and "--env-file" in err


def test_check_from_railway_missing_cli(tmp_path, monkeypatch, capsys) -> None:
    remove_from_path(monkeypatch, tmp_path)
    rc = main(["check", "--from-railway"])
    assert rc == 1
    assert "npm i -g @railway/cli" in capsys.readouterr().err


def test_logs_file_names_where_it_stops(tmp_path, capsys) -> None:
    path = tmp_path / "app.log"
    path.write_text(ERROR_LOG)
    rc = main(["logs", str(path)])
    out = capsys.readouterr().out
    assert rc == 1
    assert "stops at the SES API call: AWS answers AccessDenied" in out
    assert "iam.ses_permission_missing" in out


def test_logs_stdin_success(monkeypatch, capsys) -> None:
    _stdin(
        monkeypatch,
        "🔧 [Email Service - SES] Initializing AWS SES client...\n"
        "✅ [Email Service - SES] Email sent successfully\n",
    )
    rc = main(["logs", "-", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0 and out["stage"] == "success" and out["source"] == "stdin"


def test_logs_inconclusive_exit_code(tmp_path, capsys) -> None:
    path = tmp_path / "other.log"
    path.write_text("GET / 200\n")
    assert main(["logs", str(path)]) == 3


def test_logs_missing_file_is_a_usage_error(tmp_path, capsys) -> None:
    assert main(["logs", str(tmp_path / "nope.log")]) == 2
    assert "cannot read log file" in capsys.readouterr().err


def test_logs_from_railway(fake, capsys) -> None:
    fake.set_logs(
        [
            {"message": line, "timestamp": f"2026-11-29T10:42:0{i}Z", "severity": "info"}
            for i, line in enumerate(ERROR_LOG.splitlines())
        ]
    )
    rc = main(
        ["logs", "--from-railway", "-s", "api", "-e", "production", "--lines", "200", "--json"]
    )
    out = json.loads(capsys.readouterr().out)
    assert rc == 1
    assert out["failing_code"] == "AccessDenied"
    assert out["json_lines"] > 0
    assert fake.calls()[0]["argv"] == [
        "logs",
        "-s",
        "api",
        "-e",
        "production",
        "--lines",
        "200",
        "--json",
    ]


def test_logs_from_railway_unlinked_says_how_to_fall_back(fake, capsys) -> None:
    fake.set_mode("unlinked")
    rc = main(["logs", "--from-railway"])
    err = capsys.readouterr().err
    assert rc == 1
    assert "railway link" in err and "log file" in err


def test_logs_check_links_logs_and_live_probe(account, fake, capsys) -> None:
    acct = account("seed")
    fake.set_variables(acct.app_env)
    fake.set_logs(
        [{"message": line, "timestamp": "2026-11-29T10:42:00Z"} for line in ERROR_LOG.splitlines()]
    )
    rc = main(["logs", "--from-railway", "-s", "api", "--check", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 1
    verdict, sentence = out["correlation"]
    assert verdict.startswith("the live check's verdict leads: iam.ses_permission_missing")
    assert sentence.startswith("the logs show AccessDenied at 10:42; the live probe shows")
    assert "iam.ses_permission_missing" in [f["id"] for f in out["check"]["findings"]]
    argv = [c["argv"][:2] for c in fake.calls()]
    assert ["variable", "list"] in argv and ["logs", "-s"] in argv


def test_logs_needs_a_source(monkeypatch, capsys) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", Tty())
    assert main(["logs"]) == 2
    assert "--from-railway" in capsys.readouterr().err
