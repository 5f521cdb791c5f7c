"""``sesfix fix`` / ``sesfix undo`` headless, in-process, against moto with auth enforced.

The account fixture points ``AWS_ENDPOINT_URL`` at the server; the app's variables come
from an env file and the operator from profile ``ops``, as a real user would run it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sesfix.cli import main
from sesfix.fixes import list_entries
from tests.support.proxy import DelayProxy
from tests.test_fixes_iam import count_api_calls, iam_state

MUTATING = ("Create", "Attach", "Detach", "Delete", "Put", "Update", "Verify", "Set")


def env_file(acc: Any, tmp_path: Path) -> str:
    path = tmp_path / "app.env"
    # quoted, so a scenario's trailing space survives the dotenv reader
    path.write_text("".join(f'{k}="{v}"\n' for k, v in acc.app_env.items()))
    return str(path)


def check_step1(envfile: str, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["check", "--json", "--env-file", envfile, *extra])
    doc = json.loads(capsys.readouterr().out)
    return code, next(s["status"] for s in doc["steps"] if s["number"] == 1)


@pytest.mark.parametrize("fix_id", ["attach-ses-full-access", "create-custom-policy"])
def test_done_when(account, operator_profile, tmp_path, capsys, fix_id):
    acc = account("seed")
    ops = operator_profile()
    envfile = env_file(acc, tmp_path)
    before = iam_state(acc)
    assert check_step1(envfile, capsys) == (1, "fail")

    args = ["fix", fix_id, "--env-file", envfile, "--operator-profile", ops]
    assert main([*args, "--yes", "--verify-timeout", "5"]) == 0
    out = capsys.readouterr().out
    assert "$ aws iam attach-user-policy" in out and "Verification: verified" in out

    # the check with the app's own credentials only now exits 0; step 1 is "unknown" there
    # only because, without an operator, IAM cannot be read to prove ses:SendEmail itself
    assert check_step1(envfile, capsys) == (0, "unknown")
    assert check_step1(envfile, capsys, "--operator-profile", ops) == (0, "pass")

    # again: a no-op, and it says so
    changed = iam_state(acc)
    assert main([*args, "--yes", "--verify-timeout", "5"]) == 0
    assert "Nothing to do" in capsys.readouterr().out
    assert iam_state(acc) == changed
    assert len(list_entries()) == 1

    # undo --last restores the S3-only state (the operator profile comes from the entry)
    assert main(["undo", "--last", "--yes"]) == 0
    assert "Result: undone" in capsys.readouterr().out
    assert iam_state(acc) == before
    assert check_step1(envfile, capsys) == (1, "fail")
    assert main(["undo", "--last", "--yes"]) == 2  # nothing left to undo


def test_without_yes_and_without_terminal_nothing_changes(
    account, operator_profile, tmp_path, capsys, monkeypatch
):
    acc = account("seed")
    ops = operator_profile()
    envfile = env_file(acc, tmp_path)
    before = iam_state(acc)
    sent = count_api_calls(monkeypatch)
    with DelayProxy(acc.endpoint) as proxy:  # counts what reaches the server
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.url)
        args = ["fix", "attach-ses-full-access", "--env-file", envfile, "--operator-profile", ops]
        code = main(args)
        monkeypatch.setenv("AWS_ENDPOINT_URL", acc.endpoint)
    reached = [label.split(":")[-1] for label in proxy.actions()]
    assert proxy.count > 0 and "GetCallerIdentity" in reached  # the diagnosis and plan did run
    assert [a for a in reached if a.startswith(MUTATING)] == []
    assert code == 2
    captured = capsys.readouterr()
    assert "no terminal to confirm on" in captured.err
    assert "$ aws iam attach-user-policy" in captured.out  # the plan was shown
    assert [op for op in sent if op.startswith(MUTATING)] == []
    assert iam_state(acc) == before
    assert list_entries() == []


def test_dry_run_prints_the_plan_and_changes_nothing(
    account, operator_profile, tmp_path, capsys, monkeypatch
):
    acc = account("seed")
    ops = operator_profile()
    envfile = env_file(acc, tmp_path)
    before = iam_state(acc)
    sent = count_api_calls(monkeypatch)
    args = ["fix", "create-custom-policy", "--env-file", envfile, "--operator-profile", ops]
    code = main([*args, "--dry-run", "--yes"])
    out = capsys.readouterr().out
    assert code == 0
    assert "aws iam create-policy --policy-name RentalShopSESPermissions" in out
    assert '"ses:SendRawEmail"' in out and "Dry run: nothing was changed." in out
    assert [op for op in sent if op.startswith(MUTATING)] == []
    assert iam_state(acc) == before


def test_json_plan_and_result(account, operator_profile, tmp_path, capsys):
    acc = account("seed")
    ops = operator_profile()
    envfile = env_file(acc, tmp_path)
    args = ["fix", "attach-ses-full-access", "--env-file", envfile, "--operator-profile", ops]
    assert main([*args, "--json", "--dry-run"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["plan"]["calls"][0]["call"] == "iam:AttachUserPolicy" and "result" not in doc
    assert main([*args, "--json"]) == 2  # --json applies only with --yes
    assert main([*args, "--json", "--yes", "--verify-timeout", "5"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["result"]["status"] == "applied" and doc["result"]["verified"] is True


def test_unknown_fix_and_missing_operator(account, tmp_path, capsys):
    acc = account("seed")
    envfile = env_file(acc, tmp_path)
    assert main(["fix", "no-such-fix", "--env-file", envfile]) == 2
    assert "known fixes" in capsys.readouterr().err
    assert main(["fix", "attach-ses-full-access", "--env-file", envfile, "--yes"]) == 1
    assert "needs an operator identity" in capsys.readouterr().out


def test_guidance_fix_says_which_variable_to_what(account, tmp_path, capsys):
    acc = account("bad-secret")
    envfile = env_file(acc, tmp_path)
    assert main(["fix", "clean-variable", "--env-file", envfile]) == 0
    out = capsys.readouterr().out
    assert "AWS_SECRET_ACCESS_KEY" in out and "40 characters (now 41" in out
    assert acc.app_env["AWS_SECRET_ACCESS_KEY"].strip() not in out


def test_undo_by_entry_id_and_list(account, operator_profile, tmp_path, capsys):
    acc = account("seed")
    ops = operator_profile()
    envfile = env_file(acc, tmp_path)
    before = iam_state(acc)
    base = ["--env-file", envfile, "--operator-profile", ops, "--yes", "--verify-timeout", "5"]
    assert main(["fix", "attach-ses-full-access", *base]) == 0
    assert main(["fix", "create-custom-policy", *base]) == 0
    first, second = list_entries()
    capsys.readouterr()
    assert main(["undo", "--list"]) == 0
    listing = capsys.readouterr().out
    assert first.id in listing and second.id in listing and "attach-ses-full-access" in listing
    # the older one first, by id; then --last takes the newer one
    assert main(["undo", first.id, "--yes"]) == 0
    out = capsys.readouterr().out
    assert "$ aws iam detach-user-policy --user-name rental-app --policy-arn " in out
    assert main(["undo", "--last", "--yes", "--operator-profile", ops]) == 0
    assert iam_state(acc) == before
    assert main(["undo", first.id, "--yes"]) == 0
    assert "Already undone" in capsys.readouterr().out
    assert main(["undo", "--list"]) == 0
    assert capsys.readouterr().out.count("undone by") == 2
