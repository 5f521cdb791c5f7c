"""Every AWS fix, through the real CLI in its own process, behind the counting proxy.

* No mutating AWS call without confirmation: without ``--yes`` and without a terminal,
  with ``--dry-run``, and when the person answers "n" on a terminal, the proxy sees only
  reads. With ``--yes`` it sees exactly the plan's writes.
* No secret anywhere: stdout, stderr, every file under HOME/XDG (the audit log, the debug
  log at its most verbose) are grepped for the app's secret, the operator's secret and, for
  rotate-access-key, the new key's secret, through apply and undo.
* Ctrl-C or a network drop in the middle of each fix leaves the audit log exact and undo
  able to finish; two sesfix processes applying fixes at once keep the audit log whole.
"""

from __future__ import annotations

import json
import os
import pty
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import keyring
import keyring.core
import pytest
from keyring.backends import fail

from sesfix import secrets as sk
from sesfix.aws.gateway import Gateway
from sesfix.demo.account import SimulatedAccount
from sesfix.diagnosis.engine import DiagnosisOptions, diagnose
from sesfix.fixes import apply_plan, list_entries, plan_fix, undo
from sesfix.locations import audit_log_path
from tests.support import secret_service as ss
from tests.support.fixsetups import FIX_SETUPS
from tests.support.leakcheck import assert_no_leak, files_under
from tests.support.proxy import Close, DelayProxy, RequestInfo, when

Loader = Callable[[str], SimulatedAccount]

UNDOABLE = [f for f in FIX_SETUPS if f != "request-production-access"]
_READ_PREFIXES = ("Get", "List", "Simulate", "Describe")


def mutating(r: RequestInfo) -> bool:
    if r.action:
        return not r.action.startswith(_READ_PREFIXES)
    return r.method not in ("GET", "HEAD")


def writes(proxy: DelayProxy) -> list[str]:
    return [r.label for r in proxy.snapshot() if mutating(r)]


@pytest.fixture(scope="module")
def secret_service() -> Iterator[ss.SecretService | None]:
    if ss.reachable():
        yield ss.SecretService("the session's Secret Service", None)
        return
    if ss.can_start_private() is not None:
        yield None
        return
    with ss.private_secret_service() as service:
        yield service


def sesfix(
    args: list[str], env: dict[str, str], *, stdin: Any = subprocess.DEVNULL
) -> tuple[int, bytes, bytes]:
    proc = subprocess.run(
        [sys.executable, "-m", "sesfix", *args],
        env=env,
        stdin=stdin,
        capture_output=True,
        timeout=180,
        cwd=env["HOME"],
    )
    return proc.returncode, proc.stdout, proc.stderr


def input_flags(inputs: dict[str, str]) -> list[str]:
    return [x for k, v in inputs.items() for x in ("--input", f"{k}={v}")]


# ---- confirmation, counted at the proxy; and no secret in any output -----------------------


@pytest.mark.parametrize("fix_id", sorted(FIX_SETUPS))
def test_a_fix_changes_nothing_unconfirmed_and_leaks_nothing(
    fix_id: str,
    counted,
    operator_profile: Callable[[], str],
    isolated_world: Path,
    secret_service: ss.SecretService | None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scenario, inputs = FIX_SETUPS[fix_id]
    if fix_id == "rotate-access-key" and secret_service is None:
        pytest.skip("no Secret Service for the new key's secret: " + str(ss.can_start_private()))
    acct, proxy = counted(scenario)
    profile = operator_profile()
    env = {
        **os.environ,
        **acct.app_env,
        "SESFIX_DEBUG": "1",
        "SESFIX_OPERATOR_PROFILE": profile,
        "SESFIX_VERIFY_TIMEOUT": "0",
    }
    if fix_id == "rotate-access-key":
        env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.SecretService.Keyring"
    base = ["fix", fix_id, *input_flags(inputs)]
    outputs: dict[str, bytes] = {}

    # 1. no --yes and no terminal; 2. --dry-run: reads only.
    for name, extra in (("unconfirmed", []), ("dry-run", ["--dry-run"])):
        proxy.reset()
        code, out, err = sesfix([*base, *extra], env)
        outputs[f"{name}.out"], outputs[f"{name}.err"] = out, err
        assert writes(proxy) == [], (name, writes(proxy))
        assert proxy.count > 0, "the plan reads the current state first"
        if name == "unconfirmed":
            assert code == 2, err[-1500:]
            assert b"nothing was changed" in out + err
        else:
            assert code == 0, err[-1500:]

    # 3. confirmed: the plan's writes, and only writes of this fix's kind.
    proxy.reset()
    code, out, err = sesfix([*base, "--yes"], env)
    outputs["apply.out"], outputs["apply.err"] = out, err
    done = writes(proxy)
    assert done, (code, err[-1500:])
    assert code in (0, 1), err[-1500:]

    new_secrets: list[str] = []
    if fix_id == "rotate-access-key":  # read it back before undo forgets it
        monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.SecretService.Keyring")
        keyring.core.init_backend()
        try:
            stored = [sk.load_credentials(label) for label in sk.list_labels()]
            new_secrets = [c.secret_access_key.reveal() for c in stored if c is not None]
        finally:
            keyring.set_keyring(fail.Keyring())
        found = len(new_secrets)
        assert found == 1, "the new key's secret should be in the OS keyring"

    # 4. undo (where the fix can be undone).
    if fix_id in UNDOABLE:
        proxy.reset()
        code, out, err = sesfix(["undo", "--yes"], env)
        outputs["undo.out"], outputs["undo.err"] = out, err
        assert code == 0, (out + err)[-1500:]
        assert writes(proxy)

    secrets = [
        acct.app_env["AWS_SECRET_ACCESS_KEY"],
        acct.operator.credentials.secret_access_key.reveal(),  # type: ignore[union-attr]
        *new_secrets,
    ]
    produced = {
        **outputs,
        **files_under(isolated_world, exclude=[isolated_world / "aws-credentials"]),
    }
    assert any("audit" in name for name in produced), "the audit log should exist"
    assert any(name.endswith("debug.log") for name in produced)
    assert_no_leak(produced, *secrets)


def test_answering_no_on_a_terminal_changes_nothing(
    counted, operator_profile: Callable[[], str]
) -> None:
    acct, proxy = counted("seed")
    profile = operator_profile()
    env = {**os.environ, **acct.app_env, "SESFIX_OPERATOR_PROFILE": profile}
    leader, follower = pty.openpty()
    try:
        os.write(leader, b"n\n")
        code, out, _err = sesfix(["fix", "attach-ses-full-access"], env, stdin=follower)
    finally:
        os.close(leader)
        os.close(follower)
    assert code == 2, _err[-1500:]
    assert b"Apply these changes?" in out and b"nothing was changed" in out, (out, _err)
    assert writes(proxy) == []
    assert not audit_log_path().exists() or not list_entries()


# ---- Ctrl-C and a network drop in the middle of each fix --------------------------------------


def world(acct: SimulatedAccount) -> dict[str, Any]:
    """What the AWS fixes can change, read as the administrator."""
    iam = acct.operator_client("iam")
    user = acct.scenario.user if acct.scenario else "rental-app"
    keys = iam.list_access_keys(UserName=user)["AccessKeyMetadata"]
    region = acct.scenario.region if acct.scenario else "ap-southeast-1"
    return {
        "attached": sorted(
            p["PolicyArn"]
            for p in iam.list_attached_user_policies(UserName=user)["AttachedPolicies"]
        ),
        "local": sorted(p["PolicyName"] for p in iam.list_policies(Scope="Local")["Policies"]),
        "keys": sorted((k["AccessKeyId"], k["Status"]) for k in keys),
        "identities": sorted(acct.operator_client("ses", region).list_identities()["Identities"]),
    }


def _plan(acct: SimulatedAccount, fix_id: str) -> Any:
    settings = acct.app_settings()
    report = diagnose(settings, DiagnosisOptions(operator=acct.operator))
    inputs = FIX_SETUPS[fix_id][1]
    plan = plan_fix(fix_id, report, settings, operator=acct.operator, inputs=inputs or None)
    assert plan.applicable, plan.refused
    return settings, plan


@pytest.mark.parametrize("when_", ["before-aws-answers", "after-aws-answers"])
@pytest.mark.parametrize("fix_id", UNDOABLE)
def test_ctrl_c_in_the_middle_of_a_fix(
    fix_id: str, when_: str, account: Loader, monkeypatch: pytest.MonkeyPatch
) -> None:
    acct = account(FIX_SETUPS[fix_id][0])
    before = world(acct)
    settings, plan = _plan(acct, fix_id)
    real_write = Gateway.write
    sent: list[str] = []

    def interrupted(self, identity, service, operation, region, **params):  # type: ignore[no-untyped-def]
        if when_ == "before-aws-answers":
            sent.append(operation)
            raise KeyboardInterrupt
        result = real_write(self, identity, service, operation, region, **params)
        sent.append(operation)
        signal.raise_signal(signal.SIGINT)  # a real Ctrl-C, just as AWS answered
        return result

    monkeypatch.setattr(Gateway, "write", interrupted)
    with pytest.raises(KeyboardInterrupt):
        apply_plan(
            plan, settings=settings, operator=acct.operator, confirmed=True, verify_timeout=0
        )
    monkeypatch.setattr(Gateway, "write", real_write)
    assert len(sent) == 1

    [entry] = list_entries()
    assert entry.status == "interrupted"
    if when_ == "before-aws-answers":
        assert entry.calls[0].status == "unknown"  # nobody knows whether AWS applied it
    else:
        assert entry.calls[0].status == "ok"  # the answer was recorded before stopping
    assert all(c.status == "not-run" for c in entry.calls[1:]) or len(entry.calls) == 1
    for line in audit_log_path().read_text().splitlines():
        json.loads(line)  # every line whole
    back = undo(None, operator=acct.operator, confirmed=True)
    assert back.status in ("undone", "nothing"), back.message
    assert world(acct) == before


@pytest.mark.parametrize("fix_id", UNDOABLE)
def test_a_network_drop_in_the_middle_of_a_fix(
    fix_id: str, account: Loader, moto_server: SimulatedAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every attempt of the fix's first write loses its connection: recorded as unknown,
    undo restores the account once the network is back."""
    acct = account(FIX_SETUPS[fix_id][0])
    before = world(acct)
    settings, plan = _plan(acct, fix_id)
    first = plan.calls[0].call.split(":")[1]

    def first_write(info: RequestInfo) -> bool:
        # Query/JSON calls name their action; SESv2's REST writes are the non-GET /v2/ ones.
        if info.action:
            return info.action == first
        return info.method != "GET" and info.path.startswith("/v2/")

    with DelayProxy(moto_server.endpoint, fault=when(Close(), predicate=first_write)) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.url)
        monkeypatch.setenv("SESFIX_MAX_ATTEMPTS", "2")
        result = apply_plan(
            plan, settings=settings, operator=acct.operator, confirmed=True, verify_timeout=0
        )
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server.endpoint)
    assert proxy.actions()[f"{plan.calls[0].service.replace('sesv2', 'ses')}:{first}"] >= 1 or (
        proxy.count > 0
    )
    assert result.status == "failed"
    assert result.calls[0].status == "unknown", result.calls
    [entry] = list_entries()
    assert entry.calls[0].status == "unknown"
    back = undo(None, operator=acct.operator, confirmed=True)
    assert back.status in ("undone", "nothing"), back.message
    assert world(acct) == before


# ---- two sesfix processes at once -------------------------------------------------------------


def test_two_processes_applying_fixes_at_once_keep_the_audit_log_whole(
    account: Loader, operator_profile: Callable[[], str], isolated_world: Path
) -> None:
    acct = account("seed")
    before = world(acct)
    profile = operator_profile()
    env = {
        **os.environ,
        **acct.app_env,
        "SESFIX_OPERATOR_PROFILE": profile,
        "SESFIX_VERIFY_TIMEOUT": "0",
    }
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "sesfix", "fix", fix_id, "--yes"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=isolated_world,
        )
        for fix_id in ("attach-ses-full-access", "create-custom-policy")
    ]
    deadline = time.monotonic() + 180
    for p in procs:
        p.communicate(timeout=max(1, deadline - time.monotonic()))
        assert p.returncode in (0, 1)
    lines = audit_log_path().read_text().splitlines()
    for line in lines:
        json.loads(line)
    entries = list_entries()
    assert sorted(e.fix_id for e in entries) == ["attach-ses-full-access", "create-custom-policy"]
    assert all(e.status == "applied" for e in entries), [(e.fix_id, e.status) for e in entries]
    for _ in entries:
        assert undo(None, operator=acct.operator, confirmed=True).status == "undone"
    assert world(acct) == before


# ---- the audit log survives a truncated last line (a power cut mid-write) ---------------------


def test_a_truncated_last_line_does_not_stop_list_or_undo(
    account: Loader, operator_profile: Callable[[], str], isolated_world: Path
) -> None:
    acct = account("seed")
    before = world(acct)
    settings, plan = _plan(acct, "attach-ses-full-access")
    applied = apply_plan(
        plan, settings=settings, operator=acct.operator, confirmed=True, verify_timeout=0
    )
    assert applied.status == "applied"
    path = audit_log_path()
    with path.open("ab") as f:
        f.write(b'{"v":1,"type":"intent","entry":"x","seq":1,"call":"iam:Atta')  # cut off
    profile = operator_profile()
    env = {**os.environ, **acct.app_env, "SESFIX_OPERATOR_PROFILE": profile}
    code, out, err = sesfix(["undo", "--list"], env)
    assert code == 0, err[-1500:]
    assert b"attach-ses-full-access" in out
    code, out, err = sesfix(["undo", "--yes"], env)
    assert code == 0, (out + err)[-1500:]
    assert world(acct) == before
    lines = path.read_text().splitlines()
    broken = [line for line in lines if not line.endswith("}")]
    assert broken == ['{"v":1,"type":"intent","entry":"x","seq":1,"call":"iam:Atta']
    for line in lines:
        if line not in broken:
            json.loads(line)  # every line after the cut is whole again
    code, out, err = sesfix(["undo", "--list"], env)
    assert code == 0 and b"undone by" in out, (out + err)[-1500:]
