"""``sesfix --help`` and every subcommand's help in the reader's language (issue 12).

English stays exactly as it was (the texts in ``tests/cli_help/en_*.txt`` are the help as
printed before the catalogue existed, at 100 columns); Vietnamese leaves no English help
sentence behind; flags, choices, metavars and command names are the same in both.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from sesfix import cli, cli_help

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "cli_help"
COMMANDS = ["main", "check", "fix", "undo", "logs", "demo"]
#: Help texts that are a name (docs/glossary.md keeps them in English).
KEPT_IN_ENGLISH = {"Railway"}
LOCALE_VARS = ("SESFIX_LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE", "LANG")


def catalogue(lang: str) -> dict[str, str]:
    return json.loads((ROOT / "sesfix" / "locale" / f"cli.{lang}.json").read_text("utf-8"))


@pytest.fixture
def english_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in LOCALE_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.setenv("COLUMNS", "100")


def help_text(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert cli.main(list(argv)) == 0
    out, err = capsys.readouterr()
    assert err == ""
    return out


def argv_for(command: str, *extra: str) -> list[str]:
    return [*extra, "--help"] if command == "main" else [*extra, command, "--help"]


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("command", COMMANDS)
def test_english_help_is_unchanged(command: str, english_locale: None, capsys) -> None:
    expected = (GOLDEN / f"en_{command}.txt").read_text("utf-8")
    assert help_text(capsys, *argv_for(command)) == expected
    assert help_text(capsys, *argv_for(command, "--lang", "en")) == expected


@pytest.mark.parametrize("command", COMMANDS)
def test_vietnamese_help_leaves_no_english_sentence(
    command: str, english_locale: None, capsys
) -> None:
    english = help_text(capsys, *argv_for(command))
    vi = help_text(capsys, *argv_for(command, "--lang", "vi"))
    shown = [
        text
        for text in catalogue("en").values()
        if flat(text) in flat(english) and text not in KEPT_IN_ENGLISH
    ]
    assert len(shown) >= 4  # the comparison below has something to compare
    left = [text for text in shown if flat(text) in flat(vi)]
    assert left == []
    assert vi.startswith("cách dùng: sesfix")
    assert "tùy chọn:" in vi and "hiện trợ giúp này rồi thoát" in vi
    # The same flags, named the same way, in both languages.
    flags = re.compile(r"(?<![\w-])--?[a-zA-Z][\w-]*")
    assert set(flags.findall(vi)) == set(flags.findall(english))


def test_lang_after_the_subcommand_also_chooses(english_locale: None, capsys) -> None:
    out = help_text(capsys, "check", "--lang", "vi", "--help")
    assert "in một đối tượng JSON (schema sesfix.check/1)" in out
    out = help_text(capsys, "--lang=vi", "undo", "--help")
    assert "hoàn tác không cần hỏi" in out


def contract(parser: argparse.ArgumentParser) -> list[tuple[object, ...]]:
    """What a script relies on: every parser's name, flags, choices, metavars, defaults."""
    rows: list[tuple[object, ...]] = []
    for p in cli_help.parsers(parser):
        for a in p._actions:
            choices = sorted(a.choices) if isinstance(a.choices, dict) else a.choices
            rows.append((p.prog, tuple(a.option_strings), a.dest, a.metavar, choices, a.default))
    return rows


def test_flags_choices_and_names_never_change_with_the_language() -> None:
    assert contract(cli.build_parser("vi")) == contract(cli.build_parser("en"))


def test_the_english_catalogue_is_the_parser() -> None:
    """Every text the parser shows is in cli.en.json (else it would stay English in vi),
    and every entry there is shown or is argparse's own word."""
    texts = set(cli_help.texts(cli.build_parser("en")))
    en = catalogue("en")
    assert sorted(texts - set(en.values())) == []
    own = {k for k in en if k.startswith("cli.argparse.")}
    unused = sorted(k for k, v in en.items() if v not in texts and k not in own)
    assert unused == []
    assert catalogue("vi").keys() == en.keys()


def test_a_vietnamese_locale_without_lang_gives_vietnamese() -> None:
    env = {k: v for k, v in os.environ.items() if k not in LOCALE_VARS}
    env.update(LANG="vi_VN.UTF-8", COLUMNS="100")
    for argv in (["--help"], ["logs", "--help"]):
        done = subprocess.run(
            [sys.executable, "-m", "sesfix", *argv],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("cách dùng: sesfix")
        assert "show this help message" not in done.stdout
    # --lang still wins over the locale.
    done = subprocess.run(
        [sys.executable, "-m", "sesfix", "--lang", "en", "--help"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.stdout == (GOLDEN / "en_main.txt").read_text("utf-8")


def test_usage_errors_follow_the_language(english_locale: None, capsys) -> None:
    assert cli.main(["--lang", "vi", "check", "--bogus"]) == 2
    assert capsys.readouterr().err == (
        "sesfix: tham số không nhận ra: --bogus (xem: sesfix --help)\n"
    )
    # An unknown --lang value is refused in the language chosen before it.
    assert cli.main(["--lang", "vi", "check", "--lang", "fr"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("sesfix check: tham số --lang: giá trị không hợp lệ: 'fr'")
    assert err.endswith("(xem: sesfix check --help)\n")
    assert cli.main(["check", "--bogus"]) == 2
    assert capsys.readouterr().err == (
        "sesfix: unrecognized arguments: --bogus (see: sesfix --help)\n"
    )


@pytest.mark.parametrize(
    ("argv", "environ", "expected"),
    [
        (["--lang", "vi", "check"], {}, "vi"),
        (["check", "--lang=vi"], {"LANG": "en_US.UTF-8"}, "vi"),
        (["--lang", "vi", "check", "--lang", "en"], {}, "en"),
        (["--lang", "vi", "check", "--lang", "fr"], {}, "vi"),
        (["check"], {"LANG": "vi_VN.UTF-8"}, "vi"),
        (["check", "--lang", "en"], {"LANG": "vi_VN.UTF-8"}, "en"),
        (["check"], {"LANG": "C"}, "en"),
        (["--", "--lang", "vi"], {}, "en"),
    ],
)
def test_the_language_is_chosen_before_the_parser(
    argv: list[str], environ: dict[str, str], expected: str
) -> None:
    assert cli_help.language_of(argv, environ) == expected
