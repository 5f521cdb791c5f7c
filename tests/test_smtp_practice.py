"""The SMTP practice scenarios through PracticeInfo, as the wizard drives them: the practice
SMTP endpoint (aiosmtpd + trustme on loopback, or a port that drops SYNs) is what sesfix's
probe reaches, the guidance fixes change the practice app's variables, and leaving restores
the environment."""

from __future__ import annotations

import os

import pytest

from sesfix.demo.practice import PracticeInfo
from sesfix.diagnosis.engine import DiagnosisOptions, diagnose


@pytest.mark.parametrize(
    ("name", "error", "fix"),
    [
        ("smtp-raw-secret", "smtp.password_is_secret_key", "derive-smtp-password"),
        ("smtp-wrong-region", "smtp.password_wrong_region", "derive-smtp-password"),
        ("smtp-blocked-port", "smtp.port_blocked", "switch-to-ses-api"),
    ],
)
def test_smtp_scenario_broken_then_fixed_by_its_guidance(name: str, error: str, fix: str) -> None:
    assert "SESFIX_SMTP_ENDPOINT" not in os.environ
    with PracticeInfo.for_scenario(name) as practice:
        settings, operator = practice.prepare()
        assert os.environ["SESFIX_SMTP_ENDPOINT"].startswith("127.0.0.1:")
        report = diagnose(settings, DiagnosisOptions(operator=operator))
        assert [f.id for f in report.errors] == [error]
        calls = [p.call for p in report.step(3).probes if p.call.startswith("smtp:")]
        assert calls and calls[0] == "smtp:Connect"
        assert not practice.note_report(report)

        settings = practice.apply_guidance(fix, report)
        report = diagnose(settings, DiagnosisOptions(operator=operator))
        assert report.errors == [], [f.id for f in report.errors]
        assert practice.note_report(report)
        if fix == "derive-smtp-password":
            auth = [p for p in report.step(3).probes if p.call == "smtp:Auth"]
            assert [p.outcome for p in auth] == ["ok"]  # the practice server accepted it
        assert practice.fixes_applied == [fix]
    assert "SESFIX_SMTP_ENDPOINT" not in os.environ
    assert "SSL_CERT_FILE" not in os.environ


@pytest.mark.parametrize(
    ("name", "code", "finding", "explains"),
    [
        ("smtp-raw-secret", "SMTP-535", "smtp.auth_failed", "smtp.password_is_secret_key"),
        ("smtp-wrong-region", "SMTP-535", "smtp.auth_failed", "smtp.password_wrong_region"),
        ("smtp-blocked-port", "SMTP-connect-timeout", "smtp.port_blocked", "smtp.port_blocked"),
    ],
)
def test_sample_log_of_an_smtp_scenario_points_at_its_finding(
    name: str, code: str, finding: str, explains: str
) -> None:
    """``sesfix logs --demo NAME``: the app's log of the failed send decodes to the SMTP
    finding, and the live finding the scenario produces is among the ones that explain it."""
    from sesfix import logs
    from sesfix.demo import sample_log
    from sesfix.smtp.logs import RELATED

    analysis = logs.analyze(sample_log(name).splitlines(), source="sample")
    assert list(analysis.codes) == [code]
    assert analysis.stage == "api_failed"
    assert [f.id for f in analysis.findings()] == [finding]
    assert explains in RELATED[finding]
