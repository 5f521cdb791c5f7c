"""The audit log: exact after an interruption, whole lines under concurrent writers,
tolerant of a truncated last line, and never a secret."""

from __future__ import annotations

import json
import multiprocessing
import os
from pathlib import Path

import pytest

from sesfix.aws.gateway import Gateway
from sesfix.diagnosis.engine import DiagnosisOptions, diagnose
from sesfix.fixes import apply_plan, audit, list_entries, plan_fix, undo
from sesfix.fixes.model import UndoCall
from sesfix.locations import audit_log_path
from tests.conftest import SENTINEL_SECRET
from tests.support.proxy import Close, DelayProxy, when
from tests.test_fixes_iam import iam_state


def _writer_process(path: str, n: int, tag: str) -> None:
    for i in range(n):
        w = audit.EntryWriter(
            f"fix-{tag}", "arn:aws:iam::1:user/op", {"user": tag}, path=Path(path)
        )
        w.intent("iam:AttachUserPolicy", {"Padding": tag * 4000, "i": i}, "aws iam …", [])
        w.result(1, "ok")
        w.end("applied")


def test_concurrent_writers_never_interleave_a_line(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_writer_process, args=(str(path), 25, t)) for t in "abcd"]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    lines = path.read_text().splitlines()
    assert len(lines) == 4 * 25 * 4
    for line in lines:
        json.loads(line)  # every line whole
    entries = audit.read_entries(path)
    assert len(entries) == 100 and all(e.status == "applied" for e in entries)
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"


def test_truncated_last_line_is_skipped_and_repaired(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    w = audit.EntryWriter("attach-ses-full-access", "arn", {"user": "u"}, path=path)
    seq = w.intent(
        "iam:AttachUserPolicy",
        {"UserName": "u"},
        "aws iam attach-user-policy",
        [UndoCall("iam", "detach_user_policy", "us-east-1", {"UserName": "u"})],
    )
    with open(path, "a") as fh:
        fh.write('{"v":1,"type":"result","entry":"' + w.id + '","seq":1,"sta')  # power cut
    [entry] = audit.read_entries(path)
    assert entry.status == "interrupted" and entry.calls[0].status == "unknown"
    assert entry.changed_anything  # it may have happened: undo will try
    w.result(seq, "ok")
    w.end("applied")
    [entry] = audit.read_entries(path)
    assert entry.status == "applied" and entry.calls[0].status == "ok"
    assert all(line.startswith("{") for line in path.read_text().splitlines())


def test_interrupted_apply_leaves_the_log_exact_and_undo_finishes(account, monkeypatch):
    acc = account("seed")
    before = iam_state(acc)
    settings = acc.app_settings()
    report = diagnose(settings, DiagnosisOptions(operator=acc.operator))
    plan = plan_fix("create-custom-policy", report, settings, operator=acc.operator)
    real_write = Gateway.write
    calls = []

    def write_then_ctrl_c(self, identity, service, operation, region, **params):  # type: ignore[no-untyped-def]
        calls.append(operation)
        result = real_write(self, identity, service, operation, region, **params)
        if operation == "attach_user_policy":
            raise KeyboardInterrupt  # Ctrl-C just as AWS answered
        return result

    monkeypatch.setattr(Gateway, "write", write_then_ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        apply_plan(plan, settings=settings, operator=acc.operator, confirmed=True)
    monkeypatch.setattr(Gateway, "write", real_write)
    assert calls == ["create_policy", "attach_user_policy"]
    [entry] = list_entries()
    assert entry.status == "interrupted"
    assert [c.status for c in entry.calls] == ["ok", "unknown"]
    result = undo(None, operator=acc.operator, confirmed=True)
    assert result.status == "undone", result.message
    assert iam_state(acc) == before


def test_no_secret_reaches_the_log(account, monkeypatch):
    acc = account("seed")
    monkeypatch.setitem(acc.app_env, "AWS_SECRET_ACCESS_KEY", SENTINEL_SECRET)
    settings = acc.app_settings()
    report = diagnose(settings, DiagnosisOptions(operator=acc.operator))
    plan = plan_fix("attach-ses-full-access", report, settings, operator=acc.operator)
    result = apply_plan(
        plan, settings=settings, operator=acc.operator, confirmed=True, verify_timeout=0
    )
    assert result.status == "applied"
    assert result.verified is None  # the sentinel secret is wrong: step 2 must be fixed first
    assert "fix step 2" in result.verification_detail
    text = audit_log_path().read_text()
    assert SENTINEL_SECRET not in text
    assert acc.operator.credentials.secret_access_key.reveal() not in text
    assert acc.app_key_id not in text  # the app's key is recorded masked only


def test_network_drop_mid_call_is_recorded_as_unknown_and_undo_copes(account, monkeypatch):
    """The connection closes on every attempt of iam:AttachUserPolicy: nobody knows whether
    AWS applied it. The log says exactly that, and undo still restores the state."""
    acc = account("seed")
    before = iam_state(acc)
    settings = acc.app_settings()
    report = diagnose(settings, DiagnosisOptions(operator=acc.operator))
    plan = plan_fix("attach-ses-full-access", report, settings, operator=acc.operator)
    with DelayProxy(acc.endpoint, fault=when(Close(), action="AttachUserPolicy")) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.url)
        result = apply_plan(plan, settings=settings, operator=acc.operator, confirmed=True)
        monkeypatch.setenv("AWS_ENDPOINT_URL", acc.endpoint)
    assert proxy.actions()["iam:AttachUserPolicy"] >= 1
    assert result.status == "failed" and result.calls[0].status == "unknown"
    assert "may or may not have applied it" in result.message
    [entry] = list_entries()
    assert entry.calls[0].status == "unknown" and entry.changed_anything
    back = undo(None, operator=acc.operator, confirmed=True)
    assert back.status == "undone", back.message  # detach of a never-attached policy: tolerated
    assert iam_state(acc) == before
