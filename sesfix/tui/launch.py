"""``sesfix`` with no command: open the source the flags name and run the wizard on it."""

from __future__ import annotations

import argparse
import sys

from sesfix.sources import open_source, spec_from_args
from sesfix.terminal import require_terminal


def run_wizard(args: argparse.Namespace) -> int:
    """Open the wizard on the source ``args`` describe; its exit code.

    The source is opened (and an ``--operator-profile`` checked) before Textual loads, so a
    bad flag is a one-line usage error (exit 2), as with ``sesfix check``. With ``--demo
    [SCENARIO]`` the practice account starts building at once and the wizard opens on
    "preparing the practice account…" until it is ready.
    Language: ``--lang``, else ``SESFIX_LANG``/the locale. ``NO_COLOR`` is honoured by Textual.
    """
    from sesfix.locale import detect_language, set_language

    lang = getattr(args, "lang", None)
    set_language(detect_language(lang))  # for the one-line errors before the wizard, too
    spec = spec_from_args(args)
    if spec.kind == "practice":
        from sesfix.demo.account import resolve_scenario
        from sesfix.demo.practice import require_moto

        resolve_scenario(spec.scenario)
        require_moto()
    require_terminal()
    with open_source(spec) as source:
        from sesfix.tui.app import make_app

        if source.practice is not None:
            app = make_app(
                settings=None,
                operator=None,
                lang=lang,
                prepare=source.prepare,
                practice=source.practice,
            )
            try:
                code = app.run()
            finally:
                source.close()  # the account disappears with the wizard
            sys.stdout.write(source.practice.leaving_summary() + "\n")
            return int(code or 0)
        app = make_app(settings=source.settings, operator=source.operator, lang=lang)
        # r re-reads the same source (environment, .env file, Railway) before probing.
        app.reload_settings = source.reload
        if spec.kind == "railway":
            app.from_railway = True
            app.railway_service = spec.railway_service
            app.railway_environment = spec.railway_environment
        return int(app.run() or 0)
