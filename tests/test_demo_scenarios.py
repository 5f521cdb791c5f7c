"""Every practice scenario, headless: it produces exactly the errors it is built to produce, and
its intended fixes, applied within one simulated account, make it healthy.

Against moto's server with IAM authentication enforced; the check runs through the real CLI
(``sesfix check --demo NAME --json`` and ``sesfix check --env-file … --operator-profile …``).
AWS fixes go through the fix layer (``plan_fix``/``apply_plan``) as the practice operator;
guidance fixes change the practice app's variables the way the guidance says.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sesfix.cli import main
from sesfix.demo.account import (
    SCENARIOS,
    SES_FULL,
    Scenario,
    SimulatedAccount,
    pick_random_scenario,
)
from sesfix.demo.practice import GUIDANCE_FIXES, guidance_changes, guidance_plan
from sesfix.demo.progress import GAP_OLD_KEY_ACTIVE, intent_gaps
from sesfix.diagnosis.engine import DiagnosisOptions, diagnose
from sesfix.diagnosis.report import Report
from sesfix.settings import KEY_ID, SECRET, AppSettings


def run_check(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    capsys.readouterr()
    code = main(["check", "--json", "--quiet", *argv])
    out = capsys.readouterr().out
    return code, json.loads(out)


def error_ids(data: dict[str, Any]) -> set[str]:
    return {f["id"] for f in data["findings"] if f["severity"] == "error"}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_check_demo_reports_exactly_the_scenarios_findings(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Its errors, its warnings (the sandbox) and nothing else: no probe the practice account
    could not answer (``probe.unreachable``), no info card of any kind."""
    scenario = SCENARIOS[name]
    code, data = run_check(capsys, "--demo", name)
    assert error_ids(data) == set(scenario.expected_errors)
    assert {f["id"] for f in data["findings"]} == {
        *scenario.expected_errors,
        *scenario.expected_warnings,
    }, data["findings"]
    assert data["healthy"] is (not scenario.expected_errors)
    assert code == (1 if scenario.expected_errors else 0)
    probes = {(p["identity"], p["call"]): p for step in data["steps"] for p in step["probes"]}
    # The probes really went to AWS's stand-in: the app identity was answered.
    assert ("app", "sts:GetCallerIdentity") in probes
    # The calls moto lacks are answered as AWS answers them: with data, or with AWS's refusal.
    simulate = probes[("operator", "iam:SimulatePrincipalPolicy")]
    assert simulate["outcome"] == "ok", simulate
    account = probes[("app", "ses:GetAccount")]
    assert account["outcome"] in (
        "ok",
        "AccessDeniedException",
        "UnrecognizedClientException",
        "InvalidSignatureException",
    ), account
    # The app's key works (its send fails for a reason of the account's, not the key's).
    works = ("", "MessageRejected", "AccountSendingPausedException")
    assert (account["outcome"] == "ok") is (
        scenario.app_error in works and not scenario.extra_env
    ), account


def test_check_demo_random_is_one_of_the_broken_scenarios(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, data = run_check(capsys, "--demo", "random")
    assert code == 1
    assert data["source"] == "practice account"  # unnamed
    assert any(
        error_ids(data) == set(sc.expected_errors)
        for sc in SCENARIOS.values()
        if sc.expected_errors
    )


def test_random_never_draws_the_healthy_account(monkeypatch: pytest.MonkeyPatch) -> None:
    import secrets

    offered: list[list[str]] = []

    def choice(names: list[str]) -> str:
        offered.append(list(names))
        return names[-1]

    monkeypatch.setattr(secrets, "choice", choice)
    drawn = pick_random_scenario()
    assert drawn.expected_errors
    assert offered == [
        sorted(n for n, sc in SCENARIOS.items() if sc.expected_errors and sc.intended_fixes)
    ]
    assert "healthy" not in offered[0]
    # A paused account has nothing to fix (only AWS lifts a pause): never a random practice.
    assert "account-paused" not in offered[0]


def test_unknown_scenario_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--demo", "no-such-shop"]) == 2
    assert "seed" in capsys.readouterr().err


# --- applying the intended fixes -------------------------------------------------------------


def apply_intended_fix(
    acct: SimulatedAccount, fix_id: str, report: Report, settings: AppSettings
) -> AppSettings:
    """Apply one fix the way the learner would in practice; the app's new settings."""
    if fix_id == "show-dns-records":
        # The learner copies the zone lines to the DNS host: here, the practice DNS.
        plan = guidance_plan(fix_id, report, settings)
        assert [line for line in plan.guidance if acct.dns.zone.publish(line)]
        return settings
    if fix_id in GUIDANCE_FIXES:
        changes = guidance_changes(fix_id, report, settings)
        assert changes, f"{fix_id} found nothing to change"
        for name, value in changes.items():
            settings = acct.set_app_variable(name, value)
        return settings
    from sesfix import fixes

    plan = fixes.plan_fix(fix_id, report, settings, operator=acct.operator)
    assert plan.applicable, (plan.refused, plan.noop_reason, plan.inputs_needed)
    result = fixes.apply_plan(
        plan, settings=settings, operator=acct.operator, confirmed=True, verify_timeout=20
    )
    assert result.status == "applied", result.message
    if result.new_key is not None:  # the learner puts the new pair into the app's variables
        acct.set_app_variable(KEY_ID, result.new_key.access_key_id)
        settings = acct.set_app_variable(SECRET, result.new_key.secret.reveal())
    return settings


def write_env_file(path: Path, values: dict[str, str]) -> Path:
    path.write_text("".join(f"{k}={json.dumps(v)}\n" for k, v in values.items()))
    return path


@pytest.mark.parametrize("name", [n for n, sc in SCENARIOS.items() if sc.intended_fixes])
def test_intended_fixes_make_the_scenario_healthy(
    name: str,
    account: Callable[[Scenario | str], SimulatedAccount],
    operator_profile: Callable[[], str],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    scenario = SCENARIOS[name]
    acct = account(scenario)
    settings = acct.app_settings()
    report = diagnose(settings, DiagnosisOptions(operator=acct.operator))
    assert {f.id for f in report.errors} == set(scenario.expected_errors)
    original_key = acct.app_key_id
    for fix_id in scenario.intended_fixes:
        if fix_id == "retire-old-key":
            # Cures no error: it is what a rotation leaves to do, offered after one.
            assert intent_gaps(report, original_key, acct.app_key_id) == [GAP_OLD_KEY_ACTIVE]
        else:
            assert any(fix_id in f.fixes for f in report.errors), f"no error offers {fix_id}"
        settings = apply_intended_fix(acct, fix_id, report, settings)
        if fix_id == "rotate-access-key":
            acct.app_key_id = str(settings.access_key_id)
        report = diagnose(settings, DiagnosisOptions(operator=acct.operator))
    assert report.healthy, report.finding_ids()
    assert intent_gaps(report, original_key, acct.app_key_id) == []

    # The same account, checked through the CLI as someone would: the app's variables in a
    # dotenv file and the operator as a profile.
    profile = operator_profile()
    env_file = write_env_file(tmp_path / "app.env", acct.app_env)
    code, data = run_check(capsys, "--env-file", str(env_file), "--operator-profile", profile)
    assert error_ids(data) == set(), data["findings"]
    assert data["healthy"] is True
    assert code == 0


def test_guidance_follows_the_evidence_not_the_scenario(
    account: Callable[[Scenario | str], SimulatedAccount],
) -> None:
    """set-ses-region moves to where the domain is verified, wherever that is."""
    scenario = Scenario(
        "elsewhere",
        "verified only in eu-west-1",
        managed_policies=(SES_FULL,),
        verified_regions=("eu-west-1",),
    )
    acct = account(scenario)
    report = diagnose(acct.app_settings(), DiagnosisOptions(operator=acct.operator))
    changes = guidance_changes("set-ses-region", report, acct.app_settings())
    assert changes == {"AWS_SES_REGION": "eu-west-1"}


def test_scenario_faults_are_validated() -> None:
    with pytest.raises(ValueError, match="unknown fault"):
        Scenario("x", "x", faults=(("AWS_SECRET_ACCESS_KEY", "sideways"),))
    with pytest.raises(ValueError, match="unknown fault"):
        Scenario("x", "x", faults=(("NOT_A_VARIABLE", "quoted"),))


def test_set_app_variable_only_knows_the_apps_variables(
    account: Callable[[Scenario | str], SimulatedAccount],
) -> None:
    acct = account("seed")
    with pytest.raises(ValueError):
        acct.set_app_variable("PATH", "/tmp")
    settings = acct.set_app_variable("AWS_SESSION_TOKEN", "tok")
    assert settings.session_token is not None
    settings = acct.set_app_variable("AWS_SESSION_TOKEN", None)
    assert settings.session_token is None


def test_check_demo_stays_on_loopback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A proxy or a per-service endpoint in the environment cannot lead the practice away."""
    dead = "http://192.0.2.1:9"  # TEST-NET-1: nothing answers there
    for name in ("HTTP_PROXY", "http_proxy", "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_IAM"):
        monkeypatch.setenv(name, dead)
    monkeypatch.setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")
    code, data = run_check(capsys, "--demo", "seed")
    assert error_ids(data) == {"iam.ses_permission_missing"}
    assert code == 1
    assert os.environ["AWS_ENDPOINT_URL_STS"] == dead  # restored afterwards
    assert "AWS_ENDPOINT_URL" not in os.environ


# --- Test send and the sample logs agree with the diagnosis -----------------------------------


@pytest.mark.parametrize("name", [n for n, sc in SCENARIOS.items() if sc.provider == "ses"])
def test_test_send_and_sample_log_say_what_the_practice_account_answers(name: str) -> None:
    """The practice account's answer to the app's own send is the scenario's declared error;
    its sample log shows that error, and reading that log points at the scenario's finding."""
    from sesfix import logs
    from sesfix.demo import sample_log
    from sesfix.diagnosis.testsend import send_test_email
    from sesfix.sources import SourceSpec, open_source

    scenario = SCENARIOS[name]
    with open_source(SourceSpec(kind="practice", scenario=name)) as source:
        result = send_test_email(source.settings)
    if scenario.app_error:
        assert not result.ok
        assert result.error_code == scenario.app_error, result.lines
    else:
        assert result.ok, result.lines
    text = sample_log(name)
    analysis = logs.analyze(text.splitlines(), source="sample")
    if scenario.app_error:
        assert list(analysis.codes) == [scenario.app_error]
        assert analysis.stage == "api_failed"
    else:
        assert analysis.stage == "success" and not analysis.codes
    for value in (source.settings.raw("AWS_SECRET_ACCESS_KEY"), source.settings.access_key_id):
        assert value and value.strip() not in text


def test_inactive_key_test_send_is_refused_as_aws_refuses_it() -> None:
    from sesfix.diagnosis.testsend import send_test_email
    from sesfix.sources import SourceSpec, open_source

    with open_source(SourceSpec(kind="practice", scenario="inactive-key")) as source:
        result = send_test_email(source.settings)
        report = diagnose(source.settings, DiagnosisOptions(operator=source.operator))
    assert not result.ok and result.error_code == "InvalidClientTokenId"
    assert not any("sent successfully" in line for line in result.lines)
    assert [f.id for f in report.errors] == ["credentials.key_inactive"]
    assert report.step(3).status == "fail"  # the live test agrees with step 2


def test_sample_log_of_a_provider_that_is_not_ses_has_no_ses_call() -> None:
    from sesfix.demo import sample_log

    text = sample_log("missing-provider")
    assert "EMAIL_PROVIDER=console" in text
    assert "Sending email via AWS SES" not in text
