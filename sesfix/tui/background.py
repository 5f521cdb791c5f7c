"""Blocking work (AWS, keyring, subprocesses) in daemon threads that the wizard can abandon.

Textual's thread workers run on the event loop's default executor, whose threads are joined
when the loop closes and again at interpreter exit: one probe hung on a silent endpoint then
keeps the wizard's process alive after ``q``. These threads are daemons and are never
awaited. Their results come back as a :class:`Finished` message carrying the callback to run
on the UI thread (``post_message`` is thread-safe and simply returns ``False`` once the app
has gone), and a failure comes back as :class:`Failed`, which the app routes to its error
panel by name — so a traceback never reaches the screen.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from textual.message import Message
from textual.message_pump import MessagePump

#: Every background job the wizard names (``start(..., name, ...)`` and the Sources page's
#: workers): each has ``error.<name>.what`` / ``.hint`` in both catalogues, checked by a test.
JOBS = (
    "diagnose",
    "prepare",
    "reload",
    "plan-fix",
    "apply-fix",
    "undo-preview",
    "undo",
    "test-send",
    "railway-push",
    "discover",
    "sources",
    "worker",
)


@dataclass
class Finished(Message):
    """A background job is done: run ``callback`` on the UI thread."""

    name: str
    callback: Callable[[], None]


@dataclass
class Failed(Message):
    """A background job raised ``error``."""

    name: str
    error: BaseException


T = TypeVar("T")


def start(
    target: MessagePump, name: str, work: Callable[[], T], done: Callable[[T], None]
) -> threading.Thread:
    """Run ``work()`` in a daemon thread; ``done(result)`` then runs on the UI thread."""

    def run() -> None:
        try:
            result = work()
        except Exception as exc:  # noqa: BLE001 - routed to the error panel, never swallowed
            target.post_message(Failed(name, exc))
            return
        target.post_message(Finished(name, lambda: done(result)))

    thread = threading.Thread(target=run, name=f"sesfix-{name}", daemon=True)
    thread.start()
    return thread


def abandon_leftovers() -> int:
    """Let the interpreter exit without joining pool threads started under our daemons.

    The engine probes through a ``ThreadPoolExecutor``; started from one of these daemon
    threads its workers are daemons too, but ``concurrent.futures`` still joins every pool
    thread at interpreter exit, so one probe hung on a silent endpoint would keep the
    process alive after ``q``. Daemon pool threads still running are taken off that list
    (non-daemon pools — anyone else's — are left alone). Returns how many were abandoned.
    """
    import concurrent.futures.thread as pool_threads

    queues = getattr(pool_threads, "_threads_queues", None)
    if queues is None:  # a Python without that list joins nothing at exit
        return 0
    leftovers = [t for t in list(queues) if t.daemon and t.is_alive()]
    for thread in leftovers:
        queues.pop(thread, None)
    return len(leftovers)
