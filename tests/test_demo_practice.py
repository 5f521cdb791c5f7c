"""Practice mode without the UI: the account's life, the environment it sets, the learner's
progress, the onboarding record, and the ``sesfix demo`` command's own errors."""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sesfix.cli import main
from sesfix.demo.account import SCENARIOS, SES_FULL
from sesfix.demo.practice import PracticeInfo, point_environment
from sesfix.demo.record import OnboardingRecord, format_duration
from sesfix.diagnosis.engine import DiagnosisOptions, diagnose
from sesfix.errors import UsageError


def _reachable(endpoint: str) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        opener.open(endpoint + "/moto-api/", timeout=2).close()
    except urllib.error.HTTPError:
        return True
    except (urllib.error.URLError, OSError):
        return False
    return True


def test_practice_run_from_broken_to_record(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Settings that would send requests elsewhere must not survive practice mode.
    monkeypatch.setenv("AWS_ENDPOINT_URL_IAM", "http://192.0.2.1:9")
    monkeypatch.setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")
    monkeypatch.setenv("HTTP_PROXY", "http://192.0.2.1:9")
    monkeypatch.setenv("http_proxy", "http://192.0.2.1:9")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)

    practice = PracticeInfo.for_scenario("seed")
    assert practice.scenario == "seed" and practice.named
    practice.begin()
    try:
        settings, operator = practice.prepare()
        account = practice.account
        assert account is not None and practice.ready
        assert practice.prepare_seconds is not None and practice.prepare_seconds > 0
        assert os.environ["AWS_ENDPOINT_URL"] == account.endpoint
        assert account.endpoint.startswith("http://127.0.0.1:")
        assert "AWS_ENDPOINT_URL_IAM" not in os.environ
        assert "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS" not in os.environ
        assert "127.0.0.1" in os.environ["NO_PROXY"].split(",")
        assert operator is not None and operator.credentials is not None
        started = practice.started_at
        again, _ = practice.prepare()  # idempotent: same account, same start
        assert practice.started_at == started and practice.account is account
        assert again.access_key_id == settings.access_key_id

        report = diagnose(settings, DiagnosisOptions(operator=operator))
        assert [f.id for f in report.errors] == ["iam.ses_permission_missing"]
        assert practice.note_report(report) is False
        assert practice.broken_findings == ["iam.ses_permission_missing"]

        account.operator_client("iam").attach_user_policy(
            UserName=report.context.app_user, PolicyArn=SES_FULL
        )
        practice.note_fix("attach-ses-full-access")
        report = diagnose(settings, DiagnosisOptions(operator=operator))
        assert report.healthy
        assert practice.note_report(report) is True  # the moment to show the summary
        assert practice.note_report(report) is False  # only once
        assert practice.complete

        record = practice.record()
        assert record.scenario == "seed" and record.healthy
        assert record.broken_findings == ["iam.ses_permission_missing"]
        assert record.fixes_applied == ["attach-ses-full-access"]
        markdown = record.to_markdown()
        secret = settings.secret_access_key
        assert secret is not None
        for value in (secret.reveal(), operator.credentials.secret_access_key.reveal()):
            assert value not in markdown
        assert operator.credentials.access_key_id not in markdown
        assert settings.access_key_id not in markdown
        endpoint = account.endpoint
    finally:
        practice.close()
    # The account disappears and the environment is as it was.
    assert not _reachable(endpoint)
    assert "AWS_ENDPOINT_URL" not in os.environ
    assert os.environ["AWS_ENDPOINT_URL_IAM"] == "http://192.0.2.1:9"
    assert os.environ["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] == "true"
    assert "NO_PROXY" not in os.environ
    practice.close()  # idempotent


def test_random_practice_stays_unnamed_until_the_record() -> None:
    with PracticeInfo.for_scenario("random").begin() as practice:
        assert practice.scenario == "random" and not practice.named
        assert practice.spec.description not in practice.description
        settings, _operator = practice.prepare()
        assert settings.source == "practice account"
        assert practice.spec.name not in settings.source
        assert practice.spec.name not in repr(practice)  # not even in a log line
        account = practice.account
        assert account is not None and account.operator is not None
        assert account.operator.credentials is not None
        for value in (
            account.operator.credentials.secret_access_key.reveal(),
            account.app_env["AWS_SECRET_ACCESS_KEY"],
            account.app_env["AWS_ACCESS_KEY_ID"],
        ):
            assert value not in repr(practice) and value not in repr(account)
        record = practice.record()
        assert record.scenario == practice.spec.name in SCENARIOS
        assert record.description == practice.spec.description
        assert not record.healthy


def test_guidance_before_the_account_is_ready_is_refused() -> None:
    practice = PracticeInfo.for_scenario("bad-secret")
    with pytest.raises(UsageError):
        practice.set_app_variable("AWS_SES_REGION", "us-east-1")


def test_close_before_prepare_stops_the_account() -> None:
    practice = PracticeInfo.for_scenario("healthy").begin()
    practice.close()
    with pytest.raises(UsageError):
        practice.prepare()


def test_point_environment_restores_exactly() -> None:
    env = {"AWS_ENDPOINT_URL": "http://old", "AWS_ENDPOINT_URL_SES": "http://x", "no_proxy": "a"}
    restore = point_environment("http://127.0.0.1:5", env)
    assert env == {
        "AWS_ENDPOINT_URL": "http://127.0.0.1:5",
        "NO_PROXY": "127.0.0.1",
        "no_proxy": "a,127.0.0.1",
    }
    restore()
    assert env == {
        "AWS_ENDPOINT_URL": "http://old",
        "AWS_ENDPOINT_URL_SES": "http://x",
        "no_proxy": "a",
    }


# --- the record ------------------------------------------------------------------------------


def test_record_markdown_and_write(tmp_path: Path) -> None:
    start = datetime(2026, 11, 29, 10, 0, 0, tzinfo=UTC)
    record = OnboardingRecord(
        scenario="lost-secret",
        started_at=start,
        finished_at=start + timedelta(minutes=3, seconds=7),
        broken_findings=["credentials.secret_mismatch"],
        fixes_applied=["rotate-access-key"],
        healthy=True,
    )
    assert record.description == SCENARIOS["lost-secret"].description
    assert record.duration_text == "3 min 07 s"
    md = record.to_markdown()
    assert "# sesfix practice record: lost-secret" in md
    assert "`credentials.secret_mismatch`" in md and "`rotate-access-key`" in md
    assert "3 min 07 s" in md and "healthy" in md

    written = record.write(tmp_path)  # a directory: default file name
    assert written.parent == tmp_path and written.name.endswith(".md")
    assert written.read_text(encoding="utf-8") == md
    chosen = record.write(tmp_path / "me.md")
    assert chosen.read_text(encoding="utf-8") == md
    with pytest.raises(UsageError):
        record.write(tmp_path / "missing-dir" / "x.md")


def test_record_accepts_the_wizards_entries_and_an_unfinished_run() -> None:
    start = datetime.now(UTC) - timedelta(seconds=5)
    record = OnboardingRecord(
        scenario="seed",
        started_at=start,
        fixes_applied=[("attach-ses-full-access", start)],  # type: ignore[list-item]
    )
    assert record.fixes_applied == ["attach-ses-full-access"]
    assert record.finished_at is None and record.duration >= timedelta(seconds=5)
    assert "not yet" in record.to_markdown()
    healthy = OnboardingRecord(scenario="healthy", started_at=start, finished_at=start)
    assert "Nothing" in healthy.to_markdown() and "No fix applied." in healthy.to_markdown()


def test_format_duration() -> None:
    assert format_duration(timedelta(seconds=9)) == "9 s"
    assert format_duration(timedelta(seconds=61)) == "1 min 01 s"
    assert format_duration(timedelta(hours=1, minutes=2)) == "1 h 02 min"


# --- the command -----------------------------------------------------------------------------


def test_demo_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--list"]) == 0
    out = capsys.readouterr().out
    for name in [*SCENARIOS, "random"]:
        assert name in out


def test_demo_unknown_scenario_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--scenario", "nope"]) == 2
    assert "choose one of" in capsys.readouterr().err


def test_demo_without_moto_says_how_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "moto", None)  # as if the demo extra were not installed
    assert main(["demo"]) == 2
    err = capsys.readouterr().err
    assert "pip install 'sesfix[demo]'" in err


def test_summary_screen_speaks_vietnamese() -> None:
    """The completion summary's text comes from the catalogues, in both languages."""
    from sesfix.locale import catalogue

    en, vi = catalogue("en"), catalogue("vi")
    for key in ("summary.title.done", "summary.broken", "summary.fixed", "summary.write"):
        assert key in en and key in vi
        assert en[key] != vi[key]


# --- when practice is complete, and what the learner takes away ------------------------------


def test_a_rotation_is_complete_only_once_the_old_key_is_retired(isolated_world: Path) -> None:
    from sesfix import fixes

    with PracticeInfo.for_scenario("lost-secret").begin() as practice:
        settings, operator = practice.prepare()
        old_key = practice.original_key_id
        assert old_key and old_key == settings.access_key_id

        def diagnosis() -> object:
            return diagnose(settings, DiagnosisOptions(operator=operator))

        def apply(fix_id: str, report: object) -> fixes.ApplyResult:
            plan = fixes.plan_fix(fix_id, report, settings, operator=operator)  # type: ignore[arg-type]
            assert plan.applicable, (plan.refused, plan.noop_reason)
            result = fixes.apply_plan(
                plan, settings=settings, operator=operator, confirmed=True, verify_timeout=20
            )
            assert result.status == "applied", result.message
            practice.note_fix(fix_id)
            return result

        report = diagnosis()
        assert practice.note_report(report) is False  # type: ignore[arg-type]
        result = apply("rotate-access-key", report)
        assert result.new_key is not None
        settings = practice.use_new_key(result.new_key.access_key_id, result.new_key.secret)
        report = diagnosis()
        assert report.healthy  # type: ignore[attr-defined]
        # Healthy, but the lost key is still Active: not the lesson's end.
        assert practice.note_report(report) is False  # type: ignore[arg-type]
        assert practice.gaps == ["old_key_active"] and not practice.complete
        assert not practice.record().healthy
        line = practice.leaving_summary(save=False)
        assert "unfinished" in line and "retire-old-key" in line

        apply("retire-old-key", report)
        report = diagnosis()
        assert practice.note_report(report) is True  # type: ignore[arg-type]
        record = practice.record()
        assert record.healthy and record.gaps == []
        assert record.fixes_applied == ["rotate-access-key", "retire-old-key"]
        assert record.open_warnings == ["account.sandbox"]
        line = practice.leaving_summary()
        assert len(line.splitlines()) == 1
        assert "complete" in line and "sandbox" in line
        data_dir = isolated_world / ".local/share/sesfix/practice"
        [saved] = list(data_dir.glob("*.md"))
        assert str(saved) in line
        md = saved.read_text(encoding="utf-8")
        for value in (old_key, result.new_key.access_key_id, result.new_key.secret.reveal()):
            assert value not in md and value not in line


def test_record_lists_fix_titles_warnings_and_the_sandbox(
    isolated_world: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sesfix.locale import set_language, t

    start = datetime(2026, 11, 29, 10, 0, 0, tzinfo=UTC)
    record = OnboardingRecord(
        scenario="seed",
        started_at=start,
        finished_at=start + timedelta(seconds=80),
        broken_findings=["iam.ses_permission_missing"],
        fixes_applied=["attach-ses-full-access"],
        healthy=True,
        open_warnings=["account.sandbox"],
    )
    md = record.to_markdown()
    assert f"`attach-ses-full-access`: {t('fix.attach-ses-full-access.title')}" in md
    assert f"`account.sandbox`: {t('finding.account.sandbox.title')}" in md
    assert "SES sandbox" in md and "production access" in md
    monkeypatch.chdir(isolated_world)
    written = record.write()  # the default place: the user's data directory
    assert written.parent == isolated_world / ".local/share/sesfix/practice"
    assert not list(isolated_world.glob("*.md"))  # not the current directory
    set_language("vi")
    try:
        vi = record.to_markdown()
    finally:
        set_language("en")
    assert "Bản ghi luyện tập sesfix: seed" in vi and "sandbox" in vi
    assert "`attach-ses-full-access`" in vi and "`iam.ses_permission_missing`" in vi
    assert "What was broken" not in vi


def test_sesfix_demo_prints_one_line_when_the_learner_leaves(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from sesfix.tui.app import SesfixApp

    monkeypatch.setattr("sesfix.terminal.interactive", lambda: True)  # as if in a terminal
    monkeypatch.setattr(SesfixApp, "run", lambda self, *a, **k: 0)  # left at once
    assert main(["demo", "--scenario", "seed"]) == 0
    out = capsys.readouterr().out
    assert len(out.strip().splitlines()) == 1
    assert out.startswith("Practice seed: left unfinished")
    assert "AWS_ENDPOINT_URL" not in os.environ  # the account is gone with the wizard


def test_scenario_descriptions_in_both_languages(capsys: pytest.CaptureFixture[str]) -> None:
    """English is the declaration itself; every scenario has its Vietnamese line."""
    from sesfix.demo.account import describe
    from sesfix.locale import catalogue, set_language

    en, vi = catalogue("en"), catalogue("vi")
    for name, sc in SCENARIOS.items():
        assert en[f"scenario.{name}.description"] == sc.description
        assert vi[f"scenario.{name}.description"] != sc.description
    assert main(["demo", "--list", "--lang", "vi"]) == 0
    out = capsys.readouterr().out
    try:
        assert describe(SCENARIOS["seed"]) in out and "sửa bằng" in out
        assert PracticeInfo.for_scenario("inactive-key").description.startswith("Có người")
    finally:
        set_language("en")


def test_sesfix_with_demo_prints_the_summary_on_leaving_too(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from sesfix.tui.app import SesfixApp

    monkeypatch.setattr("sesfix.terminal.interactive", lambda: True)
    monkeypatch.setattr(SesfixApp, "run", lambda self, *a, **k: 0)
    assert main(["--demo", "wrong-region"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Practice wrong-region: left unfinished") and out.count("\n") == 1
