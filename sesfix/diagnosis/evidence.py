"""Evidence lines in the reader's language.

Every sentence the diagnosis writes as evidence is a catalogue key
(``sesfix/locale/evidence.en.json`` / ``evidence.vi.json``, ``evidence.<name>``) formatted
with values; no evidence sentence is an f-string in the engine. Values come from outside
(AWS's messages, the app's variables, user names, domains) or from sesfix (call names,
counts); all of them pass through :func:`sesfix.text.visible`, so none can carry a control
character or an escape sequence to a face.

The language is the current one (:func:`sesfix.lang.set_language`, which
``sesfix.locale.set_language`` sets from ``--lang`` or the locale before the diagnosis runs); finding ids, JSON field names and values never change
with it.
"""

from __future__ import annotations

import re
import string
from functools import cache

from sesfix.aws.answers import WORDS
from sesfix.lang import DEFAULT, language, say
from sesfix.text import visible

#: The longest value put into one evidence line (an AWS message, a variable's shape).
VALUE_LIMIT = 300


def ev(name: str, /, **values: object) -> str:
    """The evidence sentence ``evidence.<name>`` with ``values`` shown as plain text (and
    the gateway's own English words in them in the reader's language)."""
    return say(
        f"evidence.{name}",
        **{k: gateway_words(visible(v, limit=VALUE_LIMIT)) for k, v in values.items()},
    )


def _placeholder(following: str) -> str:
    # Followed by literal text: anything up to it; at the end: one token (a type name, a
    # content type, a number), so the words after it stay outside.
    return "(?P<{}>[^:]+?)" if following else r"(?P<{}>[^\s,;()]+)"


@cache
def _gateway_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Each of the gateway's English texts as a pattern, longest first."""
    out = []
    for name, text in sorted(WORDS.items(), key=lambda kv: -len(kv[1])):
        pieces = list(string.Formatter().parse(text))
        regex = ""
        for i, (literal, field, _spec, _conv) in enumerate(pieces):
            regex += re.escape(literal)
            if field:
                following = pieces[i + 1][0] if i + 1 < len(pieces) else ""
                regex += _placeholder(following).format(field)
        out.append((name, re.compile(regex)))
    return tuple(out)


def gateway_words(text: str) -> str:
    """``text`` with each of the gateway's English texts (:data:`WORDS`) in it said in the
    current language; English text comes back as it is."""
    if language() == DEFAULT or not text:
        return text
    for name, pattern in _gateway_patterns():

        def said(match: re.Match[str], name: str = name) -> str:
            return say(f"gateway.{name}", **match.groupdict())

        text = pattern.sub(said, text)
    return text


__all__ = ["VALUE_LIMIT", "ev", "gateway_words"]
