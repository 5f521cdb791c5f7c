"""``sesfix demo``: practise on a simulated AWS account, in the wizard. No AWS account, no network.

The account (moto's threaded server on 127.0.0.1, IAM authentication enforced) starts
building in a background thread before the wizard is even imported; the wizard's first
screen shows "preparing the practice account…" until it is ready, then probes it. When the
wizard exits the account disappears.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sesfix.demo.practice import PracticeInfo

HELP = "practise on a simulated broken AWS account (no AWS account or network needed)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    # No import of the scenarios here: building the parser must stay cheap for every command.
    parser.add_argument(
        "--scenario",
        default="seed",
        metavar="NAME",
        help="which broken shop to practise on (default: seed, the guide's incident; "
        "random: one of them, unnamed until the end; --list shows them all)",
    )
    parser.add_argument(
        "--lang",
        dest="demo_lang",
        choices=["en", "vi"],
        help="language of the wizard (default: --lang before the command, then the locale)",
    )
    parser.add_argument(
        "--list", action="store_true", help="list the scenarios and what each one breaks"
    )


def run(args: argparse.Namespace) -> int:
    from sesfix.locale import detect_language, set_language

    lang = getattr(args, "demo_lang", None) or getattr(args, "lang", None)
    set_language(detect_language(lang))  # the lines printed before and after the wizard too
    if args.list:
        return _list_scenarios()
    from sesfix.demo.account import resolve_scenario
    from sesfix.demo.practice import require_moto
    from sesfix.terminal import require_terminal

    resolve_scenario(args.scenario)  # an unknown name, or no moto, is said first
    require_moto()
    require_terminal()
    app, practice = make_demo_app(args.scenario, lang=lang)
    try:
        code = app.run()
    finally:
        practice.close()  # the account disappears with the wizard
    summary = practice.leaving_summary()
    sys.stdout.write(summary + "\n")
    return int(code or 0)


def make_demo_app(scenario: str | None, *, lang: str | None = None) -> tuple[Any, PracticeInfo]:
    """The wizard on a practice account that starts building at once (tests reuse this).

    Exit 2 (``UsageError``) for an unknown scenario or without the demo extra. The caller
    must ``close()`` the returned :class:`PracticeInfo` when the app has exited.
    """
    from sesfix.sources import SourceSpec, open_source

    source = open_source(SourceSpec(kind="practice", scenario=scenario))
    practice = source.practice
    assert practice is not None
    try:
        from sesfix.tui.app import make_app

        app = make_app(
            settings=None,
            operator=None,
            lang=lang,
            prepare=source.prepare,
            practice=practice,
        )
    except BaseException:
        source.close()
        raise
    return app, practice


def _list_scenarios() -> int:
    from sesfix.demo.account import SCENARIOS, describe
    from sesfix.locale import t

    width = max(len(n) for n in SCENARIOS)
    for sc in SCENARIOS.values():
        errors = ", ".join(sc.expected_errors) or t("practice.none")
        fixes = ", ".join(sc.intended_fixes) or t("practice.none")
        sys.stdout.write(f"{sc.name:<{width}}  {describe(sc)}\n")
        sys.stdout.write(f"{'':<{width}}  {t('practice.list.finds', errors=errors, fixes=fixes)}\n")
    sys.stdout.write(f"{'random':<{width}}  {t('practice.list.random')}\n")
    return 0
