"""Bad input, property-tested: whatever people paste, sesfix neither crashes nor leaks.

Offline: AWS is a closed loopback port with one attempt and short timeouts, so every probe
fails fast as "unreachable" and the properties are about input handling. The example
counts are kept small so the suite stays fast on a shared machine.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sesfix.aws import regions
from sesfix.cli import main
from sesfix.diagnosis.credentials import lint
from sesfix.findings import CATALOGUE, Finding
from sesfix.settings import (
    EMAIL_FROM,
    KEY_ID,
    REGION,
    SECRET,
    VARIABLES,
    AppSettings,
    is_domain_name,
    to_idna,
)
from tests.conftest import SENTINEL_SECRET
from tests.support.leakcheck import assert_no_leak

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
LINT = settings(max_examples=150, deadline=None)

KEY = "AKIAIOSFODNN7EXAMPLE"
GOOD = {
    KEY_ID: KEY,
    SECRET: SENTINEL_SECRET,
    REGION: "us-east-1",
    "EMAIL_PROVIDER": "ses",
    EMAIL_FROM: "no-reply@example.com",
}


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{_closed_port()}")
    monkeypatch.setenv("SESFIX_MAX_ATTEMPTS", "1")
    monkeypatch.setenv("SESFIX_CONNECT_TIMEOUT", "0.5")
    monkeypatch.setenv("SESFIX_READ_TIMEOUT", "0.5")


def _check(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    assert code in (0, 1, 2), (code, err[-500:])
    assert "Traceback" not in err and "internal error" not in err, err[-2000:]
    return code, out, err


def _valid_findings(findings: list[Finding]) -> None:
    for f in findings:
        assert f.id in CATALOGUE
        assert f.evidence, f.id
        for line in f.evidence:
            assert isinstance(line, str) and line


# ---- lint alone: any unicode in any variable ------------------------------------------------

values = st.one_of(st.none(), st.text(max_size=80), st.sampled_from(["", " ", "\t", "\u200b"]))


@LINT
@given(st.fixed_dictionaries({name: values for name in VARIABLES}))
def test_lint_takes_any_text_in_any_variable(raw: dict[str, str | None]) -> None:
    env = {k: v for k, v in raw.items() if v is not None}
    s = AppSettings.from_mapping(env, "fuzz")
    found = lint(s)
    _valid_findings(found)
    ids = {f.id for f in found}
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SES_REGION", EMAIL_FROM):
        value = env.get(name)
        if value is None or not value.strip():
            assert "config.missing_variable" in ids
    region = env.get(REGION)
    if region and region.strip() and region.strip() not in regions.SES_REGIONS:
        assert ids & {"region.invalid", "credentials.whitespace", "credentials.quoted_value"}
    # The secret is never shown, whatever else is wrong.
    secret = env.get(SECRET)
    if secret and len(secret.strip()) >= 12:
        text = json.dumps([f.to_json() for f in found], ensure_ascii=False)
        assert_no_leak({"findings": text}, secret.strip())


@LINT
@given(st.text(min_size=1, max_size=40).filter(lambda r: r.strip() not in regions.SES_REGIONS))
@example("us-east-9")
@example("US-EAST-1")
@example("us\u2010east\u20101")  # a Unicode hyphen that looks right
@example("ap-southeast-1a")  # an availability zone
@example("eu-west")
def test_a_region_that_is_not_a_region_is_named(region: str) -> None:
    s = AppSettings.from_mapping({**GOOD, REGION: region}, "fuzz")
    found = {f.id: f for f in lint(s)}
    if not region.strip():
        assert "config.missing_variable" in found
        return
    assert found.keys() & {"region.invalid", "credentials.whitespace", "credentials.quoted_value"}
    if "region.invalid" in found:
        assert any(REGION in e for e in found["region.invalid"].evidence)


names = st.text(
    alphabet=st.characters(
        blacklist_characters='<>"\\@,;:()[]\r\n', blacklist_categories=("Cs", "Cc")
    ),
    min_size=1,
    max_size=30,
).filter(lambda n: n.strip())


@LINT
@given(
    names,
    st.sampled_from(["no-reply@anyrent.shop", "mail@sub.example.co.uk", "a@xn--bcher-kva.de"]),
)
def test_email_from_in_name_addr_form(name: str, address: str) -> None:
    for form in (f"{name} <{address}>", f'"{name}" <{address}>'):
        s = AppSettings.from_mapping({**GOOD, EMAIL_FROM: form}, "fuzz")
        assert s.sender_address == address, form
        assert s.domain == address.rsplit("@", 1)[1]
        assert "config.email_from_invalid" not in {f.id for f in lint(s)}


@LINT
@given(st.text(max_size=60))
@example("not a domain")
@example("-bad-.com")
@example("exa_mple.com")
@example("localhost")
@example("a" * 64 + ".com")
def test_a_sender_domain_that_is_not_a_domain_is_named(domain: str) -> None:
    s = AppSettings.from_mapping({**GOOD, EMAIL_FROM: f"Shop <shop@{domain}>"}, "fuzz")
    ids = {f.id for f in lint(s)}
    if not is_domain_name(domain):
        assert "config.email_from_invalid" in ids or (
            s.sender_address is not None and is_domain_name(s.sender_address.rsplit("@", 1)[1])
        ), (domain, s.sender_address)


# ---- the whole check, offline ----------------------------------------------------------------


line_values = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)
env_lines = st.lists(
    st.tuples(
        st.sampled_from([*VARIABLES, "OTHER", "export AWS_SES_REGION", "#AWS_ACCESS_KEY_ID", ""]),
        st.sampled_from(["=", " = ", '="', "='", ": "]),
        line_values,
    ),
    max_size=12,
)


@FUZZ
@given(lines=env_lines, newline=st.sampled_from(["\n", "\r\n", "\r"]), bom=st.booleans())
def test_any_dotenv_text(
    lines: list[tuple[str, str, str]],
    newline: str,
    bom: bool,
    offline: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    body = newline.join(f"{k}{sep}{v}" for k, sep, v in lines)
    body += f"{newline}AWS_SECRET_ACCESS_KEY={SENTINEL_SECRET}{newline}"
    path = tmp_path / "fuzz.env"
    path.write_bytes(("\ufeff" if bom else "").encode() + body.encode("utf-8", "surrogatepass"))
    code, out, err = _check(["check", "--json", "--env-file", str(path)], capsys)
    if code in (0, 1):
        report = json.loads(out)
        assert report["schema"] == "sesfix.check/1"
        assert all(f["id"] in CATALOGUE for f in report["findings"])
    else:
        assert "env file" in err
    assert_no_leak({"stdout": out, "stderr": err}, SENTINEL_SECRET)


@FUZZ
@given(blob=st.binary(max_size=3000))
@example(blob=b"\x00" * 10)
@example(blob=b"\xff\xfe" + "AWS_SES_REGION=us-east-1".encode("utf-16-le"))
def test_any_bytes_as_a_dotenv_file(
    blob: bytes, offline: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "blob.env"
    path.write_bytes(blob + b"\nAWS_SECRET_ACCESS_KEY=" + SENTINEL_SECRET.encode() + b"\n")
    code, out, err = _check(["check", "--env-file", str(path)], capsys)
    if code == 2:
        # Undecodable bytes, or a line python-dotenv cannot read (named by its number).
        assert "env file" in err and ("binary" in err or "UTF-8" in err or "line " in err), err
    assert_no_leak({"stdout": out, "stderr": err}, SENTINEL_SECRET)


def test_a_huge_dotenv_file_is_refused_politely(
    offline: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "huge.env"
    with path.open("wb") as f:
        f.write(f"AWS_SECRET_ACCESS_KEY={SENTINEL_SECRET}\n".encode())
        f.write(b"# padding padding padding padding padding padding padding\n" * 40_000)
    code, out, err = _check(["check", "--env-file", str(path)], capsys)
    assert code == 2 and "over 1 MiB" in err
    assert_no_leak({"stdout": out, "stderr": err}, SENTINEL_SECRET)

    big = tmp_path / "big-but-fine.env"
    big.write_bytes(
        b"".join(f"{k}={v}\r\n".encode() for k, v in GOOD.items())
        + b"# comment line to make the file large but under the limit\r\n" * 15_000
    )
    code, out, err = _check(["check", "--json", "--env-file", str(big)], capsys)
    assert code == 1  # offline: every probe unreachable
    report = json.loads(out)
    assert "config.missing_variable" not in [f["id"] for f in report["findings"]]
    assert_no_leak({"stdout": out, "stderr": err}, SENTINEL_SECRET)


@FUZZ
@given(profile=st.text(max_size=40))
@example(profile="")
@example(profile="default")
@example(profile="[ops]")
@example(profile="ops\nother")
@example(profile="../../etc/passwd")
def test_any_operator_profile_name(
    profile: str, offline: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "app.env"
    path.write_text("".join(f"{k}={v}\n" for k, v in GOOD.items()))
    code, out, err = _check(
        ["check", "--json", "--env-file", str(path), "--operator-profile", profile], capsys
    )
    if profile:
        assert code == 2 and "profile" in err, (code, err)
    assert_no_leak({"stdout": out, "stderr": err}, SENTINEL_SECRET)


@FUZZ
@given(domain=st.text(max_size=60))
@example(domain="not a domain!")
@example(domain="xn--bcher-kva.de")
@example(domain="bücher.de")
def test_any_domain_flag(
    domain: str, offline: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "app.env"
    path.write_text("".join(f"{k}={v}\n" for k, v in GOOD.items()))
    code, out, err = _check(
        ["check", "--json", "--env-file", str(path), "--domain", domain], capsys
    )
    if domain.startswith("-"):
        assert code == 2  # argparse: a flag, not a value
    elif domain and not is_domain_name(domain):
        assert code == 2 and "not a domain name" in err
    elif domain:
        assert code == 1
        report = json.loads(out)
        given = domain.strip().lower().rstrip(".")
        # AWS is asked about the IDNA form; people read both (bücher.de (xn--bcher-kva.de)).
        assert report["context"]["domain"] == to_idna(given)
        assert given in report["context"]["domain_shown"]
    assert_no_leak({"stdout": out, "stderr": err}, SENTINEL_SECRET)


@FUZZ
@given(
    raw=st.fixed_dictionaries(
        {name: values for name in VARIABLES if name != SECRET},
    ),
    secret_suffix=st.sampled_from(["", " ", "\n", "\u200b", "é", "\x00"]),
)
def test_the_diagnosis_takes_any_text_in_any_variable(
    raw: dict[str, str | None], secret_suffix: str, offline: None
) -> None:
    """Straight into the engine (no env-file parsing): non-ASCII key IDs, control
    characters, NULs; every probe fails as unreachable or unsignable, nothing raises."""
    from sesfix.commands.check import render_text
    from sesfix.diagnosis.engine import diagnose

    env = {k: v for k, v in raw.items() if v is not None}
    env[SECRET] = SENTINEL_SECRET + secret_suffix
    report = diagnose(AppSettings.from_mapping(env, "fuzz"))
    _valid_findings(report.findings)
    import io

    human = io.StringIO()
    render_text(report, human)
    produced = {"json": json.dumps(report.to_json(), default=str), "human": human.getvalue()}
    assert_no_leak(produced, SENTINEL_SECRET)
    assert not report.healthy or env.get(KEY_ID) == KEY
