"""Where a new secret will go, checked before the key exists.

A secret access key exists once, in AWS's answer to ``iam:CreateAccessKey``. So before
``rotate-access-key`` creates one, every destination the person asked for is checked, and
at least one place must be able to keep it for a person to read again:

* the OS keyring: a real write and delete of a probe item (not just "a backend exists");
* Railway (``--to-railway``): the CLI is present, logged in, linked and new enough (a
  read of the service's variables, which proves all four);
* the terminal: the secret is shown once only on a terminal.

Railway alone is not enough: a push that fails after the key was created (network, a
redeploy error) would lose the secret, so the keyring or the terminal must hold it too.
"""

from __future__ import annotations

from dataclasses import dataclass

from sesfix.errors import RefusedError
from sesfix.locale import t

_PROBE = "__sesfix_probe__"


@dataclass(frozen=True)
class Destinations:
    keyring: bool
    keyring_reason: str
    terminal: bool
    railway: bool


def keyring_writable() -> tuple[bool, str]:
    """Whether the OS keyring takes a secret now (a probe item written and deleted)."""
    from sesfix.secrets import SERVICE, keyring_status

    status = keyring_status()
    if not status.usable:
        return False, status.reason
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.set_password(SERVICE, _PROBE, "probe")
        keyring.delete_password(SERVICE, _PROBE)
    except (KeyringError, OSError, RuntimeError) as exc:
        return False, t("dest.keyring_refused", error=type(exc).__name__)
    return True, ""


def check_secret_destinations(
    *,
    terminal: bool,
    to_railway: bool,
    service: str | None = None,
    environment: str | None = None,
) -> Destinations:
    """Every destination of a new secret, checked; ``RefusedError`` if one fails or none keeps it."""
    railway_ok = False
    if to_railway:
        from sesfix import railway

        try:
            # `variable list` proves the CLI is there, logged in, linked, and new enough to
            # take `variable set --stdin` (a v3 CLI answers RailwayOutdated here)
            railway.run(["variable", "list", *railway._target(service, environment), "--json"])
        except railway.RailwayError as exc:
            raise RefusedError(t("dest.railway_unusable", why=exc.message), hint=exc.hint) from None
        railway_ok = True
    keyring_ok, reason = keyring_writable()
    if not keyring_ok and not terminal:
        key = "dest.nowhere_railway" if to_railway else "dest.nowhere"
        raise RefusedError(t(key, reason=reason))
    return Destinations(keyring_ok, reason, terminal, railway_ok)
