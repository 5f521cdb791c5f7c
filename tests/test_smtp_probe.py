# ruff: noqa: F811 - pytest fixtures imported from tests.support.smtp_server
"""The live SMTP probe against real SMTP servers on loopback (aiosmtpd + trustme).

Every verdict comes from what the server answered: 235 or 535 after a real AUTH LOGIN,
a real TLS handshake (or its failure), a real connect timeout from a dropped SYN.
"""

from __future__ import annotations

import json
import time

import pytest

from sesfix.aws.gateway import CallFinished, CallStarted
from sesfix.demo.smtp import PracticeSmtpServer
from sesfix.masking import Secret
from sesfix.smtp import derive
from sesfix.smtp.probe import AUTH, CONNECT, STARTTLS, Limits, https_reachable, probe
from sesfix.smtp.settings import SmtpSettings, Target, target
from tests.support.smtp_server import (
    HOST,
    KEY_ID,
    REGION,
    SECRET,
    DnsServer,
    blocked_port,  # noqa: F401 - fixtures
    certificates,  # noqa: F401
    closed_port,  # noqa: F401
    dns_server,  # noqa: F401
    silent_port,  # noqa: F401
    smtp_endpoint,  # noqa: F401
)

GOOD = derive.smtp_password(SECRET, REGION)
LIMITS = Limits(connect=1.0, read=2.0, deadline=12.0)


def run(t: Target, password: str, server: PracticeSmtpServer | None = None, **kw):  # type: ignore[no-untyped-def]
    ctx = server.certificates.client if server else None
    return probe(
        t,
        kw.pop("username", KEY_ID),
        Secret(password),
        region=REGION,
        limits=kw.pop("limits", LIMITS),
        context=kw.pop("context", ctx),
        https_ok=kw.pop("https_ok", lambda: True),
        **kw,
    )


def calls(result) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(r.call, r.outcome) for r in result.records]


@pytest.mark.parametrize("mode", ["starttls", "implicit"])
def test_right_password_authenticates_in_both_tls_modes(
    smtp_endpoint: PracticeSmtpServer, mode: str
) -> None:
    port = smtp_endpoint.starttls_port if mode == "starttls" else smtp_endpoint.implicit_port
    result = run(Target("127.0.0.1", port, mode), GOOD, smtp_endpoint)  # type: ignore[arg-type]
    assert result.authenticated, result.records
    assert calls(result) == [(CONNECT, "ok"), (STARTTLS, "ok"), (AUTH, "ok")]
    assert result.findings == []
    assert "235" in result.records[-1].detail
    assert all(r.step == 3 and r.identity == "app" and r.region == REGION for r in result.records)
    want = (
        f"openssl s_client -starttls smtp -connect 127.0.0.1:{port}"
        if mode == "starttls"
        else f"openssl s_client -connect 127.0.0.1:{port}"
    )
    assert {r.cli for r in result.records} == {want}
    assert smtp_endpoint.attempts[-1].accepted


@pytest.mark.parametrize(
    "password",
    [
        SECRET,  # the raw secret
        derive.smtp_password(SECRET, "us-east-1"),  # another region
        derive.smtp_password_sigv2(SECRET),  # legacy form: SES's SigV4 check refuses it here
        GOOD + " ",  # a pasted space: sent as the app would send it
    ],
)
def test_wrong_password_is_refused_with_535(
    smtp_endpoint: PracticeSmtpServer, password: str
) -> None:
    t = Target("127.0.0.1", smtp_endpoint.starttls_port, "starttls")
    result = run(t, password, smtp_endpoint)
    assert calls(result) == [(CONNECT, "ok"), (STARTTLS, "ok"), (AUTH, "535")]
    assert [f.id for f in result.findings] == ["smtp.auth_failed"]
    finding = result.findings[0]
    assert finding.step == 3 and finding.data["code"] == "535"
    assert "535" in finding.evidence[0]
    assert smtp_endpoint.attempts[-1].accepted is False


def test_username_must_be_the_key_id(smtp_endpoint: PracticeSmtpServer) -> None:
    t = Target("127.0.0.1", smtp_endpoint.implicit_port, "implicit")
    result = run(t, GOOD, smtp_endpoint, username="ses-smtp-user.20240101-123456")
    assert [f.id for f in result.findings] == ["smtp.auth_failed"]


def test_implicit_tls_against_a_starttls_port_is_a_mode_mismatch(
    smtp_endpoint: PracticeSmtpServer,
) -> None:
    t = Target("127.0.0.1", smtp_endpoint.starttls_port, "implicit")
    result = run(t, GOOD, smtp_endpoint)
    assert calls(result) == [(CONNECT, "ok"), (STARTTLS, "tls-error")]
    assert [f.id for f in result.findings] == ["smtp.tls_mode_mismatch"]
    assert "wrong version number" in result.findings[0].evidence[0]
    assert result.findings[0].step == 3


def test_starttls_against_an_implicit_port_is_a_mode_mismatch(
    smtp_endpoint: PracticeSmtpServer,
) -> None:
    t = Target("127.0.0.1", smtp_endpoint.implicit_port, "starttls")
    result = run(t, GOOD, smtp_endpoint)
    assert calls(result) == [(CONNECT, "no-greeting")]
    assert [f.id for f in result.findings] == ["smtp.tls_mode_mismatch"]
    assert "Greeting never received" in " ".join(result.findings[0].evidence)
    assert result.findings[0].data["suggested_port"] == 465


def test_trust_comes_from_ssl_cert_file(
    smtp_endpoint: PracticeSmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    t = Target("127.0.0.1", smtp_endpoint.implicit_port, "implicit")
    untrusted = run(t, GOOD, context=None)
    assert calls(untrusted) == [(CONNECT, "ok"), (STARTTLS, "certificate-error")]
    assert [f.id for f in untrusted.findings] == ["smtp.tls_failed"]
    monkeypatch.setenv("SSL_CERT_FILE", str(smtp_endpoint.certificates.ca_file))
    trusted = run(t, GOOD, context=None)
    assert trusted.authenticated, trusted.records


def test_connect_timeout_while_https_works_is_port_blocked(
    blocked_port, closed_port, smtp_endpoint: PracticeSmtpServer
) -> None:  # type: ignore[no-untyped-def]
    t = Target("127.0.0.1", blocked_port.port, "starttls")
    started = time.monotonic()
    result = run(
        t,
        GOOD,
        smtp_endpoint,
        other_ports=(closed_port.port, smtp_endpoint.starttls_port),
        platform="railway",
    )
    assert time.monotonic() - started < LIMITS.deadline
    assert result.records[0].call == CONNECT and result.records[0].outcome == "timeout"
    [finding] = result.findings
    assert finding.id == "smtp.port_blocked" and finding.severity == "error"
    assert finding.data["answering_ports"] == [smtp_endpoint.starttls_port]
    assert result.alternatives == {closed_port.port: "refused", smtp_endpoint.starttls_port: "ok"}
    text = " ".join(finding.evidence)
    assert "Railway allows outbound SMTP only on the Pro plan" in text
    assert "HTTPS to SES answers" in text


def test_connect_timeout_without_https_is_not_called_blocked(blocked_port) -> None:  # type: ignore[no-untyped-def]
    result = run(Target("127.0.0.1", blocked_port.port, "starttls"), GOOD, https_ok=lambda: False)
    assert [f.id for f in result.findings] == ["probe.unreachable"]


def test_silent_listener_is_port_blocked(silent_port) -> None:  # type: ignore[no-untyped-def]
    result = run(Target("127.0.0.1", silent_port.port, "starttls"), GOOD)
    assert calls(result) == [(CONNECT, "no-greeting")]
    assert [f.id for f in result.findings] == ["smtp.port_blocked"]
    assert "Render" not in " ".join(result.findings[0].evidence)


def test_refused_connection_is_named(closed_port) -> None:  # type: ignore[no-untyped-def]
    result = run(Target("127.0.0.1", closed_port.port, "starttls"), GOOD)
    assert calls(result) == [(CONNECT, "refused")]
    assert [f.id for f in result.findings] == ["smtp.connection_refused"]


def test_dns_failure_is_named(dns_server: DnsServer, smtp_endpoint: PracticeSmtpServer) -> None:
    missing = Target("email-smtp.eu-west-9.amazonaws.com", 587, "starttls")
    result = run(missing, GOOD, resolver=dns_server.resolver)
    assert calls(result) == [(CONNECT, "dns-failure")]
    assert [f.id for f in result.findings] == ["smtp.host_unknown"]
    # The same resolver finds the known name (so the failure above is DNS's answer).
    ok = run(
        Target(HOST, smtp_endpoint.starttls_port, "starttls"),
        GOOD,
        smtp_endpoint,
        resolver=dns_server.resolver,
    )
    assert calls(ok)[0] == (CONNECT, "ok")


def test_whole_probe_has_a_deadline(silent_port) -> None:  # type: ignore[no-untyped-def]
    tight = Limits(connect=5.0, read=5.0, deadline=1.0)
    started = time.monotonic()
    result = run(Target("127.0.0.1", silent_port.port, "starttls"), GOOD, limits=tight)
    assert time.monotonic() - started < 3.0
    assert result.records[0].outcome in ("no-greeting", "timeout")


def test_listener_sees_each_step_and_nothing_secret_leaks(
    smtp_endpoint: PracticeSmtpServer,
) -> None:
    events: list[object] = []
    for password in (GOOD, SECRET):
        run(
            Target("127.0.0.1", smtp_endpoint.starttls_port, "starttls"),
            password,
            smtp_endpoint,
            listener=events.append,
        )
    started = [e.call for e in events if isinstance(e, CallStarted)]
    finished = [e.record for e in events if isinstance(e, CallFinished)]
    assert started == [CONNECT, STARTTLS, AUTH] * 2
    dump = json.dumps([r.to_json() for r in finished])
    for secret in (GOOD, SECRET, KEY_ID):
        assert secret not in dump


def test_no_credentials_stops_before_auth(smtp_endpoint: PracticeSmtpServer) -> None:
    t = Target("127.0.0.1", smtp_endpoint.starttls_port, "starttls")
    result = probe(t, None, None, limits=LIMITS, context=smtp_endpoint.certificates.client)
    assert calls(result) == [(CONNECT, "ok"), (STARTTLS, "ok"), (AUTH, "skipped")]
    assert result.findings == [] and result.reached == "tls"


def test_target_from_settings_uses_the_override(smtp_endpoint: PracticeSmtpServer) -> None:
    s = SmtpSettings.from_mapping(
        {"SMTP_HOST": HOST, "SMTP_PORT": "2465", "SMTP_USERNAME": KEY_ID, "SMTP_PASSWORD": GOOD}
    )
    env = {"SESFIX_SMTP_ENDPOINT": f"127.0.0.1:{smtp_endpoint.implicit_port}"}
    t = target(s, env)
    assert t is not None and t.mode == "implicit" and t.redirected
    assert s.password is not None
    result = probe(
        t,
        s.clean_username,
        s.password,
        region=s.region,
        limits=LIMITS,
        context=smtp_endpoint.certificates.client,
    )
    assert result.authenticated


def test_https_reachable_uses_the_aws_endpoint(
    smtp_endpoint: PracticeSmtpServer, closed_port, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{smtp_endpoint.starttls_port}")
    assert https_reachable("eu-west-1", 1.0) is True
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{closed_port.port}")
    assert https_reachable("eu-west-1", 1.0) is False


class EchoingServer(PracticeSmtpServer):
    """A hostile server: its 535 echoes the password it was sent, with escape sequences."""

    def _authenticate(self, server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
        from aiosmtpd.smtp import AuthResult

        echoed = auth_data.password.decode()
        return AuthResult(
            success=False,
            handled=False,
            message=f"535 no such pair {echoed} \x1b]8;;x\x1b\\ \x1b[2J",
        )


def test_server_replies_are_redacted_and_made_visible(certificates) -> None:  # type: ignore[no-untyped-def]
    server = EchoingServer(KEY_ID, Secret(SECRET), REGION, certificates).start()
    try:
        t = Target("127.0.0.1", server.starttls_port, "starttls")
        result = run(t, GOOD, server)
    finally:
        server.stop()
    assert calls(result)[-1] == (AUTH, "535")
    text = json.dumps([r.to_json() for r in result.records]) + json.dumps(
        [f.to_json() for f in result.findings]
    )
    assert GOOD not in text
    assert "\x1b" not in text and "\\e" in text  # escapes shown, never sent to a terminal
