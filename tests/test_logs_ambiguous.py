"""Issue 12, log reading: an ambiguous code names no fix on its own, its causes come in
order with what tells them apart, the live verdict leads, secrets are masked, and the
headless face speaks Vietnamese with ``--lang vi``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from sesfix import findings as F
from sesfix import logs
from sesfix.diagnosis.report import Context, Report
from sesfix.locale import set_language
from sesfix.logs import analyze

GUIDE_LINE = (
    "2026-11-29T10:42:00Z ❌ [Email Service - SES] AWS SES error (InvalidClientTokenId): "
    "The security token included in the request is invalid."
)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language("en")


@pytest.mark.parametrize(
    ("code", "first_cause"),
    [
        ("InvalidClientTokenId", "credentials.whitespace"),
        ("SignatureDoesNotMatch", "credentials.whitespace"),
    ],
)
def test_an_ambiguous_code_names_no_fix_and_lists_its_causes(code: str, first_cause: str) -> None:
    a = analyze([f"❌ [Email Service - SES] Error: {code}"])
    (f,) = a.findings()
    assert f.fixes == (), "the log alone must not name a fix for an ambiguous code"
    assert f.data["ambiguous"] is True and f.data["causes"][0] == first_cause
    numbered = [e for e in f.evidence if e[:2] in ("1.", "2.", "3.", "4.", "5.")]
    assert len(numbered) >= 4, f.evidence
    assert all("told apart by:" in e for e in numbered)
    assert "sesfix check" in f.evidence[-1]
    summary = a.summary()
    assert "several causes" in summary and "sesfix check" in summary
    assert "calls credentials" not in summary
    assert a.to_json()["codes"][code]["ambiguous"] is True


def test_a_clear_code_still_names_its_fix() -> None:
    a = analyze(
        [
            "❌ [Email Service - SES] Error: AccessDenied: User: arn:aws:iam::123456789012:user/app "
            "is not authorized to perform: ses:SendEmail"
        ]
    )
    (f,) = a.findings()
    assert f.id == "iam.ses_permission_missing" and "attach-ses-full-access" in f.fixes
    expired = analyze(
        [
            "SignatureDoesNotMatch: Signature expired: 20261129T101500Z is now earlier than "
            "20261129T102000Z (20261129T102500Z - 5 min.)"
        ]
    )
    (g,) = expired.findings()
    assert g.id == "credentials.clock_skew" and not g.data.get("ambiguous")


def test_the_live_verdict_leads_the_correlation() -> None:
    """The seed practice: the app logs InvalidClientTokenId, the live check finds the
    missing permission. The live verdict comes first and names its fix."""
    a = analyze([GUIDE_LINE])
    report = Report(
        steps=[], findings=[F.make("iam.ses_permission_missing", "no allow")], context=Context()
    )
    sentences = logs.correlate(a, report)
    assert sentences[0].startswith("the live check's verdict leads: iam.ses_permission_missing")
    assert "rotate-access-key" not in " ".join(sentences)


def test_a_cause_the_live_check_found_explains_the_ambiguous_code() -> None:
    a = analyze([GUIDE_LINE])
    report = Report(
        steps=[],
        findings=[F.make("credentials.quoted_value", "AWS_ACCESS_KEY_ID is in quotes")],
        context=Context(),
    )
    _verdict, sentence = logs.correlate(a, report)
    assert "the live probe shows" in sentence


def test_logs_mask_tokens_and_secret_shapes_without_digits(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from sesfix.cli import main

    secret_no_digits = "qYbRtkWzPLmVnXsJdHgFcBaTqWeRtYuIoPlKjHgF"
    token = "IQoJb3JpZ2luX2VjEHoaCXVzLWVhc3QtMSJHMEUCIQD" + "Zm9v" * 40
    smtp = "BHIY1O6Cy3x3spxFeso/ZlMWKpw62CNiYYCUqUCcEFag"
    log = tmp_path / "app.log"
    log.write_text(
        f"❌ [Email Service - SES] Error: SignatureDoesNotMatch secret={secret_no_digits}\n"
        f"AWS_SESSION_TOKEN={token} ExpiredToken\n"
        f"SMTP_PASSWORD={smtp} AccessDenied\n",
        encoding="utf-8",
    )
    for extra in ([], ["--json"]):
        main(["logs", str(log), *extra])
        out = capsys.readouterr().out
        for value in (secret_no_digits, token, smtp, token[:40], smtp[:20]):
            assert value not in out
        assert "SignatureDoesNotMatch" in out


def test_logs_speak_vietnamese_with_lang_vi(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from sesfix.cli import main

    log = tmp_path / "app.log"
    log.write_text(GUIDE_LINE + "\n", encoding="utf-8")
    assert main(["logs", str(log), "--lang", "vi"]) == 1
    out = capsys.readouterr().out
    assert "Đường gửi dừng ở lệnh gọi API của SES" in out
    assert "phân biệt bằng" in out
    for english in ("The send path", "told apart by", "What sesfix check calls it", "once"):
        assert english not in out
    assert main(["logs", str(log), "--lang", "vi", "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["schema"] == "sesfix.logs/1" and "summary" in doc  # field names unchanged
    assert doc["summary"].startswith("Đường gửi")
    assert main(["--lang", "vi", "logs", str(log)]) == 1  # the top-level flag works too
    assert "Đường gửi" in capsys.readouterr().out


def test_logs_demo_reads_the_scenarios_sample_log(capsys: pytest.CaptureFixture[str]) -> None:
    from sesfix.cli import main

    code = main(["logs", "--demo", "seed"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert code == 1, captured.err
    assert "practice scenario seed" in captured.out
    assert "AccessDenied" in captured.out  # the seed app lacks the SES permission
    assert main(["logs", "--demo", "healthy"]) == 0
    capsys.readouterr()
    assert main(["logs", "--demo", "no-such-scenario"]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_logs_demo_with_check_puts_the_live_verdict_first(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`sesfix logs --demo seed --check`: whatever the sample log says, the practice
    account's live verdict (the seed app lacks the SES permission) comes first."""
    from sesfix.cli import main

    code = main(["logs", "--demo", "seed", "--check"])
    out = capsys.readouterr().out
    assert code == 1, out
    lines = [line for line in out.splitlines() if line.strip()]
    assert lines[1] == "The live check (it leads):"
    assert (
        lines[2].strip().startswith("the live check's verdict leads: iam.ses_permission_missing")
    ), lines[2]


def test_logs_mask_tokens_and_signatures_in_logged_requests() -> None:
    token = "IQoJb3JpZ2luX2VjEHoaCXVzLWVhc3QtMSJHMEUCIQD/abc+def" * 3
    encoded = token.replace("/", "%2F").replace("+", "%2B")
    sig = "ab12" * 16
    a = analyze(
        [
            f"AccessDenied calling https://email.us-east-1.amazonaws.com/?X-Amz-Security-Token="
            f"{encoded}&X-Amz-Signature={sig}",
            f'AccessDenied {{"SecretAccessKey": "short/odd+value", "SessionToken": "{token}"}}',
        ]
    )
    shown = json.dumps(a.to_json(), ensure_ascii=False)
    for value in (encoded[:30], token[:30], sig, "short/odd+value"):
        assert value not in shown, value
    assert "AccessDenied" in shown
