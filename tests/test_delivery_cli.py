"""``sesfix check`` with the delivery flags, on the practice account (moto on loopback, its
DNS on loopback): --to, --configuration-set, --dns-server, and their usage errors."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sesfix.cli import main


def run_check(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    capsys.readouterr()
    code = main(["check", "--json", "--quiet", *argv])
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip() else {}


def by_id(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["id"]: f for f in data["findings"]}


def test_sandbox_recipient_in_check_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = run_check(capsys, "--demo", "sandbox-recipient")
    f = by_id(data)["account.recipient_not_verified"]
    assert code == 1 and f["severity"] == "error" and f["step"] == 5
    assert f["data"]["recipient"] == "owner@gmail.com"
    assert f["fixes"] == ["request-production-access", "verify-recipient"]


def test_to_overrides_the_practice_inbox(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = run_check(
        capsys, "--demo", "sandbox-recipient", "--to", "success@simulator.amazonses.com"
    )
    assert code == 0 and data["healthy"], data["findings"]
    assert "account.recipient_not_verified" not in by_id(data)


def test_suppressed_recipient_in_check_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = run_check(capsys, "--demo", "suppressed-recipient")
    f = by_id(data)["recipient.suppressed"]
    assert code == 1 and f["data"]["reason"] == "BOUNCE" and f["fixes"] == ["unsuppress-recipient"]


def test_configuration_set_flag(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = run_check(capsys, "--demo", "healthy", "--configuration-set", "transactional")
    f = by_id(data)["config.configuration_set_missing"]
    assert code == 1 and f["data"]["named_by"] == "--configuration-set"
    assert f["data"]["configuration_set"] == "transactional"


def test_dkim_not_published_in_check_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = run_check(capsys, "--demo", "dkim-not-published")
    f = by_id(data)["dns.dkim_records_missing"]
    assert code == 1 and f["step"] == 4 and f["fixes"] == ["show-dns-records"]
    assert len(f["data"]["records"]) == 3
    assert any("_dmarc.anyrent.shop." in line for line in f["data"]["zone"])


def test_send_raw_missing_in_check_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = run_check(capsys, "--demo", "send-raw-missing")
    f = by_id(data)["iam.send_raw_email_missing"]
    assert code == 1 and f["step"] == 1
    assert "iam.ses_permission_missing" not in by_id(data)
    assert any("ses:SendRawEmail" in e for e in f["evidence"])


def test_dns_server_flag_wins(capsys: pytest.CaptureFixture[str]) -> None:
    """Pointed at a server that does not answer, the DNS questions stay open: a warning
    naming the lookups, never 'records missing'."""
    code, data = run_check(capsys, "--demo", "healthy", "--dns-server", "127.0.0.1:9")
    assert code == 0  # an open question is not an error
    found = by_id(data)
    assert "dns.dkim_records_missing" not in found and "dns.dmarc_missing" not in found
    assert found["dns.unanswered"]["severity"] == "warning"
    assert data["steps"][3]["status"] == "unknown"


@pytest.mark.parametrize(
    ("flag", "value"),
    [("--dns-server", "dns.example.com"), ("--dns-server", "127.0.0.1:0"), ("--to", "nobody")],
)
def test_malformed_flags_are_usage_errors(
    capsys: pytest.CaptureFixture[str], flag: str, value: str
) -> None:
    code, data = run_check(capsys, "--demo", "healthy", flag, value)
    assert code == 2 and data == {}
