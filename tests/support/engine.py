"""Helpers for the engine tests: run a diagnosis against the simulated account, and put
botocore's Stubber in front of single operations the simulator cannot answer as AWS does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from botocore.stub import Stubber

from sesfix.aws.connect import make_gateway
from sesfix.aws.gateway import Gateway
from sesfix.aws.identity import IdentityName, OperatorSpec
from sesfix.demo.account import SimulatedAccount
from sesfix.diagnosis.engine import DiagnosisOptions, diagnose
from sesfix.diagnosis.report import Report
from sesfix.findings import Finding
from sesfix.settings import AppSettings


def settings_of(
    acct: SimulatedAccount, changes: Mapping[str, str | None] | None = None
) -> AppSettings:
    """The scenario's app variables, with some replaced (None removes a variable)."""
    env = dict(acct.app_env)
    for name, value in (changes or {}).items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return AppSettings.from_mapping(env, "test")


def operator_of(acct: SimulatedAccount, with_operator: bool = True) -> OperatorSpec | None:
    return acct.operator if with_operator else None


def assert_no_secret(report: Report, settings: AppSettings) -> None:
    """Neither secret nor the full key ID appears anywhere in the report."""
    import json

    text = json.dumps(report.to_json(), default=str) + repr(report)
    for name in ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        value = settings.raw(name)
        if value and len(value.strip()) >= 8:
            assert value.strip() not in text, f"{name} leaked into the report"
    key_id = (settings.access_key_id or "").strip().strip('"')
    if len(key_id) >= 16:
        assert key_id not in text, "the full access key ID leaked into the report"


def check(
    acct: SimulatedAccount,
    changes: Mapping[str, str | None] | None = None,
    *,
    operator: bool = True,
    gateway: Gateway | None = None,
) -> Report:
    settings = settings_of(acct, changes)
    report = diagnose(
        settings, DiagnosisOptions(operator=operator_of(acct, operator)), gateway=gateway
    )
    assert_no_secret(report, settings)
    return report


def errors(report: Report) -> list[str]:
    return sorted({f.id for f in report.errors})


def one(report: Report, finding_id: str) -> Finding:
    found = [f for f in report.findings if f.id == finding_id]
    assert len(found) == 1, (finding_id, report.finding_ids())
    return found[0]


def calls(report_or_gateway: Gateway) -> list[str]:
    return [f"{r.call}@{r.identity}@{r.region}" for r in report_or_gateway.calls()]


class Overlay:
    """A client whose named operations go to their own stubbed client, the rest to ``real``."""

    def __init__(self, real: Any, stubbed: dict[str, Any]) -> None:
        self._real = real
        self._stubbed = stubbed

    def __getattr__(self, name: str) -> Any:
        if name in self._stubbed:
            return getattr(self._stubbed[name], name)
        return getattr(self._real, name)


def stub_ops(
    gateway: Gateway,
    identity: IdentityName,
    service: str,
    region: str,
    **ops: Callable[[Stubber], None],
) -> list[Stubber]:
    """Route each named operation of one (identity, service, region) client to a fresh
    client whose Stubber the callback primes; every other operation stays real.

    Each operation gets its own client and Stubber, so concurrent probes cannot race
    for one Stubber's queue. Returns the Stubbers, to ``assert_no_pending_responses``.
    """
    import botocore.session

    real = gateway.identities.client(identity, service, region)
    stubbed: dict[str, Any] = {}
    stubbers: list[Stubber] = []
    session = botocore.session.Session(session_vars={"profile": (None, None, None, None)})
    for op, prime in ops.items():
        client = session.create_client(
            service,
            region_name=region,
            aws_access_key_id="AKIASTUBSTUBSTUBSTUB",
            aws_secret_access_key="stub-secret-never-sent-anywhere-000000000",
            endpoint_url="http://127.0.0.1:9",
        )
        stubber = Stubber(client)
        prime(stubber)
        stubber.activate()
        stubbed[op] = client
        stubbers.append(stubber)
    gateway.identities.preset_client(identity, service, region, Overlay(real, stubbed))
    return stubbers


def gateway_for(
    acct: SimulatedAccount,
    changes: Mapping[str, str | None] | None = None,
    *,
    operator: bool = True,
) -> tuple[AppSettings, Gateway]:
    settings = settings_of(acct, changes)
    return settings, make_gateway(settings, operator_of(acct, operator))


def run_with(
    settings: AppSettings, gateway: Gateway, acct: SimulatedAccount, *, operator: bool = True
) -> Report:
    report = diagnose(
        settings, DiagnosisOptions(operator=operator_of(acct, operator)), gateway=gateway
    )
    assert_no_secret(report, settings)
    return report
