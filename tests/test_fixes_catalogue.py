"""The fix catalogue is a public contract that matches the findings; guidance makes no AWS call."""

from __future__ import annotations

import subprocess
import sys

import pytest

from sesfix.demo.account import SCENARIOS
from sesfix.diagnosis.engine import DiagnosisOptions, diagnose
from sesfix.findings import CATALOGUE
from sesfix.fixes import FIX_CATALOGUE, apply_plan, plan_fix
from sesfix.fixes.catalogue import GUIDANCE_FIXES
from tests.test_fixes_iam import count_api_calls

AWS_FIXES = {
    "attach-ses-full-access",
    "create-custom-policy",
    "rotate-access-key",
    "retire-old-key",
    "reactivate-access-key",
    "verify-domain",
    "request-production-access",
    "verify-recipient",
    "unsuppress-recipient",
}


def test_every_fix_a_finding_names_exists():
    named = {fix for spec in CATALOGUE.values() for fix in spec.fixes}
    assert named - set(FIX_CATALOGUE) == set()
    for fix in named:
        assert FIX_CATALOGUE[fix].answers, fix


def test_catalogue_ids_and_kinds_are_exact():
    assert {f for f, s in FIX_CATALOGUE.items() if s.kind == "aws"} == AWS_FIXES
    assert {f for f, s in FIX_CATALOGUE.items() if s.kind == "guidance"} == set(GUIDANCE_FIXES)
    assert all(s.needs_operator == (s.kind == "aws") for s in FIX_CATALOGUE.values())
    for scenario in SCENARIOS.values():
        assert set(scenario.intended_fixes) <= set(FIX_CATALOGUE), scenario.name


def test_unknown_fix_is_a_usage_error(account):
    from sesfix.errors import UsageError

    acc = account("seed")
    settings = acc.app_settings()
    report = diagnose(settings)
    with pytest.raises(UsageError):
        plan_fix("no-such-fix", report, settings, operator=None)


@pytest.mark.parametrize("scenario", ["seed", "bad-secret", "wrong-region"])
def test_guidance_fixes_make_no_aws_call_and_show_no_secret(account, monkeypatch, scenario):
    acc = account(scenario)
    settings = acc.app_settings()
    report = diagnose(settings, DiagnosisOptions(operator=acc.operator))
    sent = count_api_calls(monkeypatch)
    secret = acc.app_env["AWS_SECRET_ACCESS_KEY"].strip()
    for fix_id in sorted(GUIDANCE_FIXES):
        plan = plan_fix(fix_id, report, settings, operator=acc.operator)
        assert plan.kind == "guidance" and not plan.calls and not plan.applicable
        assert plan.guidance or plan.noop or plan.refused, fix_id
        text = "\n".join([*plan.guidance, plan.summary, plan.noop_reason])
        assert secret not in text and acc.app_key_id not in text, fix_id
        result = apply_plan(plan, settings=settings, operator=acc.operator, confirmed=False)
        assert result.status == "noop" and result.calls == []
    assert sent == []


def test_the_engine_stays_free_of_textual_and_boto3_at_import():
    code = (
        "import sys, sesfix.fixes, sesfix.fixes.catalogue, sesfix.fixes.apply, "
        "sesfix.fixes.reverse, sesfix.commands.fix, sesfix.commands.undo\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'boto3'))\n"
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
