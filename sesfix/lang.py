"""The reader's language and the message files, with nothing above them.

:mod:`sesfix.locale` builds on this (it adds the English titles of findings and fixes, which
live in their catalogues); the diagnosis uses it directly, so the engine never imports the
layers above it (``sesfix.locale`` reads the fix catalogue, which reads the diagnosis' report).
One language state for the whole process: :func:`set_language` here is the one
``sesfix.locale.set_language`` sets.

The files are ``sesfix/locale/<lang>.json`` and every ``<area>.<lang>.json`` beside it, read
as data (no import of the locale package).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

LANGUAGES = ("en", "vi")
DEFAULT = "en"
FOLDER = Path(__file__).resolve().parent / "locale"

_current = DEFAULT


def set_language(lang: str) -> None:
    global _current
    _current = lang if lang in LANGUAGES else DEFAULT


def language() -> str:
    return _current


@cache
def files(lang: str) -> dict[str, str]:
    """Every message of one language's JSON files (a key defined twice is an error)."""
    data: dict[str, str] = {}
    names = sorted(
        p.name
        for p in FOLDER.iterdir()
        if p.name == f"{lang}.json" or p.name.endswith(f".{lang}.json")
    )
    for name in names:
        part: dict[str, str] = json.loads((FOLDER / name).read_text(encoding="utf-8"))
        twice = sorted(data.keys() & part.keys())
        if twice:
            raise ValueError(f"locale {lang}: {name} defines {', '.join(twice)} again")
        data.update(part)
    return data


def say(key: str, /, **values: Any) -> str:
    """The message ``key`` from the files, in the current language; English, then the key."""
    text = files(_current).get(key)
    if text is None:
        text = files(DEFAULT).get(key, key)
    if values:
        try:
            return text.format(**values)
        except (KeyError, IndexError, ValueError):
            return text
    return text


__all__ = ["DEFAULT", "LANGUAGES", "files", "language", "say", "set_language"]
