# ruff: noqa: F811 - pytest fixtures imported from tests.support.smtp_server
"""The SMTP fixes, planned from real diagnoses (moto with IAM auth + the loopback SMTP
server) and proven by applying their variable changes and diagnosing again."""

from __future__ import annotations

import json

import pytest

from sesfix.demo.account import SimulatedAccount
from sesfix.demo.smtp import PracticeSmtpServer
from sesfix.diagnosis.engine import DiagnosisOptions, diagnose
from sesfix.fixes import FIX_CATALOGUE, plan_fix
from sesfix.fixes.model import Plan
from sesfix.settings import AppSettings
from sesfix.smtp import derive
from tests.support.smtp_account import REGION, healthy, smtp_env, smtp_practice  # noqa: F401
from tests.support.smtp_server import certificates  # noqa: F401


def diagnosed(env: dict[str, str], acct: SimulatedAccount):  # type: ignore[no-untyped-def]
    settings = AppSettings.from_mapping(env, "test")
    return settings, diagnose(settings, DiagnosisOptions(operator=acct.operator))


def applied(env: dict[str, str], plan: Plan) -> dict[str, str]:
    out = dict(env)
    for change in plan.changes:
        if change.value is None:
            out.pop(change.name, None)
        else:
            out[change.name] = change.value.reveal()
    return out


def test_fixes_are_published_and_answer_the_smtp_findings() -> None:
    assert FIX_CATALOGUE["derive-smtp-password"].kind == "guidance"
    assert "smtp.password_is_secret_key" in FIX_CATALOGUE["derive-smtp-password"].answers
    assert "smtp.tls_mode_mismatch" in FIX_CATALOGUE["set-smtp-port"].answers
    assert "smtp.port_blocked" in FIX_CATALOGUE["switch-to-ses-api"].answers


@pytest.mark.parametrize(
    "password",
    ["raw-secret", "other-region", "legacy"],
)
def test_derive_smtp_password_makes_ses_accept_the_login(
    healthy: SimulatedAccount, smtp_practice: PracticeSmtpServer, monkeypatch, password: str
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SESFIX_SMTP_ENDPOINT", f"127.0.0.1:{smtp_practice.starttls_port}")
    secret = healthy.app_env["AWS_SECRET_ACCESS_KEY"]
    value = {
        "raw-secret": secret,
        "other-region": derive.smtp_password(secret, "us-east-1"),
        "legacy": derive.smtp_password_sigv2(secret),
    }[password]
    env = smtp_env(healthy, SMTP_PASSWORD=value)
    settings, report = diagnosed(env, healthy)
    assert "derive-smtp-password" in report.fix_ids()
    plan = plan_fix("derive-smtp-password", report, settings, operator=healthy.operator)
    assert not plan.refused and not plan.inputs_needed, plan.refused
    assert [c.name for c in plan.changes] == ["SMTP_PASSWORD"]
    assert "def smtp_password" in "\n".join(plan.guidance)  # the guide's derivation, shown
    # Nothing secret in what the plan prints or serialises.
    shown = json.dumps(plan.to_json()) + "\n".join(plan.guidance) + repr(plan)
    derived = derive.smtp_password(secret, REGION)
    assert derived not in shown and secret not in shown
    # Applying the change makes SES (the loopback server) accept the login.
    _, after = diagnosed(applied(env, plan), healthy)
    assert [f.id for f in after.errors] == []
    assert smtp_practice.attempts[-1].accepted


def test_derive_sets_the_username_to_the_key_id(
    healthy: SimulatedAccount, smtp_practice, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SESFIX_SMTP_ENDPOINT", f"127.0.0.1:{smtp_practice.implicit_port}")
    env = smtp_env(healthy, SMTP_USERNAME="ses-smtp-user.20240101-123456", SMTP_PORT="465")
    settings, report = diagnosed(env, healthy)
    plan = plan_fix("derive-smtp-password", report, settings, operator=healthy.operator)
    assert [c.name for c in plan.changes] == ["SMTP_USERNAME", "SMTP_PASSWORD"]
    _, after = diagnosed(applied(env, plan), healthy)
    assert after.errors == []


def test_derive_refuses_a_secret_aws_rejects(healthy: SimulatedAccount, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    env = smtp_env(healthy, AWS_SECRET_ACCESS_KEY="x" * 40)
    settings, report = diagnosed(env, healthy)
    plan = plan_fix("derive-smtp-password", report, settings, operator=healthy.operator)
    assert "credentials.secret_mismatch" in plan.refused


def test_derive_without_a_secret_asks_for_the_keyring_entry(healthy: SimulatedAccount) -> None:  # type: ignore[no-untyped-def]
    env = smtp_env(healthy, AWS_SECRET_ACCESS_KEY="<unset>")
    settings, report = diagnosed(env, healthy)
    plan = plan_fix("derive-smtp-password", report, settings, operator=healthy.operator)
    assert [i.name for i in plan.inputs_needed] == ["keyring_label"]
    assert plan.changes == []


def test_set_smtp_port_fixes_a_tls_mismatch(
    healthy: SimulatedAccount, smtp_practice, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    # The app says implicit TLS on 587: the server there speaks STARTTLS.
    monkeypatch.setenv("SESFIX_SMTP_ENDPOINT", f"127.0.0.1:{smtp_practice.starttls_port}")
    good = derive.smtp_password(healthy.app_env["AWS_SECRET_ACCESS_KEY"], REGION)
    env = smtp_env(healthy, SMTP_PASSWORD=good, SMTP_SECURE="true")
    settings, report = diagnosed(env, healthy)
    assert [f.id for f in report.errors] == ["smtp.tls_mode_mismatch"]
    plan = plan_fix("set-smtp-port", report, settings, operator=healthy.operator)
    changes = {c.name: c.value.reveal() for c in plan.changes if c.value}
    assert changes == {"SMTP_SECURE": "false"}
    _, after = diagnosed(applied(env, plan), healthy)
    assert after.errors == []


def test_set_smtp_port_takes_a_port_that_answered(healthy: SimulatedAccount) -> None:  # type: ignore[no-untyped-def]
    from sesfix.diagnosis.report import Context, Report
    from sesfix.findings import make

    blocked = make("smtp.port_blocked", "x", answering_ports=[2587], suggested_port=2587,
                   suggested_mode="starttls", platform="railway")  # fmt: skip
    report = Report(steps=[], findings=[blocked], context=Context())
    settings = AppSettings.from_mapping(smtp_env(healthy), "test")
    plan = plan_fix("set-smtp-port", report, settings, operator=None)
    assert {c.name: c.value.reveal() for c in plan.changes if c.value} == {
        "SMTP_PORT": "2587",
        "SMTP_SECURE": "false",
    }
    api = plan_fix("switch-to-ses-api", report, settings, operator=None)
    assert {c.name: c.value.reveal() for c in api.changes if c.value} == {"EMAIL_PROVIDER": "ses"}
    assert any("Railway" in g for g in api.guidance)
    assert any("AWS_SES_REGION=ap-southeast-1" in g for g in api.guidance)


@pytest.mark.parametrize("fix_id", ["set-smtp-port", "switch-to-ses-api"])
@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("en", "{fix} does not apply: the app does not send through SMTP"),
        ("vi", "{fix} không áp dụng được: app không gửi mail qua SMTP"),
    ],
)
def test_smtp_port_and_api_fixes_refuse_an_app_without_smtp(
    healthy: SimulatedAccount, tmp_path, capsys, fix_id: str, lang: str, said: str
) -> None:  # type: ignore[no-untyped-def]
    """No SMTP variable and EMAIL_PROVIDER=ses: nothing to move to another port or off SMTP.
    Refused like the other fixes that do not apply (exit 1), in the reader's language, and
    the plan carries no change."""
    from sesfix.cli import main
    from sesfix.locale import set_language

    settings, report = diagnosed(dict(healthy.app_env), healthy)
    plan = plan_fix(fix_id, report, settings, operator=healthy.operator)
    assert plan.changes == [] and plan.guidance == [] and not plan.applicable
    env_file = tmp_path / "app.env"
    env_file.write_text("".join(f'{k}="{v}"\n' for k, v in healthy.app_env.items()))
    try:
        code = main(["--lang", lang, "fix", fix_id, "--env-file", str(env_file)])
        out = capsys.readouterr().out
        assert code == 1, out
        assert said.format(fix=fix_id) in out
        assert "SMTP_HOST, SMTP_PORT" in out
        # With --json the refusal is in the plan, with the same exit code.
        assert main(["--lang", lang, "fix", fix_id, "--env-file", str(env_file), "--json"]) == 1
        doc = json.loads(capsys.readouterr().out)
    finally:
        set_language("en")
    assert said.format(fix=fix_id) in doc["plan"]["refused"]


def test_smtp_port_and_api_fixes_still_plan_for_an_smtp_app(healthy: SimulatedAccount) -> None:  # type: ignore[no-untyped-def]
    """The refusal looks at the app's SMTP variables, not at the findings: EMAIL_PROVIDER=smtp
    alone is enough for both fixes to plan."""
    env = dict(healthy.app_env, EMAIL_PROVIDER="smtp")
    settings = AppSettings.from_mapping(env, "test")
    from sesfix.diagnosis.report import Context, Report

    report = Report(steps=[], findings=[], context=Context(region=REGION))
    for fix_id in ("set-smtp-port", "switch-to-ses-api"):
        plan = plan_fix(fix_id, report, settings, operator=None)
        assert not plan.refused and plan.changes, fix_id


@pytest.mark.parametrize(
    ("target", "host_change"),
    [("us-east-1", "email-smtp.us-east-1.amazonaws.com"), ("af-south-1", None)],
)
def test_set_ses_region_moves_the_smtp_host_with_the_region(
    healthy: SimulatedAccount, target: str, host_change: str | None
) -> None:
    """An SMTP app sends in SMTP_HOST's region: moving AWS_SES_REGION alone would leave
    its mail where the sender is not verified. The host moves too (and the password is
    derived again); a region without an SMTP endpoint is said, not written."""
    from sesfix.diagnosis.report import Context, Report
    from sesfix.findings import make
    from sesfix.locale import set_language

    wrong = make("region.identity_not_in_region", "x", verified_regions=[target])
    report = Report(
        steps=[], findings=[wrong], context=Context(region=REGION, verified_regions=[target])
    )
    settings = AppSettings.from_mapping(smtp_env(healthy), "test")
    plan = plan_fix("set-ses-region", report, settings, operator=None)
    changes = {c.name: c.value.reveal() for c in plan.changes if c.value}
    assert changes.get("AWS_SES_REGION") == target
    assert changes.get("SMTP_HOST") == host_change
    said = " ".join(plan.guidance)
    assert ("derive-smtp-password" in said) == (host_change is not None)
    assert ("switch-to-ses-api" in said) == (host_change is None)
    set_language("vi")
    try:
        vi = " ".join(plan_fix("set-ses-region", report, settings, operator=None).guidance)
    finally:
        set_language("en")
    assert "SMTP endpoint của SES" in vi and "The app sends" not in vi


def test_set_ses_region_leaves_an_app_without_smtp_alone(healthy: SimulatedAccount) -> None:
    from sesfix.diagnosis.report import Context, Report
    from sesfix.findings import make

    wrong = make("region.identity_not_in_region", "x", verified_regions=["us-east-1"])
    report = Report(
        steps=[], findings=[wrong], context=Context(region=REGION, verified_regions=["us-east-1"])
    )
    settings = AppSettings.from_mapping(dict(healthy.app_env), "test")
    plan = plan_fix("set-ses-region", report, settings, operator=None)
    assert [c.name for c in plan.changes] == ["AWS_SES_REGION"]
    assert "SMTP" not in " ".join(plan.guidance)
