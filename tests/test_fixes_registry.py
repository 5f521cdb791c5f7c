"""Every fix is one declared object, and what it declares holds: plan, verify and inverses agree.

The registry is the only dispatch: a fix's planned writes must each be declared with the
inverse undo may run for it, undo refuses a recorded undo call its fix does not declare
(for the same user, the same policy), and guidance plans carry their variable changes as
data that practice applies as they are.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from sesfix.cli import main
from sesfix.diagnosis.engine import DiagnosisOptions, diagnose
from sesfix.errors import UsageError
from sesfix.fixes import FIX_CATALOGUE, GUIDANCE_FIXES, apply_plan, plan_fix, undo
from sesfix.fixes.catalogue import FIXES, PUBLISHED, _check_declared
from sesfix.fixes.context import Fix, call_name, planned_call
from sesfix.fixes.model import Plan
from sesfix.locations import audit_log_path
from sesfix.masking import Secret
from sesfix.settings import PROVIDER, SECRET, TOKEN
from tests.support.fixsetups import FIX_SETUPS
from tests.test_fixes_iam import count_api_calls


def test_the_registry_is_the_catalogue_in_publication_order() -> None:
    assert list(FIXES) == list(PUBLISHED) == list(FIX_CATALOGUE)
    for fid, fix in FIXES.items():
        spec = FIX_CATALOGUE[fid]
        assert (fix.id, fix.title, fix.kind, fix.undoable) == (
            spec.id,
            spec.title,
            spec.kind,
            spec.undoable,
        )
    assert {f for f, x in FIXES.items() if x.kind == "guidance"} == GUIDANCE_FIXES


@pytest.mark.parametrize("fix_id", PUBLISHED)
def test_each_fix_declares_plan_verify_and_inverses_consistently(fix_id: str) -> None:
    fix = FIXES[fix_id]
    assert callable(fix.plan)
    if fix.kind == "guidance":
        # no AWS write, so nothing to verify in AWS and nothing undo could run
        assert fix.verify is None and not fix.inverse
        assert fix.after_apply is None and fix.after_undo is None
        return
    assert fix.verify is not None, "an AWS fix is verified against AWS's own answer"
    assert fix.inverse, "an AWS fix declares every write it may plan"
    for forward, inverses in fix.inverse.items():
        assert forward.split(":")[0] in ("iam", "ses"), forward
        for inv in inverses:
            assert inv.call.split(":")[0] == forward.split(":")[0], (forward, inv.call)
    reversible = [f for f, inv in fix.inverse.items() if inv]
    assert bool(reversible) == fix.undoable, "undoable exactly when some write has an inverse"


@pytest.mark.parametrize("fix_id", sorted(FIX_SETUPS))
def test_every_planned_write_is_declared_with_its_inverse(fix_id: str, account: Any) -> None:
    scenario, inputs = FIX_SETUPS[fix_id]
    acct = account(scenario)
    settings = acct.app_settings()
    report = diagnose(settings, DiagnosisOptions(operator=acct.operator))
    plan = plan_fix(fix_id, report, settings, operator=acct.operator, inputs=inputs)
    assert plan.applicable, (plan.refused, plan.noop_reason, plan.inputs_needed)
    fix = FIXES[fix_id]
    for call in plan.calls:
        declared = fix.inverse[call.call]
        if not declared:
            assert not call.undo and not call.covered, f"{call.call} is declared irreversible"
            continue
        assert call.undo or call.covered, f"{call.call} plans no undo"
        for u in call.undo:
            assert fix.undo_allowed(call.call, call.params, u), (call.call, u)
            assert call_name(u.service, u.operation) in {i.call for i in declared}


def test_planning_an_undeclared_write_is_a_programming_error() -> None:
    fix = FIXES["attach-ses-full-access"]
    plan = Plan("attach-ses-full-access", fix.title, "aws", "")
    plan.calls.append(
        planned_call("iam", "delete_user", "us-east-1", {"UserName": "app"}, "not declared")
    )
    with pytest.raises(RuntimeError, match="does not declare"):
        _check_declared(fix, plan)


def test_an_undo_for_another_user_than_the_forward_call_is_refused() -> None:
    fix: Fix = FIXES["attach-ses-full-access"]
    arn = "arn:aws:iam::aws:policy/AmazonSESFullAccess"
    forward = planned_call(
        "iam", "attach_user_policy", "us-east-1", {"UserName": "app", "PolicyArn": arn}, "x"
    )
    from sesfix.fixes.context import undo_call

    right = undo_call("iam", "detach_user_policy", "us-east-1", dict(forward.params))
    wrong = undo_call(
        "iam", "detach_user_policy", "us-east-1", {"UserName": "admin", "PolicyArn": arn}
    )
    other = undo_call("iam", "delete_user", "us-east-1", {"UserName": "app"})
    assert fix.undo_allowed(forward.call, forward.params, right)
    assert not fix.undo_allowed(forward.call, forward.params, wrong)
    assert not fix.undo_allowed(forward.call, forward.params, other)


def test_undo_refuses_a_tampered_audit_log_and_sends_nothing(account: Any, monkeypatch) -> None:
    """Someone edits the log so undo would detach the policy from another user: not run."""
    acct = account("seed")
    settings = acct.app_settings()
    report = diagnose(settings, DiagnosisOptions(operator=acct.operator))
    plan = plan_fix("attach-ses-full-access", report, settings, operator=acct.operator)
    done = apply_plan(
        plan, settings=settings, operator=acct.operator, confirmed=True, verify_timeout=0
    )
    assert done.status == "applied"
    path = audit_log_path()
    lines = []
    for raw in path.read_text().splitlines():
        record = json.loads(raw)
        for u in record.get("undo") or []:
            u["params"]["UserName"] = "someone-else"
        lines.append(json.dumps(record))
    path.write_text("\n".join(lines) + "\n")
    sent = count_api_calls(monkeypatch)
    result = undo(None, operator=acct.operator, confirmed=True)
    assert result.status == "nothing", result.message
    assert "is not how attach-ses-full-access undoes iam:AttachUserPolicy" in result.message
    assert sent == []


def test_the_package_undo_stays_the_function_whatever_is_imported() -> None:
    import sesfix.fixes
    import sesfix.fixes.apply
    import sesfix.fixes.reverse

    assert callable(sesfix.fixes.undo) and callable(sesfix.fixes.apply_plan)


@pytest.mark.parametrize(
    ("scenario", "fix_id", "expected"),
    [
        ("missing-provider", "set-email-provider", {PROVIDER: "ses"}),
        ("stale-token", "remove-session-token", {TOKEN: None}),
        ("wrong-region", "set-ses-region", {"AWS_SES_REGION": "us-east-1"}),
    ],
)
def test_guidance_plans_carry_their_variable_changes_as_data(
    scenario: str, fix_id: str, expected: dict[str, str | None], account: Any
) -> None:
    acct = account(scenario)
    settings = acct.app_settings()
    report = diagnose(settings, DiagnosisOptions(operator=acct.operator))
    plan = plan_fix(fix_id, report, settings, operator=None)
    got = {c.name: (c.value.reveal() if c.value is not None else None) for c in plan.changes}
    assert got == expected
    assert "changes" not in plan.to_json()  # values stay out of the JSON contract


def test_a_cleaned_secret_is_carried_but_never_shown(account: Any) -> None:
    acct = account("bad-secret")
    settings = acct.app_settings()
    report = diagnose(settings)
    plan = plan_fix("clean-variable", report, settings, operator=None)
    [change] = plan.changes
    secret = acct.app_env[SECRET].strip()
    assert change.name == SECRET and isinstance(change.value, Secret)
    assert change.value.reveal() == secret
    assert secret not in repr(plan) and secret not in json.dumps(plan.to_json())


def test_a_fix_without_changes_carries_none(account: Any) -> None:
    acct = account("healthy")
    settings = acct.app_settings()
    report = diagnose(settings)
    # derive-smtp-password is the one exception, by design: deriving the SMTP password is how
    # an app starts sending through SMTP, so its plan is the SMTP variables to set whatever
    # the diagnosis found (tests/test_smtp_fixes.py covers it). set-smtp-port and
    # switch-to-ses-api refuse as not applicable on an app that does not use SMTP.
    for fix_id in sorted(GUIDANCE_FIXES - {"derive-smtp-password"}):
        plan = plan_fix(fix_id, report, settings, operator=None)
        assert plan.changes == [], fix_id
        assert not plan.applicable, (fix_id, plan.refused, plan.noop_reason)


@pytest.mark.parametrize("value", ["abc", "nan", "-1"])
def test_an_invalid_verify_timeout_is_a_usage_error(
    value: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SESFIX_VERIFY_TIMEOUT", value)
    assert main(["fix", "attach-ses-full-access", "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert "SESFIX_VERIFY_TIMEOUT" in err and "Traceback" not in err


@pytest.mark.parametrize("value", ["nan", "-5", "1e9"])
def test_an_invalid_verify_timeout_flag_is_a_usage_error(
    value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["fix", "attach-ses-full-access", "--dry-run", "--verify-timeout", value]) == 2
    err = capsys.readouterr().err
    assert "--verify-timeout" in err and "Traceback" not in err


def test_the_library_default_verify_timeout_reads_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sesfix.fixes.apply import apply_plan as apply_
    from sesfix.fixes.model import Plan as P

    monkeypatch.setenv("SESFIX_VERIFY_TIMEOUT", "abc")
    plan = P("attach-ses-full-access", "t", "aws", "s")
    plan.calls.append(
        planned_call("iam", "attach_user_policy", "us-east-1", {"UserName": "u"}, "x")
    )
    with pytest.raises(UsageError, match="SESFIX_VERIFY_TIMEOUT"):
        apply_(plan, settings=None, operator=object(), confirmed=True)  # type: ignore[arg-type]
