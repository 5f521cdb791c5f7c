"""Step 4, the region: is the sender verified where the app sends?

``ses:GetIdentityVerificationAttributes`` in AWS_SES_REGION first; only if the sender is
not verified there, the same call in every other SES region at once (all of them when
AWS_SES_REGION is unusable), so the finding can name the region to set. SES identities
are per region and opt-in regions answer an unknown key until enabled: docs/aws-facts.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import Future
from dataclasses import replace

from sesfix import findings as F
from sesfix.aws import meanings, regions
from sesfix.aws.gateway import CallResult
from sesfix.aws.identity import IdentityName
from sesfix.diagnosis.evidence import ev
from sesfix.diagnosis.run import Run
from sesfix.findings import Severity
from sesfix.settings import REGION


def _verified_in(result: CallResult, names: Iterable[str]) -> dict[str, str]:
    attrs = (result.data or {}).get("VerificationAttributes", {}) if result.ok else {}
    return {n: attrs.get(n, {}).get("VerificationStatus", "NotStarted") for n in names}


def start_region_search(
    run: Run, verify: CallResult | None, region: str | None, identity: IdentityName
) -> tuple[dict[str, Future[CallResult]], Future[CallResult] | None]:
    ctx = run.ctx
    if verify is None or not verify.ok or not ctx.domain or region is None:
        return {}, None
    names = [x for x in (ctx.domain, ctx.sender) if x]
    statuses = _verified_in(verify, names)
    if any(v == "Success" for v in statuses.values()):
        f_dkim = run.read(
            5, identity, "ses", "get_identity_dkim_attributes", region, Identities=[ctx.domain]
        )
        return {}, f_dkim
    others = [r for r in regions.SES_REGIONS if r != region]
    futs = {
        r: run.read(4, identity, "ses", "get_identity_verification_attributes", r, Identities=names)
        for r in others
    }
    return futs, None


def search_all_regions(run: Run, identity: IdentityName) -> dict[str, Future[CallResult]]:
    names = [x for x in (run.ctx.domain, run.ctx.sender) if x]
    return {
        r: run.read(4, identity, "ses", "get_identity_verification_attributes", r, Identities=names)
        for r in regions.SES_REGIONS
    }


def judge_region(
    run: Run,
    verify: CallResult | None,
    region_futures: dict[str, Future[CallResult]],
    region_ok: bool,
) -> None:
    ctx = run.ctx
    if not region_ok:
        _search_for_the_region(run, region_futures)
        return
    if not ctx.domain:
        run.unknown_steps.add(4)
        return
    if verify is None:
        run.unknown_steps.add(4)
        return
    if not verify.ok:
        _verify_failed(run, verify)
        return
    names = [x for x in (ctx.domain, ctx.sender) if x]
    here = _verified_in(verify, names)
    if any(v == "Success" for v in here.values()):
        ctx.verified_regions.append(ctx.region or "")
        return
    found: list[str] = []
    silent: list[str] = []
    for r, fut in region_futures.items():
        res = fut.result()
        if res.ok:
            if any(v == "Success" for v in _verified_in(res, names).values()):
                found.append(r)
        elif not (res.error_code in meanings.AUTH_UNKNOWN_KEY and r in regions.OPT_IN_REGIONS):
            silent.append(r)
            if res.unreachable and len(silent) <= 5:
                # Name each region that did not answer (call and region), not only a count.
                run.unreachable(
                    res,
                    step=4,
                    severity=Severity.INFO,
                    note=ev("note.region_missing"),
                )
    ctx.verified_regions.extend(found)
    status = here.get(ctx.domain or "", "NotStarted")
    domain = ctx.domain_shown or ctx.domain
    if found:
        run.add(
            F.make(
                "region.identity_not_in_region",
                ev(
                    "region.status_here",
                    domain=domain,
                    status=status,
                    region=ctx.region,
                    variable=run.region_variable,
                ),
                ev("region.verified_in", domain=domain, regions=", ".join(found)),
                verified_regions=found,
            )
        )
    else:
        evidence = [
            ev("region.status_in", domain=domain, status=status, region=ctx.region),
            ev("region.not_elsewhere", count=len(region_futures)),
        ]
        if silent:
            evidence.append(ev("region.silent", count=len(silent), regions=", ".join(silent[:5])))
        run.add(F.make("identity.not_verified", *evidence))


def _search_for_the_region(run: Run, region_futures: dict[str, Future[CallResult]]) -> None:
    """AWS_SES_REGION is unusable: where the sender is verified is the value to set."""
    ctx = run.ctx
    s = run.settings
    if s.region is None or not s.region.strip():
        run.unknown_steps.add(4)
    names = [x for x in (ctx.domain, ctx.sender) if x]
    elsewhere = [
        r
        for r, fut in region_futures.items()
        if fut.result().ok
        and any(v == "Success" for v in _verified_in(fut.result(), names).values())
    ]
    ctx.verified_regions.extend(elsewhere)
    if elsewhere:
        domain = ctx.domain_shown or ctx.domain
        line = (
            ev("region.set_to", domain=domain, regions=elsewhere[0], variable=REGION)
            if len(elsewhere) == 1
            else ev(
                "region.set_to_one_of", domain=domain, regions=", ".join(elsewhere), variable=REGION
            )
        )
        with run.lock:
            for i, f in enumerate(run.findings):
                if f.id == "region.invalid" or (
                    f.id == "config.missing_variable" and f.data.get("variable") == REGION
                ):
                    run.findings[i] = replace(f, evidence=(*f.evidence, line))


def _verify_failed(run: Run, verify: CallResult) -> None:
    run.unknown_steps.add(4)
    code = verify.error_code
    if verify.unreachable:
        run.unreachable(verify, step=4, severity=Severity.ERROR, note=ev("note.sender_unknown"))
    elif code in meanings.AUTH_UNKNOWN_KEY and run.has("region.opt_in_disabled"):
        run.failed_steps.add(4)  # a symptom of the disabled region, named already
    elif verify.record.identity == "app" and code in meanings.AUTH_FAILURES:
        pass  # the app's key is rejected: the cause is named in step 2
    elif verify.denied and verify.record.identity == "app":
        run.add(
            F.make(
                "probe.access_denied",
                ev("probe.app_answered", call=verify.record.call, code=code),
                ev("region.give_operator"),
                step=4,
                call=verify.record.call,
            )
        )
    else:
        run.add(
            F.make(
                "probe.access_denied",
                ev(
                    "probe.identity_answered",
                    call=verify.record.call,
                    identity=verify.record.identity,
                    code=code,
                ),
                step=4,
                call=verify.record.call,
            )
        )
