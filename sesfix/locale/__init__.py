"""Message catalogues: JSON files per language, one lookup function.

Each language is ``<lang>.json`` plus any ``<area>.<lang>.json`` beside it (``smtp.vi.json``,
``delivery.en.json``), so a family of checks or fixes keeps its texts in its own file. A key
defined in two files of one language is an error.

``t("key", name=value)`` returns the text for the current language, formatted with
``str.format``. Finding titles and explanations are keyed ``finding.<id>.title`` /
``finding.<id>.explanation``; in English they come from the findings catalogue itself
(the one source of truth), in Vietnamese from ``vi.json``. Fix titles (``fix.<id>.title``)
are declared on each fix; their English text is repeated in ``fixes.en.json`` (so this
module never imports the fixes, which use it) and a test keeps the two equal. A test
checks that every language has exactly the same keys. No Textual here: the CLI may use it
too.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

from sesfix import lang as _lang
from sesfix.lang import DEFAULT, LANGUAGES


def detect_language(explicit: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """``--lang`` wins; else ``SESFIX_LANG``; else the locale (LC_ALL, LC_MESSAGES, LANG)."""
    if explicit:
        lang = explicit.lower()[:2]
        return lang if lang in LANGUAGES else DEFAULT
    env = os.environ if environ is None else environ
    for name in ("SESFIX_LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE", "LANG"):
        value = env.get(name, "")
        if value:
            code = value.split(":")[0].lower()[:2]
            return code if code in LANGUAGES else DEFAULT
    return DEFAULT


def set_language(lang: str) -> None:
    # One state for the process, shared with sesfix.lang (which the engine reads).
    _lang.set_language(lang)


def language() -> str:
    return _lang.language()


@cache
def catalogue(lang: str) -> dict[str, str]:
    """All messages of one language (its JSON files plus, for English, the findings catalogue)."""
    data: dict[str, str] = {}
    folder = resources.files(__name__)
    names = sorted(
        entry.name
        for entry in folder.iterdir()
        if entry.name == f"{lang}.json" or entry.name.endswith(f".{lang}.json")
    )
    for name in names:
        part: dict[str, str] = json.loads(folder.joinpath(name).read_text(encoding="utf-8"))
        twice = sorted(data.keys() & part.keys())
        if twice:
            raise ValueError(f"locale {lang}: {name} defines {', '.join(twice)} again")
        data.update(part)
    if lang == "en":
        from sesfix.findings import CATALOGUE

        for spec in CATALOGUE.values():
            data[f"finding.{spec.id}.title"] = spec.title
            data[f"finding.{spec.id}.explanation"] = spec.explanation
    return data


def t(key: str, /, **values: Any) -> str:
    """The message ``key`` in the current language; English, then the key, as fallbacks."""
    text = catalogue(_lang.language()).get(key)
    if text is None:
        text = catalogue(DEFAULT).get(key, key)
    if values:
        try:
            return text.format(**values)
        except (KeyError, IndexError, ValueError):
            return text
    return text


def has(key: str) -> bool:
    return key in catalogue(_lang.language()) or key in catalogue(DEFAULT)


__all__ = ["LANGUAGES", "catalogue", "detect_language", "has", "language", "set_language", "t"]
