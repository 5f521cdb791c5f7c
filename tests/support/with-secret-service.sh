#!/usr/bin/env bash
# Run a command with a real Secret Service: a private D-Bus session bus, gnome-keyring's
# secrets component on it, and its login collection created and unlocked.
#
#   tests/support/with-secret-service.sh pytest tests/test_keyring_secret_service.py
#
# Needs dbus (dbus-run-session) and gnome-keyring (gnome-keyring-daemon); on Debian:
#   apt-get install -y --no-install-recommends dbus gnome-keyring
# The keyring files live in a temporary directory removed on exit; the user's own
# keyring and session bus are never touched. The unlock password is random, passed on
# stdin only, and discarded. Exits with the command's status.
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 COMMAND [ARGS...]" >&2
  exit 2
fi
for tool in dbus-run-session gnome-keyring-daemon; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "$0: $tool is not installed (apt-get install dbus gnome-keyring)" >&2
    exit 127
  fi
done

if [ -z "${_SESFIX_SECRET_SERVICE_INNER:-}" ]; then
  export _SESFIX_SECRET_SERVICE_INNER=1
  exec dbus-run-session -- bash "$0" "$@"
fi
unset _SESFIX_SECRET_SERVICE_INNER

# --- inside the private session bus ---------------------------------------------------------
work="$(mktemp -d "${TMPDIR:-/tmp}/sesfix-secret-service.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir -m 700 "$work/data" "$work/runtime"

# The daemon keeps its keyrings under XDG_DATA_HOME and its control socket under
# XDG_RUNTIME_DIR; point both at the temporary directory, for the daemon only.
password="$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
printf '%s' "$password" |
  XDG_DATA_HOME="$work/data" XDG_RUNTIME_DIR="$work/runtime" \
    gnome-keyring-daemon --daemonize --unlock --components=secrets \
    >"$work/daemon.env" 2>"$work/daemon.log"
unset password
XDG_DATA_HOME="$work/data" XDG_RUNTIME_DIR="$work/runtime" \
  gnome-keyring-daemon --start --components=secrets >>"$work/daemon.env" 2>>"$work/daemon.log"

# Wait (bounded, 10 s) until the service answers on the bus and its default collection
# (the unlocked login keyring) exists.
ready=""
for _ in $(seq 1 100); do
  if dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets \
    org.freedesktop.Secret.Service.ReadAlias string:default 2>/dev/null |
    grep -q 'object path "/org/freedesktop/secrets/collection/'; then
    ready=1
    break
  fi
  sleep 0.1
done
if [ -z "$ready" ]; then
  echo "$0: gnome-keyring started but no Secret Service answered on the bus:" >&2
  cat "$work/daemon.log" >&2
  exit 1
fi

# Tells the keyring tests a Secret Service is expected (no skipping) and where its
# encrypted files are (they check no secret is in them in plain text).
export SESFIX_SECRET_SERVICE=1
export SESFIX_SECRET_SERVICE_DATA="$work/data"
set +e
"$@"
status=$?
set -e
exit "$status"
