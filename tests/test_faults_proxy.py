"""Faults injected by the loopback proxy in front of the simulated account.

Each fault must give a finding that names what failed (``probe.unreachable`` with the call
and the region), leave the rest of the diagnosis going, be retried the way botocore's
standard mode retries it (a bounded number of attempts), and end in a documented exit code.

The bound, stated: one probe against a dead endpoint costs at most
``SESFIX_MAX_ATTEMPTS × (SESFIX_CONNECT_TIMEOUT + SESFIX_READ_TIMEOUT)`` plus the standard
mode's jittered back-off (under 1 s + 2 s for three attempts); probes run concurrently, so a
diagnosis with one dead region finishes within about two such budgets (the region search
waits on the dead region once). The tests assert it generously.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from sesfix.demo.account import SimulatedAccount
from sesfix.diagnosis.report import Report
from sesfix.findings import Finding, Severity
from tests.support.engine import check
from tests.support.proxy import (
    SERVICE_UNAVAILABLE_XML,
    THROTTLING_XML,
    Close,
    CutBody,
    Delay,
    DelayProxy,
    Fault,
    FaultHook,
    RequestInfo,
    Respond,
    when,
)

Loader = Callable[[str], SimulatedAccount]
CONNECT, READ, ATTEMPTS = 1.0, 1.0, 2

HTML_500 = b"<html><body><h1>500 Internal Server Error</h1></body></html>"


@pytest.fixture
def fast_failures(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SESFIX_CONNECT_TIMEOUT", str(CONNECT))
    monkeypatch.setenv("SESFIX_READ_TIMEOUT", str(READ))
    monkeypatch.setenv("SESFIX_MAX_ATTEMPTS", str(ATTEMPTS))


def unreachable(report: Report, call: str, region: str) -> list[Finding]:
    return [
        f
        for f in report.findings
        if f.id == "probe.unreachable"
        and f.data.get("call") == call
        and f.data.get("region") == region
    ]


def attempts(proxy: DelayProxy, action: str, region: str) -> list[int]:
    return [r.attempt for r in proxy.snapshot() if r.action == action and r.region == region]


THROTTLING_JSON = b'{"__type":"TooManyRequestsException","message":"Too Many Requests"}'


def _throttle(info: RequestInfo) -> Fault:
    """Throttling as each protocol says it: Query XML for STS/IAM/SES, JSON 429 for SESv2."""
    if info.path.startswith("/v2/"):
        headers = (
            ("Content-Type", "application/json"),
            ("x-amzn-ErrorType", "TooManyRequestsException"),
        )
        return Respond(429, THROTTLING_JSON, headers)
    return Respond(400, THROTTLING_XML)


FAULTS: dict[str, Callable[[RequestInfo], Fault]] = {
    "timeout": lambda _: Delay(READ * 4),
    "connection-dropped": lambda _: Close(),
    "http-500-html": lambda _: Respond(500, HTML_500, (("Content-Type", "text/html"),)),
    "http-503": lambda _: Respond(503, SERVICE_UNAVAILABLE_XML),
    "throttled": _throttle,
    "cut-mid-body": lambda _: CutBody(keep=40),
}


def fault(
    name: str, *, action: str | None = None, region: str | None = None, attempt: int | None = None
) -> FaultHook:
    def hook(info: RequestInfo) -> Fault | None:
        if action is not None and info.action != action:
            return None
        if region is not None and info.region != region:
            return None
        if attempt is not None and info.attempt != attempt:
            return None
        return FAULTS[name](info)

    return hook


# ---- one call fails every time ---------------------------------------------------------------


@pytest.mark.parametrize("fault_name", list(FAULTS))
def test_a_failing_live_probe_is_named_and_the_rest_goes_on(
    fault_name: str, proxied, fast_failures: None
) -> None:
    """ses:GetSendQuota in the app's region fails, for the app and the operator alike; the
    seed scenario's cause (a missing SES permission, found through IAM) is still named."""
    hook = fault(fault_name, action="GetSendQuota", region="ap-southeast-1")
    acct, proxy = proxied("seed", hook)
    started = time.monotonic()
    report = check(acct)
    elapsed = time.monotonic() - started

    named = unreachable(report, "ses:GetSendQuota", "ap-southeast-1")
    assert named, report.finding_ids()
    assert any("ses:GetSendQuota" in e and "ap-southeast-1" in e for e in named[0].evidence)
    assert "iam.ses_permission_missing" in report.finding_ids()
    assert report.step(4).status == "pass"  # the region step was not disturbed
    assert not report.healthy
    tries = attempts(proxy, "GetSendQuota", "ap-southeast-1")
    assert tries and max(tries) <= ATTEMPTS, tries
    assert elapsed < 30, f"took {elapsed:.1f} s"


@pytest.mark.parametrize("fault_name", list(FAULTS))
def test_a_failing_identity_probe_is_named_and_the_rest_goes_on(
    fault_name: str, proxied, fast_failures: None
) -> None:
    """Every sts:GetCallerIdentity fails (app and operator): the credentials cannot be
    judged, and that is said; the region check still runs and passes."""
    hook = fault(fault_name, action="GetCallerIdentity")
    acct, _proxy = proxied("healthy", hook)
    report = check(acct)
    named = unreachable(report, "sts:GetCallerIdentity", "us-east-1")
    assert named and any(f.severity == Severity.ERROR for f in named), report.finding_ids()
    assert report.step(2).status in ("fail", "unknown")
    assert report.step(4).status == "pass"
    assert not report.healthy


def _summary(report: Report) -> list[tuple[str, str, str]]:
    """Finding ids with the call and region of each (the probes the simulator lacks too)."""
    return sorted(
        (f.id, str(f.data.get("call", "")), str(f.data.get("region", ""))) for f in report.findings
    )


# ---- transient faults are retried away -------------------------------------------------------


@pytest.mark.parametrize(
    "fault_name", ["http-503", "throttled", "connection-dropped", "http-500-html"]
)
def test_a_transient_fault_is_retried_and_leaves_no_trace(
    fault_name: str, proxied, fast_failures: None
) -> None:
    """The first attempt of every call fails; botocore's standard mode retries and the
    diagnosis is the same as without the fault."""
    acct, proxy = proxied("healthy", None)
    baseline = _summary(check(acct))
    proxy.reset()
    proxy.fault = fault(fault_name, attempt=1)
    report = check(acct)
    assert _summary(report) == baseline, [(f.id, f.evidence) for f in report.findings]
    assert report.healthy, [(f.id, f.evidence) for f in report.errors]
    seen = proxy.snapshot()
    assert any(r.attempt == 2 for r in seen), "the SDK should have retried"
    assert all(r.attempt <= ATTEMPTS for r in seen)


# ---- a very slow region among many -----------------------------------------------------------


def test_one_dead_region_among_many_is_bounded_and_named(proxied, fast_failures: None) -> None:
    """wrong-region: the sender is verified only in us-east-1, so sesfix asks every SES
    region. eu-west-3 never answers. The diagnosis still finds us-east-1 and finishes
    within the bound."""
    acct, proxy = proxied("wrong-region", when(Delay(60), region="eu-west-3"))
    budget = ATTEMPTS * (CONNECT + READ) + 3
    started = time.monotonic()
    report = check(acct)
    elapsed = time.monotonic() - started
    assert "region.identity_not_in_region" in report.finding_ids()
    assert "us-east-1" in report.context.verified_regions
    dead = unreachable(report, "ses:GetIdentityVerificationAttributes", "eu-west-3")
    assert dead, "the silent region must be named: " + str(report.finding_ids())
    assert elapsed < 2 * budget + 10, f"{elapsed:.1f} s, bound {2 * budget:.0f} s"
    regions_asked = {
        r.region for r in proxy.snapshot() if r.action == "GetIdentityVerificationAttributes"
    }
    assert len(regions_asked) > 25


def test_the_default_budget_is_bounded_too(proxied, monkeypatch: pytest.MonkeyPatch) -> None:
    """With sesfix's own defaults (connect 3 s, read 6 s, 3 attempts), a dead region adds at
    most one probe budget: 3 × (3 + 6) s + back-off < 35 s; asserted generously at 60 s."""
    for name in ("SESFIX_CONNECT_TIMEOUT", "SESFIX_READ_TIMEOUT", "SESFIX_MAX_ATTEMPTS"):
        monkeypatch.delenv(name, raising=False)
    acct, _proxy = proxied("wrong-region", when(Delay(120), region="sa-east-1"))
    started = time.monotonic()
    report = check(acct)
    elapsed = time.monotonic() - started
    assert "region.identity_not_in_region" in report.finding_ids()
    assert elapsed < 60, f"{elapsed:.1f} s"


# ---- the whole endpoint is gone: the CLI's exit code -----------------------------------------


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_connection_refused_everywhere_exits_1_naming_the_calls(
    account: Loader, isolated_world: Path, fast_failures: None
) -> None:
    acct = account("seed")
    env = {
        **os.environ,
        **acct.app_env,
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{_closed_port()}",
    }
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "sesfix", "check", "--json"],
        env=env,
        capture_output=True,
        timeout=120,
        cwd=isolated_world,
    )
    elapsed = time.monotonic() - started
    assert proc.returncode == 1, proc.stderr.decode(errors="replace")[-2000:]
    report = json.loads(proc.stdout)
    assert report["healthy"] is False
    gone = [f for f in report["findings"] if f["id"] == "probe.unreachable"]
    assert any(
        f["data"]["call"] == "sts:GetCallerIdentity" and f["data"]["region"] == "us-east-1"
        for f in gone
    ), gone
    assert any("connect" in " ".join(f["evidence"]) for f in gone)
    assert b"Traceback" not in proc.stderr
    assert elapsed < 60
