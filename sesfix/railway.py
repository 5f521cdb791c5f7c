"""The Railway CLI as a source of the app's variables and logs, and a place to write a new key.

Everything goes through the ``railway`` command (found on PATH), run without a shell, with a
timeout, with the caller's environment passed through (``RAILWAY_TOKEN`` and friends work as
they do for the CLI). A secret never appears in an argument list: values are written with
``railway variable set --stdin KEY``, which reads the value from stdin and strips one
trailing newline (../shared/FACTS.md, Railway).

When the CLI is missing, not logged in or not linked to a project, a :class:`RailwayError`
says so and how to fix it; callers fall back to a file or pasted text.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from sesfix.errors import SesfixError
from sesfix.masking import Secret, redact
from sesfix.subproc import communicate, kill_group

if TYPE_CHECKING:
    from sesfix.diagnosis.engine import DiagnosisOptions
    from sesfix.diagnosis.report import Report

EXECUTABLE = "railway"
#: Seconds a single CLI call may take: ``sesfix.config.RAILWAY_TIMEOUT``
#: (env: SESFIX_RAILWAY_TIMEOUT, default 60).
#: Most lines ``fetch_logs`` asks for.
MAX_LOG_LINES = 10_000
INSTALL_HINT = (
    "install it with `npm i -g @railway/cli` (or see https://docs.railway.com/guides/cli)"
)
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class RailwayError(SesfixError):
    """The Railway CLI could not do what was asked; the hint says how to fix it."""

    reason = "failed"

    def __init__(self, message: str, *, hint: str = "") -> None:
        fallback = "Meanwhile, give sesfix a log file, `-` for stdin, or --env-file instead."
        super().__init__(
            message, title="Railway CLI", hint=f"{hint} {fallback}".strip() if hint else fallback
        )


class RailwayNotInstalled(RailwayError):
    reason = "not_installed"


class RailwayNotLoggedIn(RailwayError):
    reason = "not_logged_in"


class RailwayNotLinked(RailwayError):
    reason = "not_linked"


class RailwayTimeout(RailwayError):
    reason = "timeout"


class RailwayValueTooLarge(RailwayError):
    """A variable sesfix reads holds a value far beyond any credential or address."""

    reason = "value_too_large"


class RailwayOutdated(RailwayError):
    """The CLI does not know a subcommand or flag sesfix uses (an old version)."""

    reason = "outdated"


def installed() -> bool:
    """Whether ``railway`` is on PATH (the wizard shows "fetch from Railway" only then)."""
    return shutil.which(EXECUTABLE) is not None


def _timeout(timeout: float | None) -> float:
    if timeout is not None:
        return timeout
    from sesfix import config

    return config.RAILWAY_TIMEOUT.read()


def executable() -> str:
    """The path of ``railway`` on PATH, or :class:`RailwayNotInstalled`."""
    path = shutil.which(EXECUTABLE)
    if path is None:
        raise RailwayNotInstalled(
            "the Railway CLI (`railway`) is not installed or not on PATH", hint=INSTALL_HINT + "."
        )
    return path


def _target(service: str | None, environment: str | None) -> list[str]:
    args: list[str] = []
    if service:
        _check_option("service", service)
        args += ["-s", service]
    if environment:
        _check_option("environment", environment)
        args += ["-e", environment]
    return args


def _check_option(what: str, value: str) -> None:
    if value.startswith("-") or "\n" in value or "\x00" in value:
        raise SesfixError(f"{value[:40]!r} is not a Railway {what} name", title="Railway CLI")


#: Most bytes sesfix reads from one ``railway`` call: its output is outside text of any
#: size, and a runaway CLI must not fill memory. Logs get more room than variables.
MAX_OUTPUT = 1024 * 1024
MAX_LOG_OUTPUT = 5 * 1024 * 1024
#: Most characters one variable value may hold before sesfix refuses to use it.
MAX_VALUE = 8 * 1024


class RailwayOutputTooLarge(RailwayError):
    reason = "too_large"


def run(
    args: Sequence[str],
    *,
    stdin: str | None = None,
    timeout: float | None = None,
    scrub: Sequence[str | Secret] = (),
    limit: int = MAX_OUTPUT,
) -> str:
    """Run ``railway ARGS`` and return its stdout; classify its failures.

    ``stdin`` is the only way a value reaches the CLI; ``scrub`` lists values that must not
    appear in an error message even if the CLI echoes them. The CLI runs in its own process
    group (session), which is killed as a whole on timeout, when its output passes
    ``limit`` bytes, or when children it left behind keep its pipes open after it exits.
    """
    exe = executable()
    argv = [exe, *args]
    seconds = _timeout(timeout)
    try:
        # A fixed executable, no shell, no secret in argv, its own process group.
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except FileNotFoundError:
        raise RailwayNotInstalled(
            "the Railway CLI (`railway`) could not be started", hint=INSTALL_HINT + "."
        ) from None
    except PermissionError:
        raise RailwayNotInstalled(f"{exe} is not executable", hint=INSTALL_HINT + ".") from None
    try:
        out, err, why = communicate(proc, (stdin or "").encode("utf-8"), seconds, limit)
    finally:
        kill_group(proc)
    if why == "timeout":
        raise RailwayTimeout(
            f"`railway {_shown(args)}` did not finish within {seconds:g} s",
            hint="check the network and `railway status`; set SESFIX_RAILWAY_TIMEOUT to wait longer.",
        )
    if why == "too_large":
        raise RailwayOutputTooLarge(
            f"`railway {_shown(args)}` printed more than {limit // 1024:,} kB; "
            "sesfix stopped reading it",
            hint="ask for fewer lines (--lines) or check the service's variables in the dashboard.",
        )
    stdout = out.decode("utf-8", "replace")
    if proc.returncode != 0:
        stderr = err.decode("utf-8", "replace")
        raise _classify(args, stderr or stdout or "", proc.returncode or 1, scrub)
    return stdout


def _shown(args: Sequence[str]) -> str:
    return " ".join(args)


def _classify(
    args: Sequence[str], output: str, code: int, scrub: Sequence[str | Secret]
) -> RailwayError:
    text = redact(output.strip(), *scrub)
    low = text.lower()
    first = text.splitlines()[0][:300] if text else f"exit status {code}"
    if "unauthorized" in low or "railway login" in low or "not logged in" in low:
        return RailwayNotLoggedIn(
            f"the Railway CLI is not logged in ({first})",
            hint="run `railway login` (or set RAILWAY_TOKEN / RAILWAY_API_TOKEN), then try again.",
        )
    if "no linked project" in low or "railway link" in low:
        return RailwayNotLinked(
            f"this directory is not linked to a Railway project ({first})",
            hint="run `railway link` in the app's directory (or pass --service/--environment "
            "with a project token), then try again.",
        )
    if (
        "unrecognized subcommand" in low
        or "unexpected argument" in low
        or "unrecognized argument" in low
        or "found argument" in low
    ):
        return RailwayOutdated(
            f"this Railway CLI does not understand `railway {_shown(args)}` ({first})",
            hint="update it with `npm i -g @railway/cli`.",
        )
    return RailwayError(f"`railway {_shown(args)}` failed: {first}")


# ---- variables ------------------------------------------------------------------------------


def read_variables(service: str | None = None, environment: str | None = None) -> dict[str, str]:
    """The service's variables as the deployment sees them (``railway variable list --json``).

    Values are raw (secrets included): hand them straight to ``AppSettings.from_mapping``.
    """
    target = _target(service, environment)
    try:
        out = run(["variable", "list", *target, "--json"])
    except RailwayOutdated:
        # CLI v3 spells it `railway variables --json` (same JSON map); reading is safe to
        # retry. Writing is not: v3 only sets from argv, which sesfix refuses to do.
        out = run(["variables", *target, "--json"])
    try:
        data = json.loads(out)
    except ValueError:
        raise RailwayError(
            "`railway variable list --json` did not print JSON",
            hint="update the Railway CLI (`npm i -g @railway/cli`).",
        ) from None
    if not isinstance(data, dict):
        raise RailwayError(
            "`railway variable list --json` printed JSON that is not a map of variables",
            hint="update the Railway CLI (`npm i -g @railway/cli`).",
        )
    return _bounded({str(k): "" if v is None else str(v) for k, v in data.items()})


def _used_by_sesfix(name: str) -> bool:
    return name.startswith(("AWS_", "EMAIL_", "SMTP_", "SES_", "MAIL_"))


def _bounded(values: dict[str, str]) -> dict[str, str]:
    """The variables, each at most :data:`MAX_VALUE` characters. An oversized value of a
    variable sesfix reads is an error naming it and its length (never echoing it: it is
    not used in any probe); other oversized ones (a certificate bundle, say) are left out."""
    import logging

    out: dict[str, str] = {}
    for name, value in values.items():
        if len(value) <= MAX_VALUE:
            out[name] = value
            continue
        from sesfix.text import visible

        shown = visible(name, limit=80)
        if _used_by_sesfix(name):
            raise RailwayValueTooLarge(
                f"the Railway variable {shown} holds {len(value):,} characters, more than "
                f"the {MAX_VALUE:,} sesfix reads: it is not what the app needs there, so "
                "sesfix does not use it",
                hint=f"check {shown} in the Railway dashboard (Variables).",
            )
        logging.getLogger("sesfix.railway").warning(
            "left out Railway variable %s: %d characters (over %d)", shown, len(value), MAX_VALUE
        )
    return out


@dataclass(frozen=True)
class SetResult:
    """What :func:`set_variables` did; no values."""

    names: tuple[str, ...]
    service: str | None
    environment: str | None
    redeploys: bool
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def message(self) -> str:
        where = f"service {self.service}" if self.service else "the linked service"
        if self.environment:
            where += f" ({self.environment})"
        names = ", ".join(self.names)
        if self.redeploys:
            return (
                f"set {names} on {where} through stdin; Railway now redeploys the service "
                "(a redeploy, not a restart, is what picks up new variables)"
            )
        return (
            f"set {names} on {where} through stdin without a deploy (--skip-deploys); "
            "redeploy the service for the app to see them"
        )


def set_variables(
    values: Mapping[str, str | Secret],
    service: str | None = None,
    environment: str | None = None,
    *,
    skip_deploys: bool = False,
    timeout: float | None = None,
) -> SetResult:
    """Write variables one at a time with ``railway variable set --stdin KEY``.

    Each value goes on stdin only, followed by one newline (which the CLI strips), so the
    stored value is exactly the given one. Every variable but the last is set with
    ``--skip-deploys``, so the service redeploys once, with all of them (unless
    ``skip_deploys``, which skips that deploy too). Values with leading or trailing
    whitespace are refused: that is the bug sesfix exists to find.
    """
    if not values:
        raise SesfixError("no variables to set", title="Railway CLI")
    items = list(values.items())
    secrets = [v for _, v in items]
    for name, value in items:
        if not _NAME.match(name):
            raise SesfixError(f"{name[:40]!r} is not a variable name", title="Railway CLI")
        raw = value.reveal() if isinstance(value, Secret) else value
        if raw != raw.strip() or "\n" in raw or "\r" in raw:
            raise SesfixError(
                f"the value for {name} has leading or trailing whitespace or a line break; "
                "sesfix will not write it",
                title="Railway CLI",
            )
        if not raw:
            raise SesfixError(f"the value for {name} is empty", title="Railway CLI")
    target = _target(service, environment)
    executable()
    for i, (name, value) in enumerate(items):
        last = i == len(items) - 1
        raw = value.reveal() if isinstance(value, Secret) else value
        args = ["variable", "set", "--stdin", name, *target]
        if skip_deploys or not last:
            args.append("--skip-deploys")
        run(args, stdin=raw + "\n", timeout=timeout, scrub=secrets)
    return SetResult(
        names=tuple(n for n, _ in items),
        service=service,
        environment=environment,
        redeploys=not skip_deploys,
    )


# ---- logs ------------------------------------------------------------------------------------


def fetch_logs(
    service: str | None = None,
    environment: str | None = None,
    lines: int = 500,
    *,
    timeout: float | None = None,
) -> list[str]:
    """The service's latest ``lines`` log lines (``railway logs --lines N --json``, JSON lines)."""
    if lines < 1:
        raise SesfixError("--lines must be at least 1", title="Railway CLI")
    n = min(lines, MAX_LOG_LINES)
    out = run(
        ["logs", *_target(service, environment), "--lines", str(n), "--json"],
        timeout=timeout,
        limit=MAX_LOG_OUTPUT,
    )
    return out.splitlines()


# ---- after a key rotation ---------------------------------------------------------------------


class KeyPair(Protocol):
    """What ``sesfix.fixes.model.NewKey`` offers: the new key ID and its secret."""

    @property
    def access_key_id(self) -> str: ...

    @property
    def secret(self) -> Secret: ...


def push_new_key_to_railway(
    new_key: KeyPair,
    service: str | None = None,
    environment: str | None = None,
    *,
    skip_deploys: bool = False,
    timeout: float | None = None,
) -> SetResult:
    """Write a rotated key pair to the service (one redeploy), then read it back.

    The key ID and the secret each go through stdin. After writing, the variables are read
    back and compared in memory; a mismatch raises :class:`RailwayError` without showing
    either value.
    """
    from sesfix.settings import KEY_ID, SECRET
    from sesfix.smtp.renew import smtp_credentials

    # An app that sends through SES's SMTP endpoint logs in with the key ID and a password
    # derived from the secret: both change with the key (issue 14).
    smtp = smtp_credentials(
        read_variables(service, environment), new_key.access_key_id, new_key.secret
    )
    wanted: dict[str, str | Secret] = {
        KEY_ID: new_key.access_key_id,
        SECRET: new_key.secret,
        **smtp,
    }
    result = set_variables(wanted, service, environment, skip_deploys=skip_deploys, timeout=timeout)
    stored = read_variables(service, environment)
    wrong = [
        name
        for name, want in wanted.items()
        if stored.get(name) != (want.reveal() if isinstance(want, Secret) else want)
    ]
    if wrong:
        raise RailwayError(
            f"after writing, Railway holds different values for {', '.join(wrong)}",
            hint="set them by hand in the dashboard (Variables) and redeploy.",
        )
    notes: tuple[str, ...] = ("read back from Railway: both variables hold the new key",)
    if smtp:
        notes += (
            f"the app sends through SES SMTP: {', '.join(smtp)} renewed with it "
            "(the SMTP password derived from the new secret for the endpoint's region)",
        )
    return SetResult(result.names, service, environment, result.redeploys, notes)


def recheck(
    service: str | None = None,
    environment: str | None = None,
    *,
    options: DiagnosisOptions | None = None,
    attempts: int = 4,
    delay: float = 5.0,
    sleep: Callable[[float], None] | None = None,
) -> Report:
    """Diagnose the service's variables as deployed, retrying while a new key settles.

    A new key can fail for 10–15 s after creation (FACTS, Keys), so a credentials failure is
    retried ``attempts`` times, ``delay`` seconds apart. Returns the last
    :class:`~sesfix.diagnosis.report.Report`.
    """
    import time

    from sesfix.diagnosis.engine import diagnose
    from sesfix.settings import AppSettings

    wait = sleep or time.sleep
    attempts = max(1, attempts)
    for attempt in range(attempts):
        values = read_variables(service, environment)
        settings = AppSettings.from_mapping(values, "Railway service variables")
        report = diagnose(settings, options)
        settling = any(
            f.id in ("credentials.key_not_found", "credentials.secret_mismatch")
            for f in report.findings
        )
        if not settling or attempt == attempts - 1:
            break
        wait(delay)
    return report


__all__ = [
    "RailwayError",
    "RailwayNotInstalled",
    "RailwayNotLinked",
    "RailwayNotLoggedIn",
    "RailwayOutdated",
    "RailwayOutputTooLarge",
    "RailwayTimeout",
    "RailwayValueTooLarge",
    "SetResult",
    "executable",
    "fetch_logs",
    "installed",
    "push_new_key_to_railway",
    "read_variables",
    "recheck",
    "run",
    "set_variables",
]
