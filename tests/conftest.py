"""Test isolation and the simulated AWS account.

* Every test runs with no real ``AWS_*`` variables, a private HOME, AWS config files that
  point at empty temporary paths, a private XDG state dir and the keyring's fail backend
  (keyring tests start their own Secret Service and opt back in).
* AWS is moto's server on loopback with IAM authentication enforced, started here, one per
  test process; ``account`` reloads a scenario into it for each test.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from sesfix.demo.account import SCENARIOS, Scenario, SimulatedAccount

if TYPE_CHECKING:
    from tests.support.proxy import DelayProxy, FaultHook

# The inner loop (`pytest -m quick`, README's development section): modules that need no
# Pilot, no subprocess and at most the shared simulated account, well under 90 s in all.
QUICK_MODULES = frozenset(
    {
        "test_config",
        "test_text",
        "test_masking",
        "test_policy",
        "test_settings_lint",
        "test_import_hygiene",
        "test_fixes_registry",
        "test_fixes_catalogue",
        "test_diagnosis_checks",
        "test_engine_stubbed",
        "test_smtp_derive",
        "test_smtp_forensics",
        "test_delivery_rejected",
        "test_delivery_conditions",
        "test_delivery_dns",
        "test_logs_analysis",
        "test_logs_ambiguous",
        "test_tui_locale",
    }
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.stem in QUICK_MODULES:
            item.add_marker(pytest.mark.quick)


SENTINEL_SECRET = "SeNtInEl/sEcReT+kEy0123456789abcdefghijK"  # 40 chars, secret-shaped


@pytest.fixture(autouse=True)
def isolated_world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in list(os.environ):
        if name.startswith(("AWS_", "SESFIX_", "RAILWAY_", "SMTP_")) or name in (
            "EMAIL_PROVIDER",
            "EMAIL_FROM",
            "SSL_CERT_FILE",
        ):
            monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(home / "aws-config-none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / "aws-credentials-none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local/state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local/share"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("SESFIX_STATE_DIR", str(home / ".local/state/sesfix"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    # DNS checks never ask the system's resolver: a port where nothing listens (answers
    # "no answer" at once) unless a test points them at a loopback server of its own.
    monkeypatch.setenv("SESFIX_DNS_SERVER", "127.0.0.1:9")
    monkeypatch.setenv("SESFIX_DNS_TIMEOUT", "1")
    # Bounded and quick: a dead endpoint must not stall a test.
    monkeypatch.setenv("SESFIX_CONNECT_TIMEOUT", "2")
    monkeypatch.setenv("SESFIX_READ_TIMEOUT", "5")
    return home


@pytest.fixture(scope="session")
def moto_server() -> Iterator[SimulatedAccount]:
    server = SimulatedAccount.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def vietnamese() -> Iterator[None]:
    """The reader's language is Vietnamese for the test (English again afterwards)."""
    from sesfix.lang import set_language

    set_language("vi")
    try:
        yield
    finally:
        set_language("en")


@pytest.fixture
def account(
    moto_server: SimulatedAccount, monkeypatch: pytest.MonkeyPatch
) -> Callable[[Scenario | str], SimulatedAccount]:
    """``account("seed")`` resets the simulated account and builds that scenario.

    ``AWS_ENDPOINT_URL`` points at the server for the rest of the test, and
    ``SESFIX_DNS_SERVER`` at its practice DNS (serving the scenario's domain).
    """
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server.endpoint)
    if moto_server.dns_server:
        monkeypatch.setenv("SESFIX_DNS_SERVER", moto_server.dns_server)

    def load(scenario: Scenario | str) -> SimulatedAccount:
        acct = moto_server.load(SCENARIOS[scenario] if isinstance(scenario, str) else scenario)
        # The scenario's test inbox, if it has one, is the recipient the checks look at.
        if acct.scenario is not None and acct.scenario.recipient:
            monkeypatch.setenv("SESFIX_TO", acct.scenario.recipient)
        else:
            monkeypatch.delenv("SESFIX_TO", raising=False)
        for name, value in acct.smtp_environ().items():  # an SMTP scenario's endpoint
            monkeypatch.setenv(name, value)
        return acct

    return load


@pytest.fixture
def operator_profile(
    moto_server: SimulatedAccount, isolated_world: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[[], str]:
    """Write the loaded scenario's operator keys as profile ``ops`` (in the test's HOME)."""

    def write() -> str:
        op = moto_server.operator
        assert op is not None and op.credentials is not None
        path = isolated_world / "aws-credentials"
        path.write_text(
            "[ops]\n"
            f"aws_access_key_id = {op.credentials.access_key_id}\n"
            f"aws_secret_access_key = {op.credentials.secret_access_key.reveal()}\n"
        )
        monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(path))
        return "ops"

    return write


@pytest.fixture(scope="module")
def secret_service() -> Iterator[object]:
    """A real Secret Service: the session's (CI runs pytest inside one, see
    tests/support/with-secret-service.sh), or a private gnome-keyring started here; else
    the test is skipped saying why, unless a Secret Service was promised
    (``SESFIX_SECRET_SERVICE=1``), in which case it fails."""
    from tests.support import secret_service as ss

    if ss.reachable():
        data = os.environ.get("SESFIX_SECRET_SERVICE_DATA")
        yield ss.SecretService("the session's Secret Service", Path(data) if data else None)
        return
    reason = ss.can_start_private()
    if reason is not None:
        if os.environ.get("SESFIX_SECRET_SERVICE") == "1":
            pytest.fail(f"a Secret Service was promised but none is reachable: {reason}")
        pytest.skip(f"no Secret Service reachable and none can be started: {reason}")
    with ss.private_secret_service() as service:
        yield service


@pytest.fixture
def os_keyring(secret_service: object, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """Opt this test back in to the OS keyring (``isolated_world`` pins the fail backend);
    sesfix's items are removed before and after."""
    import keyring
    import keyring.core
    from keyring.backends import fail

    from sesfix import secrets as sk

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.SecretService.Keyring")
    keyring.core.init_backend()
    for label in sk.list_labels():
        sk.delete_credentials(label)
    try:
        yield secret_service
    finally:
        for label in sk.list_labels():
            sk.delete_credentials(label)
        keyring.set_keyring(fail.Keyring())


@pytest.fixture
def proxied(
    account: Callable[[str], SimulatedAccount],
    moto_server: SimulatedAccount,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Callable[..., tuple[SimulatedAccount, DelayProxy]]]:
    """``proxied(scenario, hook=None)``: a scenario's account with every AWS request going
    through a recording proxy (``AWS_ENDPOINT_URL``) that may break requests (``hook``)."""
    from tests.support.proxy import DelayProxy

    proxies: list[DelayProxy] = []

    def start(scenario: str, hook: FaultHook | None = None) -> tuple[SimulatedAccount, DelayProxy]:
        acct = account(scenario)
        proxy = DelayProxy(moto_server.endpoint, fault=hook)
        proxies.append(proxy)
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.url)
        return acct, proxy

    yield start
    for p in proxies:
        p.stop()


@pytest.fixture
def counted(
    proxied: Callable[..., tuple[SimulatedAccount, DelayProxy]],
) -> Callable[[str], tuple[SimulatedAccount, DelayProxy]]:
    """A scenario's account behind a counting proxy that breaks nothing, so a test can
    assert which calls were sent — or none."""
    return lambda scenario: proxied(scenario)
