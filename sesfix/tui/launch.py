"""``sesfix`` with no command: build the sources the flags name and run the wizard."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sesfix.settings import AppSettings


def run_wizard(args: argparse.Namespace) -> int:
    """Open the wizard on the sources ``args`` describe; its exit code.

    With ``--demo [SCENARIO]`` the wizard opens at once on "preparing the practice
    account…" while the simulated account builds in the background (practice mode).
    Language: ``--lang``, else ``SESFIX_LANG``/the locale. ``NO_COLOR`` is honoured by Textual.
    """
    from sesfix.tui.app import make_app

    lang = getattr(args, "lang", None)
    if getattr(args, "demo", None):
        from sesfix.demo.practice import PracticeInfo, require_moto

        practice = PracticeInfo.for_scenario(args.demo)
        require_moto()
        practice.begin()
        try:
            app = make_app(
                settings=None,
                operator=None,
                lang=lang,
                prepare=practice.prepare,
                practice=practice,
            )
            return int(app.run() or 0)
        finally:
            practice.close()

    from sesfix.commands.common import resolve_sources

    with resolve_sources(args) as sources:
        app = make_app(settings=sources.settings, operator=sources.operator, lang=lang)

        def reload() -> AppSettings:
            # r re-reads the same source (environment, .env file, Railway) before probing.
            with resolve_sources(args) as again:
                return again.settings

        app.reload_settings = reload
        if getattr(args, "from_railway", False):
            app.from_railway = True
            app.railway_service = getattr(args, "service", None)
            app.railway_environment = getattr(args, "environment", None)
        return int(app.run() or 0)
