"""The practice account's SESv2: what moto lacks or gets wrong, made as AWS does it.

* The account-level suppression list (sesv2 Get/Put/DeleteSuppressedDestination), which
  moto does not implement: added to moto's SESv2 service in this process, with AWS's paths
  and shapes, behind moto's IAM authentication and authorisation like every other call;
  entries are kept per (account, region) and cleared when a scenario is loaded.
* SES's DKIM status for a domain whose records a scenario withheld: Pending until the
  practice DNS has them, as AWS reports it until it finds them.
* The signature check of REST reads with a name in the path (GetEmailIdentity,
  GetConfigurationSet), which moto computes over the wrong body.

Nothing here runs outside practice mode and the tests.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

_LOCK = threading.Lock()
#: (account, region) -> address (lower case) -> (address as given, reason, unix time)
_LISTS: dict[tuple[str, str], dict[str, tuple[str, str, float]]] = {}
_INSTALLED = False

_ADDRESS_PATH = "{0}/v2/email/suppression/addresses/(?P<EmailAddress>[^/]+)$"
_LIST_PATH = "{0}/v2/email/suppression/addresses$"


def clear() -> None:
    with _LOCK:
        _LISTS.clear()
        _DKIM_WATCH.clear()


def suppress(account: str, region: str, address: str, reason: str = "BOUNCE") -> None:
    """Put ``address`` on the list, as SES does after a hard bounce or a complaint."""
    with _LOCK:
        _LISTS.setdefault((account, region), {})[address.lower()] = (address, reason, time.time())


def listed(account: str, region: str) -> list[str]:
    with _LOCK:
        return sorted(v[0] for v in _LISTS.get((account, region), {}).values())


def _key(response: Any) -> tuple[str, str]:
    return str(response.current_account), str(response.region)


def _address(response: Any) -> str:
    from urllib.parse import unquote

    return unquote(str(response._get_param("EmailAddress") or ""))


def _not_found(address: str) -> Exception:
    from moto.ses.exceptions import NotFoundException

    return NotFoundException(f"Email address {address} does not exist on your suppression list.")


def _get(response: Any) -> str:
    address = _address(response)
    with _LOCK:
        entry = _LISTS.get(_key(response), {}).get(address.lower())
    if entry is None:
        raise _not_found(address)
    given, reason, when = entry
    return json.dumps(
        {"SuppressedDestination": {"EmailAddress": given, "Reason": reason, "LastUpdateTime": when}}
    )


def _put(response: Any) -> str:
    from moto.ses.exceptions import InvalidParameterValue

    address = _address(response)
    reason = str(response._get_param("Reason") or "")
    if reason not in ("BOUNCE", "COMPLAINT"):
        raise InvalidParameterValue("Reason must be BOUNCE or COMPLAINT")
    account, region = _key(response)
    suppress(account, region, address, reason)
    return "{}"


def _delete(response: Any) -> str:
    address = _address(response)
    with _LOCK:
        entries = _LISTS.get(_key(response), {})
        if address.lower() not in entries:
            raise _not_found(address)
        del entries[address.lower()]
    return "{}"


#: Domains whose DKIM records a scenario withheld: SES's DKIM status follows the practice DNS.
_DKIM_WATCH: dict[str, Any] = {}


def watch_dkim(domain: str, zone: Any | None) -> None:
    """While ``zone`` lacks the domain's DKIM CNAMEs, SES reports its DKIM as Pending, as
    AWS does until it finds them; ``None`` stops watching."""
    with _LOCK:
        if zone is None:
            _DKIM_WATCH.pop(domain.lower(), None)
        else:
            _DKIM_WATCH[domain.lower()] = zone


def _dkim_follows_dns() -> None:
    from moto.ses.models import SESBackend

    original = SESBackend.get_identity_dkim_attributes
    if getattr(original, "_sesfix_dns", False):
        return

    def get_identity_dkim_attributes(self: Any, identities: list[str]) -> dict[str, Any]:
        result: dict[str, Any] = original(self, identities)
        for name, attrs in result.items():
            with _LOCK:
                zone = _DKIM_WATCH.get(name.lower())
            tokens = attrs.get("DkimTokens") or []
            if zone is None or not tokens:
                continue
            published = all(zone.lookup(f"{t}._domainkey.{name}", "CNAME")[0] for t in tokens)
            attrs["DkimVerificationStatus"] = "Success" if published else "Pending"
        return result

    get_identity_dkim_attributes._sesfix_dns = True  # type: ignore[attr-defined]
    SESBackend.get_identity_dkim_attributes = get_identity_dkim_attributes  # type: ignore[method-assign]


def install() -> None:
    """Teach moto's SESv2 service the three calls (before the server starts; once)."""
    global _INSTALLED
    _signed_reads_without_body()
    _dkim_follows_dns()
    with _LOCK:
        if _INSTALLED:
            return
        from moto.sesv2 import urls
        from moto.sesv2.responses import SESV2Response

        SESV2Response.get_suppressed_destination = _get  # type: ignore[attr-defined]
        SESV2Response.put_suppressed_destination = _put  # type: ignore[attr-defined]
        SESV2Response.delete_suppressed_destination = _delete  # type: ignore[attr-defined]
        urls.url_paths.setdefault(_ADDRESS_PATH, SESV2Response.dispatch)
        urls.url_paths.setdefault(_LIST_PATH, SESV2Response.dispatch)
        _INSTALLED = True


def _signed_reads_without_body() -> None:
    """moto checks a GET's signature against its headers as if they were the body.

    For REST calls with the name in the path (``sesv2:GetEmailIdentity``,
    ``GetConfigurationSet``) moto's IAM check passes the request's headers as its "data", so
    the body hash it computes is not the empty body's and every such call answers
    SignatureDoesNotMatch. AWS hashes the empty body; so does the practice account.
    """
    from moto.iam import access_control

    original = access_control.IAMRequestBase._create_aws_request
    if getattr(original, "_sesfix_empty_body", False):
        return

    def create_aws_request(self: Any) -> Any:
        if self._method in ("GET", "HEAD", "DELETE") and not self._body:
            self._data = b""
        return original(self)

    create_aws_request._sesfix_empty_body = True  # type: ignore[attr-defined]
    access_control.IAMRequestBase._create_aws_request = create_aws_request  # type: ignore[method-assign]


__all__ = ["clear", "install", "listed", "suppress", "watch_dkim"]
