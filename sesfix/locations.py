"""Every path sesfix reads or writes, in one place (XDG via platformdirs).

``SESFIX_STATE_DIR`` overrides the state directory (tests, portable installs).
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "sesfix"


def state_dir() -> Path:
    override = os.environ.get("SESFIX_STATE_DIR")
    if override:
        path = Path(override)
    else:
        from platformdirs import user_state_dir

        path = Path(user_state_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def audit_log_path() -> Path:
    """JSON lines, one entry per applied change; never holds a secret."""
    return state_dir() / "audit.jsonl"


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
