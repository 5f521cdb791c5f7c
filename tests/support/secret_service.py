"""A real Secret Service for the keyring tests.

Three cases, in order:

1. one is already reachable on the session bus (``with-secret-service.sh`` started it, or a
   developer's desktop): use it;
2. ``dbus-daemon`` and ``gnome-keyring-daemon`` are installed: start a private bus and an
   unlocked gnome-keyring on it for this test session, in a temporary directory;
3. neither: the keyring tests skip, saying why, unless ``SESFIX_SECRET_SERVICE=1``
   (set by the script) promised one, in which case they fail.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


@dataclass
class SecretService:
    how: str
    data_dir: Path | None  # where its (encrypted) keyring files are, when known


def reachable() -> bool:
    try:
        import secretstorage
    except ImportError:
        return False
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        return False
    try:
        conn = secretstorage.dbus_init()
    except Exception:  # noqa: BLE001 - no bus at that address
        return False
    try:
        if not secretstorage.check_service_availability(conn):
            return False
        collection = secretstorage.get_default_collection(conn)
        return not collection.is_locked()
    except Exception:  # noqa: BLE001 - a service that cannot answer is not reachable
        return False
    finally:
        conn.close()


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return


@contextmanager
def private_secret_service() -> Iterator[SecretService]:
    """A private session bus with an unlocked gnome-keyring; environment restored after."""
    work = Path(tempfile.mkdtemp(prefix="sesfix-secret-service-"))
    saved = {k: os.environ.get(k) for k in ("DBUS_SESSION_BUS_ADDRESS",)}
    pids: list[int] = []
    try:
        bus = subprocess.run(
            ["dbus-daemon", "--session", "--fork", "--print-address=1", "--print-pid=1"],
            capture_output=True,
            text=True,
            timeout=20,
            check=True,
        )
        address, pid = bus.stdout.split()[:2]
        pids.append(int(pid))
        os.environ["DBUS_SESSION_BUS_ADDRESS"] = address
        (work / "data").mkdir(mode=0o700)
        (work / "runtime").mkdir(mode=0o700)
        daemon_env = {
            **os.environ,
            "XDG_DATA_HOME": str(work / "data"),
            "XDG_RUNTIME_DIR": str(work / "runtime"),
        }
        unlock = subprocess.run(
            ["gnome-keyring-daemon", "--daemonize", "--unlock", "--components=secrets"],
            input=secrets.token_hex(16),
            env=daemon_env,
            capture_output=True,
            text=True,
            timeout=20,
            check=True,
        )
        for line in unlock.stdout.splitlines():
            if line.startswith("GNOME_KEYRING_PID="):
                pids.append(int(line.split("=", 1)[1]))
        subprocess.run(
            ["gnome-keyring-daemon", "--start", "--components=secrets"],
            env=daemon_env,
            capture_output=True,
            timeout=20,
            check=True,
        )
        deadline = time.monotonic() + 10
        while not reachable():
            if time.monotonic() > deadline:
                raise RuntimeError("gnome-keyring started but the Secret Service did not answer")
            time.sleep(0.1)
        yield SecretService("private gnome-keyring started by the tests", work / "data")
    finally:
        for pid in reversed(pids):
            _kill(pid)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        shutil.rmtree(work, ignore_errors=True)


def can_start_private() -> str | None:
    """None if a private Secret Service can be started here, else the reason it cannot."""
    missing = [t for t in ("dbus-daemon", "gnome-keyring-daemon") if shutil.which(t) is None]
    if missing:
        return "not installed: " + ", ".join(missing) + " (apt-get install dbus gnome-keyring)"
    try:
        import secretstorage  # noqa: F401
    except ImportError:
        return "the secretstorage package is not installed"
    return None
