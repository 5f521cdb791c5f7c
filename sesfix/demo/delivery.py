"""What the delivery scenarios add to the practice account (issue 15): the learner's verified
test inboxes, the account's suppression list, and the domain's zone in the practice DNS.

Called by :meth:`sesfix.demo.account.SimulatedAccount.load` once the scenario's identities
exist (with authentication lifted, as the rest of the set-up).
"""

from __future__ import annotations

from typing import Any

#: A hand-written policy that allows ses:SendEmail but not ses:SendRawEmail (SMTP's action).
SEND_ONLY_POLICY: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "SendOnly",
            "Effect": "Allow",
            "Action": ["ses:SendEmail", "ses:GetSendQuota", "ses:GetAccount"],
            "Resource": "*",
        }
    ],
}


def prepare(account: Any, sc: Any, account_id: str) -> None:
    from sesfix.demo import sesv2
    from sesfix.demo.dns import practice_zone

    for address in sc.verified_addresses:
        account.client("ses", sc.region).verify_email_identity(EmailAddress=address)
    sesv2.clear()
    for address in sc.suppressed:
        sesv2.suppress(account_id, sc.region, address)
    if account.dns is None:
        return
    # The zone as the scenario has it: SES's DKIM CNAMEs (each verified region's tokens) and a
    # DMARC record, less the scenario's DNS faults.
    tokens: list[str] = []
    for region in sc.verified_regions:
        attrs = account.client("ses", region).get_identity_dkim_attributes(Identities=[sc.domain])
        found = attrs["DkimAttributes"].get(sc.domain, {}).get("DkimTokens", [])
        tokens += [t for t in found if t not in tokens]
    account.dns.zone.records[:] = practice_zone(sc.domain, sc.region, tokens, sc.dns_faults).records
    if "no-dkim" in sc.dns_faults:
        sesv2.watch_dkim(sc.domain, account.dns.zone)


__all__ = ["SEND_ONLY_POLICY", "prepare"]
