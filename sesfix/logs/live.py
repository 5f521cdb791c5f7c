"""Logs and the live check: what the logs show, joined to what the live diagnosis found."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sesfix.logs.analysis import LogAnalysis, short_time
from sesfix.logs.patterns import RELATED

if TYPE_CHECKING:
    from sesfix.diagnosis.report import Report

# ---- logs and the live check ----------------------------------------------------------------


def correlate(analysis: LogAnalysis, report: Report) -> list[str]:
    """Sentences that join what the logs show to what the live check found."""
    out: list[str] = []
    live = {f.id: f for f in report.findings}
    for c in sorted(analysis.codes.values(), key=lambda c: c.last_line):
        fid = c.finding_id
        at = f"at {short_time(c.last_at)}" if c.last_at else f"on line {c.last_line}"
        times = "" if c.count == 1 else f" ({c.count} times)"
        head = f"the logs show {c.code} {at}{times}"
        if fid is None:
            if c.meaning:
                out.append(f"{head}: {c.meaning}")
            continue
        related = [live[i] for i in RELATED.get(fid, (fid,)) if i in live]
        if related:
            first = related[0]
            detail = f" ({first.evidence[0]})" if first.evidence else ""
            out.append(f"{head}; the live probe shows: {_lower_first(first.title)}{detail}")
        elif report.healthy:
            out.append(
                f"{head}, but the live check passes now: the cause is fixed in the variables "
                "checked; if the service still fails, redeploy it (a restart does not pick up "
                "new variables) or check that the logs and the variables are the same "
                "service and environment"
            )
        else:
            errors = ", ".join(dict.fromkeys(f.id for f in report.errors))
            out.append(
                f"{head}; the live check does not reproduce it and finds {errors} instead: "
                "the logs may predate a change, or the deployed variables differ from the "
                "ones checked"
            )
    nc = analysis.markers.get("not_configured")
    if nc and analysis.stage == "credentials_not_loaded":
        missing = live.get("config.missing_variable")
        at = f"at {short_time(nc.last_at)}" if nc.last_at else f"on line {nc.last_line}"
        if missing:
            out.append(
                f"the logs show 'AWS credentials not configured' {at}; the live check agrees: "
                f"{missing.evidence[0] if missing.evidence else missing.title}"
            )
        else:
            out.append(
                f"the logs show 'AWS credentials not configured' {at}, but the variables checked "
                "have both keys: the service was not redeployed after they were set, or they "
                "are set on another service or environment"
            )
    if analysis.stage == "success" and not report.healthy:
        errors = ", ".join(dict.fromkeys(f.id for f in report.errors))
        out.append(
            "the logs show mail sent successfully, but the live check finds "
            f"{errors}: the variables checked are not the ones the running service uses"
        )
    return out


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text
