"""SES SMTP endpoints, the regions that have one, and which TLS mode each port speaks.

Sources: SES Developer Guide "Connecting to an Amazon SES SMTP endpoint" (smtp-connect:
STARTTLS on 25, 587 and 2587; TLS wrapper on 465 and 2465) and "Obtaining Amazon SES SMTP
credentials" (smtp-credentials: "SMTP endpoints are not currently available in Africa
(Cape Town), Asia Pacific (Jakarta), Europe (Milan), Israel (Tel Aviv), Middle East
(Bahrain)"). Regions SES opened after that note are assumed to have an endpoint: a
missing one shows up in the live probe as an unknown host, never as a wrong verdict here.
See docs/aws-facts.md, "SES's SMTP interface".
"""

from __future__ import annotations

import re
from typing import Literal

from sesfix.aws.regions import SES_REGIONS

TlsMode = Literal["starttls", "implicit"]

#: SES regions without an SMTP endpoint (smtp-credentials note, see module docstring).
NO_SMTP_ENDPOINT: frozenset[str] = frozenset(
    {"af-south-1", "ap-southeast-3", "eu-south-1", "il-central-1", "me-south-1"}
)

#: Commercial SES regions with an SMTP endpoint.
SMTP_REGIONS: tuple[str, ...] = tuple(r for r in SES_REGIONS if r not in NO_SMTP_ENDPOINT)

#: Every region a password might have been derived for: all SES regions (a password can
#: be derived for any name) and GovCloud, whose SMTP endpoint AWS's own script lists.
DERIVATION_REGIONS: tuple[str, ...] = (*SES_REGIONS, "us-gov-west-1", "us-gov-east-1")

STARTTLS_PORTS: tuple[int, ...] = (587, 2587, 25)
IMPLICIT_PORTS: tuple[int, ...] = (465, 2465)
SES_PORTS: tuple[int, ...] = (*STARTTLS_PORTS, *IMPLICIT_PORTS)
HTTPS_PORT = 443

_SMTP_HOST = re.compile(
    r"^(?:vpce-[a-z0-9-]+\.)?email-smtp(?P<fips>-fips)?\.(?P<region>[a-z]{2}(?:-gov)?-[a-z]+-\d)"
    r"\.(?:vpce\.)?amazonaws\.com$"
)
_OTHER_AWS_HOST = re.compile(
    r"^(?P<kind>email|email-fips|inbound-smtp|feedback-smtp|email-smtp)"
    r"(?:\.(?P<region>[a-z]{2}(?:-gov)?-[a-z]+-\d))?\.(?:amazonaws\.com|api\.aws)$"
)


def endpoint(region: str) -> str:
    """``email-smtp.<region>.amazonaws.com``."""
    return f"email-smtp.{region}.amazonaws.com"


def normalise_host(host: str) -> str:
    return host.strip().strip("\"'").lower().rstrip(".")


def region_of_host(host: str) -> str | None:
    """The region of an SES SMTP endpoint name, or None when ``host`` is not one."""
    m = _SMTP_HOST.match(normalise_host(host))
    return m.group("region") if m else None


def other_aws_mail_host(host: str) -> str | None:
    """A description when ``host`` is an AWS mail host that does not take submissions
    (the SES API endpoint, the receiving endpoint, a region-less name)."""
    h = normalise_host(host)
    if _SMTP_HOST.match(h):
        return None
    m = _OTHER_AWS_HOST.match(h)
    if not m:
        return None
    from sesfix.smtp.words import ev

    kind, region = m.group("kind"), m.group("region")
    if kind in ("email", "email-fips"):
        return ev("smtp.host.api")
    if kind == "inbound-smtp":
        return ev("smtp.host.inbound")
    if kind == "feedback-smtp":
        return ev("smtp.host.feedback")
    if region is None:
        return ev("smtp.host.no_region")
    return None


def tls_mode(port: int) -> TlsMode | None:
    """The TLS mode SES speaks on ``port``; None for a port SES does not listen on."""
    if port in STARTTLS_PORTS:
        return "starttls"
    if port in IMPLICIT_PORTS:
        return "implicit"
    return None


_TRUE = {"true", "1", "yes", "on", "ssl", "implicit", "smtps", "tls-wrapper"}
_FALSE = {"false", "0", "no", "off", "tls", "starttls", "none", ""}


def secure_mode(value: str | None) -> TlsMode | None:
    """``SMTP_SECURE`` as the mail libraries read it: true (nodemailer ``secure``, Laravel
    ``ssl``) is implicit TLS; false (or ``tls``/``starttls``) is STARTTLS; None if unreadable."""
    if value is None:
        return None
    v = value.strip().strip("\"'").lower()
    if v in _TRUE:
        return "implicit"
    if v in _FALSE:
        return "starttls"
    return None


def port_for(mode: TlsMode) -> int:
    """The port to recommend for a mode."""
    return 587 if mode == "starttls" else 465


def openssl_command(host: str, port: int, mode: TlsMode) -> str:
    """The command a person can run to see what the probe saw."""
    where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    if mode == "starttls":
        return f"openssl s_client -starttls smtp -connect {where}"
    return f"openssl s_client -connect {where}"


def describe_ports() -> str:
    """SES's ports and their TLS modes, in the reader's language."""
    from sesfix.smtp.words import ev

    return ev("smtp.ports")


__all__ = [
    "DERIVATION_REGIONS",
    "IMPLICIT_PORTS",
    "NO_SMTP_ENDPOINT",
    "SES_PORTS",
    "SMTP_REGIONS",
    "STARTTLS_PORTS",
    "TlsMode",
    "endpoint",
    "openssl_command",
    "other_aws_mail_host",
    "port_for",
    "region_of_host",
    "secure_mode",
    "tls_mode",
]
