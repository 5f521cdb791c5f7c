"""The practice account's SES sends, checked as AWS checks them.

moto accepts mail to any recipient and words its rejection ``Email address not verified
SENDER``. AWS, for an account in the sandbox, also refuses recipients that are neither
verified nor the mailbox simulator, and its message names every identity that failed:
``Email address is not verified. The following identities failed the check in region
AP-SOUTHEAST-1: no-reply@anyrent.shop, owner@gmail.com`` (SES developer guide,
troubleshooting error messages). An account whose sending AWS paused refuses every send
(``AccountSendingPausedException``).

Only accounts a practice scenario declared are checked (:func:`declare`): SES sends to any
other account in the process keep moto's own behaviour.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any

SIMULATOR_DOMAIN = "simulator.amazonses.com"
PAUSED_MESSAGE = "Email sending is disabled for your entire Amazon SES account."


@dataclass(frozen=True)
class Sending:
    sandbox: bool
    paused: bool = False


_LOCK = threading.Lock()
_ACCOUNTS: dict[str, Sending] = {}


def declare(account_id: str, sending: Sending | None) -> None:
    """How sends from ``account_id`` are checked (None: as moto does)."""
    with _LOCK:
        if sending is None:
            _ACCOUNTS.pop(account_id, None)
        else:
            _ACCOUNTS[account_id] = sending


def _verified(backend: Any, address: str) -> bool:
    _, bare = parseaddr(address)
    bare = bare or address
    if bare.rpartition("@")[2].lower() == SIMULATOR_DOMAIN:
        return True
    return bool(backend._is_verified_address(bare))


def _check(backend: Any, source: str, recipients: list[str]) -> None:
    from moto.ses.exceptions import MessageRejectedError

    with _LOCK:
        sending = _ACCOUNTS.get(str(backend.account_id))
    if sending is None:
        return
    if sending.paused:
        raise _paused()
    failed = [] if not source or _verified(backend, source) else [parseaddr(source)[1] or source]
    if sending.sandbox:
        failed += [r for r in recipients if not _verified(backend, r) and r not in failed]
    if failed:
        backend.rejected_messages_count += 1
        raise MessageRejectedError(
            "Email address is not verified. The following identities failed the check in "
            f"region {str(backend.region_name).upper()}: {', '.join(failed)}"
        )


def _from_header(raw: str | bytes) -> str:
    import email

    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return str(email.message_from_string(text).get("From") or "")


def _paused() -> Exception:
    from moto.ses.exceptions import SesError

    class AccountSendingPaused(SesError):
        code = "AccountSendingPausedException"

    return AccountSendingPaused(PAUSED_MESSAGE)


def install() -> None:
    """Wrap moto's SES v1 SendEmail and SendRawEmail (once, before the server starts)."""
    from moto.ses.models import SESBackend

    if getattr(SESBackend.send_email, "_sesfix_checked", False):
        return
    send_email, send_raw = SESBackend.send_email, SESBackend.send_raw_email

    def checked_send_email(
        self: Any, source: str, subject: str, body: str, destinations: dict[str, list[str]]
    ) -> Any:
        _check(self, source, [a for group in destinations.values() for a in group])
        return send_email(self, source, subject, body, destinations)

    def checked_send_raw(
        self: Any, source: str, destinations: list[str], raw_data: str, *args: Any, **kw: Any
    ) -> Any:
        # Without Source, SES takes the sender from the message's From header (and checks
        # the pause and the sandbox's recipients either way).
        _check(self, source or _from_header(raw_data), list(destinations))
        return send_raw(self, source, destinations, raw_data, *args, **kw)

    checked_send_email._sesfix_checked = True  # type: ignore[attr-defined]
    SESBackend.send_email = checked_send_email  # type: ignore[method-assign]
    SESBackend.send_raw_email = checked_send_raw  # type: ignore[method-assign]


__all__ = ["PAUSED_MESSAGE", "Sending", "declare", "install"]
