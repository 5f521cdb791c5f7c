"""The delivery checks' sentences in the reader's language.

Every sentence :mod:`sesfix.delivery` writes for a person (evidence, notes, decoded log
details, the zone file's comments, usage errors) is a catalogue key
``evidence.delivery.<name>`` in ``sesfix/locale/delivery.<lang>.json``, formatted with
values; the English texts are the ones the checks always wrote. Values (domains, AWS's
answers, DNS records, identities) pass through :func:`sesfix.text.visible`, so none can
carry a control character to a face. ``sesfix.lang`` is below the engine: the delivery
checks read it without importing the diagnosis (which imports them).
"""

from __future__ import annotations

from sesfix.lang import say
from sesfix.text import visible

#: The longest value put into one sentence (an AWS message, a DNS answer).
VALUE_LIMIT = 300


def ev(name: str, /, **values: object) -> str:
    """The sentence ``evidence.delivery.<name>`` with ``values`` shown as plain text."""
    return say(
        f"evidence.delivery.{name}",
        **{k: visible(v, limit=VALUE_LIMIT) for k, v in values.items()},
    )


__all__ = ["VALUE_LIMIT", "ev"]
