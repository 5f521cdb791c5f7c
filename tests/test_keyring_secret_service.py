"""sesfix.secrets against a real Secret Service (gnome-keyring on a private D-Bus), and
against no usable backend at all: then sesfix says so and stores nothing anywhere.

CI runs these under ``tests/support/with-secret-service.sh``; plain ``pytest`` starts a
private gnome-keyring itself where one is installed, and skips (saying why) only where no
Secret Service can be had.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backend
import keyring.core
import pytest
from keyring.backends import fail

from sesfix import secrets as sk
from sesfix.masking import Secret
from tests.conftest import SENTINEL_SECRET
from tests.support import secret_service as ss
from tests.support.leakcheck import assert_no_leak, files_under

TOKEN = "IQoJb3JpZ2luX2VjSeNtInElToKeN" + "Zz09" * 20


@pytest.fixture
def no_keyring() -> Iterator[None]:
    keyring.set_keyring(fail.Keyring())
    yield


# ---- a real Secret Service -----------------------------------------------------------------


def test_status_is_usable(os_keyring: ss.SecretService) -> None:
    status = sk.keyring_status()
    assert status.usable, status.reason
    assert "SecretService" in status.backend
    assert status.reason == ""


def test_store_load_delete_round_trip(os_keyring: ss.SecretService, isolated_world: Path) -> None:
    before = files_under(isolated_world)
    status = sk.store_credentials(
        "prod app", "AKIAIOSFODNN7EXAMPLE", Secret(SENTINEL_SECRET), Secret(TOKEN)
    )
    assert status.usable, status.reason
    assert sk.store_credentials("operator", "AKIAOPERATOR00000001", Secret("x" * 40)).usable
    assert sorted(sk.list_labels()) == ["operator", "prod app"]

    loaded = sk.load_credentials("prod app")
    assert loaded is not None
    assert loaded.access_key_id == "AKIAIOSFODNN7EXAMPLE"
    assert loaded.secret_access_key.reveal() == SENTINEL_SECRET
    assert loaded.session_token is not None and loaded.session_token.reveal() == TOKEN
    assert sk.load_credentials("nobody") is None

    # Stored in the Secret Service, under sesfix's service name, nowhere else.
    assert keyring.get_password(sk.SERVICE, "prod app") is not None
    assert files_under(isolated_world) == before
    if os_keyring.data_dir is not None:
        keyring_files = files_under(os_keyring.data_dir)
        assert keyring_files, "gnome-keyring should have written its (encrypted) keyring"
        assert_no_leak(keyring_files, SENTINEL_SECRET, TOKEN)  # encrypted at rest

    assert sk.delete_credentials("prod app") is True
    assert sk.load_credentials("prod app") is None
    assert sk.list_labels() == ["operator"]
    assert sk.delete_credentials("prod app") is False  # already gone: no error
    assert keyring.get_password(sk.SERVICE, "prod app") is None


def test_overwrite_and_odd_labels(os_keyring: ss.SecretService) -> None:
    for label in ("prod", "staging/eu", "ñoño 📨", " spaced "):
        assert sk.store_credentials(label, "AKIA" + "A" * 16, Secret(SENTINEL_SECRET)).usable
    assert sk.store_credentials("prod", "AKIA" + "B" * 16, Secret("y" * 40)).usable
    creds = sk.load_credentials("prod")
    assert creds is not None and creds.access_key_id == "AKIA" + "B" * 16
    assert creds.secret_access_key.reveal() == "y" * 40
    assert set(sk.list_labels()) == {"prod", "staging/eu", "ñoño 📨", " spaced "}
    loaded = sk.load_credentials("ñoño 📨")
    assert loaded is not None and loaded.session_token is None


def test_garbage_in_the_keyring_is_not_credentials(os_keyring: ss.SecretService) -> None:
    keyring.set_password(sk.SERVICE, "broken", "{not json")
    keyring.set_password(sk.SERVICE, "wrong-shape", '{"access_key_id": 1}')
    keyring.set_password(sk.SERVICE, sk._INDEX, '"not a list"')
    assert sk.load_credentials("broken") is None
    assert sk.load_credentials("wrong-shape") is None
    assert sk.list_labels() == []
    keyring.delete_password(sk.SERVICE, "broken")
    keyring.delete_password(sk.SERVICE, "wrong-shape")
    keyring.delete_password(sk.SERVICE, sk._INDEX)


# ---- no usable backend ---------------------------------------------------------------------


def _all_files(home: Path) -> dict[str, bytes]:
    return files_under(home, Path("/tmp") / "sesfix-never-here")


def test_without_a_backend_sesfix_says_so_and_stores_nothing(
    no_keyring: None, isolated_world: Path
) -> None:
    before = _all_files(isolated_world)
    status = sk.keyring_status()
    assert not status.usable
    assert "no usable OS keyring" in status.reason and "Secret Service" in status.reason
    stored = sk.store_credentials("prod", "AKIAIOSFODNN7EXAMPLE", Secret(SENTINEL_SECRET))
    assert not stored.usable and stored.reason == status.reason
    assert sk.load_credentials("prod") is None
    assert sk.list_labels() == []
    assert sk.delete_credentials("prod") is False
    after = _all_files(isolated_world)
    assert after == before, "nothing may be written when the keyring is unusable"
    assert_no_leak({"status": repr(stored), **after, "-": b""}, SENTINEL_SECRET)


class _PlaintextFileKeyring(keyring.backend.KeyringBackend):
    """Stands for keyrings.alt's file backends: usable, but not an OS keyring."""

    priority = 1  # type: ignore[assignment]

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path

    def get_password(self, service: str, username: str) -> str | None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        self.path.write_text(password)

    def delete_password(self, service: str, username: str) -> None:
        return None


def test_a_file_backend_is_refused(isolated_world: Path) -> None:
    target = isolated_world / ".local/share/python_keyring/keyring_pass.cfg"
    keyring.set_keyring(_PlaintextFileKeyring(target))
    try:
        status = sk.store_credentials("prod", "AKIAIOSFODNN7EXAMPLE", Secret(SENTINEL_SECRET))
    finally:
        keyring.set_keyring(fail.Keyring())
    assert not status.usable
    assert "not an OS keyring" in status.reason
    assert not target.exists()
