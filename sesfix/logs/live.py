"""Logs and the live check: what the logs show, joined to what the live diagnosis found."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sesfix.locale import has, language, t
from sesfix.logs.analysis import LogAnalysis, short_time
from sesfix.logs.causes import AMBIGUOUS
from sesfix.logs.patterns import RELATED

if TYPE_CHECKING:
    from sesfix.diagnosis.report import Report
    from sesfix.findings import Finding

# ---- logs and the live check ----------------------------------------------------------------


def live_verdict(report: Report) -> str:
    """The live check's verdict in one sentence: it leads whatever the logs say."""
    if report.healthy:
        return t("logread.live.healthy")
    errors = report.errors
    ids = ", ".join(dict.fromkeys(f.id for f in errors))
    first = errors[0]
    fix = t("logread.live.fix", fix=first.fixes[0]) if first.fixes else ""
    return t("logread.live.errors", ids=ids, title=_title(first), fix=fix)


def correlate(analysis: LogAnalysis, report: Report) -> list[str]:
    """Sentences that join what the logs show to what the live check found; the first is
    always the live check's verdict (:func:`live_verdict`), which leads: a log names a
    code, the live check names the cause."""
    out: list[str] = [live_verdict(report)]
    live = {f.id: f for f in report.findings}
    for c in sorted(analysis.codes.values(), key=lambda c: c.last_line):
        fid = c.finding_id
        at = _at(c.last_at, c.last_line)
        times = "" if c.count == 1 else t("logread.live.times", count=c.count)
        if fid is None:
            if c.meaning:
                out.append(
                    t("logread.live.meaning", code=c.code, at=at, times=times, meaning=c.meaning)
                )
            continue
        candidates = RELATED.get(fid, (fid,))
        if c.ambiguous:
            # Any of the code's causes the live check found explains it.
            candidates = (*candidates, *(cause.finding_id for cause in AMBIGUOUS[c.code]))
        related = [live[i] for i in dict.fromkeys(candidates) if i in live]
        if related:
            first = related[0]
            detail = f" ({first.evidence[0]})" if first.evidence else ""
            out.append(
                t(
                    "logread.live.same",
                    code=c.code,
                    at=at,
                    times=times,
                    title=_lower_first(_title(first)),
                    detail=detail,
                )
            )
        elif report.healthy:
            out.append(t("logread.live.healthy_now", code=c.code, at=at, times=times))
        else:
            errors = ", ".join(dict.fromkeys(f.id for f in report.errors))
            out.append(t("logread.live.other", code=c.code, at=at, times=times, errors=errors))
    nc = analysis.markers.get("not_configured")
    if nc and analysis.stage == "credentials_not_loaded":
        missing = live.get("config.missing_variable")
        at = _at(nc.last_at, nc.last_line)
        if missing:
            detail = missing.evidence[0] if missing.evidence else _title(missing)
            out.append(t("logread.live.not_configured_agrees", at=at, detail=detail))
        else:
            out.append(t("logread.live.not_configured_stale", at=at))
    if analysis.stage == "success" and not report.healthy:
        errors = ", ".join(dict.fromkeys(f.id for f in report.errors))
        out.append(t("logread.live.sent_but_failing", errors=errors))
    return out


def _at(at: str | None, line: int) -> str:
    if at:
        return t("logread.live.at_time", time=short_time(at))
    return t("logread.live.on_line", line=line)


def _title(finding: Finding) -> str:
    """The finding's title in the current language (the catalogue's, else its own)."""
    key = f"{finding.catalogue_key()}.title"
    return t(key) if has(key) and language() != "en" else finding.title


def _lower_first(text: str) -> str:
    """``text`` with its first letter in lower case, unless it starts an acronym (IAM, SES)."""
    if not text or text[1:2].isupper():
        return text
    return text[:1].lower() + text[1:]
