"""The app's mail settings as the app sees them (their lint: sesfix.diagnosis.credentials).

Values are kept exactly as given (whitespace, quotes and all): finding a
trailing space is part of the job. Secrets are held as :class:`Secret`.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from sesfix.errors import UsageError
from sesfix.masking import Secret, mask_key_id

KEY_ID = "AWS_ACCESS_KEY_ID"
SECRET = "AWS_SECRET_ACCESS_KEY"
TOKEN = "AWS_SESSION_TOKEN"
REGION = "AWS_SES_REGION"
PROVIDER = "EMAIL_PROVIDER"
EMAIL_FROM = "EMAIL_FROM"
#: Optional: the configuration set the app names on every send (issue 15); not linted.
CONFIGURATION_SET = "SES_CONFIGURATION_SET"

VARIABLES: tuple[str, ...] = (KEY_ID, SECRET, TOKEN, REGION, PROVIDER, EMAIL_FROM)
REQUIRED: tuple[str, ...] = (KEY_ID, SECRET, REGION, PROVIDER, EMAIL_FROM)
SECRET_VARIABLES = frozenset({SECRET, TOKEN})

MAX_ENV_FILE_BYTES = 1024 * 1024
#: The longest value of one variable sesfix uses. A longer one (a pasted file, a log) is a
#: finding that shows only its length and is never sent to AWS nor used to sign a request.
MAX_VALUE_CHARS = 4096

_ZERO_WIDTH = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}
QUOTE_PAIRS = {('"', '"'), ("'", "'"), ("`", "`"), ("\u201c", "\u201d"), ("\u2018", "\u2019")}
_KEY_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_SECRET_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+=")


@dataclass(frozen=True)
class AppSettings:
    """The six variables, raw. ``source`` says where they came from (for people)."""

    #: Not secret to AWS, but shown only masked (AKIA…WXYZ): kept out of repr.
    access_key_id: str | None = field(default=None, repr=False)
    secret_access_key: Secret | None = None
    session_token: Secret | None = None
    region: str | None = None
    provider: str | None = None
    email_from: str | None = None
    source: str = "environment"
    domain_override: str | None = None
    configuration_set: str | None = None
    #: The app's ``SMTP_*`` variables as given (passwords wrapped as Secret), for the SMTP
    #: checks (:mod:`sesfix.smtp.settings` reads them); empty when the app has none.
    smtp_values: Mapping[str, str | Secret] = field(default_factory=dict, repr=False)
    #: ``check --smtp``: run the SMTP checks even when no SMTP variable is set.
    smtp_requested: bool = False

    @classmethod
    def from_mapping(cls, values: Mapping[str, str], source: str) -> AppSettings:
        def text(name: str) -> str | None:
            value = values.get(name)
            return None if value is None else str(value)

        def secret(name: str) -> Secret | None:
            value = text(name)
            return None if value is None else Secret(value)

        return cls(
            access_key_id=text(KEY_ID),
            secret_access_key=secret(SECRET),
            session_token=secret(TOKEN),
            region=text(REGION),
            provider=text(PROVIDER),
            email_from=text(EMAIL_FROM),
            source=source,
            configuration_set=(text(CONFIGURATION_SET) or "").strip() or None,
            smtp_values={
                k: Secret(str(v)) if "PASS" in k else str(v)
                for k, v in values.items()
                if k.startswith("SMTP_") and v is not None
            },
        )

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> AppSettings:
        return cls.from_mapping(os.environ if environ is None else environ, "environment")

    @classmethod
    def from_env_file(cls, path: str | Path) -> AppSettings:
        return cls.from_mapping(read_env_file(path), f"env file {path}")

    def with_domain(self, domain: str | None) -> AppSettings:
        return replace(self, domain_override=domain)

    def raw(self, name: str) -> str | None:
        """The raw value of a variable; secrets revealed, for in-process use only."""
        value: str | Secret | None = {
            KEY_ID: self.access_key_id,
            SECRET: self.secret_access_key,
            TOKEN: self.session_token,
            REGION: self.region,
            PROVIDER: self.provider,
            EMAIL_FROM: self.email_from,
        }[name]
        if isinstance(value, Secret):
            return value.reveal()
        return value

    def present(self) -> dict[str, bool]:
        return {name: bool(self.raw(name)) for name in VARIABLES}

    @property
    def has_credentials(self) -> bool:
        return bool(self.access_key_id) and bool(self.secret_access_key)

    @property
    def masked_key_id(self) -> str:
        """``AKIA…WXYZ``; a value that is no key ID (a secret pasted there, a huge value)
        is not even partly shown."""
        value = self.access_key_id
        if value and len(value) > MAX_VALUE_CHARS:
            return f"(a {len(value)}-character value, not shown)"
        if value and looks_like_secret(clean(value)):
            return "(a secret-shaped value, not shown)"
        return mask_key_id(value)

    def oversized(self) -> list[str]:
        """The variables whose value is longer than :data:`MAX_VALUE_CHARS`."""
        return [n for n in VARIABLES if len(self.raw(n) or "") > MAX_VALUE_CHARS]

    @property
    def key_and_secret_swapped(self) -> bool:
        """AWS_ACCESS_KEY_ID holds a value shaped like a secret (key, token, SMTP password)."""
        value = self.access_key_id
        return (
            bool(value)
            and not key_id_shaped(clean(value or ""))
            and looks_like_secret(clean(value or ""))
        )

    def for_probes(self) -> AppSettings:
        """These settings without what must never reach AWS: a key pair whose key ID is a
        secret (signing would put it in the Authorization header) and oversized values."""
        drop = set(self.oversized())
        if self.key_and_secret_swapped:
            drop |= {KEY_ID, SECRET, TOKEN}
        if not drop:
            return self
        fields = {
            KEY_ID: "access_key_id",
            SECRET: "secret_access_key",
            TOKEN: "session_token",
            REGION: "region",
            PROVIDER: "provider",
            EMAIL_FROM: "email_from",
        }
        if {KEY_ID, SECRET} & drop:
            drop |= {KEY_ID, SECRET, TOKEN}
        cleared: dict[str, Any] = {fields[name]: None for name in drop}
        return replace(self, **cleared)

    @property
    def sender_address(self) -> str | None:
        if not self.email_from:
            return None
        _name, address = parseaddr(clean(self.email_from))
        # Without an @ it is no address (and may be anything pasted there; never echo it).
        return address if "@" in address else None

    @property
    def domain(self) -> str | None:
        if self.domain_override:
            return self.domain_override.strip().lower().rstrip(".") or None
        address = self.sender_address
        if not address or "@" not in address:
            return None
        return address.rsplit("@", 1)[1].strip().lower().rstrip(".") or None

    @property
    def clean_region(self) -> str | None:
        return clean(self.region).lower() if self.region else None

    def cleaned(self) -> AppSettings:
        """The same settings with whitespace, invisible characters and quotes removed."""

        def c(value: str | None) -> str | None:
            return None if value is None else clean(value)

        def cs(value: Secret | None) -> Secret | None:
            return None if value is None else Secret(clean(value.reveal()))

        return replace(
            self,
            access_key_id=c(self.access_key_id),
            secret_access_key=cs(self.secret_access_key),
            session_token=cs(self.session_token),
            region=c(self.region),
            provider=c(self.provider),
            email_from=c(self.email_from),
        )

    def describe(self) -> dict[str, str]:
        """Safe to show: key ID masked, secrets only as present/absent with length."""
        out: dict[str, str] = {}
        for name in VARIABLES:
            value = self.raw(name)
            if value is None:
                out[name] = "(not set)"
            elif name == KEY_ID:
                out[name] = self.masked_key_id
            elif len(value) > MAX_VALUE_CHARS:
                out[name] = f"(set, {len(value)} characters, not shown)"
            elif name in SECRET_VARIABLES:
                out[name] = f"(set, {len(value)} characters)"
            else:
                out[name] = value
        return out


def read_env_file(path: str | Path) -> dict[str, str]:
    """Read a dotenv file as the app's dotenv loader would; refuse what is not one."""
    from dotenv import dotenv_values

    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise UsageError(f"cannot read env file {p}: {exc.strerror or exc}") from None
    if not p.is_file():
        raise UsageError(f"env file {p} is not a regular file")
    if size > MAX_ENV_FILE_BYTES:
        raise UsageError(f"env file {p} is {size} bytes; a dotenv file over 1 MiB is not supported")
    try:
        raw = p.read_bytes()
        text = raw.decode("utf-8-sig")
    except OSError as exc:
        raise UsageError(f"cannot read env file {p}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise UsageError(f"env file {p} is not UTF-8 text") from None
    if "\x00" in text:
        raise UsageError(f"env file {p} is binary, not a dotenv file")
    import io

    values = dotenv_values(stream=io.StringIO(text))
    return {k: v for k, v in values.items() if v is not None}


# --- values ------------------------------------------------------------------------------


def strip_invisible(value: str) -> str:
    return "".join(ch for ch in value if ch not in _ZERO_WIDTH)


def clean(value: str) -> str:
    """What the value should have been: no invisible characters, whitespace or quotes."""
    out = strip_invisible(value).replace("\u00a0", " ").strip()
    for left, right in QUOTE_PAIRS:
        if len(out) >= 2 and out.startswith(left) and out.endswith(right):
            out = out[1:-1].strip()
            break
    return out


def _char_name(ch: str) -> str:
    names = {" ": "space", "\t": "tab", "\n": "newline", "\r": "carriage return"}
    return names.get(ch) or unicodedata.name(ch, f"U+{ord(ch):04X}").lower()


@dataclass(frozen=True)
class Spot:
    """One invisible character in a value: where (leading, inner, trailing), which, at."""

    where: str
    name: str
    code: str
    position: int
    length: int


def whitespace_spots(value: str) -> list[Spot]:
    """The invisible characters of a value, by position, never showing the value."""
    spots: list[Spot] = []
    n = len(value)
    for i, ch in enumerate(value):
        invisible = ch in _ZERO_WIDTH or ch == "\u00a0" or ch.isspace()
        if not invisible:
            continue
        if i == 0 or value[:i].strip() == "":
            where = "leading"
        elif i == n - 1 or (
            value[i + 1 :].strip() == "" and all(c not in _ZERO_WIDTH for c in value[i + 1 :])
        ):
            where = "trailing"
        else:
            where = "inner"
        spots.append(Spot(where, _char_name(ch), f"U+{ord(ch):04X}", i + 1, n))
    return spots


def whitespace_problems(value: str) -> list[str]:
    """Human descriptions (English) of invisible characters, by position."""
    return [
        f"{s.where} {s.name} ({s.code}) at position {s.position} of {s.length}"
        for s in whitespace_spots(value)
    ]


_KEY_ID_RE = re.compile(r"^A(?:KIA|SIA)[A-Z0-9]{16}$")


def key_id_shaped(value: str) -> bool:
    """An access key ID's shape: AKIA (long-term) or ASIA (temporary) and 16 more of A-Z 0-9.
    Only such a value is ever sent to AWS as a key ID parameter."""
    return bool(_KEY_ID_RE.match(value))


def looks_like_secret(value: str) -> bool:
    """The shape of a secret access key (40), an SMTP password (44) or a session token
    (hundreds): base64 characters, mixed case with digits, 30 or more of them."""
    return (
        len(value) >= 30
        and set(value) <= _SECRET_ALPHABET
        and any(c.islower() for c in value)
        and any(c.isupper() for c in value)
        and any(c.isdigit() for c in value)
    )


def to_idna(domain: str) -> str:
    """A domain as AWS takes it: international labels in their IDNA (``xn--``) form."""
    name = domain.strip().rstrip(".")
    if name.isascii():
        return name.lower()
    try:
        return name.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return name


def both_forms(domain: str) -> str:
    """``bücher.example (xn--bcher-kva.example)``; an ASCII domain stays as it is."""
    ascii_form = to_idna(domain)
    if ascii_form == domain or domain.isascii():
        return domain
    return f"{domain} ({ascii_form})"


_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")


def is_domain_name(value: str) -> bool:
    """A DNS name SES could verify: two or more labels of letters, digits and inner
    hyphens (international names in their IDNA form), at most 253 characters."""
    name = value.strip().rstrip(".")
    if not name or any(ch.isspace() for ch in name):
        return False
    if not name.isascii():
        try:
            name = name.encode("idna").decode("ascii")
        except UnicodeError:
            return False
    labels = name.split(".")
    return (
        len(name) <= 253
        and len(labels) >= 2
        and all(_LABEL.match(label) for label in labels)
        and not labels[-1].isdigit()
    )


__all__ = [
    "KEY_ID",
    "MAX_VALUE_CHARS",
    "QUOTE_PAIRS",
    "REGION",
    "SECRET",
    "TOKEN",
    "VARIABLES",
    "AppSettings",
    "both_forms",
    "clean",
    "is_domain_name",
    "key_id_shaped",
    "looks_like_secret",
    "read_env_file",
    "strip_invisible",
    "to_idna",
    "whitespace_problems",
    "whitespace_spots",
]
