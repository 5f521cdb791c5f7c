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
from sesfix.demo.account import SCENARIOS, SES_FULL, Scenario, SimulatedAccount
from sesfix.demo.practice import GUIDANCE_FIXES, guidance_changes
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
def test_check_demo_reports_exactly_the_scenarios_errors(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = SCENARIOS[name]
    code, data = run_check(capsys, "--demo", name)
    assert error_ids(data) == set(scenario.expected_errors)
    assert data["healthy"] is (not scenario.expected_errors)
    assert code == (1 if scenario.expected_errors else 0)
    # The probes really went to AWS's stand-in: the app identity was answered.
    assert any(
        p["identity"] == "app" and p["call"] == "sts:GetCallerIdentity"
        for step in data["steps"]
        for p in step["probes"]
    )


def test_check_demo_random_is_one_of_the_scenarios(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = run_check(capsys, "--demo", "random")
    assert code in (0, 1)
    assert data["source"].startswith("practice account")
    assert any(error_ids(data) == set(sc.expected_errors) for sc in SCENARIOS.values())


def test_unknown_scenario_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--demo", "no-such-shop"]) == 2
    assert "seed" in capsys.readouterr().err


# --- applying the intended fixes -------------------------------------------------------------


def apply_intended_fix(
    acct: SimulatedAccount, fix_id: str, report: Report, settings: AppSettings
) -> AppSettings:
    """Apply one fix the way the learner would in practice; the app's new settings."""
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
    for fix_id in scenario.intended_fixes:
        assert any(fix_id in f.fixes for f in report.errors), f"no error offers {fix_id}"
        settings = apply_intended_fix(acct, fix_id, report, settings)
        report = diagnose(settings, DiagnosisOptions(operator=acct.operator))

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
