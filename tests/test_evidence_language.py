"""Evidence lines exist in English and Vietnamese (issue 12): every sentence the diagnosis
writes as evidence is a catalogue key, and a Vietnamese run leaves no English sentence.

* completeness: every key the diagnosis' modules ask for (``ev("...")``, and every key of
  the families it builds at run time, ``ev(f"lint.where.{...}")``) exists in both
  catalogues with the same placeholders, and the Vietnamese text differs from the English
  one unless it holds only values, AWS names and the terms kept in English;
* each scenario of the simulated account, diagnosed with the language set to Vietnamese,
  has no evidence line that is one of the English sentences;
* ``sesfix --lang vi check`` writes its evidence and headline in Vietnamese, with the same
  ids and JSON field names.
"""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

import pytest

from sesfix import cli
from sesfix.demo.account import SCENARIOS, SimulatedAccount
from sesfix.diagnosis.engine import DiagnosisOptions, diagnose
from sesfix.locale import catalogue, set_language
from tests.support.engine import settings_of

ROOT = Path(__file__).resolve().parent.parent
DIAGNOSIS = ROOT / "sesfix" / "diagnosis"

#: Texts whose Vietnamese is the English: only values, AWS's names and glossary terms
#: (policy, permissions boundary, statement are kept in English).
SAME_IN_BOTH = {
    "evidence.aws.message",
    "evidence.iam.boundary",
    "evidence.iam.label.boundary",
    "evidence.iam.label.inline",
    "evidence.iam.label.managed",
    "evidence.iam.statement.sid",
    "evidence.lint.key.reason",
    "evidence.delivery.dmarc.found",  # p= is DMARC's "policy"
    "evidence.delivery.lookup.ok",
    "evidence.delivery.sim.inline",
    "evidence.delivery.sim.managed",
    "evidence.delivery.spf.seen",
    # A comment inside zone-file text meant for a DNS provider's form: kept ASCII.
    "evidence.delivery.zone.header",
}

#: Terms kept in English in Vietnamese (docs/glossary.md): alone they are no English sentence.
_GLOSSARY = re.compile(r"\b(IAM user|policy|region|sandbox|access key|secret|credentials)\b")
_LITERAL = re.compile(r"""\bev\(\s*"([a-zA-Z0-9_.\-]+)\"""")
_AREA_EV = re.compile(r"^from sesfix\.(\w+)\.words import ev$", re.M)
_FAMILY = re.compile(r"""\bev\(\s*f"([a-zA-Z0-9_.\-]+)\.\{""")


def _used() -> tuple[set[str], set[str]]:
    literal: set[str] = set()
    families: set[str] = set()
    for path in DIAGNOSIS.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        # An area's own ev() (sesfix.delivery.words, sesfix.smtp.words) adds its area.
        area = _AREA_EV.search(text)
        prefix = f"evidence.{area.group(1)}." if area else "evidence."
        literal |= {prefix + k for k in _LITERAL.findall(text)}
        families |= {f"{prefix}{k}." for k in _FAMILY.findall(text)}
    return literal, families


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_evidence_key_exists_in_both_languages_and_is_translated() -> None:
    en, vi = catalogue("en"), catalogue("vi")
    literal, families = _used()
    assert len(literal) > 80, len(literal)  # the scan found the engine's keys
    assert {"evidence.lint.where.", "evidence.lint.entity.", "evidence.meaning."} <= families
    keys = literal | {k for k in en if any(k.startswith(f) for f in families)}
    missing = sorted(k for k in keys if k not in en or k not in vi)
    assert missing == []
    gateway = [k for k in en if k.startswith("gateway.")]
    assert len(gateway) > 10  # the gateway's own words about a call end up in evidence too
    for key in sorted(k for k in en if k.startswith(("evidence.", "gateway."))):
        assert _fields(en[key]) == _fields(vi[key]), key
        if key not in SAME_IN_BOTH:
            assert en[key] != vi[key], f"{key} is English in vi: {vi[key]!r}"


def test_no_evidence_sentence_is_an_f_string_in_the_diagnosis() -> None:
    """Findings are built with ev(...) lines only: no f-string or literal sentence is handed
    to F.make as evidence (ids, keyword data and catalogue keys are not sentences)."""
    offenders = []
    for path in DIAGNOSIS.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"F\.make\(\s*\"[a-z_.]+\",\s*(f?\"[^\"]*\")", text):
            offenders.append(f"{path.name}: {match.group(1)[:60]}")
    assert offenders == []


def _english_sentences() -> list[re.Pattern[str]]:
    """Each English evidence text as a pattern (placeholders match anything)."""
    en, vi = catalogue("en"), catalogue("vi")
    patterns = []
    for key, text in en.items():
        if not key.startswith(("evidence.", "gateway.")) or key in SAME_IN_BOTH:
            continue
        if text == vi[key]:
            continue
        parts = re.split(r"\{[a-z_0-9]+\}", text)
        words = re.sub(_GLOSSARY, "", " ".join(parts))
        if len(words.strip(" .,:;()-")) < 6:
            continue  # only values, punctuation and terms Vietnamese keeps in English
        body = ".*".join(re.escape(p) for p in parts)
        # An evidence text is a whole line; the gateway's words are part of one.
        patterns.append(re.compile(f"^{body}$" if key.startswith("evidence.") else body, re.S))
    return patterns


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_each_scenario_in_vietnamese_has_no_english_evidence(
    scenario: str, account, vietnamese: None
) -> None:
    acct: SimulatedAccount = account(scenario)
    report = diagnose(settings_of(acct), DiagnosisOptions(operator=acct.operator))
    english = _english_sentences()
    lines = [e for f in report.findings for e in f.evidence]
    assert lines or scenario == "healthy", report.finding_ids()
    left = [line for line in lines if any(p.search(line) for p in english)]
    assert left == [], left


def test_check_with_lang_vi_writes_vietnamese_evidence_with_the_same_ids(
    account, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    acct: SimulatedAccount = account("bad-secret")
    for name, value in acct.app_env.items():
        monkeypatch.setenv(name, value)
    try:
        code_en = cli.main(["check", "--json"])
        doc_en = json.loads(capsys.readouterr().out)
        code_vi = cli.main(["--lang", "vi", "check", "--json"])
        doc_vi = json.loads(capsys.readouterr().out)
    finally:
        set_language("en")
    assert code_en == code_vi == 1, doc_en["findings"]
    vi_lines = next(f for f in doc_vi["findings"] if f["id"] == "credentials.whitespace")
    en_lines = next(f for f in doc_en["findings"] if f["id"] == "credentials.whitespace")
    assert en_lines["evidence"][0].startswith("AWS_SECRET_ACCESS_KEY: trailing space")
    assert vi_lines["evidence"][0].startswith("AWS_SECRET_ACCESS_KEY: ký tự space (U+0020) ở cuối")
    assert vi_lines["evidence"] != en_lines["evidence"]


def test_the_gateways_words_are_the_catalogues_english_and_said_in_vietnamese(
    vietnamese: None,
) -> None:
    """The gateway keeps its words in English (records, JSON); the catalogue's English is
    the same text, and evidence says them in the reader's language."""
    from sesfix.aws.answers import WORDS
    from sesfix.diagnosis.evidence import gateway_words

    en = catalogue("en")
    assert {f"gateway.{k}": v for k, v in WORDS.items()} == {
        k: v for k, v in en.items() if k.startswith("gateway.")
    }
    said = gateway_words(
        "something other than AWS answered: HTTP 403, text/html"
        " (the endpoint does not implement this call): Account, Arn missing"
    )
    assert said == (
        "một bên không phải AWS đã trả lời: HTTP 403, text/html"
        " (endpoint không hỗ trợ lệnh gọi này): thiếu Account, Arn"
    )
    assert gateway_words("no complete answer within 2 s") == (
        "không nhận được câu trả lời đầy đủ trong 2 giây"
    )
    assert gateway_words("AccessDenied: User is not authorized") == (
        "AccessDenied: User is not authorized"  # AWS's own words stay as AWS wrote them
    )
