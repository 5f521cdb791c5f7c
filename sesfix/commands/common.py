"""Options shared by the commands and the wizard: where the app's variables come from,
who the operator is, and the practice account."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sesfix.errors import UsageError

if TYPE_CHECKING:
    from sesfix.aws.identity import OperatorSpec
    from sesfix.demo.account import SimulatedAccount
    from sesfix.settings import AppSettings


def add_source_arguments(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("where the app's variables come from")
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
    o = parser.add_argument_group("operator identity")
    o.add_argument(
        "--operator-profile",
        metavar="NAME",
        default=os.environ.get("SESFIX_OPERATOR_PROFILE"),
        help="AWS profile allowed to read IAM and apply fixes (env: SESFIX_OPERATOR_PROFILE)",
    )
    parser.add_argument(
        "--domain", metavar="DOMAIN", help="the sender's domain, if not EMAIL_FROM's"
    )


@dataclass
class Sources:
    settings: AppSettings
    operator: OperatorSpec | None
    account: SimulatedAccount | None = None
    _cleanup: list[Callable[[], None]] = field(default_factory=list)

    def close(self) -> None:
        while self._cleanup:
            self._cleanup.pop()()

    def __enter__(self) -> Sources:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def resolve_sources(args: argparse.Namespace) -> Sources:
    """Build the app settings and operator spec the flags describe (exit 2 on bad input)."""
    from sesfix.aws.identity import OperatorSpec
    from sesfix.settings import AppSettings

    chosen = [
        name
        for name, on in (
            ("--env-file", bool(getattr(args, "env_file", None))),
            ("--from-railway", bool(getattr(args, "from_railway", False))),
            ("--demo", bool(getattr(args, "demo", None))),
        )
        if on
    ]
    if len(chosen) > 1:
        raise UsageError(f"choose one source of the app's variables, not {' and '.join(chosen)}")
    domain = getattr(args, "domain", None)
    if domain is not None:
        from sesfix.settings import is_domain_name

        if not is_domain_name(domain):
            raise UsageError(
                f"--domain {domain[:80]!r} is not a domain name",
                hint="give the sender's domain, e.g. --domain example.com",
            )
    profile = getattr(args, "operator_profile", None)
    operator = OperatorSpec(profile=profile) if profile else None

    if getattr(args, "demo", None):
        from sesfix.demo.account import SimulatedAccount, resolve_scenario
        from sesfix.demo.practice import point_environment

        scenario = resolve_scenario(args.demo)
        account = SimulatedAccount.start(fill_gaps=True)
        # Loopback only: also drops per-service endpoint overrides, bypasses HTTP proxies.
        unpoint = point_environment(account.endpoint)

        def restore() -> None:
            account.stop()
            unpoint()

        try:
            account.load(scenario)
        except BaseException:
            restore()
            raise
        settings = account.app_settings().with_domain(domain)
        return Sources(settings, operator or account.operator, account, [restore])

    if getattr(args, "env_file", None):
        settings = AppSettings.from_env_file(args.env_file)
    elif getattr(args, "from_railway", False):
        from sesfix import railway

        values = railway.read_variables(
            service=getattr(args, "service", None), environment=getattr(args, "environment", None)
        )
        settings = AppSettings.from_mapping(values, "Railway service variables")
    else:
        settings = AppSettings.from_environment()
    return Sources(settings.with_domain(domain), operator)
