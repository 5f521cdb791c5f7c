"""Delivery readiness (issue 15), registered with the engine on the guide's steps.

All three run at the ``late`` stage, once AWS's verdicts are in, because each needs the
context (who the app's user is, where the sender is verified, the sandbox):

* ``delivery.send`` (step 1): the exact send, simulated — only when the user may use SES
  at all (else ``iam.ses_permission_missing`` and its kin already name the cause);
* ``delivery.identity`` (step 4): DKIM, MAIL FROM and DMARC over DNS, the identity's default
  configuration set — only where the sender is verified in the app's region;
* ``delivery.account`` (step 5): enforcement and quota (from the run's own
  ``sesv2:GetAccount`` answer, never asked twice), the ``--to`` recipient, the configuration
  set the app names.

The work (AWS reads, DNS queries, each with its deadline) runs in the probe pool; the
judge adds the findings on the engine's thread, deferring to causes named elsewhere.
"""

from __future__ import annotations

from email.utils import formataddr, parseaddr

from sesfix import config
from sesfix import findings as F
from sesfix.delivery import checks as delivery
from sesfix.delivery.account import AccountHealth, Outcome, judge_account
from sesfix.delivery.words import ev
from sesfix.diagnosis.run import Check, Judge, Run

#: Causes found by the main IAM verdict; the send-scoped check adds nothing to them.
_IAM_CAUSES = (
    "iam.ses_permission_missing",
    "iam.send_raw_email_missing",
    "iam.ses_explicit_deny",
    "iam.permissions_boundary_blocks",
    "iam.cannot_inspect",
)
#: The sender is not usable in the app's region: its DNS and defaults are moot there.
_IDENTITY_CAUSES = (
    "identity.not_verified",
    "region.identity_not_in_region",
    "region.invalid",
    "region.opt_in_disabled",
)


def inputs_of(run: Run) -> delivery.DeliveryInputs | None:
    ctx, s = run.ctx, run.settings
    if not ctx.region or not ctx.sender:
        return None
    display = parseaddr(s.email_from or "")[0]
    email_from = formataddr((display, ctx.sender)) if display else ctx.sender
    op_usable = (
        run.gateway.identities.has_operator
        and ctx.operator_arn is not None
        and (not ctx.app_account or ctx.app_account == ctx.operator_account)
    )
    opts = run.delivery
    named: str | None
    if opts.configuration_set:
        named, named_by = opts.configuration_set, "--configuration-set"
    else:
        named, named_by = s.configuration_set, delivery.CONFIGURATION_SET_VARIABLE
    return delivery.DeliveryInputs(
        email_from=email_from,
        region=ctx.region,
        to=opts.recipient(),
        configuration_set=named,
        configuration_set_from=named_by,
        dns_server=opts.resolver_address(),
        dns_timeout=config.DNS_TIMEOUT.read(),
        has_operator=op_usable,
        app_user=ctx.app_user,
        account_id=ctx.app_account or ctx.operator_account,
        sandbox=ctx.sandbox,
        other_regions=tuple(r for r in ctx.verified_regions if r != ctx.region),
        needed_rate=opts.needed_rate,
    )


def _reader_works(run: Run, inputs: delivery.DeliveryInputs) -> bool:
    """The operator, or else the app whose credentials AWS accepted."""
    return inputs.has_operator or run.ctx.app_arn is not None


def _verified_here(run: Run) -> bool:
    ctx = run.ctx
    return (
        bool(ctx.region) and ctx.region in ctx.verified_regions and not run.has(*_IDENTITY_CAUSES)
    )


def _apply(run: Run, out: Outcome, step: int) -> None:
    for f in out.findings:
        run.add(f)
    if out.unknown:
        run.unknown_steps.add(step)


def _send(run: Run) -> Judge | None:
    inputs = inputs_of(run)
    if (
        inputs is None
        or not inputs.has_operator
        or run.has(*_IAM_CAUSES)
        or not _verified_here(run)
    ):
        return None
    # The IAM step's own answers are reused: its documents, and a simulation AWS refused
    # or could not answer is not asked again.
    refused = any(
        r.call == "iam:SimulatePrincipalPolicy" and r.outcome != "ok"
        for r in run.gateway.calls("read")
    )
    out = delivery.send_permissions(
        run.gateway, inputs, policies=run.policy_documents, simulation=not refused
    )

    def judge(run: Run) -> None:
        if run.has(*_IAM_CAUSES):
            return
        _apply(run, out, 1)
        if out.unknown:
            run.add(
                F.make(
                    "iam.cannot_inspect",
                    *out.notes,
                    ev("send.unknown"),
                )
            )

    return judge


def _identity(run: Run) -> Judge | None:
    inputs = inputs_of(run)
    if inputs is None or not _reader_works(run, inputs) or not _verified_here(run):
        return None
    dkim = run.answers.get("ses:GetIdentityDkimAttributes")
    out, _info = delivery.identity_and_dns(
        run.gateway, inputs, dkim_answer=dkim.data if dkim is not None else None
    )

    def judge(run: Run) -> None:
        for f in out.findings:
            run.add(f)
        dns_notes = [n for n in out.notes if n.startswith("DNS: ")]
        if dns_notes:
            run.add(F.make("dns.unanswered", *dns_notes, resolver=inputs.dns_server or "system"))
        if out.unknown:
            run.unknown_steps.add(4)

    return judge


def _account(run: Run) -> Judge | None:
    inputs = inputs_of(run)
    if inputs is None or not _reader_works(run, inputs):
        return None
    answer = run.answers.get("ses:GetAccount")
    data = answer.data if answer is not None and answer.ok else None
    if data is None and not inputs.to and not inputs.configuration_set:
        return None
    out = Outcome()
    if data is not None:
        # The run's own GetAccount answer: judged here, never asked again.
        health = AccountHealth.from_get_account(data, inputs.region)
        out.findings += judge_account(health, inputs.needed_rate)
    if inputs.to or inputs.configuration_set:
        out.extend(delivery.recipient_and_configuration_set(run.gateway, inputs))

    def judge(run: Run) -> None:
        _apply(run, out, 5)

    return judge


CHECKS: tuple[Check, ...] = (
    Check("delivery.send", step=1, stage="late", fn=_send),
    Check("delivery.identity", step=4, stage="late", fn=_identity),
    Check("delivery.account", step=5, stage="late", fn=_account),
)

__all__ = ["CHECKS", "inputs_of"]
