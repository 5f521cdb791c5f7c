"""``sesfix demo``: practise on a simulated AWS account, in the wizard. No AWS account, no network.

The account (moto's threaded server on 127.0.0.1, IAM authentication enforced) starts
building in a background thread before the wizard is even imported; the wizard's first
screen shows "preparing the practice account…" until it is ready, then probes it. When the
wizard exits the account disappears.
"""

from __future__ import annotations

import argparse
import sys

HELP = "practise on a simulated broken AWS account (no AWS account or network needed)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from sesfix.demo.account import SCENARIOS

    names = [*SCENARIOS, "random"]
    parser.add_argument(
        "--scenario",
        default="seed",
        metavar="NAME",
        help="which broken shop to practise on: " + ", ".join(names) + " (default: seed, "
        "the guide's incident; random: one of them, unnamed)",
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
    from sesfix.demo.practice import PracticeInfo, require_moto

    if args.list:
        return _list_scenarios()
    practice = PracticeInfo.for_scenario(args.scenario)  # exit 2 on an unknown name
    require_moto()
    practice.begin()  # the account builds while Textual loads
    try:
        from sesfix.tui.app import make_app

        app = make_app(
            settings=None,
            operator=None,
            lang=getattr(args, "demo_lang", None) or getattr(args, "lang", None),
            prepare=practice.prepare,
            practice=practice,  # type: ignore[arg-type]
        )
        code = app.run()
    finally:
        practice.close()
    return int(code or 0)


def _list_scenarios() -> int:
    from sesfix.demo.account import SCENARIOS

    width = max(len(n) for n in SCENARIOS)
    for sc in SCENARIOS.values():
        errors = ", ".join(sc.expected_errors) or "none"
        fixes = ", ".join(sc.intended_fixes) or "none"
        sys.stdout.write(f"{sc.name:<{width}}  {sc.description}\n")
        sys.stdout.write(f"{'':<{width}}  finds: {errors}; fixed by: {fixes}\n")
    sys.stdout.write(f"{'random':<{width}}  one of the above, unnamed until the end\n")
    return 0
