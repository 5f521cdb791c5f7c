"""Practice scenario ``account-paused``: AWS paused the account's sending (``sesv2:GetAccount``
EnforcementStatus SHUTDOWN, with the account's review details). Diagnosed on step 5 as
``account.paused``; no fix lifts it, and the closing story sends the learner to AWS's
review case.

The practice account answers GetAccount (its front, ``fill_gaps``) and refuses the app's send
as AWS refuses a paused account's (AccountSendingPausedException).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from sesfix.cli import main
from sesfix.commands.demo import make_demo_app
from sesfix.demo.account import SCENARIOS
from sesfix.demo.progress import leaving_summary
from sesfix.demo.record import OnboardingRecord
from sesfix.lang import set_language
from tests.support.screen import screen_text
from tests.support.wizard import settle


def test_check_json_names_the_pause_on_step_5_with_no_fix(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["check", "--demo", "account-paused", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1 and data["healthy"] is False
    [finding] = data["findings"]
    assert (finding["id"], finding["severity"], finding["step"]) == ("account.paused", "error", 5)
    assert finding["fixes"] == []  # only AWS lifts a pause
    evidence = "\n".join(finding["evidence"])
    assert "EnforcementStatus SHUTDOWN, SendingEnabled false, ProductionAccessEnabled true" in (
        evidence
    )
    assert "case 7294061835" in evidence  # the review details, from GetAccount's answer
    statuses = {s["number"]: s["status"] for s in data["steps"]}
    assert statuses[5] == "fail"
    assert [n for n, st in statuses.items() if st == "fail"] == [5]


def test_the_apps_send_is_refused_as_aws_refuses_a_paused_account() -> None:
    from sesfix.diagnosis.testsend import send_test_email
    from sesfix.sources import SourceSpec, open_source

    with open_source(SourceSpec(kind="practice", scenario="account-paused")) as source:
        result = send_test_email(source.settings)
    assert not result.ok
    assert result.error_code == "AccountSendingPausedException"
    assert "disabled for your entire Amazon SES account" in result.message
    assert result.rejection is None  # no identity failed: nothing to decode


def test_a_raw_send_without_source_is_refused_too() -> None:
    """SendRawEmail may leave Source out (SES reads the From header): still refused."""
    import boto3
    import botocore.exceptions

    from sesfix.sources import SourceSpec, open_source

    with open_source(SourceSpec(kind="practice", scenario="account-paused")) as source:
        s = source.settings
        ses = boto3.client(
            "ses",
            region_name=s.region,
            aws_access_key_id=s.access_key_id,
            aws_secret_access_key=s.raw("AWS_SECRET_ACCESS_KEY"),
        )
        raw = (
            f"From: {s.raw('EMAIL_FROM')}\r\nTo: success@simulator.amazonses.com\r\n"
            "Subject: t\r\n\r\nbody"
        )
        with pytest.raises(botocore.exceptions.ClientError) as info:
            ses.send_raw_email(RawMessage={"Data": raw})
    assert info.value.response["Error"]["Code"] == "AccountSendingPausedException"


def test_the_record_and_the_leaving_line_tell_the_closing_story() -> None:
    start = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
    record = OnboardingRecord(
        scenario="account-paused",
        started_at=start,
        finished_at=start + timedelta(minutes=3),
        broken_findings=["account.paused"],
        still_open=["account.paused"],
        gaps=["errors"],
    )
    md = record.to_markdown()
    assert "No fix can lift a pause" in md and "review case in the AWS console" in md
    assert "No fix lifts a pause" in leaving_summary(record)
    set_language("vi")
    try:
        vi = record.to_markdown()
        line = leaving_summary(record)
    finally:
        set_language("en")
    assert "Không fix nào gỡ được việc tạm dừng" in vi and "AWS console" in vi
    assert "Không fix nào gỡ được" in line
    # Another scenario's record says nothing of it.
    other = OnboardingRecord(scenario="seed", started_at=start, broken_findings=["x.y"])
    assert "lift a pause" not in other.to_markdown()


def test_random_practice_never_draws_it() -> None:
    from sesfix.demo.scenarios import drawable

    assert SCENARIOS["account-paused"].expected_errors and "account-paused" not in drawable()


async def test_the_wizard_shows_the_pause_on_step_5_without_a_fix() -> None:
    app, practice = make_demo_app("account-paused", lang="en")
    app.stable_output = True
    try:
        async with app.run_test(size=(110, 44)) as pilot:
            await settle(pilot, app)
            report: Any = app.state.report
            assert report is not None
            assert [f.id for f in report.errors] == ["account.paused"]
            await pilot.press("5")
            await pilot.pause(0.2)
            text = screen_text(app)
            assert "AWS paused sending for this account" in text
            assert "EnforcementStatus SHUTDOWN" in text
            assert "AWS Support center" in text
            assert not app.screen.query("FixButton")  # nothing to apply: AWS decides
    finally:
        practice.close()
    assert "No fix lifts a pause" in practice.leaving_summary(save=False)
