"""Untrusted text stays text in every headless face.

The same hostile strings (tests/support/hostile.py: OSC 8 links, ``ESC c``, the C1 CSI
``\\x9b``, bidi overrides, Textual/Rich markup, 10 kB values) are fed as the app's variable
values, as log lines and as AWS error messages (answered by the fault proxy in front of the
simulated account) through ``check``, ``check --json``, ``fix --dry-run``, ``undo --list``
and ``logs`` (text and JSON). Each run must end normally (no traceback, a documented exit
code) and no raw control, escape, C1 or bidi character may reach stdout or stderr.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sesfix.demo.account import SimulatedAccount
from sesfix.masking import redact
from sesfix.text import visible
from tests.support.hostile import HOSTILE, IDS, forbidden_in
from tests.support.proxy import DelayProxy, Respond, when

Loader = Callable[[str], SimulatedAccount]
HOSTILE_BY_NAME = dict(HOSTILE)


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    from sesfix.cli import main

    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _clean(out: str, err: str) -> None:
    __tracebackhide__ = True
    assert not forbidden_in(out), f"raw control characters on stdout: {forbidden_in(out)}"
    assert not forbidden_in(err), f"raw control characters on stderr: {forbidden_in(err)}"
    assert "Traceback" not in out + err


def _quoted(value: str) -> str:
    """A dotenv double-quoted value that python-dotenv reads back as ``value`` exactly
    (backslashes and quotes escaped; control characters stay raw)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _env_file(path: Path, values: dict[str, str]) -> Path:
    path.write_text("".join(f"{k}={_quoted(v)}\n" for k, v in values.items()), encoding="utf-8")
    return path


def _escaped(value: str) -> str:
    """How a face shows ``value``: the visible form of its first characters."""
    return visible(redact(value), limit=None)[:12]


# ---- the app's variables ---------------------------------------------------------------


@pytest.mark.parametrize("hostile", [v for _n, v in HOSTILE], ids=IDS)
@pytest.mark.parametrize("face", ["text", "json"])
def test_check_shows_hostile_variables_as_text(
    hostile: str,
    face: str,
    account: Loader,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    acct = account("seed")
    monkeypatch.setenv("SESFIX_MAX_ATTEMPTS", "1")
    app = dict(acct.app_env)
    app.update(EMAIL_PROVIDER=hostile, EMAIL_FROM=hostile, AWS_SES_REGION=hostile)
    env = _env_file(tmp_path / "app.env", app)
    argv = ["check", "--env-file", str(env), *(["--json"] if face == "json" else [])]
    code, out, err = _run(argv, capsys)
    _clean(out, err)
    if "\x00" in hostile:  # a NUL makes the file binary: a usage error naming the file
        assert code == 2 and "binary" in err
        return
    assert code == 1, err[-2000:]
    if face == "json":
        report = json.loads(out)  # still one JSON document
        assert report["schema"] == "sesfix.check/1"
    else:
        assert "Verdict:" in out
        assert len(max(out.splitlines(), key=len)) < 4_000, "a 10 kB value is cut, not echoed"


# ---- AWS's error messages --------------------------------------------------------------


def _json_error(message: str) -> Respond:
    body = json.dumps({"message": message}).encode()
    return Respond(
        400,
        body,
        (("Content-Type", "application/json"), ("x-amzn-ErrorType", "BadRequestException")),
    )


@pytest.mark.parametrize("hostile", [v for _n, v in HOSTILE], ids=IDS)
def test_check_shows_hostile_aws_messages_as_text(
    hostile: str,
    account: Loader,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    acct = account("seed")
    for name, value in acct.app_env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("SESFIX_MAX_ATTEMPTS", "1")
    hook = when(_json_error(hostile), predicate=lambda r: r.path.startswith("/v2/email/account"))
    with DelayProxy(acct.endpoint, fault=hook) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.url)
        code, out, err = _run(["check"], capsys)
        jcode, jout, jerr = _run(["check", "--json"], capsys)
    assert any(r.path.startswith("/v2/email/account") for r in proxy.requests)
    for o, e in ((out, err), (jout, jerr)):
        _clean(o, e)
    assert code in (0, 1) and jcode == code
    json.loads(jout)
    shown = _escaped(hostile)
    if shown.strip() and "\x00" not in hostile:
        assert shown in out, "the AWS message should be shown, as visible text"


# ---- fix --dry-run and undo --list -----------------------------------------------------


@pytest.mark.parametrize("hostile", [v for _n, v in HOSTILE], ids=IDS)
def test_fix_dry_run_and_undo_list_show_hostile_text_as_text(
    hostile: str,
    account: Loader,
    operator_profile: Callable[[], str],
    isolated_world: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    acct = account("seed")
    monkeypatch.setenv("SESFIX_MAX_ATTEMPTS", "1")
    profile = operator_profile()
    app = dict(acct.app_env)
    app.update(EMAIL_PROVIDER=hostile, EMAIL_FROM=hostile)
    env = _env_file(tmp_path / "app.env", app)
    # The guidance fix echoes EMAIL_PROVIDER; an AWS fix plans against the operator's
    # reads (every hostile string for the first, three kinds for the second: each run is a
    # whole diagnosis).
    fixes = ["set-email-provider"]
    if hostile in (
        HOSTILE_BY_NAME["osc8-link"],
        HOSTILE_BY_NAME["c1-csi"],
        HOSTILE_BY_NAME["markup-click"],
    ):
        fixes.append("attach-ses-full-access")
    for fix_id in fixes:
        argv = ["fix", fix_id, "--dry-run", "--env-file", str(env), "--operator-profile", profile]
        code, out, err = _run(argv, capsys)
        _clean(out, err)
        assert code in (0, 1, 2), err[-2000:]
        jcode, jout, jerr = _run([*argv, "--json"], capsys)
        _clean(jout, jerr)
        if jcode != 2 or jout:
            json.loads(jout)

    # A hostile audit log (hand-edited or written by something else).
    state = isolated_world / ".local/state/sesfix"
    state.mkdir(parents=True, exist_ok=True)
    begin = {
        "v": 1,
        "type": "begin",
        "entry": "e-" + hostile[:40],
        "time": hostile,
        "kind": "apply",
        "fix_id": hostile,
        "operator_arn": hostile,
        "target": {"user": hostile, "account": hostile},
    }
    end = {"v": 1, "type": "end", "entry": begin["entry"], "status": hostile}
    (state / "audit.jsonl").write_text(
        json.dumps(begin) + "\n" + json.dumps(end) + "\n" + hostile.replace("\n", " ") + "\n",
        encoding="utf-8",
    )
    code, out, err = _run(["undo", "--list"], capsys)
    _clean(out, err)
    assert code in (0, 1, 2)


# ---- logs ------------------------------------------------------------------------------


def test_logs_show_hostile_lines_as_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = []
    for _name, value in HOSTILE:
        lines += [
            f"[Email Service] sending via SES {value}",
            f"AWS SES error (InvalidClientTokenId): {value}",
            json.dumps({"message": f"MessageRejected: {value}", "level": "error"}),
            value,
        ]
    log = tmp_path / "app.log"
    log.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="")
    for extra in ([], ["--json"]):
        code, out, err = _run(["logs", str(log), *extra], capsys)
        _clean(out, err)
        assert code in (0, 1, 3), err[-2000:]
        if extra:
            json.loads(out)
        else:
            assert "InvalidClientTokenId" in out


def test_json_output_escapes_c1_and_bidi_but_keeps_text_readable() -> None:
    from sesfix.commands.output import json_text

    doc = {"a": "Tạo chính sách \x9b2J \u202eevil \x1bc", "n": 1}
    text = json_text(doc)
    assert not forbidden_in(text)
    assert "Tạo chính sách" in text  # readable, not \\u escapes
    assert json.loads(text) == doc  # the same values after parsing


@given(st.dictionaries(st.text(max_size=12), st.lists(st.text(max_size=12), max_size=3)))
def test_json_text_never_holds_a_raw_control_and_parses_back(doc: dict[str, list[str]]) -> None:
    from sesfix.commands.output import json_text

    text = json_text(doc)
    assert not forbidden_in(text)
    assert json.loads(text) == doc
