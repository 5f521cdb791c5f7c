"""``SESFIX_DEBUG=1``: a verbose debug log that never holds a secret.

The log goes to :func:`sesfix.locations.debug_log_path` (mode 0600) and records
everything at DEBUG, botocore's request and response dumps included. One
:class:`RedactingFilter` sits on the handler, so it sees every record that reaches
the file, whichever logger emitted it, and rewrites the record before it is
formatted:

* every :class:`~sesfix.masking.Secret` this process has created, in any spelling
  a log line may carry it (plain, URL-encoded, JSON-escaped, ``repr`` of bytes);
* secret-bearing fields by name, whatever their value: ``SecretAccessKey``,
  ``SessionToken``, ``X-Amz-Security-Token`` (in headers, canonical requests and
  URL-encoded query strings), ``aws_secret_access_key``, ``SmtpPassword``;
* SigV4 signatures in every form botocore logs them: ``Signature=`` in the
  Authorization header, ``X-Amz-Signature=`` in presigned URLs, and the
  ``Signature:`` dump of botocore.auth;
* anything with the shape of a secret (:func:`sesfix.masking.redact`): secret access
  keys, session tokens, SMTP passwords, whatever field they sit in;
* AWS key IDs, masked as ``AKIA…WXYZ``.

The filter also runs as the log-record factory while the log is on, so every handler
(not only the file's) sees records already scrubbed. The same scrubbing serves crash
reports (:func:`scrub`).
"""

from __future__ import annotations

import functools
import logging
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sesfix.masking import known_secrets, mask_key_id, redact

ENV_VAR = "SESFIX_DEBUG"
MASK = "********"

_FIELD_PATTERNS = [
    # XML answers: <SecretAccessKey>..</SecretAccessKey>, <SessionToken>..</SessionToken>
    re.compile(
        r"(<(SecretAccessKey|SessionToken|SmtpPassword|Password)>)(.*?)(</\2>)",
        re.IGNORECASE | re.DOTALL,
    ),
]
# JSON / Python-repr / header / ini / query fields: name, separator, value.
_NAMED_VALUE = re.compile(
    r"""(?P<name>["']?(?:SecretAccessKey|SessionToken|SmtpPassword|aws_secret_access_key|
        aws_session_token|X-Amz-Security-Token|secret_access_key|session_token|
        AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN)["']?)
        (?P<sep>\s*[:=]\s*b?["']?)
        (?P<value>[^"'\s,}&<\]\)]+)""",
    re.IGNORECASE | re.VERBOSE,
)
_CREDENTIAL = re.compile(r"(Credential=)([^,\s]*?)(/\d{8}/[^/,\s]*/[^/,\s]*/aws4_request)")
# SigV4 signatures in every form botocore logs them: ``Signature=<hex>`` in an
# Authorization header, ``X-Amz-Signature=<hex>`` in a presigned URL (either also
# URL-encoded as ``Signature%3D``), and botocore.auth's own ``Signature:\n<hex>`` dump.
_SIGNATURE = re.compile(
    r"((?:Signature|X-Amz-Signature)(?:=|%3D|:\s*|\\n))([0-9a-f]{16,})", re.IGNORECASE
)
# Session tokens in any header, canonical-request or query spelling (also URL-encoded).
_TOKEN_ENCODED = re.compile(
    r"((?:X-Amz-Security-Token|SessionToken|security-token)(?:=|%3D|:\s*))([A-Za-z0-9%/+=_-]{16,})",
    re.IGNORECASE,
)
_SECRET_SHAPE = re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])")


@functools.lru_cache(maxsize=256)
def _secret_pattern(value: str) -> re.Pattern[str]:
    """The secret in any spelling a log line may carry: each character that is not a
    letter or digit may appear as itself, URL-encoded (either case) or backslash-escaped."""
    parts = []
    for ch in value:
        if ch.isalnum():
            parts.append(re.escape(ch))
            continue
        encoded = "".join(f"%{b:02X}" for b in ch.encode("utf-8"))
        options = {re.escape(ch), re.escape(encoded), re.escape(encoded.lower())}
        options.add(re.escape("\\" + ch))
        if ch == " ":
            options.add(r"\+")
        parts.append("(?:" + "|".join(sorted(options)) + ")")
    return re.compile("".join(parts))


def scrub_fields(text: str) -> str:
    """``text`` with the values of secret-bearing fields (by name, in XML, JSON, headers,
    ini and query strings, URL-encoded too) and SigV4 signatures masked."""
    for pattern in _FIELD_PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + MASK + m.group(4), text)
    text = _NAMED_VALUE.sub(lambda m: m.group("name") + m.group("sep") + MASK, text)
    text = _SIGNATURE.sub(lambda m: m.group(1) + MASK, text)
    return _TOKEN_ENCODED.sub(lambda m: m.group(1) + MASK, text)


def scrub(text: str) -> str:
    """``text`` with every known secret, secret-bearing field and key ID removed."""
    for secret in known_secrets():
        text = _secret_pattern(secret).sub(MASK, text)
    text = scrub_fields(text)
    # The key ID in a signed request; masked even when it is not key-shaped (a secret
    # pasted into AWS_ACCESS_KEY_ID is sent there).
    text = _CREDENTIAL.sub(lambda m: m.group(1) + mask_key_id(m.group(2)) + m.group(3), text)
    text = _SECRET_SHAPE.sub(MASK, text)
    return redact(text)


class RedactingFilter(logging.Filter):
    """Rewrites each record (message, arguments, traceback) through :func:`scrub`."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception as exc:  # noqa: BLE001 - a bad format string must not leak its args
            message = f"(unformattable log record: {type(exc).__name__}) {record.msg!s}"
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.exc_info = None
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        record.msg = scrub(message)
        record.args = None
        return True


_handler: logging.Handler | None = None
_previous_factory: Callable[..., logging.LogRecord] | None = None
_FILTER = RedactingFilter()


def _scrubbing_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
    assert _previous_factory is not None
    record = _previous_factory(*args, **kwargs)
    _FILTER.filter(record)
    return record


def enabled_by_environment() -> bool:
    return os.environ.get(ENV_VAR, "").strip().lower() in ("1", "true", "yes", "on")


def enable(path: Path | None = None) -> Path:
    """Send every log record, at DEBUG, through the filter to the debug log file."""
    global _handler, _previous_factory
    from sesfix.locations import debug_log_path

    target = path or debug_log_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.close(fd)
    os.chmod(target, 0o600)
    root = logging.getLogger()
    if _handler is not None:
        root.removeHandler(_handler)
        _handler.close()
    handler = logging.FileHandler(target, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    handler.addFilter(_FILTER)
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s")
    )
    # Scrub each record as it is made, so that every handler (not only ours) sees it
    # redacted; the handler's own filter is the second line of defence.
    if _previous_factory is None:
        _previous_factory = logging.getLogRecordFactory()
        logging.setLogRecordFactory(_scrubbing_factory)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    for name in ("botocore", "boto3", "urllib3", "sesfix"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    _handler = handler
    logging.getLogger("sesfix").debug("debug log opened at %s", target)
    return target


def disable() -> None:
    global _handler, _previous_factory
    if _previous_factory is not None:
        logging.setLogRecordFactory(_previous_factory)
        _previous_factory = None
    if _handler is not None:
        logging.getLogger().removeHandler(_handler)
        _handler.close()
        _handler = None
