"""The OS keyring: the only place sesfix ever stores a secret.

Everything here degrades instead of raising: when no keyring backend is usable
(headless Linux without a Secret Service, the ``fail`` backend), callers get a
:class:`KeyringStatus` with ``usable=False`` and a reason for people, and nothing
is stored anywhere else.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sesfix.aws.identity import StaticCredentials
from sesfix.masking import Secret

SERVICE = "sesfix"
_INDEX = "__labels__"


@dataclass(frozen=True)
class KeyringStatus:
    usable: bool
    backend: str
    reason: str = ""


def keyring_status() -> KeyringStatus:
    """Which backend is in use, and whether it can store anything."""
    try:
        import keyring
        from keyring.backends import fail
    except ImportError as exc:  # pragma: no cover - keyring is a dependency
        return KeyringStatus(False, "none", f"the keyring package is missing: {exc}")
    try:
        backend = keyring.get_keyring()
    except Exception as exc:  # noqa: BLE001 - a broken backend config must not crash sesfix
        return KeyringStatus(False, "none", f"the keyring could not start: {type(exc).__name__}")
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    if isinstance(backend, fail.Keyring) or _priority(backend) <= 0:
        return KeyringStatus(
            False,
            name,
            "no usable OS keyring (on Linux: a Secret Service such as gnome-keyring "
            "must be running and unlocked)",
        )
    if not _is_os_keyring(backend):
        return KeyringStatus(
            False,
            name,
            f"the keyring backend {name} is not an OS keyring (it may keep secrets in a "
            "file); sesfix stores secrets only in the OS keyring",
        )
    return KeyringStatus(True, name)


# Backends that keep secrets in the operating system's own store.
_OS_BACKENDS = (
    "keyring.backends.SecretService",
    "keyring.backends.libsecret",
    "keyring.backends.macOS",
    "keyring.backends.Windows",
    "keyring.backends.kwallet",
)


def _priority(backend: object) -> float:
    try:
        return float(getattr(backend, "priority", 1))
    except Exception:  # noqa: BLE001 - keyring's priority raises when the backend is unusable
        return 0.0


def _is_os_keyring(backend: object) -> bool:
    module = type(backend).__module__
    if module == "keyring.backends.chainer":
        inner = list(getattr(backend, "backends", []))
        return bool(inner) and all(_is_os_keyring(b) for b in inner)
    return module.startswith(_OS_BACKENDS)


def _errors() -> tuple[type[BaseException], ...]:
    from keyring.errors import KeyringError

    return (KeyringError, OSError, RuntimeError)


def store_credentials(
    label: str, access_key_id: str, secret: Secret, session_token: Secret | None = None
) -> KeyringStatus:
    """Store a key pair under ``label``. Never raises; ``usable=False`` means not stored."""
    status = keyring_status()
    if not status.usable:
        return status
    import keyring

    payload = {"access_key_id": access_key_id, "secret_access_key": secret.reveal()}
    if session_token is not None:
        payload["session_token"] = session_token.reveal()
    try:
        keyring.set_password(SERVICE, label, json.dumps(payload))
        labels = set(list_labels())
        labels.add(label)
        keyring.set_password(SERVICE, _INDEX, json.dumps(sorted(labels)))
    except _errors() as exc:
        return KeyringStatus(False, status.backend, f"the keyring refused: {type(exc).__name__}")
    return status


def load_credentials(label: str) -> StaticCredentials | None:
    status = keyring_status()
    if not status.usable:
        return None
    import keyring

    try:
        raw = keyring.get_password(SERVICE, label)
    except _errors():
        return None
    if not raw:
        return None
    try:
        data = json.loads(raw)
        token = data.get("session_token")
        return StaticCredentials(
            str(data["access_key_id"]),
            Secret(str(data["secret_access_key"])),
            Secret(token) if token else None,
        )
    except (ValueError, KeyError, TypeError):
        return None


def delete_credentials(label: str) -> bool:
    status = keyring_status()
    if not status.usable:
        return False
    import keyring
    from keyring.errors import PasswordDeleteError

    try:
        keyring.delete_password(SERVICE, label)
    except PasswordDeleteError:
        return False
    except _errors():
        return False
    labels = [x for x in list_labels() if x != label]
    try:
        keyring.set_password(SERVICE, _INDEX, json.dumps(labels))
    except _errors():
        return True
    return True


def list_labels() -> list[str]:
    status = keyring_status()
    if not status.usable:
        return []
    import keyring

    try:
        raw = keyring.get_password(SERVICE, _INDEX)
    except _errors():
        return []
    if not raw:
        return []
    try:
        labels = json.loads(raw)
    except ValueError:
        return []
    return [str(x) for x in labels] if isinstance(labels, list) else []
