"""The SMTP checks: the variables' forensics on step 2, the live AUTH test on step 3.

They run when the app has any SMTP variable (``SMTP_HOST``, ``SMTP_PORT``, ``SMTP_USERNAME``
/ ``SMTP_USER``, ``SMTP_PASSWORD`` / ``SMTP_PASS``, ``SMTP_SECURE``) or says
``EMAIL_PROVIDER=smtp``, or when ``sesfix check --smtp`` asks. The live probe starts beside
AWS's round 1 (stage ``early``) and is bounded by ``SESFIX_SMTP_DEADLINE``; its records
(``smtp:Connect``, ``smtp:StartTLS``, ``smtp:Auth``) go through the gateway, so they are
counted, shown live and reported in step 3 like AWS's probes.

A live failure the lint already explained (a 535 for a password that is the raw secret)
confirms that finding instead of adding a second one: the step fails, the cause is named once.
"""

from __future__ import annotations

from dataclasses import replace

from sesfix import findings as F
from sesfix.aws import regions
from sesfix.diagnosis.evidence import ev
from sesfix.diagnosis.run import Check, Judge, Run
from sesfix.settings import REGION
from sesfix.smtp import endpoints, forensics
from sesfix.smtp import settings as smtp_settings
from sesfix.smtp.settings import SmtpSettings

#: Lint findings that explain a live failure, by the live finding they explain.
_EXPLAINED_BY: dict[str, tuple[str, ...]] = {
    "smtp.auth_failed": (
        "smtp.password_is_secret_key",
        "smtp.password_wrong_region",
        "smtp.password_other_key",
        "smtp.username_not_key_id",
        "smtp.password_legacy_sigv2",
    ),
    "smtp.tls_mode_mismatch": ("smtp.tls_mode_mismatch",),
    "smtp.host_unknown": ("smtp.no_endpoint_in_region", "smtp.host_not_ses"),
}
_SMTP_VARIABLES = frozenset(smtp_settings.VARIABLES)
#: Gateway outcomes of calls that got no HTTP answer at all (sesfix.aws.gateway.classify).
_NO_HTTP_ANSWER = frozenset(
    {
        "unreachable",
        "Timeout",
        "EndpointConnectionError",
        "ConnectionClosed",
        "ConnectionError",
        "ClientFailure",
        "InternalError",
        "NoCredentials",
        "InvalidRegion",
        "Unsignable",
    }
)


def smtp_of(run: Run) -> SmtpSettings | None:
    """The app's SMTP settings when the SMTP checks are to run, else None."""
    smtp = smtp_settings.from_app(run.settings)
    if smtp.configured or run.settings.smtp_requested:
        return smtp
    return None


def region_from_host(run: Run) -> str | None:
    """The sending region from ``SMTP_HOST`` (``email-smtp.<region>.amazonaws.com``) when the
    app gives no ``AWS_SES_REGION``: an app that sends through SMTP sends in its host's region,
    so the AWS checks of steps 3-5 look there. The evidence says where the region came from
    (on the ``config.missing_variable`` finding of AWS_SES_REGION, else on its own line)."""
    s = run.settings
    if s.region is not None and s.region.strip():
        return None  # set, right or wrong: the lint judges it (region.invalid)
    smtp = smtp_of(run)
    region = smtp.region if smtp is not None else None
    if smtp is None or region is None or not regions.is_ses_region(region):
        return None
    if smtp.provider is not None and not smtp.provider_is_smtp:
        return None  # EMAIL_PROVIDER names the API: a leftover SMTP_HOST is not where it sends
    note = ev(
        "smtp.region_from_host",
        region=region,
        variable=smtp_settings.HOST,
        host=smtp.clean_host or "",
        region_variable=REGION,
    )
    run.region_variable = smtp_settings.HOST
    with run.lock:
        for i, f in enumerate(run.findings):
            if f.id == "config.missing_variable" and f.data.get("variable") == REGION:
                run.findings[i] = replace(
                    f, evidence=(*f.evidence, note), data={**f.data, "region": region}
                )
                return region
    run.add(
        F.make(
            "config.missing_variable",
            ev(
                "lint.not_set" if s.region is None else "lint.empty",
                variable=REGION,
                source=s.source,
            ),
            note,
            severity="info",
            variable=REGION,
            region=region,
        )
    )
    return region


def lint_check(run: Run) -> Judge | None:
    smtp = smtp_of(run)
    if smtp is None:
        return None
    smtp_settings.endpoint_override()  # a bad SESFIX_SMTP_ENDPOINT stops before any probe
    s = run.settings
    for finding in forensics.lint(smtp, secret=s.secret_access_key, secret_key_id=s.access_key_id):
        run.add(finding)
    if run.settings.smtp_requested and not smtp.configured:
        run.add(
            F.make(
                "config.missing_variable",
                ev("smtp.host_not_set", variable=smtp_settings.HOST, source=s.source),
                variable=smtp_settings.HOST,
            )
        )
    return None


def live_check(run: Run) -> Judge | None:
    smtp = smtp_of(run)
    if smtp is None:
        return None
    from sesfix.smtp import verdict
    from sesfix.smtp.probe import Limits, probe

    target = smtp_settings.target(smtp)
    if target is None:
        return None
    region = smtp.region
    real_endpoint = not target.redirected and region is not None

    def https_ok() -> bool | None:
        """Does HTTPS to AWS work from here? AWS's own answers in this run say so first;
        without one yet, a TCP connect to the SES API endpoint."""
        answered = [
            r
            for r in run.gateway.calls("read")
            if not r.call.startswith("smtp:") and r.outcome not in _NO_HTTP_ANSWER
        ]
        if answered:
            return True
        from sesfix.smtp.probe import https_reachable

        return https_reachable(region or run.settings.clean_region)

    result = probe(
        target,
        smtp.username,
        smtp.password,
        region=region,
        limits=Limits.from_config(),
        listener=run.gateway.observe,
        seq=run.gateway.next_seq,
        https_ok=https_ok,
        other_ports=endpoints.SES_PORTS if real_endpoint else (),
        platform=verdict.platform_of({}, run.settings.source),
        ses_host=region is not None,
    )

    def judge(run: Run) -> None:
        for finding in result.findings:
            causes = [
                f
                for f in run.findings
                if f.id in _EXPLAINED_BY.get(finding.id, ())
                or (
                    finding.id == "smtp.auth_failed"
                    and f.id in ("credentials.whitespace", "credentials.quoted_value")
                    and f.data.get("variable") in _SMTP_VARIABLES
                )
            ]
            if causes:
                run.append_evidence(
                    causes[0].id,
                    ev(
                        "smtp.live_test",
                        result=finding.evidence[0] if finding.evidence else finding.title,
                    ),
                )
                run.failed_steps.add(3)
                continue
            run.add(finding)

    return judge


CHECKS: tuple[Check, ...] = (
    Check("smtp.lint", step=2, stage="lint", fn=lint_check),
    Check("smtp.live", step=3, stage="early", fn=live_check),
)

__all__ = ["CHECKS", "lint_check", "live_check", "region_from_host", "smtp_of"]
