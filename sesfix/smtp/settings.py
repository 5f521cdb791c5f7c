"""The app's SMTP settings, read from the same mapping as its other variables.

``SMTP_HOST``, ``SMTP_PORT``, ``SMTP_USERNAME`` (or ``SMTP_USER``), ``SMTP_PASSWORD`` (or
``SMTP_PASS``), ``SMTP_SECURE`` and ``EMAIL_PROVIDER=smtp``. Values are kept raw (the lint
looks for whitespace and quotes); the password is a :class:`Secret` from the moment it is
read. ``SESFIX_SMTP_ENDPOINT=HOST:PORT`` (sesfix's own environment, not the app's)
redirects the live probe while ``SMTP_HOST`` still decides the region.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sesfix.config import SMTP_ENDPOINT as ENDPOINT_OVERRIDE
from sesfix.config import smtp_endpoint
from sesfix.masking import Secret, mask_key_id
from sesfix.smtp import endpoints

if TYPE_CHECKING:
    from sesfix.settings import AppSettings

HOST = "SMTP_HOST"
PORT = "SMTP_PORT"
USERNAME = "SMTP_USERNAME"
USERNAME_ALIAS = "SMTP_USER"
PASSWORD = "SMTP_PASSWORD"
PASSWORD_ALIAS = "SMTP_PASS"
SECURE = "SMTP_SECURE"
PROVIDER = "EMAIL_PROVIDER"

#: Every variable that makes sesfix look at SMTP (EMAIL_PROVIDER only when it says smtp).
VARIABLES: tuple[str, ...] = (
    HOST,
    PORT,
    USERNAME,
    USERNAME_ALIAS,
    PASSWORD,
    PASSWORD_ALIAS,
    SECURE,
)
SECRET_VARIABLES = frozenset({PASSWORD, PASSWORD_ALIAS})


def _clean(value: str) -> str:
    from sesfix.settings import clean

    return clean(value)


@dataclass(frozen=True)
class SmtpSettings:
    host: str | None = None
    port: str | None = None
    #: Not secret to SES, but an access key ID: shown only masked, kept out of repr.
    username: str | None = field(default=None, repr=False)
    password: Secret | None = None
    secure: str | None = None
    provider: str | None = None
    #: Which spelling the app uses (SMTP_USERNAME or SMTP_USER, SMTP_PASSWORD or SMTP_PASS).
    username_variable: str = USERNAME
    password_variable: str = PASSWORD
    source: str = "environment"

    @classmethod
    def from_mapping(
        cls, values: Mapping[str, str | Secret], source: str = "environment"
    ) -> SmtpSettings:
        def get(name: str) -> str | None:
            value = values.get(name)
            if value is None:
                return None
            return value.reveal() if isinstance(value, Secret) else str(value)

        def pick(main: str, alias: str) -> tuple[str | None, str]:
            """The canonical spelling wins when both are set (as most libraries read it)."""
            a, b = get(main), get(alias)
            if a is not None or b is None:
                return a, main
            return b, alias

        username, user_var = pick(USERNAME, USERNAME_ALIAS)
        password, pass_var = pick(PASSWORD, PASSWORD_ALIAS)
        return cls(
            host=get(HOST),
            port=get(PORT),
            username=username,
            password=None if password is None else Secret(password),
            secure=get(SECURE),
            provider=get(PROVIDER),
            username_variable=user_var,
            password_variable=pass_var,
            source=source,
        )

    # --- what the app asked for ------------------------------------------------------

    @property
    def provider_is_smtp(self) -> bool:
        return self.provider is not None and _clean(self.provider).lower() == "smtp"

    @property
    def configured(self) -> bool:
        """Any SMTP variable is set, or EMAIL_PROVIDER says smtp: the SMTP checks run."""
        return self.provider_is_smtp or any(
            v is not None for v in (self.host, self.port, self.username, self.password, self.secure)
        )

    @property
    def clean_host(self) -> str | None:
        return endpoints.normalise_host(self.host) if self.host and self.host.strip() else None

    @property
    def region(self) -> str | None:
        """The region of SMTP_HOST when it is an SES SMTP endpoint."""
        return endpoints.region_of_host(self.host) if self.host else None

    @property
    def port_number(self) -> int | None:
        if self.port is None:
            return None
        text = _clean(self.port)
        if not text.isdigit():
            return None
        number = int(text)
        return number if 0 < number < 65536 else None

    @property
    def clean_username(self) -> str | None:
        return _clean(self.username) if self.username is not None else None

    @property
    def masked_username(self) -> str:
        return mask_key_id(self.username)

    def raw(self, name: str) -> str | None:
        """The raw value behind a variable name (secrets revealed: in-process use only)."""
        if name in (USERNAME, USERNAME_ALIAS):
            return self.username if name == self.username_variable else None
        if name in (PASSWORD, PASSWORD_ALIAS):
            if name != self.password_variable or self.password is None:
                return None
            return self.password.reveal()
        return {HOST: self.host, PORT: self.port, SECURE: self.secure}.get(name)

    def present(self) -> dict[str, str | None]:
        """Variable name -> raw value for the variables the app actually uses."""
        names = (HOST, PORT, self.username_variable, self.password_variable, SECURE)
        return {name: self.raw(name) for name in names}

    def describe(self) -> dict[str, str]:
        """Safe to show: username masked, password only as its length."""
        out: dict[str, str] = {}
        for name, value in self.present().items():
            if value is None:
                out[name] = "(not set)"
            elif name in SECRET_VARIABLES:
                out[name] = f"(set, {len(value)} characters)"
            elif name in (USERNAME, USERNAME_ALIAS):
                out[name] = mask_key_id(value)
            else:
                from sesfix.text import visible

                out[name] = visible(value, limit=120)
        return out


@dataclass(frozen=True)
class Target:
    """Where the live probe connects, and why there."""

    host: str
    port: int
    mode: endpoints.TlsMode
    #: True when SESFIX_SMTP_ENDPOINT redirected the probe away from SMTP_HOST:SMTP_PORT.
    redirected: bool = False


def endpoint_override(environ: Mapping[str, str] | None = None) -> tuple[str, int] | None:
    """``SESFIX_SMTP_ENDPOINT`` as (host, port), read and checked by :mod:`sesfix.config`."""
    return smtp_endpoint(environ)


def from_app(app: AppSettings) -> SmtpSettings:
    """The SMTP settings of the app whose other variables ``app`` holds."""
    values: dict[str, str | Secret] = dict(app.smtp_values)
    if app.provider is not None:
        values[PROVIDER] = app.provider
    return SmtpSettings.from_mapping(values, app.source)


def target(smtp: SmtpSettings, environ: Mapping[str, str] | None = None) -> Target | None:
    """Where to probe and in which TLS mode; None when SMTP_HOST/SMTP_PORT give no target.

    The mode comes from the app's port (SES's table); for a port SES does not use, from
    SMTP_SECURE; otherwise STARTTLS (what most libraries try first).
    """
    port = smtp.port_number
    mode: endpoints.TlsMode | None = endpoints.tls_mode(port) if port else None
    if mode is None:
        mode = endpoints.secure_mode(smtp.secure) or "starttls"
    override = endpoint_override(environ)
    if override is not None:
        return Target(override[0], override[1], mode, redirected=True)
    host = smtp.clean_host
    if not host or port is None:
        return None
    return Target(host, port, mode)


__all__ = [
    "ENDPOINT_OVERRIDE",
    "HOST",
    "PASSWORD",
    "PORT",
    "SECURE",
    "USERNAME",
    "VARIABLES",
    "SmtpSettings",
    "Target",
    "endpoint_override",
    "target",
]
