"""Every path sesfix reads or writes, in one place (XDG via platformdirs).

``SESFIX_STATE_DIR`` overrides the state directory (tests, portable installs).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

from sesfix.errors import UsageError

APP_NAME = "sesfix"

#: The practice scenario this process runs against (``None``: the real AWS account).
_practice: str | None = None
#: One id per practice account: its changes can be undone only while it exists.
_practice_run: str = ""
_practice_lock = threading.Lock()


def _state_dir_path() -> Path:
    override = os.environ.get("SESFIX_STATE_DIR")
    if override:
        return Path(override)
    from platformdirs import user_state_dir

    return Path(user_state_dir(APP_NAME, appauthor=False))


def _not_a_directory(path: Path) -> UsageError:
    from sesfix.text import visible

    source = "SESFIX_STATE_DIR" if os.environ.get("SESFIX_STATE_DIR") else "the state directory"
    return UsageError(
        f"{source} {visible(str(path), limit=200)} is not a directory "
        "(sesfix keeps its audit log there)",
        hint="point SESFIX_STATE_DIR at a directory, or unset it to use the default.",
    )


def validate() -> None:
    """Raise :class:`UsageError` when the state directory cannot be one (a file, or under
    a file). Creates nothing: ``check`` writes no file at all."""
    path = _state_dir_path()
    for part in (path, *path.parents):
        if part.exists():
            if not part.is_dir():
                raise _not_a_directory(path)
            return


def state_dir() -> Path:
    path = _state_dir_path()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise _not_a_directory(path) from None
    if not path.is_dir():
        raise _not_a_directory(path)
    return path


def enter_practice(scenario: str) -> Callable[[], None]:
    """From now on this process acts on a practice account named ``scenario``.

    Its changes go to the practice audit log (:func:`practice_audit_log_path`), never to the
    real one, so ``sesfix undo`` outside practice can never reverse a practice change
    against a real account. Returns a function that leaves practice again.
    """
    import secrets

    global _practice, _practice_run
    with _practice_lock:
        previous = (_practice, _practice_run)
        _practice, _practice_run = scenario or "practice", secrets.token_hex(4)

    def leave() -> None:
        global _practice, _practice_run
        with _practice_lock:
            _practice, _practice_run = previous

    return leave


def practice_scenario() -> str | None:
    """The practice scenario in use, or ``None`` when acting on a real account."""
    return _practice


def practice_run() -> str:
    """The id of the practice account in use (``""`` outside practice)."""
    return _practice_run if _practice is not None else ""


def origin() -> str:
    """What an audit entry records as its origin: ``practice:<scenario>`` or ``real``."""
    return f"practice:{_practice}" if _practice is not None else "real"


def real_audit_log_path() -> Path:
    """The audit log of changes to real AWS accounts."""
    return state_dir() / "audit.jsonl"


def practice_audit_log_path() -> Path:
    """The audit log of practice runs, kept apart from the real one."""
    folder = state_dir() / "practice"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / "audit.jsonl"


def audit_log_path() -> Path:
    """JSON lines, one entry per applied change; never holds a secret.

    The practice log while practising (:func:`enter_practice`), the real one otherwise.
    """
    return practice_audit_log_path() if _practice is not None else real_audit_log_path()


def debug_log_path() -> Path:
    return state_dir() / "debug.log"


def data_dir() -> Path:
    """The user's data directory for sesfix (``SESFIX_DATA_DIR`` overrides it); not created."""
    override = os.environ.get("SESFIX_DATA_DIR")
    if override:
        return Path(override)
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def practice_records_dir() -> Path:
    """Where practice runs' onboarding records are kept by default (Markdown, no secrets)."""
    return data_dir() / "practice"
