"""After ``rotate-access-key``: write the new pair to Railway and re-check (headless path).

Not a command of its own: ``sesfix fix rotate-access-key --to-railway [-s SERVICE] [-e ENV]``
calls :func:`after_rotation` with the ``NewKey`` the fix returned (the SMTP password is
renewed with it when the app uses SES SMTP), and ``sesfix fix derive-smtp-password
--to-railway`` calls :func:`hand_over_smtp`. The wizard calls
:func:`sesfix.railway.push_new_key_to_railway` and :func:`sesfix.railway.recheck` itself.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, TextIO

from sesfix.locale import t
from sesfix.text import visible

if TYPE_CHECKING:
    from sesfix.aws.identity import OperatorSpec
    from sesfix.fixes.model import Plan
    from sesfix.railway import KeyPair
    from sesfix.settings import AppSettings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("after rotate-access-key or derive-smtp-password")
    g.add_argument(
        "--to-railway",
        action="store_true",
        help="write the new key pair (and the app's SMTP password, when it uses SES SMTP) or "
        "the derived SMTP credentials to the Railway service (-s/-e) through stdin, which "
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
    where = t("torailway.service", name=service) if service else t("torailway.linked")
    if environment:
        where += f" ({environment})"
    deploy = t("torailway.skip") if skip else t("torailway.redeploy")
    key = mask_key_id(new_key.access_key_id)
    out.write("\n" + visible(t("torailway.plan", key=key, where=where, deploy=deploy)) + "\n")
    if not confirmed:
        if not ask:
            out.write(t("torailway.not_confirmed") + " " + _where_kept(new_key, out) + "\n")
            return 2
        out.write(t("torailway.ask") + " [y/N] ")
        out.flush()
        try:
            answer = input()
        except EOFError:
            answer = ""
        if answer.strip().lower() not in ("y", "yes"):
            out.write(t("torailway.not_confirmed") + " " + _where_kept(new_key, out) + "\n")
            return 2
    try:
        result = railway.push_new_key_to_railway(new_key, service, environment, skip_deploys=skip)
    except railway.RailwayError as exc:
        out.write(visible(f"Railway: {exc.message}") + "\n")
        if exc.hint:
            out.write(visible(f"  {exc.hint}") + "\n")
        out.write(f"  {_where_kept(new_key, out)} {t('torailway.by_hand')}\n")
        return 1
    out.write(visible(f"Railway: {result.message}.") + "\n")
    for note in result.notes:
        out.write(visible(f"  {note}") + "\n")
    out.write(t("torailway.rechecking") + "\n")
    report = railway.recheck(service, environment, options=DiagnosisOptions(operator=operator))
    credential_errors = [
        f
        for f in report.errors
        if f.id.startswith("credentials.") or f.id == "config.missing_variable"
    ]
    if credential_errors:
        ids = ", ".join(dict.fromkeys(f.id for f in credential_errors))
        out.write(t("torailway.still_fail", ids=ids) + "\n")
        return 1
    out.write(t("torailway.works" if report.healthy else "torailway.works_other") + "\n")
    if result.redeploys:
        flags = " -s " + service if service else ""
        out.write(visible(t("torailway.then_logs", flags=flags)) + "\n")
    return 0


def _where_kept(new_key: KeyPair, out: TextIO) -> str:
    """Where the new secret really is: only what :class:`NewKey` says was stored or shown."""
    if getattr(new_key, "keyring_stored", False):
        return t("torailway.kept_keyring", label=getattr(new_key, "keyring_label", ""))
    if out.isatty():
        return t("torailway.kept_screen")
    return t("torailway.kept_nowhere")


def hand_over_smtp(plan: Plan, settings: AppSettings, args: argparse.Namespace, out: TextIO) -> int:
    """After ``derive-smtp-password``: keep the credential in the keyring, then write it to
    Railway through stdin (``--to-railway``), or show it once on a terminal."""
    from sesfix import railway
    from sesfix.fixes.smtp import hand_over

    handed = hand_over(plan, settings)
    if handed is None:
        return 0
    if handed.keyring_stored:
        out.write("\n" + t("smtpcli.kept_keyring", label=handed.keyring_label) + "\n")
    else:
        out.write("\n" + t("smtpcli.not_kept", detail=visible(handed.keyring_detail)) + "\n")
    values = dict(handed.values or {})
    if getattr(args, "to_railway", False):
        service = getattr(args, "service", None)
        environment = getattr(args, "environment", None)
        out.write(t("smtpcli.railway_plan", names=", ".join(values)) + "\n")
        if not args.yes:
            out.write(t("smtpcli.railway_ask") + " [y/N] ")
            out.flush()
            try:
                answer = input()
            except EOFError:
                answer = ""
            if answer.strip().lower() not in ("y", "yes"):
                out.write(t("smtpcli.not_confirmed") + "\n")
                return 2
        try:
            result = railway.set_variables(
                values,
                service,
                environment,
                skip_deploys=bool(getattr(args, "skip_deploys", False)),
            )
        except railway.RailwayError as exc:
            out.write(f"Railway: {visible(exc.message)}\n")
            return 1
        out.write(f"Railway: {result.message}.\n")
        return _recheck_smtp(service, environment, out)
    if out.isatty():
        out.write("\n" + t("smtpcli.shown_once") + "\n")
        for name, value in values.items():
            out.write(f"  {name}={value.reveal()}\n")
    else:
        out.write(t("smtpcli.not_printed") + "\n")
    return 0


def renew_smtp_after_rotation(new_key: KeyPair, settings: AppSettings, out: TextIO) -> None:
    """Without --to-railway: when the app sends through SES SMTP, its SMTP password must
    follow the new secret. Derive it, keep it in the keyring, show it once on a terminal."""
    from sesfix.fixes.smtp import keyring_label
    from sesfix.secrets import store_credentials
    from sesfix.smtp.renew import smtp_credentials
    from sesfix.smtp.settings import HOST, PROVIDER, from_app

    smtp = from_app(settings)
    values = {**settings.smtp_values}
    if settings.provider is not None:
        values[PROVIDER] = settings.provider
    renewed = smtp_credentials(values, new_key.access_key_id, new_key.secret, settings.source)
    if not renewed or smtp.region is None:
        return
    password = renewed[smtp.password_variable]
    label = keyring_label(new_key.access_key_id, smtp.region)
    status = store_credentials(label, new_key.access_key_id, password)
    out.write("\n" + t("smtpcli.renewed", host=HOST, region=smtp.region, names=", ".join(renewed)))
    if status.usable:
        out.write(" " + t("smtpcli.renewed_kept", label=label))
    out.write("\n")
    if out.isatty():
        for name, value in renewed.items():
            out.write(f"  {name}={value.reveal()}\n")
    elif not status.usable:
        out.write("  " + t("smtpcli.not_printed_renew") + "\n")


def _recheck_smtp(service: str | None, environment: str | None, out: TextIO) -> int:
    """Diagnose the variables as deployed: 0 when the SMTP login now succeeds."""
    from sesfix import railway

    out.write(t("smtpcli.rechecking") + "\n")
    report = railway.recheck(service, environment, attempts=1)
    failing = [f.id for f in report.errors if f.id.startswith("smtp.")]
    if failing:
        out.write(t("smtpcli.still_failing", ids=", ".join(failing)) + "\n")
        return 1
    auth = [p.outcome for s in report.steps for p in s.probes if p.call == "smtp:Auth"]
    if auth and auth[-1] == "ok":
        out.write(t("smtpcli.login_ok") + "\n")
    return 0
