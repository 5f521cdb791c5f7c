"""One gateway per run, built from the app's settings and the optional operator.

Diagnosis, fixes and the wizard all build their gateway here, so none of them imports
another to reach AWS.
"""

from __future__ import annotations

from collections.abc import Iterable

from sesfix.aws.gateway import Gateway, Listener
from sesfix.aws.identity import Identities, OperatorSpec, StaticCredentials
from sesfix.settings import AppSettings


def app_credentials(settings: AppSettings) -> StaticCredentials | None:
    if not settings.access_key_id or not settings.secret_access_key:
        return None
    token = settings.session_token if settings.session_token else None
    return StaticCredentials(settings.access_key_id, settings.secret_access_key, token)


def make_gateway(
    settings: AppSettings, operator: OperatorSpec | None, listeners: Iterable[Listener] = ()
) -> Gateway:
    """The gateway for one run: app credentials exactly as given, plus the operator."""
    identities = Identities(app_credentials(settings), operator)
    identities.check_operator_profile()
    scrub = tuple(s for s in (settings.secret_access_key, settings.session_token) if s is not None)
    return Gateway(identities, listeners=list(listeners), scrub=scrub)
