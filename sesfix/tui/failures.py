"""Errors of background jobs: one router, one panel, never a traceback on screen."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sesfix.locale import t
from sesfix.masking import redact

if TYPE_CHECKING:
    from sesfix.tui.app import SesfixApp


def job_failed(app: SesfixApp, name: str, error: BaseException | None) -> None:
    """A background job raised: reset what it held busy, then show the error panel."""
    if name == "diagnose":
        app.state.running = False
    if name == "prepare":
        app.state.preparing = False
    if name in ("plan-fix", "apply-fix", "undo", "undo-preview"):
        app.state.fix_busy = False
        app.state.fix_status = ""
    if name == "test-send":
        app.state.testsend_busy = False
    if name == "railway-push":
        app.state.railway_busy = False
        app.state.fix_status = ""
    show_error(app, name, error)
    app.refresh_views()


def show_error(app: SesfixApp, name: str, error: BaseException | None) -> None:
    """What failed and what to try, in the current language; secrets redacted."""
    from sesfix.errors import SesfixError
    from sesfix.tui.screens.error import ErrorScreen

    secrets = (app.settings.secret_access_key, app.settings.session_token)
    known = name if t(f"error.{name}.what") != f"error.{name}.what" else "worker"
    if isinstance(error, SesfixError):
        detail = error.message
        hint = error.hint or t(f"error.{known}.hint")
    else:
        detail = f"{type(error).__name__}: {error}" if error else ""
        hint = t(f"error.{known}.hint")
    app.push_screen(
        ErrorScreen(
            t("error.title", what=t(f"error.{known}.what")),
            redact(detail, *secrets),
            redact(hint, *secrets),
        )
    )
