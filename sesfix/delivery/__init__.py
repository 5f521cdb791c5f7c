"""Delivery readiness: from "AWS accepts the call" to "the customer gets the mail" (issue 15).

* :mod:`.dns` — DKIM, custom MAIL FROM and DMARC over DNS (dnspython), with the records
  to publish (:mod:`.records`, :mod:`.resolver`);
* :mod:`.rejected` — decoding SES's error texts (MessageRejected identity lists, clock
  skew, throttling, configuration sets, MAIL FROM) for the live check and ``sesfix logs``;
* :mod:`.account` — account health, recipients (sandbox, suppression), configuration sets
  and the identity's MAIL FROM, from SES's own answers;
* :mod:`.simulate` — the exact send, simulated with IAM (or evaluated by
  :mod:`sesfix.aws.conditions` when simulation is unavailable).

No Textual here; every AWS call goes through :class:`sesfix.aws.gateway.Gateway`.
"""
