"""Bounded time and verdicts only from AWS's own answers (issue 11), on the real protocols:
moto's server with IAM auth enforced, behind the loopback fault proxy.

* a dripping endpoint (headers, then one byte every 2 s: each read is quick) and a silent one
  are given up on at ``SESFIX_CALL_DEADLINE`` per call and ``SESFIX_DIAGNOSIS_DEADLINE`` for
  the whole diagnosis, and the verdict is given: the bound is asserted, not a speed;
* an answer that is not AWS's (an HTML page at any status, a 200 whose body is not the
  operation's shape) is ``probe.unreachable``, never a credentials, IAM or account finding;
  when nothing answered as AWS, the report leads with one headline;
* a secret in AWS_ACCESS_KEY_ID (key and secret swapped) is decided offline: nothing is
  signed with it and it never reaches the endpoint; a key ID that is not key-ID-shaped is
  never a parameter; an oversized value is named by its length and never sent;
* international domains go to AWS in their IDNA form and are shown in both forms.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from sesfix.demo.account import SimulatedAccount
from sesfix.diagnosis.report import Report
from tests.support.engine import check
from tests.support.proxy import (
    DelayProxy,
    Drip,
    Fault,
    FaultHook,
    RequestInfo,
    Respond,
    Silent,
)

Loader = Callable[[str], SimulatedAccount]
Start = Callable[[str, FaultHook | None], tuple[SimulatedAccount, DelayProxy]]

HTML_PAGE = b"<!DOCTYPE html><html><head><title>Sign in to the Wi-Fi</title></head></html>"
GARBAGE_XML = b'<?xml version="1.0"?><Portal><Status>ok</Status></Portal>'
GARBAGE_JSON = b'{"status": "ok", "portal": true}'
HTML = (("Content-Type", "text/html; charset=utf-8"),)


def _always(fault: Fault) -> FaultHook:
    return lambda _info: fault


def _verdicts(report: Report) -> set[str]:
    """Finding ids that claim something about the credentials, IAM, region or account."""
    return {f.id for f in report.findings if not f.id.startswith("probe.")}


# ---- time is bounded -------------------------------------------------------------------------


@pytest.mark.parametrize("fault", [Drip(interval=2.0), Silent()], ids=["drip", "silent"])
def test_each_call_is_bounded_as_a_whole(
    fault: Fault, proxied: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reads never time out (a byte comes every 2 s, the read timeout is 5 s; or the read
    timeout is longer than the test): only the whole-call deadline ends each call."""
    monkeypatch.setenv("SESFIX_CALL_DEADLINE", "2")
    monkeypatch.setenv("SESFIX_READ_TIMEOUT", "5" if isinstance(fault, Drip) else "120")
    monkeypatch.setenv("SESFIX_MAX_ATTEMPTS", "1")
    acct, proxy = proxied("healthy", _always(fault))
    started = time.monotonic()
    report = check(acct)
    elapsed = time.monotonic() - started
    # Round 1, then the calls that depend on it: a few rounds of at most 2 s each.
    assert elapsed < 4 * 2 + 4, f"{elapsed:.1f} s"
    assert proxy.count > 0
    gone = [f for f in report.findings if f.id == "probe.unreachable"]
    assert gone, report.finding_ids()
    assert any("no complete answer within 2 s" in " ".join(f.evidence) for f in gone)
    assert _verdicts(report) == set(), [(f.id, f.evidence) for f in report.findings]
    assert report.unreachable and report.headline
    assert not report.healthy


def test_the_whole_diagnosis_is_bounded(proxied: Start, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the default per-call deadline (15 s) longer than the diagnosis' bound (3 s), the
    bound wins: pending probes become probe.unreachable and the verdict is given."""
    monkeypatch.setenv("SESFIX_DIAGNOSIS_DEADLINE", "3")
    monkeypatch.setenv("SESFIX_READ_TIMEOUT", "5")
    monkeypatch.delenv("SESFIX_CALL_DEADLINE", raising=False)
    acct, _proxy = proxied("seed", _always(Drip(interval=2.0)))
    started = time.monotonic()
    report = check(acct)
    elapsed = time.monotonic() - started
    assert elapsed < 3 + 3, f"{elapsed:.1f} s"
    gone = [f for f in report.findings if f.id == "probe.unreachable"]
    assert any("bound of 3 s" in " ".join(f.evidence) for f in gone), gone
    assert report.unreachable
    assert _verdicts(report) == set()


def test_cancelling_gives_up_every_call_in_flight(
    proxied: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The wizard's Esc sets the diagnosis' cancel event: calls hanging on a silent
    endpoint are given up at once, not at their deadline (15 s by default)."""
    import threading

    from sesfix.diagnosis.engine import DiagnosisOptions, diagnose
    from tests.support.engine import settings_of

    monkeypatch.setenv("SESFIX_READ_TIMEOUT", "120")
    acct, proxy = proxied("seed", _always(Silent()))
    cancel = threading.Event()
    pressed: list[float] = []

    def press_esc() -> None:
        while proxy.count < 3:  # the first round is in flight
            time.sleep(0.01)
        pressed.append(time.monotonic())
        cancel.set()

    threading.Thread(target=press_esc, daemon=True).start()
    report = diagnose(settings_of(acct), DiagnosisOptions(operator=acct.operator), cancel=cancel)
    after = time.monotonic() - pressed[0]
    assert after < 1.0, f"{after:.2f} s after cancel"
    assert _verdicts(report) == set(), report.finding_ids()
    assert all(s.status in ("unknown", "fail") for s in report.steps)


def test_check_as_a_process_ends_within_the_bound_and_leads_with_the_headline(
    proxied: Start, isolated_world: Path
) -> None:
    acct, proxy = proxied("seed", _always(Drip(interval=2.0)))
    env = {
        **os.environ,
        **acct.app_env,
        "AWS_ENDPOINT_URL": proxy.url,
        "SESFIX_DIAGNOSIS_DEADLINE": "3",
        "SESFIX_CALL_DEADLINE": "2",
        "SESFIX_READ_TIMEOUT": "5",
    }
    for argv in (["check", "--json"], ["check"]):
        started = time.monotonic()
        proc = subprocess.run(
            [sys.executable, "-m", "sesfix", *argv],
            env=env,
            capture_output=True,
            timeout=60,
            cwd=isolated_world,
        )
        elapsed = time.monotonic() - started
        # The interpreter's start and imports come on top of the 3 s bound.
        assert elapsed < 3 + 8, f"{argv}: {elapsed:.1f} s"
        assert proc.returncode == 1, proc.stderr.decode(errors="replace")[-2000:]
        assert b"Traceback" not in proc.stderr
        out = proc.stdout.decode()
        if "--json" in argv:
            doc = json.loads(out)
            assert doc["unreachable"] is True
            assert doc["headline"].startswith("AWS could not be reached")
        else:
            assert out.splitlines()[0].startswith("✗ AWS could not be reached"), out[:400]


# ---- verdicts only from AWS's own answers ----------------------------------------------------


def _not_aws(kind: str) -> Callable[[RequestInfo], Fault]:
    def answer(info: RequestInfo) -> Fault:
        if kind == "403-html":
            return Respond(403, HTML_PAGE, HTML)
        if kind == "200-html":
            return Respond(200, HTML_PAGE, HTML)
        # The operation's own protocol, but not its shape (and no AWS request ID).
        if info.path.startswith("/v2/"):
            return Respond(200, GARBAGE_JSON, (("Content-Type", "application/json"),))
        return Respond(200, GARBAGE_XML, (("Content-Type", "text/xml"),))

    return answer


NOT_AWS = ["403-html", "200-html", "200-garbage"]


@pytest.mark.parametrize("kind", NOT_AWS)
@pytest.mark.parametrize("scenario", ["seed", "healthy"])
def test_a_non_aws_answer_everywhere_is_unreachable_and_said_first(
    kind: str, scenario: str, proxied: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A proxy or captive portal answers every request: no credentials, IAM or account
    finding (before: key_not_found + rotate-access-key for the 403 page, account.sandbox
    with invented evidence for a 200); the report says AWS could not be reached."""
    monkeypatch.setenv("SESFIX_MAX_ATTEMPTS", "1")
    acct, _proxy = proxied(scenario, _not_aws(kind))
    report = check(acct)
    assert _verdicts(report) == set(), [(f.id, f.evidence) for f in report.findings]
    assert "rotate-access-key" not in report.fix_ids()
    gone = [f for f in report.findings if f.id == "probe.unreachable"]
    assert any("something other than AWS answered" in " ".join(f.evidence) for f in gone)
    assert report.unreachable
    assert report.headline.startswith("AWS could not be reached")
    assert report.to_json()["unreachable"] is True


def _baseline_actions(proxied: Start, scenario: str) -> tuple[set[str], list[str]]:
    acct, proxy = proxied(scenario, None)
    report = check(acct)
    actions = sorted({r.action or r.label for r in proxy.snapshot()})
    proxy.stop()
    return {f.id for f in report.findings}, actions


@pytest.mark.parametrize("kind", ["403-html", "200-garbage"])
def test_a_non_aws_answer_at_any_one_probe_adds_no_verdict(
    kind: str, proxied: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each probe of the seed diagnosis in turn gets a non-AWS answer: it is named
    unreachable, and no finding appears that the clean run did not have."""
    monkeypatch.setenv("SESFIX_MAX_ATTEMPTS", "1")
    baseline, actions = _baseline_actions(proxied, "seed")
    assert len(actions) >= 8, actions
    answer = _not_aws(kind)
    for action in actions:

        def hook(info: RequestInfo, action: str = action) -> Fault | None:
            return answer(info) if (info.action or info.label) == action else None

        acct, proxy = proxied("seed", hook)
        report = check(acct)
        proxy.stop()
        new = {f.id for f in report.findings} - baseline - {"probe.unreachable"}
        assert new == set(), (action, [(f.id, f.evidence) for f in report.findings])
        hit = [
            f
            for f in report.findings
            if f.id == "probe.unreachable"
            and "something other than AWS answered" in " ".join(f.evidence)
        ]
        assert hit, (action, report.finding_ids())


# ---- a secret is never a key ID --------------------------------------------------------------


def _everything_sent(proxy: DelayProxy) -> str:
    parts = []
    for r in proxy.snapshot():
        parts.append(r.path)
        parts.append(r.body.decode("utf-8", "replace"))
        parts.extend(f"{k}: {v}" for k, v in r.headers)
    return "\n".join(parts)


@pytest.mark.parametrize("operator", [True, False], ids=["with-operator", "app-only"])
def test_swapped_key_and_secret_is_decided_offline(
    operator: bool, proxied: Start, account: Loader
) -> None:
    acct, proxy = proxied("healthy", None)
    key_id, secret = acct.app_env["AWS_ACCESS_KEY_ID"], acct.app_env["AWS_SECRET_ACCESS_KEY"]
    report = check(
        acct,
        {"AWS_ACCESS_KEY_ID": secret, "AWS_SECRET_ACCESS_KEY": key_id},
        operator=operator,
    )
    swapped = [f for f in report.findings if f.id == "credentials.key_and_secret_swapped"]
    assert len(swapped) == 1, report.finding_ids()
    assert swapped[0].severity == "error"
    assert "credentials.key_id_malformed" not in report.finding_ids()
    assert "credentials.secret_malformed" not in report.finding_ids()
    # The sentinel (the real secret) never reached the endpoint, signed or as a parameter.
    sent = _everything_sent(proxy)
    assert secret not in sent
    assert secret[:4] + "…" not in json.dumps(report.to_json(), default=str)
    assert report.context.key_id_masked == "(a secret-shaped value, not shown)"
    # Nothing was signed as the app at all.
    assert not [r for r in report.step(2).probes if r.identity == "app"]
    if operator:
        assert proxy.actions()["sts:GetCallerIdentity"] == 1  # the operator's own
        assert "GetAccessKeyLastUsed" not in {r.action for r in proxy.snapshot()}


@pytest.mark.parametrize(
    "bad_key", ["AIDAJQABLZS4A3QDU576", "akiaiosfodnn7example", "AKIA 1234"], ids=str
)
def test_a_key_id_that_is_not_key_shaped_is_never_a_parameter(bad_key: str, proxied: Start) -> None:
    acct, proxy = proxied("healthy", None)
    report = check(acct, {"AWS_ACCESS_KEY_ID": bad_key})
    assert not report.healthy
    actions = {r.action for r in proxy.snapshot()}
    assert "GetAccessKeyLastUsed" not in actions and "GetAccessKeyInfo" not in actions
    assert bad_key not in "\n".join(r.body.decode("utf-8", "replace") for r in proxy.snapshot())


@pytest.mark.parametrize(
    "variable", ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "EMAIL_FROM", "AWS_SES_REGION"]
)
def test_an_oversized_value_is_named_by_length_and_never_sent(
    variable: str, proxied: Start
) -> None:
    acct, proxy = proxied("healthy", None)
    filler = "Zq9" * 2000  # 6000 characters
    value = f"no-reply@{filler}.example" if variable == "EMAIL_FROM" else filler
    report = check(acct, {variable: value})
    named = [f for f in report.findings if f.data.get("variable") == variable]
    assert named and named[0].severity == "error", report.finding_ids()
    evidence = " ".join(named[0].evidence)
    assert str(len(value)) in evidence and "not shown" in evidence
    text = json.dumps(report.to_json(), default=str)
    assert filler[:200] not in text
    assert filler[:200] not in _everything_sent(proxy)
    if variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        assert not [r for s in report.steps for r in s.probes if r.identity == "app"]


# ---- international domains --------------------------------------------------------------------


def test_an_international_domain_goes_to_aws_in_idna_form_and_is_shown_in_both(
    proxied: Start,
) -> None:
    acct, proxy = proxied("healthy", None)
    report = check(acct, {"EMAIL_FROM": "Shop <no-reply@bücher.example>"})
    assert report.context.domain == "xn--bcher-kva.example"
    assert report.context.domain_shown == "bücher.example (xn--bcher-kva.example)"
    bodies = "\n".join(
        r.body.decode("utf-8", "replace") + r.path for r in proxy.snapshot() if r.body or r.path
    )
    assert "xn--bcher-kva.example" in bodies
    assert "b%C3%BCcher" not in bodies and "bücher" not in bodies
    # Not verified anywhere: the evidence names the domain as people read it, and as AWS does.
    lines = [e for f in report.findings if f.id == "identity.not_verified" for e in f.evidence]
    assert any("bücher.example (xn--bcher-kva.example)" in e for e in lines), lines
