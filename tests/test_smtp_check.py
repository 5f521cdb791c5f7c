# ruff: noqa: F811 - pytest fixtures imported from tests.support.smtp_server
"""The SMTP checks inside the diagnosis and ``sesfix check``: the simulated account (moto with
IAM auth) for AWS, a real SMTP server on loopback (aiosmtpd + trustme) that accepts only the
app key's password derived for its region, reached through SESFIX_SMTP_ENDPOINT."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from sesfix import cli
from sesfix.demo.account import SimulatedAccount
from sesfix.demo.smtp import PracticeSmtpServer
from sesfix.diagnosis.engine import DiagnosisOptions, diagnose
from sesfix.settings import AppSettings
from sesfix.smtp import derive
from tests.support.smtp_account import HOST, REGION, healthy, smtp_env, smtp_practice  # noqa: F401
from tests.support.smtp_server import blocked_port, certificates, closed_port  # noqa: F401


@pytest.fixture
def endpoint(
    smtp_practice: PracticeSmtpServer, monkeypatch: pytest.MonkeyPatch
) -> PracticeSmtpServer:
    monkeypatch.setenv("SESFIX_SMTP_ENDPOINT", f"127.0.0.1:{smtp_practice.starttls_port}")
    return smtp_practice


def run(env: dict[str, str], acct: SimulatedAccount):  # type: ignore[no-untyped-def]
    return diagnose(AppSettings.from_mapping(env, "test"), DiagnosisOptions(operator=acct.operator))


def smtp_calls(report) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(p.call, p.outcome) for p in report.step(3).probes if p.call.startswith("smtp:")]


def right_password(acct: SimulatedAccount) -> str:
    return derive.smtp_password(acct.app_env["AWS_SECRET_ACCESS_KEY"], REGION)


def test_right_smtp_settings_pass_with_live_auth(healthy, endpoint) -> None:  # type: ignore[no-untyped-def]
    report = run(smtp_env(healthy, right_password(healthy)), healthy)
    assert smtp_calls(report) == [
        ("smtp:Connect", "ok"),
        ("smtp:StartTLS", "ok"),
        ("smtp:Auth", "ok"),
    ]
    assert [f.id for f in report.findings if f.id.startswith("smtp.")] == []
    assert report.healthy, [f.id for f in report.errors]
    assert report.step(3).status == "pass"
    assert endpoint.attempts[-1].accepted


def test_raw_secret_is_named_once_and_confirmed_live(healthy, endpoint) -> None:  # type: ignore[no-untyped-def]
    report = run(smtp_env(healthy, healthy.app_env["AWS_SECRET_ACCESS_KEY"]), healthy)
    assert ("smtp:Auth", "535") in smtp_calls(report)
    ids = [f.id for f in report.errors]
    assert ids == ["smtp.password_is_secret_key"]
    finding = report.errors[0]
    assert finding.step == 2
    assert any(e.startswith("live test:") and "535" in e for e in finding.evidence)
    assert report.step(3).status == "fail"
    assert endpoint.attempts[-1].accepted is False


def test_password_for_another_region(healthy, endpoint) -> None:  # type: ignore[no-untyped-def]
    wrong = derive.smtp_password(healthy.app_env["AWS_SECRET_ACCESS_KEY"], "eu-west-1")
    report = run(smtp_env(healthy, wrong), healthy)
    assert [f.id for f in report.errors] == ["smtp.password_wrong_region"]
    assert report.errors[0].data["derived_region"] == "eu-west-1"
    assert report.step(3).status == "fail"


def test_live_failure_without_a_lint_cause_is_auth_failed(healthy, endpoint) -> None:  # type: ignore[no-untyped-def]
    # The SMTP user is another key than the app's AWS key: sesfix cannot trace the password
    # offline, so only SES's 535 speaks.
    other = derive.smtp_password("an0ther/secret+of+another+key+0123456789", REGION)
    env = smtp_env(healthy, other, SMTP_USERNAME="AKIAQOTHERSMTPUSER01")
    report = run(env, healthy)
    assert [f.id for f in report.errors] == ["smtp.auth_failed"]
    assert report.errors[0].step == 3


def test_no_smtp_variables_no_smtp_probe(healthy) -> None:  # type: ignore[no-untyped-def]
    report = run(dict(healthy.app_env), healthy)
    assert smtp_calls(report) == []


def test_check_smtp_flag_without_variables(healthy) -> None:  # type: ignore[no-untyped-def]
    settings = replace(AppSettings.from_mapping(dict(healthy.app_env), "test"), smtp_requested=True)
    report = diagnose(settings, DiagnosisOptions(operator=healthy.operator))
    missing = [f for f in report.errors if f.id == "config.missing_variable"]
    assert [f.data["variable"] for f in missing] == ["SMTP_HOST"]


def test_check_json_shows_smtp_probes_in_step_3(healthy, endpoint, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    env = smtp_env(healthy, healthy.app_env["AWS_SECRET_ACCESS_KEY"])
    env_file = tmp_path / "app.env"
    env_file.write_text("".join(f'{k}="{v}"\n' for k, v in env.items()))
    code = cli.main(["check", "--json", "--smtp", "--env-file", str(env_file)])
    out, err = capsys.readouterr()
    assert code == 1, err
    doc = json.loads(out)
    step3 = next(s for s in doc["steps"] if s["number"] == 3)
    smtp = [p for p in step3["probes"] if p["call"].startswith("smtp:")]
    assert [p["call"] for p in smtp] == ["smtp:Connect", "smtp:StartTLS", "smtp:Auth"]
    assert smtp[-1]["outcome"] == "535"
    assert all(
        p["cli"] == f"openssl s_client -starttls smtp -connect 127.0.0.1:{endpoint.starttls_port}"
        for p in smtp
    )
    assert [f["id"] for f in doc["findings"] if f["severity"] == "error"] == [
        "smtp.password_is_secret_key"
    ]
    assert healthy.app_env["AWS_SECRET_ACCESS_KEY"] not in out + err
    assert healthy.app_env["AWS_ACCESS_KEY_ID"] not in out + err


def test_bad_endpoint_override_is_a_usage_error_before_any_probe(
    healthy, monkeypatch, tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    from sesfix import config

    monkeypatch.setenv("SESFIX_SMTP_ENDPOINT", "no-port-here")
    with pytest.raises(Exception, match="not HOST:PORT"):
        config.validate()
    env_file = tmp_path / "app.env"
    env = smtp_env(healthy, right_password(healthy))
    env_file.write_text("".join(f'{k}="{v}"\n' for k, v in env.items()))
    assert cli.main(["check", "--json", "--env-file", str(env_file)]) == 2
    out, err = capsys.readouterr()
    assert "SESFIX_SMTP_ENDPOINT" in err and out == ""


def test_blocked_port_is_named_only_when_aws_answers(
    healthy, blocked_port, closed_port, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """'HTTPS to SES works' comes from AWS's own answers in the run: with them, a dropped SMTP
    connect is smtp.port_blocked; with AWS unreachable too, it is no verdict on SMTP."""
    monkeypatch.setenv("SESFIX_SMTP_ENDPOINT", f"127.0.0.1:{blocked_port.port}")
    env = smtp_env(healthy, right_password(healthy))
    report = run(env, healthy)
    assert [f.id for f in report.errors] == ["smtp.port_blocked"]
    assert "HTTPS to SES answers" in " ".join(report.errors[0].evidence)

    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{closed_port.port}")
    report = run(env, healthy)
    assert "smtp.port_blocked" not in report.finding_ids()
    smtp_unreachable = [
        f
        for f in report.findings
        if f.id == "probe.unreachable" and f.data.get("call") == "smtp:Connect"
    ]
    assert smtp_unreachable and "HTTPS to SES failed too" in " ".join(smtp_unreachable[0].evidence)


def test_region_comes_from_smtp_host_without_aws_ses_region(healthy, endpoint) -> None:  # type: ignore[no-untyped-def]
    """An app that sends only through SES SMTP has no AWS_SES_REGION: its sending region is
    SMTP_HOST's, so steps 3-5 ask AWS there instead of staying unknown, and say why."""
    env = smtp_env(healthy, right_password(healthy))
    with_region = run(env, healthy)
    del env["AWS_SES_REGION"]
    report = run(env, healthy)
    statuses = {s.number: s.status for s in report.steps}
    assert statuses == {s.number: s.status for s in with_region.steps}, report.finding_ids()
    assert "unknown" not in statuses.values() and statuses[3] == statuses[4] == "pass"
    assert report.context.region == REGION
    sends = [p for p in report.step(3).probes if p.call == "ses:GetSendQuota"]
    assert [p.region for p in sends] == [REGION]
    missing = [f for f in report.findings if f.id == "config.missing_variable"]
    assert [(f.data["variable"], f.severity.value) for f in missing] == [("AWS_SES_REGION", "info")]
    assert (
        f"the region {REGION} is taken from SMTP_HOST ({HOST}) for the AWS checks, "
        "as AWS_SES_REGION is not given"
    ) in missing[0].evidence
    assert missing[0].data["region"] == REGION


def test_smtp_host_region_is_where_the_sender_is_looked_for(healthy, endpoint) -> None:  # type: ignore[no-untyped-def]
    """The host's region really drives the AWS checks: a host in eu-west-1, where the sender
    is not verified, fails step 4 there (and the practice server, in ap-southeast-1, refuses
    a password derived for eu-west-1)."""
    other = "eu-west-1"
    env = smtp_env(
        healthy,
        derive.smtp_password(healthy.app_env["AWS_SECRET_ACCESS_KEY"], other),
        SMTP_HOST=f"email-smtp.{other}.amazonaws.com",
    )
    del env["AWS_SES_REGION"]
    report = run(env, healthy)
    assert report.context.region == other
    assert report.step(4).status == "fail", report.finding_ids()
    (finding,) = [f for f in report.errors if f.step == 4]
    assert finding.id == "region.identity_not_in_region"
    assert finding.evidence[0] == "anyrent.shop is NotStarted in eu-west-1 (SMTP_HOST)"


def test_aws_ses_region_wins_over_smtp_host(healthy, endpoint) -> None:  # type: ignore[no-untyped-def]
    env = smtp_env(healthy, right_password(healthy), AWS_SES_REGION="eu-west-1")
    report = run(env, healthy)
    assert report.context.region == "eu-west-1"
    assert not any("is taken from SMTP_HOST" in e for f in report.findings for e in f.evidence)


def test_a_leftover_smtp_host_does_not_set_the_region_of_an_api_app(healthy, endpoint) -> None:  # type: ignore[no-untyped-def]
    """EMAIL_PROVIDER=ses: the app sends through the API, so an SMTP_HOST left in its
    variables is not where it sends; without AWS_SES_REGION the region stays unknown."""
    env = smtp_env(healthy, right_password(healthy), EMAIL_PROVIDER="ses")
    del env["AWS_SES_REGION"]
    report = run(env, healthy)
    assert report.context.region != REGION
    assert not any("is taken from SMTP_HOST" in e for f in report.findings for e in f.evidence)
