"""What a failed SMTP probe step means: the finding, with its evidence and advice.

Pure decisions over the probe's outcome; the few follow-up questions that need the network
(does HTTPS to SES work, do SES's other ports answer, does the port speak implicit TLS) are
callables the probe hands in, bounded by its deadline.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sesfix import findings as F
from sesfix.smtp import endpoints
from sesfix.smtp.result import AUTH, CONNECT, STEP, ProbeResult
from sesfix.smtp.words import english, ev, mode_name

#: Hosting platforms with advice for a blocked SMTP port (FACTS.md "SMTP interface"); the
#: advice is ``evidence.smtp.advice.<platform>`` in the catalogues, else ``advice.generic``.
PLATFORMS = ("railway", "render", "digitalocean")


def advice(platform: str | None) -> str:
    """What to do about a blocked SMTP port on ``platform``, in the reader's language."""
    return ev(f"smtp.advice.{platform if platform in PLATFORMS else 'generic'}")


@dataclass(frozen=True)
class FollowUps:
    https_ok: Callable[[], bool | None]
    try_ports: Callable[[], dict[int, str]]
    speaks_tls: Callable[[], bool]


def _at(where: str, said: str) -> str:
    """A probe's own words about one place: ``host:port: what happened`` (values only)."""
    return f"{where}: {said}"


def judge(
    result: ProbeResult,
    stage: str,
    outcome: str,
    detail: str,
    follow: FollowUps,
    platform: str | None,
    ses_host: bool = True,
) -> None:
    """Add the finding(s) for a probe that stopped at ``stage`` with ``outcome``.
    ``ses_host`` is False when SMTP_HOST is not SES's endpoint (another provider's 535 says
    nothing about SES's password derivation)."""
    from sesfix.text import visible

    t = result.target
    where = f"{t.host}:{t.port}"
    said = visible(detail, limit=300)
    add = result.findings.append
    if outcome == "dns-failure":
        add(F.make("smtp.host_unknown", said, step=STEP, host=t.host))
    elif outcome == "refused":
        add(F.make("smtp.connection_refused", said, step=STEP, port=t.port))
    elif stage == CONNECT and outcome == "timeout":
        _blocked(result, said, follow, platform)
    elif outcome == "no-greeting":
        _silent(result, said, follow, platform)
    elif stage != AUTH and outcome == "tls-error" and "WRONG_VERSION_NUMBER" in detail.upper():
        add(
            F.make(
                "smtp.tls_mode_mismatch",
                ev("smtp.tls_wrong_version", where=where),
                ev("smtp.tls_used_mode", mode=mode_name(t.mode)),
                step=STEP,
                port=t.port,
                suggested_port=endpoints.port_for("starttls"),
                suggested_mode="starttls",
            )
        )
    elif stage != AUTH and outcome == "timeout":
        _silent(result, said, follow, platform)
    elif stage != AUTH and outcome in ("certificate-error", "tls-error", "not-offered"):
        add(F.make("smtp.tls_failed", _at(where, said), step=STEP))
    elif stage == AUTH and outcome == "skipped":
        return
    elif stage == AUTH and (outcome.isdigit() or outcome in ("not-offered", "not-sent")):
        severity = "warning" if outcome.startswith("4") else None
        evidence = [_at(where, said)]
        if outcome == "535":
            evidence.append(
                ev("smtp.auth_535") if ses_host else ev("smtp.auth_535_other", host=t.host)
            )
        elif outcome.startswith("4"):
            evidence.append(ev("smtp.auth_4xx") if ses_host else ev("smtp.auth_4xx_other"))
        finding = F.make("smtp.auth_failed", *evidence, severity=severity, step=STEP, code=outcome)
        if not ses_host:
            finding = other_host(finding)
        add(finding)
    elif outcome.isdigit():
        add(F.make("smtp.connection_refused", _at(where, said), step=STEP, port=t.port))
    else:
        add(
            F.make(
                "probe.unreachable",
                ev("smtp.probe_stopped", where=where, stage=stage, said=said),
                step=STEP,
                call=stage,
            )
        )


def _blocked(
    result: ProbeResult, first: str, follow: FollowUps, platform: str | None, silent: bool = False
) -> None:
    t = result.target
    https = follow.https_ok()
    if https is False:
        result.findings.append(
            F.make(
                "probe.unreachable",
                first,
                ev("smtp.https_failed_too"),
                step=STEP,
                call="smtp:Connect",
            )
        )
        return
    evidence = [first]
    evidence.append(ev("smtp.https_answers") if https else ev("smtp.https_unknown"))
    alternatives = follow.try_ports()
    result.alternatives.update(alternatives)
    answering = [p for p, outcome in alternatives.items() if outcome == "ok"]
    if alternatives:
        shown = ", ".join(f"{p} {o}" for p, o in alternatives.items())
        evidence.append(ev("smtp.other_ports", ports=shown))
    evidence.append(advice(platform))
    data: dict[str, Any] = {"port": t.port, "answering_ports": answering}
    if answering:
        data["suggested_port"] = answering[0]
        data["suggested_mode"] = endpoints.tls_mode(answering[0]) or t.mode
    if platform:
        data["platform"] = platform
    result.findings.append(
        F.make(
            "smtp.port_blocked",
            *evidence,
            severity=None if https else "warning",
            step=STEP,
            **data,
        )
    )


def _silent(result: ProbeResult, said: str, follow: FollowUps, platform: str | None) -> None:
    """Connected, but nothing came back: an implicit-TLS port spoken to in plain text, or
    a middlebox that accepts connections and drops them."""
    t = result.target
    where = f"{t.host}:{t.port}"
    if t.mode == "starttls" and follow.speaks_tls():
        result.findings.append(
            F.make(
                "smtp.tls_mode_mismatch",
                _at(where, said),
                ev("smtp.implicit_expected", port=t.port),
                step=STEP,
                port=t.port,
                suggested_port=endpoints.port_for("implicit"),
                suggested_mode="implicit",
            )
        )
        return
    _blocked(
        result,
        ev("smtp.swallowed", where=where, said=said),
        follow,
        platform,
    )


def platform_of(values: dict[str, str] | None, source: str = "") -> str | None:
    """The hosting platform, from the app's variables or where they came from."""
    v = values or {}
    if source.lower().startswith("railway") or any(k.startswith("RAILWAY_") for k in v):
        return "railway"
    if "RENDER" in v or "RENDER_SERVICE_ID" in v:
        return "render"
    if "DIGITALOCEAN_APP_ID" in v or "DO_APP_ID" in v:
        return "digitalocean"
    return None


def other_host(finding: F.Finding) -> F.Finding:
    """``smtp.auth_failed`` from a server that is not SES: its title and explanation say the
    server refused the login and what to check, not how SES derives its passwords. Faces
    show the variant's catalogue text (``data["variant"]``); the JSON keeps the English. No
    fix is offered: sesfix's SMTP fixes are about SES's endpoint and passwords."""
    from dataclasses import replace

    key = f"finding.{finding.id}.other_host"
    return replace(
        finding,
        title=english(f"{key}.title"),
        explanation=english(f"{key}.explanation"),
        fixes=(),  # deriving an SES password cannot fix another provider's login
        data={**finding.data, "variant": "other_host"},
    )


__all__ = ["PLATFORMS", "FollowUps", "advice", "judge", "other_host", "platform_of"]
