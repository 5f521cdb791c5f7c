"""The SMTP credentials that go with a key: what rotation must renew when the app uses SMTP.

Pure: from the app's variables and a key pair, the SMTP username and password variables to
write (the app's own spellings), with the password derived for the SMTP endpoint's region.
"""

from __future__ import annotations

from collections.abc import Mapping

from sesfix.masking import Secret
from sesfix.smtp import derive, endpoints
from sesfix.smtp.settings import SmtpSettings


def smtp_credentials(
    values: Mapping[str, str | Secret], key_id: str, secret: Secret, source: str = ""
) -> dict[str, Secret]:
    """``{SMTP_USERNAME: key_id, SMTP_PASSWORD: derived}`` when the app sends through SES's
    SMTP endpoint (a host naming a region that has one); empty otherwise."""
    smtp = SmtpSettings.from_mapping(values, source)
    region = smtp.region
    if not smtp.configured or region is None or region in endpoints.NO_SMTP_ENDPOINT:
        return {}
    return {
        smtp.username_variable: Secret(key_id),
        smtp.password_variable: Secret(derive.smtp_password(secret.reveal(), region)),
    }


__all__ = ["smtp_credentials"]
