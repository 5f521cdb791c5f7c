"""The SMTP tests' shared setup: the simulated account's healthy app (moto with IAM auth)
sending through a real SMTP server on loopback (aiosmtpd + trustme) that accepts only the
password derived from that app key's secret for the scenarios' region.

A test module imports the fixtures it uses (and :func:`certificates`, which they need)::

    from tests.support.smtp_account import healthy, smtp_practice  # noqa: F401
    from tests.support.smtp_server import certificates  # noqa: F401
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from sesfix.demo.account import SimulatedAccount
from sesfix.demo.smtp import Certificates, PracticeSmtpServer
from sesfix.masking import Secret

REGION = "ap-southeast-1"  # the scenarios' region
HOST = f"email-smtp.{REGION}.amazonaws.com"


@pytest.fixture
def healthy(account: Callable[[str], SimulatedAccount]) -> SimulatedAccount:
    return account("healthy")


@pytest.fixture
def smtp_practice(
    healthy: SimulatedAccount, certificates: Certificates, monkeypatch: pytest.MonkeyPatch
) -> Iterator[PracticeSmtpServer]:
    """The loopback SMTP server for ``healthy``'s key; the test points SESFIX_SMTP_ENDPOINT
    at the port it wants (STARTTLS or implicit TLS)."""
    secret = Secret(healthy.app_env["AWS_SECRET_ACCESS_KEY"])
    server = PracticeSmtpServer(healthy.app_env["AWS_ACCESS_KEY_ID"], secret, REGION, certificates)
    server.start()
    monkeypatch.setenv("SSL_CERT_FILE", str(certificates.ca_file))
    try:
        yield server
    finally:
        server.stop()


def smtp_env(acct: SimulatedAccount, password: str | None = None, **over: str) -> dict[str, str]:
    """The app's variables set up for SMTP with its own key as user; ``password`` defaults
    to the raw secret (the classic mistake). ``over`` replaces variables; ``"<unset>"``
    removes one."""
    env = dict(acct.app_env)
    env.update(
        {
            "EMAIL_PROVIDER": "smtp",
            "SMTP_HOST": HOST,
            "SMTP_PORT": "587",
            "SMTP_USERNAME": acct.app_env["AWS_ACCESS_KEY_ID"],
            "SMTP_PASSWORD": acct.app_env["AWS_SECRET_ACCESS_KEY"]
            if password is None
            else password,
        }
    )
    env.update(over)
    return {k: v for k, v in env.items() if v != "<unset>"}
