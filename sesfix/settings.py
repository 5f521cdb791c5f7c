"""The app's mail settings as the app sees them, and their lint.

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

from sesfix import findings as F
from sesfix.aws import regions
from sesfix.errors import UsageError
from sesfix.masking import Secret, mask_key_id

KEY_ID = "AWS_ACCESS_KEY_ID"
SECRET = "AWS_SECRET_ACCESS_KEY"
TOKEN = "AWS_SESSION_TOKEN"
REGION = "AWS_SES_REGION"
PROVIDER = "EMAIL_PROVIDER"
EMAIL_FROM = "EMAIL_FROM"

VARIABLES: tuple[str, ...] = (KEY_ID, SECRET, TOKEN, REGION, PROVIDER, EMAIL_FROM)
REQUIRED: tuple[str, ...] = (KEY_ID, SECRET, REGION, PROVIDER, EMAIL_FROM)
SECRET_VARIABLES = frozenset({SECRET, TOKEN})

MAX_ENV_FILE_BYTES = 1024 * 1024

_ZERO_WIDTH = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}
_QUOTES = {('"', '"'), ("'", "'"), ("`", "`"), ("\u201c", "\u201d"), ("\u2018", "\u2019")}
_KEY_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_SECRET_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+=")
_ENTITY_PREFIXES = {
    "AIDA": "an IAM user ID",
    "AROA": "an IAM role ID",
    "AGPA": "an IAM group ID",
    "ANPA": "a managed policy ID",
    "ANVA": "a policy version ID",
    "AIPA": "an EC2 instance profile ID",
    "APKA": "a CloudFront public key ID",
    "ASCA": "a certificate ID",
}


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
        return mask_key_id(self.access_key_id)

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
                out[name] = mask_key_id(value)
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


# --- lint -------------------------------------------------------------------------------


def strip_invisible(value: str) -> str:
    return "".join(ch for ch in value if ch not in _ZERO_WIDTH)


def clean(value: str) -> str:
    """What the value should have been: no invisible characters, whitespace or quotes."""
    out = strip_invisible(value).replace("\u00a0", " ").strip()
    for left, right in _QUOTES:
        if len(out) >= 2 and out.startswith(left) and out.endswith(right):
            out = out[1:-1].strip()
            break
    return out


def _char_name(ch: str) -> str:
    names = {" ": "space", "\t": "tab", "\n": "newline", "\r": "carriage return"}
    return names.get(ch) or unicodedata.name(ch, f"U+{ord(ch):04X}").lower()


def whitespace_problems(value: str) -> list[str]:
    """Human descriptions of invisible characters, by position, never showing the value."""
    problems: list[str] = []
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
        problems.append(f"{where} {_char_name(ch)} (U+{ord(ch):04X}) at position {i + 1} of {n}")
    return problems


def _quoted(value: str) -> bool:
    v = strip_invisible(value).strip()
    return any(len(v) >= 2 and v.startswith(lft) and v.endswith(rgt) for lft, rgt in _QUOTES)


def looks_like_smtp_password(secret: str) -> bool:
    """SES SMTP passwords: 44 base64 characters, first byte 0x04 ('B...')."""
    return len(secret) == 44 and set(secret) <= _SECRET_ALPHABET and secret.startswith("B")


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


def _secret_shaped(value: str) -> bool:
    """About 40 characters of the secret alphabet, mixed case and digits: a secret key."""
    v = clean(value)
    return (
        30 <= len(v) <= 60
        and set(v) <= _SECRET_ALPHABET
        and any(c.islower() for c in v)
        and any(c.isupper() for c in v)
        and any(c.isdigit() for c in v)
    )


def _echo(settings: AppSettings, value: str, limit: int) -> str:
    """``repr`` of a plain variable for evidence, unless it is (or looks like) a secret
    pasted into the wrong variable: then only its shape is shown."""
    secrets = [settings.raw(SECRET), settings.raw(TOKEN)]
    if any(s and len(clean(s)) >= 6 and clean(s) in value for s in secrets):
        return "(the secret's value, not shown)"
    if _secret_shaped(value):
        return "(a value shaped like a secret access key, not shown)"
    return repr(value[:limit])


def lint(settings: AppSettings) -> list[F.Finding]:
    """Static checks of the six variables; no network."""
    out: list[F.Finding] = []
    src = settings.source

    for name in REQUIRED:
        value = settings.raw(name)
        if value is None or value.strip() == "":
            state = "is not set" if value is None else "is empty"
            out.append(F.make("config.missing_variable", f"{name} {state} in {src}", variable=name))

    for name in VARIABLES:
        value = settings.raw(name)
        if not value or (value.strip() == "" and name not in SECRET_VARIABLES):
            continue
        problems = whitespace_problems(value)
        if name == EMAIL_FROM:
            # 'Rental Shop <no-reply@anyrent.shop>': spaces inside the display name are fine.
            problems = [p for p in problems if not p.startswith("inner space ")]
        if problems:
            out.append(
                F.make(
                    "credentials.whitespace",
                    *(f"{name}: {p}" for p in problems[:5]),
                    variable=name,
                    step=2,
                )
            )
        if _quoted(value):
            out.append(
                F.make(
                    "credentials.quoted_value",
                    f"{name} starts and ends with a quote character ({len(value)} characters)",
                    variable=name,
                )
            )

    key_id = settings.access_key_id
    secret = settings.raw(SECRET)
    token = settings.raw(TOKEN)
    if key_id:
        k = clean(key_id)
        reasons: list[str] = []
        prefix = k[:4].upper()
        if prefix in _ENTITY_PREFIXES:
            reasons.append(f"prefix {prefix} marks {_ENTITY_PREFIXES[prefix]}, not an access key")
        elif prefix not in ("AKIA", "ASIA"):
            reasons.append(f"starts with {k[:4]!r}, not AKIA or ASIA")
        if len(k) != 20:
            reasons.append(f"is {len(k)} characters long, not 20")
        bad = sorted({c for c in k if c not in _KEY_ALPHABET})
        if bad:
            lower = any(c.islower() for c in bad)
            reasons.append(
                "contains lower-case letters"
                if lower
                else f"contains {len(bad)} character(s) outside A-Z 0-9"
            )
        if reasons:
            out.append(
                F.make(
                    "credentials.key_id_malformed",
                    *(f"{KEY_ID} ({mask_key_id(k)}) {r}" for r in reasons),
                )
            )
        if prefix == "ASIA" and not (token and token.strip()):
            out.append(
                F.make(
                    "credentials.temporary_key_without_token",
                    f"{KEY_ID} ({mask_key_id(k)}) is a temporary key and {TOKEN} is not set",
                )
            )
        if prefix == "AKIA" and token and token.strip():
            out.append(
                F.make(
                    "credentials.stale_session_token",
                    f"{TOKEN} is set ({len(token)} characters) beside the long-term key "
                    f"{mask_key_id(k)}",
                )
            )
    if secret:
        s = clean(secret)
        if looks_like_smtp_password(s):
            out.append(
                F.make(
                    "credentials.smtp_password_as_secret",
                    f"{SECRET} is 44 characters and starts like an SES SMTP password "
                    "(a secret access key is 40)",
                )
            )
        elif len(s) != 40 or not set(s) <= _SECRET_ALPHABET:
            why = []
            if len(s) != 40:
                why.append(f"is {len(s)} characters long, not 40")
            if not set(s) <= _SECRET_ALPHABET:
                why.append("contains characters outside A-Z a-z 0-9 / + =")
            out.append(F.make("credentials.secret_malformed", *(f"{SECRET} {w}" for w in why)))

    provider = settings.provider
    # Whitespace or quotes around 'ses' were reported above against EMAIL_PROVIDER.
    if provider is not None and provider.strip() != "" and clean(provider) != "ses":
        out.append(
            F.make(
                "config.provider_not_ses",
                f"{PROVIDER} is {_echo(settings, clean(provider), 40)}, the app sends with SES only for 'ses'",
            )
        )

    region = settings.region
    if region is not None and region.strip() != "":
        r = clean(region)
        if not regions.is_ses_region(r):
            hint = regions.closest_region_names(r)
            evidence = [
                f"{REGION} is {_echo(settings, r, 40)}, which is not a region where SES is offered"
            ]
            if r.lower() != r and regions.is_ses_region(r.lower()):
                evidence = [f"{REGION} is {r!r}: region names are lower case ({r.lower()!r})"]
            elif hint:
                evidence.append("did you mean " + " or ".join(hint) + "?")
            out.append(F.make("region.invalid", *evidence))

    if settings.email_from and settings.email_from.strip():
        address = settings.sender_address
        if not address or "@" not in address or not is_domain_name(address.rsplit("@", 1)[-1]):
            out.append(
                F.make(
                    "config.email_from_invalid",
                    f"{EMAIL_FROM} is {_echo(settings, clean(settings.email_from), 80)}: no sender address "
                    "with a domain could be read from it",
                )
            )
    return out


__all__ = [
    "KEY_ID",
    "REGION",
    "SECRET",
    "TOKEN",
    "VARIABLES",
    "AppSettings",
    "clean",
    "lint",
    "read_env_file",
]
