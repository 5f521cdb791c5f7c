"""Where each AWS fix has something to do: the scenario and the typed inputs it needs.

Shared by the security tests (no write without confirmation) and the least-privilege
policy tests, so both exercise the same fixes in the same states.
"""

from __future__ import annotations

PRODUCTION_INPUTS = {
    "mail_type": "TRANSACTIONAL",
    "website_url": "https://anyrent.shop",
    "use_case": "Order confirmations and password resets for customers of the shop.",
}
#: (scenario, inputs) in which each AWS fix has something to do.
FIX_SETUPS: dict[str, tuple[str, dict[str, str]]] = {
    "attach-ses-full-access": ("seed", {}),
    "create-custom-policy": ("seed", {}),
    "rotate-access-key": ("lost-secret", {}),
    "reactivate-access-key": ("inactive-key", {}),
    "verify-domain": ("wrong-region", {}),
    "request-production-access": ("healthy", PRODUCTION_INPUTS),
    "verify-recipient": ("sandbox-recipient", {"recipient": "owner@gmail.com"}),
    "unsuppress-recipient": ("suppressed-recipient", {"recipient": "owner@gmail.com"}),
}
