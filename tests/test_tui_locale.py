"""Vietnamese throughout the wizard (issue 12): keys built at run time exist in both
catalogues, and the Vietnamese texts follow docs/glossary.md (terms and tone marks)."""

from __future__ import annotations

import json
import re
import typing
from pathlib import Path

import pytest

from sesfix.fixes import ApplyResult, UndoResult
from sesfix.locale import catalogue
from sesfix.tui.background import JOBS
from sesfix.tui.bindings import APP_BINDINGS, PAGES, STEPS
from sesfix.tui.widgets.sidebar import ICONS

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "sesfix" / "locale"
TARGET_FIELDS = (
    "user",
    "account",
    "region",
    "domain",
    "key_id",
    "operator_arn",
    "operator_profile",
    "source",
)


#: Whole texts that are glossary terms (docs/glossary.md), the same in both languages.
KEPT_IN_ENGLISH = (
    "Checklist",
    "Credentials",
    "Region",
    "IAM user",
    "Access key",
    "Operator",
    "Operator profile",
)


def binding_ids() -> set[str]:
    from textual.binding import Binding

    from sesfix.tui.screens.confirm import ConfirmScreen
    from sesfix.tui.screens.error import ErrorScreen
    from sesfix.tui.screens.help import HelpScreen
    from sesfix.tui.screens.summary import SummaryScreen

    ids = set()
    for bindings in (
        APP_BINDINGS,
        ConfirmScreen.BINDINGS,
        ErrorScreen.BINDINGS,
        HelpScreen.BINDINGS,
        SummaryScreen.BINDINGS,
    ):
        for b in bindings:
            assert isinstance(b, Binding) and b.id, f"a binding without an id: {b}"
            ids.add(b.id)
    return ids


def runtime_keys() -> set[str]:
    """Every key the wizard builds with an f-string, from the tables it builds them from."""
    keys = set()
    for job in JOBS:
        keys |= {f"error.{job}.what", f"error.{job}.hint"}
    keys |= {f"state.{s}" for s in ICONS}
    status = typing.get_type_hints(ApplyResult)["status"]
    keys |= {f"fix.result.{s}" for s in typing.get_args(status)}
    undo_status = typing.get_type_hints(UndoResult)["status"]
    keys |= {f"undo.result.{s}" for s in typing.get_args(undo_status)}
    keys |= {f"plan.target.{k}" for k in TARGET_FIELDS}
    keys |= {f"binding.{i}" for i in binding_ids()}
    keys |= {f"page.{p}" for p in PAGES}
    for n in STEPS:
        keys |= {f"step.{n}.name", f"step.{n}.intro"}
    return keys


def test_every_key_built_at_run_time_exists_in_both_catalogues() -> None:
    en, vi = catalogue("en"), catalogue("vi")
    keys = runtime_keys()
    assert len(keys) > 60
    missing = {
        lang: sorted(k for k in keys if k not in cat) for lang, cat in (("en", en), ("vi", vi))
    }
    assert missing == {"en": [], "vi": []}
    # Vietnamese is Vietnamese: a run-time text is not left as the English one.
    same = sorted(
        k
        for k in keys
        if vi[k] == en[k]
        and not k.startswith(("binding.goto", "plan.target"))
        and en[k] not in KEPT_IN_ENGLISH
    )
    assert same == []


def test_every_job_name_in_the_code_has_its_error_texts() -> None:
    """The names jobs are started under, read from the code, are all in JOBS."""
    named: set[str] = set()
    for path in (ROOT / "sesfix" / "tui").rglob("*.py"):
        text = path.read_text()
        named |= set(re.findall(r"background\.start\(\s*\w+,\s*\"([a-z-]+)\"", text))
        named |= set(re.findall(r"Finished\(\s*\"([a-z-]+)\"", text))
        named |= set(re.findall(r"@work\([^)]*name=\"([a-z-]+)\"", text))
    assert named, "the patterns found no job names: this test is out of date"
    assert sorted(named - set(JOBS)) == []


def glossary() -> list[tuple[str, list[str]]]:
    text = (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8")
    section = text.split("## Terms kept in English", 1)[1].split("##", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0] not in ("English term",) and not cells[0].startswith("-"):
            rows.append((cells[1], [w.strip() for w in cells[2].split(",") if w.strip()]))
    return rows


def vi_texts() -> dict[str, str]:
    texts: dict[str, str] = {}
    for path in sorted(LOCALE.glob("*vi.json")):
        for key, value in json.loads(path.read_text(encoding="utf-8")).items():
            texts[f"{path.name}:{key}"] = value
    return texts


def test_glossary_is_read() -> None:
    rows = glossary()
    assert ("IAM user", ["IAM User", "người dùng IAM"]) in rows
    assert len(rows) >= 10


@pytest.mark.parametrize(("term", "never"), glossary(), ids=lambda v: str(v)[:20])
def test_vietnamese_uses_the_glossary_terms(term: str, never: list[str]) -> None:
    offenders = {
        where: text
        for where, text in vi_texts().items()
        for bad in never
        if re.search(rf"(?<![\w]){re.escape(bad)}(?![\w])", text)
    }
    assert offenders == {}, f"use {term!r}"


LETTER = "a-zA-ZÀ-ỹđĐ"
#: oa/oe/uy with the mark on the second vowel and nothing after: the old style.
OLD_SIMPLE = re.compile(rf"(?<![qQ])(?:[oO][àáảãạèéẻẽẹ]|[uU][ỳýỷỹỵ])(?![{LETTER}])")


def test_one_tone_mark_style_the_new_one() -> None:
    old = {where: OLD_SIMPLE.findall(text) for where, text in vi_texts().items()}
    assert {k: v for k, v in old.items() if v} == {}


def test_the_tone_mark_check_can_fail() -> None:
    assert OLD_SIMPLE.search("Đã xoá key") and OLD_SIMPLE.search("vô hiệu hoá")
    assert OLD_SIMPLE.search("Huỷ kiểm tra")
    assert not OLD_SIMPLE.search("Đã xóa key, hủy, hoàn tác, quý, khuyến")
