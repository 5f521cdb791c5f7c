"""The headless faces and the fix plans in Vietnamese (issue 12, "Vietnamese throughout").

* completeness: every catalogue key the fixes, ``check``'s text report and the policy /
  permission descriptions ask for (``t("plans....")``, ``t("checktext....")``, and the
  families built at run time) exists in English and Vietnamese with the same placeholders,
  and the Vietnamese differs from the English unless it holds only names and commands;
* each scenario's fix plans, made with the language set to Vietnamese, hold no English
  sentence of the plans catalogue (summaries, warnings, guidance, purposes, options,
  refusals, the "then sesfix checks" line);
* ``sesfix --lang vi check`` writes its text report in Vietnamese, ``fix --dry-run`` its
  plan, ``logs`` its reading; the English output keeps its English; ``check --json`` is
  the same document in both languages apart from the evidence sentences.
"""

from __future__ import annotations

import json
import re
import string
from pathlib import Path
from typing import Any

import pytest

from sesfix.cli import main
from sesfix.demo.account import SCENARIOS, SimulatedAccount
from sesfix.diagnosis.engine import DiagnosisOptions, diagnose
from sesfix.fixes import plan_fix
from sesfix.fixes.catalogue import FIXES
from sesfix.locale import catalogue, set_language
from tests.support.engine import settings_of
from tests.test_fixes_cli import env_file

ROOT = Path(__file__).resolve().parent.parent
#: Where the plan and headless texts are asked for.
SOURCES = [
    *sorted((ROOT / "sesfix" / "fixes").glob("*.py")),
    ROOT / "sesfix" / "commands" / "check.py",
    ROOT / "sesfix" / "commands" / "fix.py",
    ROOT / "sesfix" / "commands" / "logs.py",
    ROOT / "sesfix" / "aws" / "policy.py",
]
#: Families whose keys are built at run time: f"plans.statement.{effect}" and so on.
FAMILIES = (
    "plans.statement.",
    "plans.description.",
    "plans.failure_hint.",
    "plans.vars.clock.",
    "checktext.severity.",
    "plans.smtp.",
    "plans.delivery.",
)
#: Texts whose Vietnamese is the English: only values, AWS names, commands and settings
#: paths as the operating systems name them.
SAME_IN_BOTH = {
    "checktext.app",
    "checktext.who.account",
    "checktext.who.domain",
    "checktext.who.key",
    "checktext.who.last_used",
    "checktext.who.region",
    "checktext.who.user",
    "plans.vars.clock.macos",
    "plans.vars.clock.windows",
}

_AREAS = ("plans.", "checktext.", "cmdtext.")
_LITERAL = re.compile(r"""\bt\(\s*"((?:plans|checktext|cmdtext)\.[a-zA-Z0-9_.\-]+)\"""")
_SAY = re.compile(r"""\bsay\(\s*"((?:plans|checktext)\.[a-zA-Z0-9_.\-]+)\"""")


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _used() -> set[str]:
    keys: set[str] = set()
    for path in [*SOURCES, ROOT / "sesfix" / "fixes" / "model.py"]:
        text = path.read_text(encoding="utf-8")
        keys |= set(_LITERAL.findall(text)) | set(_SAY.findall(text))
    return keys


def test_every_plan_and_check_text_key_exists_in_both_languages_and_is_translated() -> None:
    en, vi = catalogue("en"), catalogue("vi")
    used = _used()
    assert len(used) > 150, len(used)  # the scan found the fixes' keys
    family = {k for k in en if k.startswith(FAMILIES)}
    assert {"plans.statement.Allow", "plans.statement.Deny", "checktext.severity.error"} <= family
    missing = sorted(k for k in used | family if k not in en or k not in vi)
    assert missing == []
    assert {"cmdtext.bad_input", "cmdtext.logs.lines"} <= used
    for key in sorted(k for k in en if k.startswith(_AREAS)):
        assert key in vi, key
        assert _fields(en[key]) == _fields(vi[key]), key
        if key not in SAME_IN_BOTH:
            assert en[key] != vi[key], f"{key} is English in vi: {vi[key]!r}"


def test_every_fix_description_is_in_the_catalogue_as_the_fix_declares_it() -> None:
    """The English descriptions repeat the fixes' own (a plan's summary before it has one);
    the SMTP and delivery fixes keep theirs in their own area files or in English."""
    en = catalogue("en")
    for fid, fix in FIXES.items():
        key = f"plans.description.{fid}"
        if key in en:
            assert en[key] == fix.description, fid


def test_no_sentence_in_the_plan_fixes_is_an_f_string() -> None:
    """Plans are written with t(...): no literal English sentence is assigned to a plan's
    summary, verify text or noop reason, or appended to its warnings and guidance."""
    offenders = []
    names = ("iam.py", "keys.py", "domain.py", "account.py", "variables.py", "context.py")
    for name in (*names, "smtp.py", "delivery.py"):
        text = (ROOT / "sesfix" / "fixes" / name).read_text(encoding="utf-8")
        for match in re.finditer(
            r"plan\.(?:summary|verify|noop_reason)\s*=\s*\(?\s*f?\"[A-Za-z]"
            r"|plan\.(?:warnings|guidance)\.append\(\s*f?\"[A-Za-z]",
            text,
        ):
            offenders.append(f"{name}: {match.group(0)[:60]}")
    assert offenders == []


def _english_sentences() -> list[re.Pattern[str]]:
    """Each English plans/check text as a pattern (placeholders match anything)."""
    en, vi = catalogue("en"), catalogue("vi")
    patterns = []
    for key, text in en.items():
        if not key.startswith(_AREAS) or key in SAME_IN_BOTH:
            continue
        if text == vi[key]:
            continue
        parts = re.split(r"\{[a-z_0-9]+\}", text)
        if max(len(p.strip()) for p in parts) < 12:
            continue  # a short word ("none", "Allow") may well appear inside Vietnamese
        patterns.append(re.compile(".*".join(re.escape(p) for p in parts), re.S))
    return patterns


def _plan_texts(plan: Any) -> list[str]:
    texts = [plan.title, plan.summary, plan.verify, plan.noop_reason, plan.refused]
    texts += plan.warnings + plan.guidance + [c.purpose for c in plan.calls]
    texts += [f.label for f in plan.inputs_needed + plan.options]
    texts += [f.help for f in plan.inputs_needed + plan.options]
    if plan.missing_permission is not None:
        texts.append(plan.missing_permission.describe())
    return [t for t in texts if t]


@pytest.mark.parametrize("scenario", [s for s in SCENARIOS if s != "healthy"])
def test_each_scenarios_plans_in_vietnamese_have_no_english_sentence(
    scenario: str, account, vietnamese: None
) -> None:
    acct: SimulatedAccount = account(scenario)
    settings = settings_of(acct)
    report = diagnose(settings, DiagnosisOptions(operator=acct.operator))
    english = _english_sentences()
    fix_ids = sorted({f for finding in report.findings for f in finding.fixes})
    assert fix_ids, report.finding_ids()
    left: list[str] = []
    for fix_id in fix_ids:
        plan = plan_fix(fix_id, report, settings, operator=acct.operator)
        left += [f"{fix_id}: {t}" for t in _plan_texts(plan) if any(p.search(t) for p in english)]
    assert left == [], left


# ---- the headless faces ---------------------------------------------------------------------


def _env(acct: SimulatedAccount, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in acct.app_env.items():
        monkeypatch.setenv(name, value)


def test_check_text_follows_the_language(account, operator_profile, monkeypatch, capsys) -> None:
    acct = account("seed")
    operator_profile()
    _env(acct, monkeypatch)
    try:
        assert main(["--lang", "vi", "check", "--operator-profile", "ops"]) == 1
        vi = capsys.readouterr().out
        assert main(["check", "--lang", "en", "--operator-profile", "ops"]) == 1
        en = capsys.readouterr().out
    finally:
        set_language("en")
    for line in (
        "Bước 1  Quyền IAM",
        "✗ lỗi iam.ses_permission_missing",
        "IAM user không được phép gửi bằng SES",
        "cách sửa: sesfix fix attach-ses-full-access  (hoặc: create-custom-policy)",
        "! cảnh báo account.sandbox",
        "Tài khoản SES đang ở sandbox",
        "Kết luận: 1 lỗi: iam.ses_permission_missing",
    ):
        assert line in vi, line
    english = (
        "Step 1",
        "IAM permissions",
        "The IAM user may not send with SES",
        "fix: sesfix fix",
        "(or:",
        "Verdict:",
        "error(s)",
        "answered AccessDenied",
        "sender no-reply",
    )
    flat_vi, flat_en = " ".join(vi.split()), " ".join(en.split())  # lines wrap at 79
    assert [w for w in english if w in flat_vi] == []
    assert [w for w in english if w not in flat_en] == []  # the English report is as it was
    assert "trả lời AccessDenied" in vi  # the live test's answer, AWS's own code kept
    assert re.search(r"^✓ Bước 2  Credentials +đạt$", vi, re.M)


def _mask_language(doc: Any, key: str = "") -> Any:
    """The check document with what may follow the language (evidence sentences, the last
    use of the key, the headline) and what differs between runs (timings, key ids) blanked."""
    if key in ("evidence", "key_last_used", "headline", "ms", "duration_ms"):
        return "…"
    if isinstance(doc, dict):
        return {k: _mask_language(v, k) for k, v in doc.items()}
    if isinstance(doc, list):
        return [_mask_language(v, key) for v in doc]
    if isinstance(doc, str):
        return re.sub(r"AKIA…[A-Z0-9]{4}", "AKIA…", doc)
    return doc


def test_check_json_is_the_same_document_in_both_languages(
    account, operator_profile, monkeypatch, capsys
) -> None:
    """Field names, ids, statuses, step names, titles and fixes never change with the
    language; only the evidence sentences are written in the reader's language."""
    acct = account("seed")
    operator_profile()
    _env(acct, monkeypatch)
    try:
        assert main(["check", "--json", "--operator-profile", "ops"]) == 1
        en = json.loads(capsys.readouterr().out)
        assert main(["--lang", "vi", "check", "--json", "--operator-profile", "ops"]) == 1
        vi = json.loads(capsys.readouterr().out)
    finally:
        set_language("en")
    assert _mask_language(vi) == _mask_language(en)
    titles = {f["id"]: f["title"] for f in vi["findings"]}
    assert titles["iam.ses_permission_missing"] == "The IAM user may not send with SES"
    assert vi["steps"][0]["name"] == "IAM permissions"


def test_fix_dry_run_plan_in_vietnamese(account, operator_profile, tmp_path, capsys) -> None:
    acct = account("seed")
    operator_profile()
    envfile = env_file(acct, tmp_path)
    base = ["fix", "create-custom-policy", "--env-file", envfile, "--operator-profile", "ops"]
    try:
        assert main([*base, "--dry-run", "--lang", "vi"]) == 0  # --lang after the command
        captured = capsys.readouterr()
        assert main(["--lang", "en", *base, "--dry-run"]) == 0
        en = capsys.readouterr().out
    finally:
        set_language("en")
    vi = captured.out
    for line in (
        "Fix create-custom-policy — Tạo RentalShopSESPermissions và gắn nó",
        "Tạo customer-managed policy RentalShopSESPermissions và gắn nó cho IAM user rental-app "
        "trong account 123456789012. Hoàn tác: gỡ nó ra, rồi xóa policy.",
        "iam:CreatePolicy — tạo policy RentalShopSESPermissions",
        "iam:AttachUserPolicy — gắn RentalShopSESPermissions cho IAM user rental-app",
        "Sau đó kiểm tra: bằng chính credentials của app: gọi ses:GetSendQuota tại ap-southeast-1",
        "--input scope=… (Resource của các thao tác gửi, mặc định all)",
    ):
        assert line in vi, line
    left = [p.pattern[:60] for p in _english_sentences() if p.search(vi)]
    assert left == []
    assert "Create the customer-managed policy RentalShopSESPermissions and attach it" in en
    assert "as the app's own credentials: ses:GetSendQuota in ap-southeast-1" in en
    assert "practice account" not in captured.err  # the source is named in Vietnamese too


def test_logs_reading_in_vietnamese_keeps_acronyms(capsys) -> None:
    try:
        assert main(["--lang", "vi", "logs", "--demo", "seed"]) == 1
        out = capsys.readouterr().out
    finally:
        set_language("en")
    assert "AWS trả lời AccessDenied" in out
    assert "IAM user không được phép gửi bằng SES" in out
    assert "credentials hợp lệ nhưng thiếu quyền" in out
    assert "iAM" not in out
    for english in ("The send path", "which sesfix check calls", "the credentials are valid"):
        assert english not in out


def test_policy_statements_and_missing_rights_are_described_in_the_language(
    vietnamese: None,
) -> None:
    from sesfix.aws.policy import StatementRef
    from sesfix.fixes.model import MissingPermission

    ref = StatementRef(source="inline policy x", sid="NoSes", effect="Deny", conditional=True)
    assert ref.describe() == (
        "inline policy x: statement 'NoSes' cấm (Deny) nó (có Condition mà sesfix không đánh "
        "giá được)"
    )
    missing = MissingPermission("iam:GetUser", {"Version": "2012-10-17"})
    assert missing.describe().startswith("danh tính operator không được phép gọi iam:GetUser")
    set_language("en")
    assert ref.describe() == (
        "inline policy x: statement 'NoSes' denies it (with a Condition sesfix cannot evaluate)"
    )
    assert StatementRef(source="p", sid="", effect="Allow").describe() == "p: a statement allows it"


def test_usage_errors_of_the_headless_commands_follow_the_language(capsys) -> None:
    try:
        assert main(["logs", "--demo", "seed", "--lines", "0", "--lang", "vi"]) == 2
        vi = capsys.readouterr().err
        assert main(["logs", "--demo", "seed", "--lines", "0"]) == 2
        en = capsys.readouterr().err
    finally:
        set_language("en")
    assert "--lines phải ít nhất là 1" in vi
    assert "--lines must be at least 1" in en


#: The SMTP and delivery scenarios whose plans the catalogue must cover (the parametrised
#: test above runs every scenario; these must reach the mail fixes' texts, not only a refusal).
_MAIL = {
    "smtp-raw-secret": "derive-smtp-password",
    "smtp-wrong-region": "derive-smtp-password",
    "smtp-blocked-port": "set-smtp-port",
    "sandbox-recipient": "verify-recipient",
    "suppressed-recipient": "unsuppress-recipient",
    "dkim-not-published": "show-dns-records",
}


@pytest.mark.parametrize(("scenario", "fix_id"), sorted(_MAIL.items()))
def test_mail_fix_plans_are_written_in_vietnamese(
    scenario: str, fix_id: str, account, vietnamese: None
) -> None:
    acct: SimulatedAccount = account(scenario)
    settings = settings_of(acct)
    report = diagnose(settings, DiagnosisOptions(operator=acct.operator))
    plan = plan_fix(fix_id, report, settings, operator=acct.operator)
    assert not plan.refused, plan.refused
    vi = catalogue("vi")
    mail = [v for k, v in vi.items() if k.startswith(("plans.smtp.", "plans.delivery."))]
    # the summary (or the described fix) and at least one line of its own are Vietnamese
    described = vi[f"plans.description.{fix_id}"]
    assert plan.summary == described or any(_matches(m, plan.summary) for m in mail), plan.summary
    texts = _plan_texts(plan)
    assert sum(any(_matches(m, x) for m in mail) for x in texts) >= 2, texts
    english = _english_sentences()
    assert [x for x in texts if any(p.search(x) for p in english)] == []


def _matches(template: str, text: str) -> bool:
    parts = re.split(r"\{[a-z_0-9]+\}", template)
    return re.fullmatch(".*".join(re.escape(p) for p in parts), text, re.S) is not None


def test_fix_target_is_labelled_in_both_languages(
    account, operator_profile, tmp_path, capsys
) -> None:
    """The headless plan names its target as the wizard's dialog does ("IAM user", "Operator",
    "Recipient"), never by the plan's internal keys; --json keeps the keys."""
    acct = account("sandbox-recipient")
    operator_profile()
    envfile = env_file(acct, tmp_path)
    base = ["fix", "verify-recipient", "--env-file", envfile, "--operator-profile", "ops"]
    try:
        assert main([*base, "--dry-run", "--lang", "vi"]) == 0
        vi = capsys.readouterr().out
        assert main([*base, "--dry-run", "--lang", "en"]) == 0
        en = capsys.readouterr().out
        assert main([*base, "--dry-run", "--json"]) == 0
        doc = json.loads(capsys.readouterr().out)
    finally:
        set_language("en")
    en_line = next(line for line in en.splitlines() if line.startswith("Target: "))
    vi_line = next(line for line in vi.splitlines() if line.startswith("Đối tượng: "))
    keys = {"user", "account", "region", "domain", "key_id", "operator_arn", "operator_profile"}
    keys.add("recipient")
    for line in (en_line, vi_line):
        fields = line.split(": ", 1)[1].split(", ")
        assert len(fields) == len(keys), fields
        assert [f for f in fields if f.split(" ", 1)[0] in keys] == []
    assert en_line.startswith("Target: IAM user rental-app, Account 123456789012, Region ")
    assert ", Domain anyrent.shop, Access key AKIA…" in en_line
    assert ", Operator arn:aws:iam::123456789012:user/" in en_line
    assert en_line.endswith(", Operator profile ops, Recipient owner@gmail.com")
    assert vi_line.startswith("Đối tượng: IAM user rental-app, Tài khoản 123456789012, Region ")
    assert ", Tên miền anyrent.shop, Access key AKIA…" in vi_line
    assert vi_line.endswith(", Người nhận owner@gmail.com")
    plan = doc.get("plan", doc)
    assert {"user", "account", "key_id", "operator_arn", "recipient"} <= set(plan["target"])
