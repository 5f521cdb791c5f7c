"""The SMTP checks' sentences in the reader's language.

Every sentence sesfix.smtp writes for a person (forensics evidence, the live probe's step
details, the verdict's evidence and advice) is a catalogue key ``evidence.smtp.<name>`` in
``sesfix/locale/smtp.<lang>.json`` (English text there is the text these modules printed
before), formatted with values that pass through :func:`sesfix.text.visible`. Like
:func:`sesfix.diagnosis.evidence.ev`, without importing the diagnosis (which imports us).
"""

from __future__ import annotations

from sesfix.lang import files, say
from sesfix.text import visible

#: The longest value put into one sentence (a server's reply, a variable's value).
VALUE_LIMIT = 300


def ev(name: str, /, **values: object) -> str:
    """The sentence ``evidence.<name>`` in the current language, values shown as plain text."""
    return say(f"evidence.{name}", **{k: visible(v, limit=VALUE_LIMIT) for k, v in values.items()})


def step_detail(name: str, /, **values: object) -> str:
    """A live probe step's detail (``evidence.smtp.p.<name>``). Values stay raw here: the
    probe's recorder redacts the password and then makes the whole line visible-safe
    (escaping first could hide an echoed password from the redaction)."""
    return say(f"evidence.smtp.p.{name}", **values)


def english(key: str) -> str:
    """A catalogue text in English whatever the reader's language (``check --json`` keeps
    titles and explanations in English, like the findings catalogue)."""
    return files("en")[key]


def mode_name(mode: str) -> str:
    """STARTTLS or implicit TLS, in the reader's language."""
    return ev("smtp.mode.starttls") if mode == "starttls" else ev("smtp.mode.implicit")


__all__ = ["VALUE_LIMIT", "english", "ev", "mode_name", "step_detail"]
