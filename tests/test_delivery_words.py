"""The delivery checks speak the reader's language: every sentence sesfix.delivery (and the
diagnosis' delivery checks) writes for a person is a key of delivery.{en,vi}.json, through
:func:`sesfix.delivery.words.ev`; values stay as AWS and DNS gave them, made visible."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from sesfix.delivery import rejected as R
from sesfix.delivery.account import AccountHealth, judge_account
from sesfix.delivery.records import zone_lines
from sesfix.delivery.resolver import Lookup, parse_server
from sesfix.delivery.words import ev
from sesfix.errors import UsageError
from sesfix.lang import files, set_language

ROOT = Path(__file__).resolve().parents[1] / "sesfix"
SOURCES = [*sorted((ROOT / "delivery").glob("*.py")), ROOT / "diagnosis" / "delivery.py"]


@pytest.fixture
def vi() -> Iterator[None]:
    set_language("vi")
    try:
        yield
    finally:
        set_language("en")


def _ev_names(path: Path) -> set[str]:
    """The literal names (or prefixes, for ``"a." + x``) given to ev() in one module."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "ev"):
            continue
        if not node.args:
            continue
        arg = node.args[0]
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            names.add(arg.value)
        elif (
            isinstance(arg, ast.BinOp)
            and isinstance(arg.left, ast.Constant)
            and isinstance(arg.left.value, str)
        ):
            names.add(arg.left.value + "*")
    return names


def test_every_sentence_is_in_both_catalogues_and_vietnamese_is_vietnamese() -> None:
    en, vi_cat = files("en"), files("vi")
    used = set().union(*(_ev_names(p) for p in SOURCES))
    assert len(used) > 80  # the scan finds them (it can fail: see the next assertion)
    for name in used:
        if name.endswith("*"):
            prefix = "evidence.delivery." + name[:-1]
            assert any(k.startswith(prefix) for k in en), name
            continue
        key = "evidence.delivery." + name
        assert key in en and key in vi_cat, key
    ours = [k for k in en if k.startswith("evidence.delivery.")]
    assert sorted(ours) == sorted(k for k in vi_cat if k.startswith("evidence.delivery."))
    # Sentences that are only names and values (an AWS call, a DNS record) may be the same.
    same = [k for k in ours if en[k] == vi_cat[k] and re.search(r"[a-z]{4,} [a-z]{3,}", en[k])]
    allowed = {
        "evidence.delivery.account.state",  # sesv2:GetAccount's own field names
        "evidence.delivery.sim.scp",  # AWS's field name
        "evidence.delivery.sim.managed",  # "managed policy" is kept in English
        "evidence.delivery.sim.inline",  # "inline policy" too
        "evidence.delivery.zone.header",  # "Amazon SES, region …, domain …"
    }
    assert sorted(set(same) - allowed) == []


def test_no_sentence_left_as_an_f_string_in_the_delivery_checks() -> None:
    """An English sentence built in code would escape the catalogue: none is left (names of
    AWS calls, ARNs and record values are not sentences)."""
    sentence = re.compile(r"\b(?:the|is|not|no|with|of|on|answered|allowed)\b [a-z]")
    offenders = []
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr):
                text = "".join(
                    v.value
                    for v in node.values
                    if isinstance(v, ast.Constant) and isinstance(v.value, str)
                )
                if sentence.search(text) and "\\s" not in text:  # a pattern is no sentence
                    offenders.append(f"{path.name}: {text}")
    # The finding's data (JSON) keeps its English value; the evidence says it in the language.
    assert offenders == ["account.py: the default configuration set of identity "]


def test_account_health_and_quota_in_vietnamese(vi: None) -> None:
    health = AccountHealth.from_get_account(
        {
            "EnforcementStatus": "SHUTDOWN",
            "ProductionAccessEnabled": True,
            "SendingEnabled": False,
            "Details": {"ReviewDetails": {"Status": "GRANTED", "CaseId": "12345"}},
            "SendQuota": {"Max24HourSend": 200.0, "MaxSendRate": 1.0, "SentLast24Hours": 200.0},
            "SuppressionAttributes": {"SuppressedReasons": []},
        },
        "ap-southeast-1",
    )
    lines = health.describe()
    assert lines[1] == "xem xét production access: GRANTED, case 12345"
    assert lines[2] == "quota: đã gửi 200 trên 200 trong 24 giờ qua, 1 mỗi giây"
    assert "suppression cấp tài khoản đang tắt" in lines[3]
    [paused, quota] = judge_account(health, needed_rate=5)
    assert paused.id == "account.paused" and quota.id == "account.send_quota_low"
    assert any("quota 24 giờ đã dùng hết" in e for e in quota.evidence)
    assert any("app cần 5 mail mỗi giây, SES cho phép 1" in e for e in quota.evidence)


def test_decoded_log_details_in_vietnamese(vi: None) -> None:
    text = (
        "Email address is not verified. The following identities failed the check in region "
        "AP-SOUTHEAST-1: owner@gmail.com"
    )
    [d] = R.decode(
        text, "MessageRejected", sender="no-reply@anyrent.shop", recipients=["owner@gmail.com"]
    )
    assert d.summary == (
        "chưa được verify tại ap-southeast-1: owner@gmail.com (một người nhận: tài khoản đang ở sandbox)"
    )
    assert d.data["role"] == "recipient"  # data stays as it was: only the words change
    skew = R.decode(
        "Signature expired: 20261129T100000Z is now earlier than 20261129T101500Z "
        "(20261129T102000Z - 5 min.)"
    )
    assert skew[0].summary.startswith("đồng hồ ký yêu cầu chậm hơn của AWS 20 min")
    [throttled] = R.decode("Maximum sending rate exceeded.", "Throttling")
    assert "tốc độ gửi mỗi giây" in throttled.summary


def test_dns_words_and_usage_errors_in_vietnamese(vi: None) -> None:
    assert Lookup("x.example", "TXT", "nxdomain").describe() == (
        "x.example TXT: không có tên này (NXDOMAIN)"
    )
    lines = zone_lines("anyrent.shop", "ap-southeast-1", ["tok1"])
    assert lines[0] == "; Amazon SES, region ap-southeast-1, domain anyrent.shop"
    with pytest.raises(UsageError) as caught:
        parse_server("127.0.0.1:99999")
    assert "port phải là số từ 1 đến 65535" in str(caught.value)


def test_values_are_shown_not_obeyed() -> None:
    """An AWS or DNS value with an escape sequence is shown as an escape, never emitted."""
    line = ev("recipient.status", name="a@b.c\x1b[2J", region="eu-west-1", status="Success")
    assert "\x1b" not in line and "\\e" in line
