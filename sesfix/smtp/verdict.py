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

#: Advice for a blocked SMTP port, by hosting platform (FACTS.md "SMTP interface").
PLATFORM_ADVICE: dict[str, str] = {
    "railway": "Railway allows outbound SMTP only on the Pro plan and above (Free, Trial and "
    "Hobby must use an HTTPS API): upgrade and redeploy, or send through the SES HTTPS API "
    "on port 443",
    "render": "Render's free services block outbound SMTP (25, 465, 587): use a paid "
    "instance, a port that answers, or the SES HTTPS API on port 443",
    "digitalocean": "DigitalOcean blocks outbound 25, 465 and 587: use a port that answers "
    "(2587 or 2465), or the SES HTTPS API on port 443",
}
GENERIC_ADVICE = (
    "the network between this machine and SES drops SMTP: use a port that answers, or send "
    "through the SES HTTPS API on port 443"
)


@dataclass(frozen=True)
class FollowUps:
    https_ok: Callable[[], bool | None]
    try_ports: Callable[[], dict[int, str]]
    speaks_tls: Callable[[], bool]


def _mode_name(mode: endpoints.TlsMode) -> str:
    return "STARTTLS" if mode == "starttls" else "implicit TLS"


def judge(
    result: ProbeResult,
    stage: str,
    outcome: str,
    detail: str,
    follow: FollowUps,
    platform: str | None,
) -> None:
    """Add the finding(s) for a probe that stopped at ``stage`` with ``outcome``."""
    from sesfix.text import visible

    t = result.target
    where = f"{t.host}:{t.port}"
    said = visible(detail, limit=300)
    add = result.findings.append
    if outcome == "dns-failure":
        add(F.make("smtp.host_unknown", f"{said}", step=STEP, host=t.host))
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
                f"{where}: the TLS handshake read plain text ('wrong version number'): the "
                "server speaks STARTTLS here, not implicit TLS",
                f"sesfix used {_mode_name(t.mode)} because of the app's port; "
                "use 587 with STARTTLS, or 465 with implicit TLS",
                step=STEP,
                port=t.port,
                suggested_port=endpoints.port_for("starttls"),
                suggested_mode="starttls",
            )
        )
    elif stage != AUTH and outcome == "timeout":
        _silent(result, said, follow, platform)
    elif stage != AUTH and outcome in ("certificate-error", "tls-error", "not-offered"):
        add(F.make("smtp.tls_failed", f"{where}: {said}", step=STEP))
    elif stage == AUTH and outcome == "skipped":
        return
    elif stage == AUTH and (outcome.isdigit() or outcome in ("not-offered", "not-sent")):
        severity = "warning" if outcome.startswith("4") else None
        evidence = [f"{where}: {said}"]
        if outcome == "535":
            evidence.append(
                "535 means SES did not accept this username and password pair for this "
                "region (see the SMTP lint on step 2 for why)"
            )
        elif outcome.startswith("4"):
            evidence.append("a 4xx reply is temporary: SES may be throttling; try again later")
        add(F.make("smtp.auth_failed", *evidence, severity=severity, step=STEP, code=outcome))
    elif outcome.isdigit():
        add(F.make("smtp.connection_refused", f"{where}: {said}", step=STEP, port=t.port))
    else:
        add(
            F.make(
                "probe.unreachable",
                f"smtp probe of {where} stopped at {stage}: {said}",
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
                "HTTPS to SES failed too: this machine's network is down or filtered as a "
                "whole, so the SMTP port cannot be judged",
                step=STEP,
                call="smtp:Connect",
            )
        )
        return
    evidence = [first]
    evidence.append(
        "HTTPS to SES answers from here, so only SMTP is dropped"
        if https
        else "whether HTTPS to SES works could not be checked"
    )
    alternatives = follow.try_ports()
    result.alternatives.update(alternatives)
    answering = [p for p, outcome in alternatives.items() if outcome == "ok"]
    if alternatives:
        shown = ", ".join(f"{p} {o}" for p, o in alternatives.items())
        evidence.append(f"SES's other SMTP ports from here: {shown}")
    evidence.append(PLATFORM_ADVICE.get(platform or "", GENERIC_ADVICE))
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
                f"{where}: {said}",
                f"the port answers a TLS handshake at once: it expects implicit TLS, while "
                f"port {t.port} asks for STARTTLS ('Greeting never received')",
                step=STEP,
                port=t.port,
                suggested_port=endpoints.port_for("implicit"),
                suggested_mode="implicit",
            )
        )
        return
    _blocked(
        result,
        f"{where}: {said}; the connection is accepted but nothing answers, as when a "
        "firewall or proxy swallows SMTP",
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


__all__ = ["GENERIC_ADVICE", "PLATFORM_ADVICE", "FollowUps", "judge", "platform_of"]
