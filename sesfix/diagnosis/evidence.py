"""Evidence lines in the reader's language.

Every sentence the diagnosis writes as evidence is a catalogue key
(``sesfix/locale/evidence.en.json`` / ``evidence.vi.json``, ``evidence.<name>``) formatted
with values; no evidence sentence is an f-string in the engine. Values come from outside
(AWS's messages, the app's variables, user names, domains) or from sesfix (call names,
counts); all of them pass through :func:`sesfix.text.visible`, so none can carry a control
character or an escape sequence to a face.

The language is the current one (:func:`sesfix.locale.set_language`, set by ``--lang`` or
the locale before the diagnosis runs); finding ids, JSON field names and values never change
with it.
"""

from __future__ import annotations

from sesfix.locale import t
from sesfix.text import visible

#: The longest value put into one evidence line (an AWS message, a variable's shape).
VALUE_LIMIT = 300


def ev(name: str, /, **values: object) -> str:
    """The evidence sentence ``evidence.<name>`` with ``values`` shown as plain text."""
    return t(
        f"evidence.{name}",
        **{k: visible(v, limit=VALUE_LIMIT) for k, v in values.items()},
    )


__all__ = ["VALUE_LIMIT", "ev"]
