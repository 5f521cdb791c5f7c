"""After ``rotate-access-key``: write the new pair to Railway and re-check (headless path).

Not a command of its own: ``sesfix fix rotate-access-key --to-railway [-s SERVICE] [-e ENV]``
calls :func:`after_rotation` with the ``NewKey`` the fix returned. The wizard calls
:func:`sesfix.railway.push_new_key_to_railway` and :func:`sesfix.railway.recheck` itself.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from sesfix.aws.identity import OperatorSpec
    from sesfix.railway import KeyPair


def add_arguments(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("after rotate-access-key")
    g.add_argument(
        "--to-railway",
        action="store_true",
        help="write the new key pair to the Railway service (-s/-e) through stdin, which "
        "redeploys it, then re-check",
    )
    g.add_argument(
        "--skip-deploys",
        action="store_true",
        help="with --to-railway: set the variables without redeploying",
    )


def after_rotation(
    new_key: KeyPair,
    args: argparse.Namespace,
    out: TextIO,
    *,
    operator: OperatorSpec | None = None,
    confirmed: bool = False,
    ask: bool = True,
) -> int:
    """Push ``new_key`` to Railway (after a yes), then diagnose the deployed variables.

    Returns 0 when Railway holds the new pair and the live check of those variables finds
    no credentials problem, 1 otherwise. Never prints the secret.
    """
    from sesfix import railway
    from sesfix.diagnosis.engine import DiagnosisOptions
    from sesfix.masking import mask_key_id

    service = getattr(args, "service", None)
    environment = getattr(args, "environment", None)
    skip = bool(getattr(args, "skip_deploys", False))
    where = f"service {service}" if service else "the linked Railway service"
    if environment:
        where += f" ({environment})"
    deploy = (
        "without redeploying (--skip-deploys)"
        if skip
        else "which redeploys the service once both are set"
    )
    out.write(
        f"\nRailway: write AWS_ACCESS_KEY_ID ({mask_key_id(new_key.access_key_id)}) and "
        f"AWS_SECRET_ACCESS_KEY to {where} with `railway variable set --stdin`, {deploy}.\n"
    )
    if not confirmed:
        if not ask:
            out.write(f"Not confirmed: Railway was not changed. {_where_kept(new_key)}\n")
            return 2
        out.write("Write the new key to Railway? [y/N] ")
        out.flush()
        try:
            answer = input()
        except EOFError:
            answer = ""
        if answer.strip().lower() not in ("y", "yes"):
            out.write(f"Not confirmed: Railway was not changed. {_where_kept(new_key)}\n")
            return 2
    try:
        result = railway.push_new_key_to_railway(new_key, service, environment, skip_deploys=skip)
    except railway.RailwayError as exc:
        out.write(f"Railway: {exc.message}\n")
        if exc.hint:
            out.write(f"  {exc.hint}\n")
        out.write(
            f"  {_where_kept(new_key)} Set both variables in the Railway dashboard "
            "(Variables) and redeploy.\n"
        )
        return 1
    out.write(f"Railway: {result.message}.\n")
    for note in result.notes:
        out.write(f"  {note}\n")
    out.write("Re-checking the variables as deployed (a new key can take 10–15 s to work)…\n")
    report = railway.recheck(service, environment, options=DiagnosisOptions(operator=operator))
    credential_errors = [
        f
        for f in report.errors
        if f.id.startswith("credentials.") or f.id == "config.missing_variable"
    ]
    if credential_errors:
        out.write(
            "The deployed variables still fail: "
            + ", ".join(dict.fromkeys(f.id for f in credential_errors))
            + "\n"
        )
        return 1
    verdict = "can send" if report.healthy else "has other findings (run `sesfix check`)"
    out.write(f"The deployed variables work with AWS; the app {verdict}.\n")
    if result.redeploys:
        out.write(
            "Once Railway shows the new deployment as live, send a test mail and run "
            f"`sesfix logs --from-railway{' -s ' + service if service else ''}` to see "
            "'Email sent successfully'.\n"
        )
    return 0


def _where_kept(new_key: KeyPair) -> str:
    """Where the new secret really is: only what :class:`NewKey` says was stored."""
    if getattr(new_key, "keyring_stored", False):
        label = getattr(new_key, "keyring_label", "")
        return f"The new key's secret is kept in the OS keyring ('{label}')."
    return (
        "The new key's secret is NOT in the OS keyring: it was shown once above (on a "
        "terminal) and is kept nowhere else."
    )
