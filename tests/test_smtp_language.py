# ruff: noqa: F811 - pytest fixtures imported from tests.support.smtp_server
"""The SMTP checks speak the reader's language (issue 14 with issue 12's rule): every
sentence sesfix.smtp writes for a person - the forensics' evidence, the live probe's step
details, the verdict's evidence and advice - is a catalogue key in smtp.{en,vi}.json, and a
Vietnamese run leaves none of them in English. The live parts run against the real SMTP
server on loopback (aiosmtpd + trustme), a port that drops SYNs and one that refuses.

Also: a 535 from a server that is not SES's endpoint is explained as that server refusing
the login, never with SES's password derivation."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from sesfix.demo.smtp import PracticeSmtpServer
from sesfix.locale import catalogue, set_language
from sesfix.masking import Secret
from sesfix.settings import AppSettings
from sesfix.smtp import derive, forensics
from sesfix.smtp import settings as S
from sesfix.smtp.probe import Limits, probe
from sesfix.smtp.settings import Target
from tests.support.smtp_server import (
    KEY_ID,
    REGION,
    SECRET,
    blocked_port,  # noqa: F401 - fixtures
    certificates,  # noqa: F401
    closed_port,  # noqa: F401
    smtp_endpoint,  # noqa: F401
)
from tests.test_evidence_language import _english_sentences

SMTP = Path(__file__).resolve().parent.parent / "sesfix" / "smtp"
GOOD = derive.smtp_password(SECRET, REGION)
LIMITS = Limits(connect=1.0, read=2.0, deadline=12.0)

_EV = re.compile(r"""\bev\(\s*"([a-zA-Z0-9_.\-]+)\"""")
_SAY = re.compile(r"""\b_say\(\s*"([a-zA-Z0-9_.\-]+)\"""")
_EV_FAMILY = re.compile(r"""\bev\(\s*f"([a-zA-Z0-9_.\-]+)\.\{""")


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_smtp_sentence_is_a_key_in_both_languages() -> None:
    en, vi = catalogue("en"), catalogue("vi")
    used: set[str] = set()
    families: set[str] = set()
    for path in SMTP.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        used |= {f"evidence.{k}" for k in _EV.findall(text)}
        used |= {f"evidence.smtp.p.{k}" for k in _SAY.findall(text)}
        families |= {f"evidence.{k}." for k in _EV_FAMILY.findall(text)}
    assert len(used) > 60, len(used)  # the scan found the modules' keys
    assert {"evidence.smtp.advice.", "evidence.smtp.entity.", "evidence.lint.where."} <= families
    keys = used | {k for k in en if any(k.startswith(f) for f in families)}
    assert sorted(k for k in keys if k not in en or k not in vi) == []
    for key in sorted(keys):
        assert _fields(en[key]) == _fields(vi[key]), key
        assert en[key] != vi[key], f"{key} is English in vi: {vi[key]!r}"


def test_no_sentence_is_written_in_the_smtp_modules() -> None:
    """No literal or f-string sentence is handed to F.make, and no _Failure carries one: the
    only text built in place joins values (``host:port: the server's words``)."""
    offenders = []
    for path in SMTP.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        for m in re.finditer(r"F\.make\(\s*\"[a-z_.]+\",\s*(f?\"[^\"]*\")", text):
            offenders.append(f"{path.name}: {m.group(1)[:60]}")
        for m in re.finditer(r"_Failure\(\s*\"[a-z-]+\",\s*(f?\"[^\"]*\")", text):
            literal = re.sub(r"\{[^}]*\}", "", m.group(1))
            if re.search(r"[A-Za-z]{3,}", literal.strip('f"')):
                offenders.append(f"{path.name}: {m.group(1)[:60]}")
    assert offenders == []


def _lint(**values: str) -> list[str]:
    smtp = S.SmtpSettings.from_mapping({"EMAIL_PROVIDER": "smtp", **values}, "test")
    findings = forensics.lint(smtp, secret=Secret(SECRET), secret_key_id=KEY_ID)
    return [e for f in findings for e in f.evidence]


#: Settings that make every kind of forensics sentence (and the English they must not be).
BAD_SETTINGS = [
    {"SMTP_HOST": "email.eu-west-1.amazonaws.com", "SMTP_PORT": "5870"},
    {"SMTP_HOST": "smtp.example.net", "SMTP_PORT": "x"},
    {"SMTP_HOST": "email-smtp.af-south-1.amazonaws.com", "SMTP_USERNAME": "me@example.com"},
    {"SMTP_HOST": "email-smtp.xx-east-9.amazonaws.com", "SMTP_USERNAME": "AIDAEXAMPLEUSERID001"},
    {"SMTP_HOST": f"email-smtp.{REGION}.amazonaws.com", "SMTP_PORT": "465", "SMTP_SECURE": "no"},
    {"SMTP_PORT": "587", "SMTP_SECURE": "maybe", "SMTP_USERNAME": "ses-smtp-user.20240101-1"},
    {
        "SMTP_HOST": f"email-smtp.{REGION}.amazonaws.com",
        "SMTP_USERNAME": KEY_ID,
        "SMTP_PASSWORD": SECRET,
    },
    {
        "SMTP_HOST": f"email-smtp.{REGION}.amazonaws.com",
        "SMTP_USERNAME": " " + KEY_ID,
        "SMTP_PASSWORD": derive.smtp_password(SECRET, "us-east-1"),
    },
    {
        "SMTP_HOST": f"email-smtp.{REGION}.amazonaws.com",
        "SMTP_USERNAME": "AKIAQOTHERKEY0000001",
        "SMTP_PASSWORD": derive.smtp_password(SECRET, REGION),
    },
    {
        "SMTP_HOST": f"email-smtp.{REGION}.amazonaws.com",
        "SMTP_USERNAME": KEY_ID,
        "SMTP_PASSWORD": derive.smtp_password("another+secret+entirely+0123456789abcd", REGION),
    },
    {"SMTP_USERNAME": "ASIAQTEMPORARYKEY001", "SMTP_PASSWORD": "'" + "z" * 20 + "'"},
]


def test_the_forensics_speak_vietnamese(vietnamese: None) -> None:
    english = _english_sentences()
    lines = [line for values in BAD_SETTINGS for line in _lint(**values)]
    assert len(lines) >= 20, lines
    assert [line for line in lines if any(p.search(line) for p in english)] == []
    joined = "\n".join(lines)
    for vietnamese_words in ("không phải", "chưa được đặt", "được suy ra từ", "cổng"):
        assert vietnamese_words in joined, vietnamese_words
    assert SECRET not in joined and GOOD not in joined


def test_the_forensics_english_is_unchanged() -> None:
    """The English is the text these checks printed before they moved to the catalogue."""
    lines = _lint(**BAD_SETTINGS[0]) + _lint(**BAD_SETTINGS[4])
    assert (
        "SMTP_HOST is email.eu-west-1.amazonaws.com: the SES HTTPS API endpoint (it speaks "
        "HTTPS on 443, not SMTP)"
    ) in lines
    assert "port 465 speaks implicit TLS, but SMTP_SECURE=no asks for STARTTLS" in lines, lines


def _probe(t: Target, server: PracticeSmtpServer | None, **kw):  # type: ignore[no-untyped-def]
    return probe(
        t,
        kw.pop("username", KEY_ID),
        Secret(kw.pop("password", GOOD)),
        region=kw.pop("region", REGION),
        limits=LIMITS,
        context=server.certificates.client if server else None,
        https_ok=lambda: True,
        **kw,
    )


def test_the_live_probe_speaks_vietnamese(
    smtp_endpoint: PracticeSmtpServer, blocked_port, closed_port, vietnamese: None
) -> None:  # type: ignore[no-untyped-def]
    english = _english_sentences()
    ok = _probe(Target("127.0.0.1", smtp_endpoint.starttls_port, "starttls"), smtp_endpoint)
    implicit = _probe(Target("127.0.0.1", smtp_endpoint.implicit_port, "implicit"), smtp_endpoint)
    refused = _probe(
        Target("127.0.0.1", smtp_endpoint.starttls_port, "starttls"), smtp_endpoint, password=SECRET
    )
    blocked = _probe(
        Target("127.0.0.1", blocked_port.port, "starttls"),
        None,
        other_ports=(closed_port.port, smtp_endpoint.starttls_port),
        platform="railway",
    )
    results = [ok, implicit, refused, blocked]
    details = [r.detail for res in results for r in res.records]
    evidence = [e for res in results for f in res.findings for e in f.evidence]
    assert [f.id for f in refused.findings] == ["smtp.auth_failed"]
    assert [f.id for f in blocked.findings] == ["smtp.port_blocked"]
    lines = details + evidence
    assert [line for line in lines if any(p.search(line) for p in english)] == []
    joined = "\n".join(lines)
    assert "đã kết nối TCP tới 127.0.0.1" in joined
    assert "535 nghĩa là SES không chấp nhận" in joined
    assert "Railway chỉ cho SMTP ra ngoài từ gói Pro trở lên" in joined
    assert "HTTPS tới SES vẫn trả lời từ đây" in joined
    assert "cổng SES khác" in joined
    assert SECRET not in joined and GOOD not in joined


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_a_535_from_another_provider_is_not_explained_by_ses(
    smtp_endpoint: PracticeSmtpServer, lang: str
) -> None:
    """SMTP_HOST is another provider's (region None): its refusal says the server refused
    the login and what to check there, never how SES derives passwords."""
    set_language(lang)
    try:
        t = Target("127.0.0.1", smtp_endpoint.starttls_port, "starttls")
        result = _probe(t, smtp_endpoint, region=None, ses_host=False, password="wrong-password")
        ses = _probe(t, smtp_endpoint, password="wrong-password")
    finally:
        set_language("en")
    [finding] = result.findings
    assert finding.id == "smtp.auth_failed" and finding.data["code"] == "535"
    assert finding.data["variant"] == "other_host" and finding.fixes == ()
    assert finding.title == "The SMTP server refused the login"
    for text in (finding.title, finding.explanation, *finding.evidence):
        assert "SES" not in text and "deriv" not in text and "region" not in text, text
    assert "the account's SMTP login at that provider" in finding.explanation
    assert "535" in finding.evidence[-1] and "127.0.0.1" in finding.evidence[-1]
    # The same refusal from SES's endpoint keeps SES's explanation.
    [from_ses] = ses.findings
    assert "variant" not in from_ses.data
    assert "derived from its secret" in from_ses.explanation
    vi = catalogue("vi")
    if lang == "vi":
        assert finding.evidence[-1].startswith("535 nghĩa là 127.0.0.1 không chấp nhận")
    assert (
        vi["finding.smtp.auth_failed.other_host.explanation"]
        != catalogue("en")["finding.smtp.auth_failed.other_host.explanation"]
    )


def test_a_535_from_another_provider_in_the_diagnosis(
    smtp_endpoint: PracticeSmtpServer, monkeypatch: pytest.MonkeyPatch, account
) -> None:  # type: ignore[no-untyped-def]
    """Through the engine: SMTP_HOST names another provider, the probe is redirected to the
    loopback server, which refuses the login."""
    from sesfix.diagnosis.engine import DiagnosisOptions, diagnose

    acct = account("healthy")
    monkeypatch.setenv("SESFIX_SMTP_ENDPOINT", f"127.0.0.1:{smtp_endpoint.starttls_port}")
    monkeypatch.setenv("SSL_CERT_FILE", str(smtp_endpoint.certificates.ca_file))
    env = dict(
        acct.app_env,
        SMTP_HOST="smtp.mailgun.org",
        SMTP_PORT="587",
        SMTP_USERNAME="postmaster@mg.example.com",
        SMTP_PASSWORD="not-the-mailgun-password",
    )
    report = diagnose(AppSettings.from_mapping(env, "test"), DiagnosisOptions())
    [finding] = [f for f in report.findings if f.id == "smtp.auth_failed"]
    assert finding.data.get("variant") == "other_host"
    assert "SES" not in finding.explanation and "SES" not in " ".join(finding.evidence)
    # Nor is the login judged as SES credentials: another provider's user and password.
    ids = [f.id for f in report.errors]
    assert "smtp.username_not_key_id" not in ids and "smtp.password_other_key" not in ids
    assert ids == ["smtp.auth_failed"], ids
    assert finding.to_json()["title"] == "The SMTP server refused the login"
    # check's text report titles it as the variant too, in both languages.
    import io

    from sesfix.commands.check import render_text

    for lang, title in (
        ("en", "The SMTP server refused the login"),
        ("vi", catalogue("vi")["finding.smtp.auth_failed.other_host.title"]),
    ):
        set_language(lang)
        try:
            out = io.StringIO()
            render_text(report, out, commands=False)
        finally:
            set_language("en")
        assert title in out.getvalue()
        assert catalogue(lang)["finding.smtp.auth_failed.title"] not in out.getvalue()
