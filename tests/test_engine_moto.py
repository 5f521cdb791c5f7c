"""The engine against the simulated account (moto server, IAM authentication enforced).

Every AWS answer here is moto's real protocol answer to real SigV4-signed requests.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac

import pytest

from sesfix.demo.account import ADMIN, S3_FULL, SCENARIOS, SES_FULL, Scenario
from sesfix.findings import Severity
from sesfix.settings import EMAIL_FROM, KEY_ID, PROVIDER, REGION, SECRET, TOKEN, VARIABLES
from tests.support.engine import check, errors, one

HEALTHY = SCENARIOS["healthy"]
SEND_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "RentalShopSES",
            "Effect": "Allow",
            "Action": [
                "ses:SendEmail",
                "ses:SendRawEmail",
                "ses:GetSendStatistics",
                "ses:GetSendQuota",
            ],
            "Resource": "*",
        }
    ],
}
DENY_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "NoMail", "Effect": "Deny", "Action": "ses:Send*", "Resource": "*"}],
}


def scenario(name: str, **changes: object) -> Scenario:
    return dataclasses.replace(HEALTHY, name=name, **changes)  # type: ignore[arg-type]


# --- the guide's incident ----------------------------------------------------------------


def test_seed_incident_with_operator_names_the_s3_policy(account):
    acct = account("seed")
    report = check(acct)
    assert errors(report) == ["iam.ses_permission_missing"]
    finding = one(report, "iam.ses_permission_missing")
    assert finding.severity == Severity.ERROR and finding.step == 1
    assert any("AmazonS3FullAccess" in e for e in finding.evidence), finding.evidence
    assert not report.healthy
    # The cause, not the symptoms: the key is fine, so no credentials finding at all.
    assert not [f for f in report.findings if f.id.startswith("credentials.")]
    assert report.step(1).status == "fail"
    assert report.step(2).status == "pass"
    assert report.context.app_user == "rental-app"


def test_seed_incident_without_operator_still_names_the_cause(account):
    acct = account("seed")
    report = check(acct, operator=False)
    assert errors(report) == ["iam.ses_permission_missing"]
    evidence = " ".join(one(report, "iam.ses_permission_missing").evidence)
    assert "AccessDenied" in evidence and "ses:GetSendQuota" in evidence
    cannot = one(report, "iam.cannot_inspect")
    assert cannot.severity in (Severity.INFO, Severity.WARNING)
    assert "credentials.key_not_found" not in report.finding_ids()
    # Nothing as the operator was attempted.
    assert all(p.identity == "app" for s in report.steps for p in s.probes)


# --- healthy users, three ways of granting ----------------------------------------------


@pytest.mark.parametrize(
    "grant",
    [
        {"managed_policies": (S3_FULL, SES_FULL)},
        {"managed_policies": (S3_FULL,), "inline_policies": (("RentalShopSES", SEND_POLICY),)},
        {"managed_policies": (), "groups": (("mailers", (SES_FULL,)),)},
    ],
    ids=["managed", "inline", "group"],
)
def test_healthy_user_by_any_grant(account, grant):
    acct = account(scenario("grant", **grant))
    report = check(acct)
    assert report.healthy, [(f.id, f.evidence) for f in report.errors]
    assert report.context.can_send is True
    if grant.get("groups"):
        assert report.context.groups == ["mailers"]
    if grant.get("inline_policies"):
        assert report.context.inline_policies == ["RentalShopSES"]
    assert report.step(1).status == "pass"
    assert report.step(2).status == "pass"
    assert report.step(3).status == "pass"
    assert report.step(4).status == "pass"
    # moto's account is in the sandbox: a warning, which still exits 0.
    assert "account.sandbox" in report.finding_ids()


def test_healthy_user_without_operator_exits_clean(account):
    acct = account("healthy")
    report = check(acct, operator=False)
    assert report.healthy, [(f.id, f.evidence) for f in report.errors]
    # Sending rights are unproven without IAM: unknown, not pass.
    assert report.step(1).status == "unknown"
    assert report.step(4).status == "pass"


# --- IAM verdicts -------------------------------------------------------------------------


def test_explicit_deny_in_an_inline_policy(account):
    acct = account(
        scenario(
            "deny", managed_policies=(SES_FULL,), inline_policies=(("NoMailPolicy", DENY_POLICY),)
        )
    )
    report = check(acct)
    assert errors(report) == ["iam.ses_explicit_deny"]
    evidence = " ".join(one(report, "iam.ses_explicit_deny").evidence)
    assert "NoMailPolicy" in evidence and "NoMail" in evidence


def test_admin_user_is_allowed(account):
    acct = account(scenario("admin", managed_policies=(ADMIN,)))
    report = check(acct)
    assert report.healthy and report.context.can_send is True


# --- credentials --------------------------------------------------------------------------


def _typo(key_id: str) -> str:
    last = "A" if key_id[-1] != "A" else "B"
    return key_id[:-1] + last


def test_key_typo_is_key_not_found_and_nothing_else(account):
    acct = account("healthy")
    report = check(acct, {KEY_ID: _typo(acct.app_env[KEY_ID])})
    assert errors(report) == ["credentials.key_not_found"]
    finding = one(report, "credentials.key_not_found")
    assert "InvalidClientTokenId" in " ".join(finding.evidence)
    assert report.step(2).status == "fail"
    # Steps that depended on the key have no answer of their own.
    assert report.step(3).status == "fail"


def test_key_typo_without_operator(account):
    acct = account("healthy")
    report = check(acct, {KEY_ID: _typo(acct.app_env[KEY_ID])}, operator=False)
    assert errors(report) == ["credentials.key_not_found"]


def test_wrong_secret_is_secret_mismatch(account):
    acct = account("lost-secret")
    report = check(acct)
    assert errors(report) == ["credentials.secret_mismatch"]
    evidence = " ".join(one(report, "credentials.secret_mismatch").evidence)
    assert "SignatureDoesNotMatch" in evidence and "rental-app" in evidence


def test_inactive_key_seen_by_the_operator(account):
    acct = account(scenario("inactive", key_status="Inactive"))
    report = check(acct)
    assert "credentials.key_inactive" in errors(report)
    assert "Inactive" in " ".join(one(report, "credentials.key_inactive").evidence)


def test_temporary_key_without_token(account):
    acct = account("healthy")
    report = check(acct, {KEY_ID: "ASIA" + acct.app_env[KEY_ID][4:]})
    assert errors(report) == ["credentials.temporary_key_without_token"]


def _smtp_password(secret: str, region: str) -> str:
    """AWS's documented derivation of an SES SMTP password from a secret access key."""

    def sign(key: bytes, msg: str) -> bytes:
        return hmac.new(key, msg.encode(), hashlib.sha256).digest()

    sig = sign(("AWS4" + secret).encode(), "11111111")
    for part in (region, "ses", "aws4_request", "SendRawEmail"):
        sig = sign(sig, part)
    return base64.b64encode(bytes([0x04]) + sig).decode()


def test_smtp_password_in_place_of_the_secret(account):
    acct = account("healthy")
    smtp = _smtp_password(acct.app_env[SECRET], acct.app_env[REGION])
    assert len(smtp) == 44
    report = check(acct, {SECRET: smtp})
    assert errors(report) == ["credentials.smtp_password_as_secret"]
    assert "SignatureDoesNotMatch" in " ".join(
        one(report, "credentials.smtp_password_as_secret").evidence
    )
    assert smtp not in repr(report.to_json())


# --- the six variables ----------------------------------------------------------------------


@pytest.mark.parametrize("variable", VARIABLES)
def test_whitespace_in_each_variable_is_named(account, variable):
    acct = account("healthy")
    env = dict(acct.app_env)
    changes = {TOKEN: " "} if variable == TOKEN else {variable: env[variable] + " "}
    report = check(acct, changes)
    found = [f for f in report.findings if f.id == "credentials.whitespace"]
    assert len(found) == 1, report.finding_ids()
    assert found[0].data["variable"] == variable
    assert variable in " ".join(found[0].evidence)
    assert "trailing space" in " ".join(found[0].evidence) or variable == TOKEN
    assert "credentials.key_not_found" not in report.finding_ids()
    assert "credentials.secret_mismatch" not in report.finding_ids()
    if variable in (KEY_ID, SECRET):
        # AWS's answer to the raw value, then proof with the cleaned values.
        evidence = " ".join(found[0].evidence)
        assert "removed, AWS accepts the credentials" in evidence, found[0].evidence


def test_quoted_key_id(account):
    acct = account("healthy")
    report = check(acct, {KEY_ID: f'"{acct.app_env[KEY_ID]}"'})
    assert errors(report) == ["credentials.quoted_value"]
    evidence = " ".join(one(report, "credentials.quoted_value").evidence)
    assert "InvalidClientTokenId" in evidence and "AWS accepts" in evidence


@pytest.mark.parametrize("variable", [KEY_ID, SECRET, REGION, PROVIDER, EMAIL_FROM])
def test_missing_variable(account, variable):
    acct = account("healthy")
    report = check(acct, {variable: None})
    missing = [f for f in report.findings if f.id == "config.missing_variable"]
    assert [f.data["variable"] for f in missing] == [variable]
    assert "config.missing_variable" in errors(report)
    assert not [f for f in report.errors if f.id.startswith(("credentials.", "iam."))]


def test_wrong_provider(account):
    acct = account("healthy")
    report = check(acct, {PROVIDER: "console"})
    assert errors(report) == ["config.provider_not_ses"]
    # 'smtp' is SES through its SMTP interface: then the SMTP variables are what is missing.
    report = check(acct, {PROVIDER: "smtp"})
    assert errors(report) == ["config.missing_variable"]
    missing = [f.data["variable"] for f in report.errors]
    assert missing == ["SMTP_HOST", "SMTP_PORT", "SMTP_USERNAME", "SMTP_PASSWORD"]


def test_invalid_region(account):
    acct = account("healthy")
    report = check(acct, {REGION: "ap-southeast-9"})
    assert errors(report) == ["region.invalid"]
    assert report.step(4).status == "fail"
    # No SES call is made to a region that does not exist ...
    assert not [p for s in report.steps for p in s.probes if p.region == "ap-southeast-9"]
    # ... but the operator looks where the sender is verified: that is the value to set.
    assert "anyrent.shop is verified in ap-southeast-1" in " ".join(
        one(report, "region.invalid").evidence
    )
    assert report.context.verified_regions == ["ap-southeast-1"]


def test_missing_region_says_where_the_sender_is_verified(account):
    acct = account("healthy")
    report = check(acct, {REGION: None})
    assert errors(report) == ["config.missing_variable"]
    evidence = " ".join(one(report, "config.missing_variable").evidence)
    assert "verified in ap-southeast-1" in evidence


def test_domain_verified_only_in_another_region(account):
    acct = account("wrong-region")
    report = check(acct)
    assert errors(report) == ["region.identity_not_in_region"]
    finding = one(report, "region.identity_not_in_region")
    assert "us-east-1" in " ".join(finding.evidence)
    assert finding.data["verified_regions"] == ["us-east-1"]


def test_domain_verified_nowhere(account):
    acct = account(scenario("unverified", verified_regions=()))
    report = check(acct)
    assert errors(report) == ["identity.not_verified"]


def test_display_name_sender_works(account):
    acct = account("healthy")
    report = check(acct, {EMAIL_FROM: "Rental Shop <no-reply@anyrent.shop>"})
    assert report.healthy, [(f.id, f.evidence) for f in report.errors]
    assert report.context.domain == "anyrent.shop"


# --- probes that cannot get an answer --------------------------------------------------------


def test_endpoint_down_is_probe_unreachable(account, monkeypatch):
    import socket

    acct = account("healthy")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("SESFIX_MAX_ATTEMPTS", "1")
    report = check(acct)
    unreachable = [f for f in report.findings if f.id == "probe.unreachable"]
    assert unreachable
    calls = {f.data["call"] for f in unreachable}
    assert "sts:GetCallerIdentity" in calls
    for f in unreachable:
        assert f.data["region"] in " ".join(f.evidence)
        assert f.data["call"] in " ".join(f.evidence)
    # No verdict about the credentials or IAM from a dead endpoint.
    assert not [f for f in report.findings if f.id.startswith(("credentials.", "iam.ses"))]
    assert not report.healthy
    assert report.step(2).status == "unknown"


# --- the request budget -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["seed", "healthy", "wrong-region"])
def test_no_call_is_made_twice(account, name):
    acct = account(name)
    report = check(acct)
    seen = [(p.call, p.identity, p.region, p.cli) for s in report.steps for p in s.probes]
    assert len(seen) == len(set(seen)), seen


def test_policy_reached_twice_is_fetched_once(account):
    acct = account(
        scenario(
            "twice",
            managed_policies=(S3_FULL, SES_FULL),
            groups=(("mailers", (SES_FULL,)), ("storage", (S3_FULL,))),
        )
    )
    report = check(acct)
    assert report.healthy and report.context.can_send is True
    seen = [(p.call, p.identity, p.cli) for s in report.steps for p in s.probes]
    assert len(seen) == len(set(seen)), seen
    fetched = [cli for call, _, cli in seen if call == "iam:GetPolicy"]
    assert len(fetched) == 2  # AmazonSESFullAccess and AmazonS3FullAccess, once each


# --- cancellation and observers ------------------------------------------------------------------


def test_cancel_before_start_makes_no_call(account):
    import threading

    from sesfix.diagnosis.engine import DiagnosisOptions, diagnose
    from tests.support.engine import settings_of

    acct = account("seed")
    cancel = threading.Event()
    cancel.set()
    report = diagnose(settings_of(acct), DiagnosisOptions(operator=acct.operator), cancel=cancel)
    assert [s.status for s in report.steps] == ["unknown"] * 5
    assert not [p for s in report.steps for p in s.probes]


def test_cancel_mid_run_returns_promptly(account):
    import threading

    from sesfix.aws.gateway import CallFinished
    from sesfix.diagnosis.engine import DiagnosisOptions, diagnose
    from tests.support.engine import settings_of

    acct = account("wrong-region")
    cancel = threading.Event()

    def stop_after_first(event):
        if isinstance(event, CallFinished):
            cancel.set()

    report = diagnose(
        settings_of(acct),
        DiagnosisOptions(operator=acct.operator),
        listeners=[stop_after_first],
        cancel=cancel,
    )
    calls = [p for s in report.steps for p in s.probes]
    assert 1 <= len(calls) < 20  # the full run of this scenario makes ~45 calls


def test_a_failing_listener_changes_nothing(account):
    from sesfix.diagnosis.engine import DiagnosisOptions, diagnose
    from tests.support.engine import settings_of

    acct = account("seed")

    def broken(event):
        raise RuntimeError("display crashed")

    report = diagnose(
        settings_of(acct), DiagnosisOptions(operator=acct.operator), listeners=[broken]
    )
    assert errors(report) == ["iam.ses_permission_missing"]


def test_allowed_only_under_a_condition_is_said_not_guessed(account):
    conditional = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "OnlyFromShop",
                "Effect": "Allow",
                "Action": ["ses:SendEmail", "ses:SendRawEmail", "ses:GetSendQuota"],
                "Resource": "*",
                "Condition": {"StringEquals": {"ses:FromAddress": "no-reply@anyrent.shop"}},
            }
        ],
    }
    acct = account(
        scenario("conditional", managed_policies=(), inline_policies=(("Cond", conditional),))
    )
    report = check(acct)
    assert report.context.can_send is True
    cannot = one(report, "iam.cannot_inspect")
    assert cannot.severity == Severity.WARNING
    assert "OnlyFromShop" in " ".join(cannot.evidence)
    assert "iam.ses_permission_missing" not in report.finding_ids()
