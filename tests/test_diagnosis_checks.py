"""Checks registered from outside the engine: they run at their stage against the simulated
account (moto's server, IAM auth enforced), and their findings land in the report.

The checks here are tiny ones defined in the test, the way a family module (SMTP, DNS)
defines its own and lists them in sesfix.diagnosis.catalogue.
"""

from __future__ import annotations

import threading

import pytest

from sesfix import findings as F
from sesfix.aws.gateway import CallStarted
from sesfix.diagnosis.catalogue import CHECKS
from sesfix.diagnosis.engine import DiagnosisOptions, diagnose
from sesfix.diagnosis.run import Check, Judge, Run
from tests.support.engine import assert_no_secret, settings_of

TINY = "test.tiny_check"


@pytest.fixture
def tiny_finding(monkeypatch: pytest.MonkeyPatch) -> str:
    """A finding id for the test's own check (the catalogue is the public contract)."""
    spec = F.FindingSpec(TINY, F.Severity.WARNING, 5, "A tiny check spoke", "Only in tests.")
    monkeypatch.setitem(F.CATALOGUE, TINY, spec)
    return TINY


def test_a_late_check_sees_the_verdicts_and_its_finding_is_in_the_report(account, tiny_finding):
    acct = account("wrong-region")
    seen: dict[str, object] = {}

    def late(run: Run) -> Judge | None:
        # Runs after the AWS verdicts: the region search and AWS's answers are there.
        seen["verified"] = list(run.ctx.verified_regions)
        seen["answers"] = sorted(run.answers)
        seen["thread"] = threading.current_thread().name
        run.add(F.make(tiny_finding, f"verified in {', '.join(run.ctx.verified_regions)}"))
        return None

    settings = settings_of(acct)
    checks = (*CHECKS, Check("test.late", step=5, stage="late", fn=late))
    report = diagnose(settings, DiagnosisOptions(operator=acct.operator), checks=checks)
    assert_no_secret(report, settings)

    assert seen["verified"] == ["us-east-1"]
    assert "sts:GetCallerIdentity" in seen["answers"]
    assert "ses:GetIdentityVerificationAttributes" in seen["answers"]
    assert str(seen["thread"]).startswith("probe")  # in the pool, beside other late checks
    tiny = [f for f in report.findings if f.id == TINY]
    assert [f.evidence for f in tiny] == [("verified in us-east-1",)]
    # The built-in verdicts are unchanged, and the check's warning shapes step 5's status.
    assert "region.identity_not_in_region" in report.finding_ids()
    assert report.step(5).status == "warning"
    assert "test.tiny_check" in {f["id"] for f in report.to_json()["findings"]}


def test_an_early_check_runs_beside_round_one_and_judges_after_the_verdicts(account, tiny_finding):
    """The early check starts while the app's first AWS call is still held back; its judge
    runs once the AWS verdicts are in and can defer to a cause named there."""
    acct = account("seed")
    early_started = threading.Event()
    overlap: list[bool] = []

    def hold_first_call(event: object) -> None:
        # The app's sts:GetCallerIdentity does not go out until the early check has started:
        # if the engine ran registered checks only after round 1, this would time out.
        first = isinstance(event, CallStarted) and not overlap
        if first and event.call == "sts:GetCallerIdentity" and event.identity == "app":
            overlap.append(early_started.wait(timeout=30))

    def early(run: Run) -> Judge | None:
        early_started.set()
        domain = run.ctx.domain

        def judge(run: Run) -> None:
            if run.has("iam.ses_permission_missing"):
                return  # the cause is named in step 1; a symptom here would be a second one
            run.add(F.make(tiny_finding, f"{domain} looked at"))

        return judge

    settings = settings_of(acct)
    checks = (*CHECKS, Check("test.early", step=3, stage="early", fn=early))
    report = diagnose(
        settings,
        DiagnosisOptions(operator=acct.operator),
        checks=checks,
        listeners=[hold_first_call],
    )
    assert overlap == [True]
    assert report.finding_ids().count("iam.ses_permission_missing") == 1
    assert TINY not in report.finding_ids()  # the judge deferred to the named cause


def test_a_lint_check_runs_first_with_no_network(account, tiny_finding):
    acct = account("healthy")
    calls_at_lint: list[int] = []

    def lint(run: Run) -> Judge | None:
        calls_at_lint.append(len(run.gateway.calls()))
        run.add(F.make(tiny_finding, "from the lint stage", step=2))
        return None

    settings = settings_of(acct)
    report = diagnose(
        settings,
        DiagnosisOptions(operator=acct.operator),
        checks=(*CHECKS, Check("test.lint", step=2, stage="lint", fn=lint)),
    )
    assert calls_at_lint == [0]
    assert [f.step for f in report.findings if f.id == TINY] == [2]
    assert report.step(2).status == "warning"


def test_without_the_catalogue_the_lint_does_not_run(account):
    """The catalogue is what registers the lint: an empty list of checks drops it."""
    acct = account("bad-secret")
    settings = settings_of(acct)
    report = diagnose(settings, DiagnosisOptions(operator=acct.operator), checks=())
    assert "credentials.whitespace" not in report.finding_ids()
    full = diagnose(settings, DiagnosisOptions(operator=acct.operator))
    assert "credentials.whitespace" in full.finding_ids()


@pytest.mark.parametrize(("step", "stage"), [(0, "late"), (6, "early"), (2, "whenever")], ids=str)
def test_a_check_is_refused_with_a_step_or_stage_the_engine_does_not_have(step, stage):
    with pytest.raises(ValueError, match=r"test\.bad"):
        Check("test.bad", step=step, stage=stage, fn=lambda run: None)  # type: ignore[arg-type]


def test_the_catalogue_names_each_check_once():
    names = [c.name for c in CHECKS]
    assert len(names) == len(set(names))
    assert "credentials.lint" in names
