"""The command-line flags that name where the app's variables come from and who the operator
is. What they mean is decided in :mod:`sesfix.sources` (one place for every face).

Every flag here defaults to ``argparse.SUPPRESS``: the same flags exist before and after the
subcommand (``sesfix --demo seed check`` and ``sesfix check --demo seed``), and a subcommand's
own default must not overwrite what was given before it. Read them with ``getattr``.
"""

from __future__ import annotations

import argparse

from sesfix.sources import Source, open_source, spec_from_args


def add_source_arguments(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group(
        "where the app's variables come from", argument_default=argparse.SUPPRESS
    )
    g.add_argument("--env-file", metavar="PATH", help="read the app's variables from a dotenv file")
    g.add_argument(
        "--from-railway",
        action="store_true",
        help="read the deployed service's variables with the Railway CLI",
    )
    g.add_argument(
        "-s", "--service", metavar="SERVICE", help="Railway service (with --from-railway)"
    )
    g.add_argument(
        "-e", "--environment", metavar="ENV", help="Railway environment (with --from-railway)"
    )
    g.add_argument(
        "--demo",
        nargs="?",
        const="seed",
        metavar="SCENARIO",
        help="run against a fresh simulated practice account (default scenario: seed)",
    )
    o = parser.add_argument_group("operator identity", argument_default=argparse.SUPPRESS)
    o.add_argument(
        "--operator-profile",
        metavar="NAME",
        help="AWS profile allowed to read IAM and apply fixes (env: SESFIX_OPERATOR_PROFILE)",
    )
    parser.add_argument(
        "--domain",
        metavar="DOMAIN",
        default=argparse.SUPPRESS,
        help="the sender's domain, if not EMAIL_FROM's",
    )


#: The open source the commands use (see :mod:`sesfix.sources`).
Sources = Source


def resolve_sources(args: argparse.Namespace) -> Source:
    """Open the source the flags name (exit 2 on bad input); the caller closes it."""
    return open_source(spec_from_args(args))


def source_label(source: str) -> str:
    """Where the app's variables came from, for people (the practice account in words):
    the same words the wizard and the plans use."""
    from sesfix.fixes.targets import source_text

    return source_text(source)
