"""The wizard, driven by Pilot against moto's server (IAM authentication enforced)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from sesfix.tui.app import SesfixApp, make_app
from tests.conftest import SENTINEL_SECRET
from tests.support.proxy import DelayProxy
from tests.support.screen import screen_text
from tests.support.wizard import apply_fix, incident_app, open_plan, settle

MUTATING = re.compile(r"^(Attach|Create|Put|Delete|Update|Detach|Verify|Send|Set|Tag)")


async def rotate_key_with_keyboard(pilot: Any, app: SesfixApp) -> Any:
    """Step 2, Tab to rotate-access-key, Enter, y: the new key the wizard holds."""
    await apply_fix(pilot, app, "rotate-access-key", step=2)
    assert app.state.last_new_key is not None
    return app.state.last_new_key


async def test_opens_on_step_one_with_probes_running(account: Any) -> None:
    acct = account("seed")
    app = incident_app(acct)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause(0)
        # Opened on step 1 at once, probing before anyone pressed a key.
        assert app.state.current_page == "step1"
        assert app.state.generation == 1
        await settle(pilot, app)
        assert app.state.report is not None
        assert "iam.ses_permission_missing" in app.state.report.finding_ids()
        assert app.step_state(1) == "fail"
        text = screen_text(app)
        assert "iam.ses_permission_missing" in text
        assert "The IAM user may not send with SES" in text
        # Each probe shows its call, identity, region, outcome and the CLI line.
        app.screen.query_one("#main").scroll_end(animate=False)
        await pilot.pause(0.1)
        text = screen_text(app)
        assert "iam:ListAttachedUserPolicies" in text or "sts:GetCallerIdentity" in text
        assert "$ aws " in text
        await pilot.press("v")
        assert "$ aws " not in screen_text(app)
        # y copies the step's CLI commands (masked key IDs, never a secret).
        await pilot.press("y")
        assert "aws iam list-attached-user-policies --user-name rental-app" in app.clipboard
        assert acct.app_env["AWS_SECRET_ACCESS_KEY"] not in app.clipboard


async def test_keyboard_walk_seed_to_green_checklist(account: Any) -> None:
    """The guide's incident, start to a green checklist, with the keyboard alone."""
    fixes = pytest.importorskip("sesfix.fixes.apply")
    assert fixes is not None
    acct = account("seed")
    app = incident_app(acct)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot, app)
        assert app.step_state(1) == "fail"
        await open_plan(pilot, app, "create-custom-policy")
        from sesfix.tui.screens.confirm import ConfirmFixScreen

        assert isinstance(app.screen, ConfirmFixScreen)
        plan_text = screen_text(app)
        assert "iam:CreatePolicy" in plan_text or "aws iam create-policy" in plan_text
        assert "ses:SendEmail" in plan_text  # the policy JSON is shown
        await pilot.press("a")
        await settle(pilot, app)
        assert app.state.report is not None
        assert "iam.ses_permission_missing" not in app.state.report.finding_ids()
        assert app.step_state(1) == "pass"
        await pilot.press("c")
        await pilot.pause(0.1)
        assert app.state.current_page == "checklist"
        from sesfix.diagnosis.checklist import judge

        items = {i.key: i.state for i in judge(app.state.report, app.settings)}
        assert items["iam"] == "pass"
        assert "fail" not in items.values()
        assert "✗ Not yet" not in screen_text(app)
        assert "The app can send" in screen_text(app)


async def test_declining_a_fix_sends_no_mutating_call(
    account: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("sesfix.fixes.catalogue")
    acct = account("seed")
    with DelayProxy(acct.endpoint, delay=0) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.url)
        app = incident_app(acct)
        async with app.run_test(size=(100, 40)) as pilot:
            await settle(pilot, app)
            before = len(proxy.requests)
            assert before > 0
            await open_plan(pilot, app, "attach-ses-full-access")
            from sesfix.tui.screens.confirm import ConfirmFixScreen

            assert isinstance(app.screen, ConfirmFixScreen)
            await pilot.press("escape")  # no
            await settle(pilot, app)
            assert not isinstance(app.screen, ConfirmFixScreen)
            assert "nothing was changed" in screen_text(app)
    writes = [r.label for r in proxy.requests if MUTATING.match(r.action)]
    assert writes == []
    iam = acct.operator_client("iam")
    attached = iam.list_attached_user_policies(UserName="rental-app")["AttachedPolicies"]
    assert [p["PolicyName"] for p in attached] == ["AmazonS3FullAccess"]


async def test_no_secret_ever_on_screen(account: Any) -> None:
    """Walk every page, the plan modal and typed credentials: no secret in rendered text."""
    acct = account("seed")
    app_secret = acct.app_env["AWS_SECRET_ACCESS_KEY"]
    key_id = acct.app_env["AWS_ACCESS_KEY_ID"]
    op = acct.operator
    assert op is not None and op.credentials is not None
    op_secret = op.credentials.secret_access_key.reveal()
    seen: list[str] = []
    app = incident_app(acct)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        for key in ("1", "2", "3", "4", "5", "c", "t", "s"):
            await pilot.press(key)
            await pilot.pause(0.2)
            seen.append(screen_text(app))
        # Type a secret on the Sources page (password input).
        await pilot.click("#source-typed")
        await pilot.pause(0.1)
        app.screen.query_one("#secret").focus()
        await pilot.press(*SENTINEL_SECRET)
        await pilot.pause(0.1)
        seen.append(screen_text(app))
        app.screen.query_one("#sidebar").focus()  # leave the input: letters are keys again
        await pilot.press("t")
        await pilot.pause(0.1)
        app.screen.query_one("#testsend-send").focus()
        await pilot.press("enter")
        await settle(pilot, app)
        seen.append(screen_text(app))
        app.screen.query_one("#sidebar").focus()
        await pilot.press("1")
        await pilot.pause(0.1)
        if pytest.importorskip("sesfix.fixes.catalogue"):
            await open_plan(pilot, app, "create-custom-policy")
            seen.append(screen_text(app))
            await pilot.press("escape")
    everything = "\n".join(seen)
    assert "Test send" in everything and "Sources" in everything
    for secret in (app_secret, SENTINEL_SECRET, op_secret):
        for i in range(len(secret) - 11):
            assert secret[i : i + 12] not in everything, "a secret reached the screen"
    assert key_id not in everything  # key IDs are masked AKIA…WXYZ
    assert f"{key_id[:4]}…{key_id[-4:]}" in everything


async def test_test_send_uses_the_apps_credentials(account: Any) -> None:
    """Seed: the app may not send; the guide's failure line appears with AWS's code."""
    acct = account("seed")
    app = incident_app(acct)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot, app)
        await pilot.press("t")
        await pilot.pause(0.1)
        app.screen.query_one("#testsend-send").focus()
        await pilot.press("enter")
        await settle(pilot, app)
        text = screen_text(app)
        assert "🔧 [Email Service - SES] Initializing AWS SES client..." in text
        assert "❌ [Email Service - SES] Error: AccessDenied" in text


def test_send_test_email_success_line(account: Any) -> None:
    from sesfix.diagnosis.testsend import send_test_email

    acct = account("healthy")
    result = send_test_email(acct.app_settings())
    assert result.ok, result.lines
    assert result.lines[-1].startswith("✅ [Email Service - SES] Email sent successfully")
    assert result.recipient == "success@simulator.amazonses.com"


def test_send_test_email_unverified_sender_is_rejected(account: Any) -> None:
    from sesfix.diagnosis.testsend import send_test_email
    from sesfix.settings import AppSettings

    acct = account("healthy")
    env = dict(acct.app_env, EMAIL_FROM="no-reply@not-verified.example")
    result = send_test_email(AppSettings.from_mapping(env, "test"))
    assert not result.ok
    assert result.error_code == "MessageRejected"
    assert "❌ [Email Service - SES] Error: MessageRejected" in result.lines


async def test_sources_screen_first_when_nothing_is_given() -> None:
    app = make_app(settings=None, operator=None, lang="en")
    app.stable_output = True
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        assert app.state.current_page == "sources"
        text = screen_text(app)
        assert "No OS keyring is usable" in text  # said plainly; the wizard carries on
        assert app.state.report is None


async def test_sources_env_file_then_diagnosis(account: Any, tmp_path: Path) -> None:
    acct = account("seed")
    env_file = tmp_path / "app.env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in acct.app_env.items()))
    app = make_app(settings=None, operator=acct.operator, lang="en")
    app.stable_output = True
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot, app)
        await pilot.click("#source-envfile")
        await pilot.pause(0.1)
        app.screen.query_one("#env-path").focus()
        await pilot.press(*str(env_file))
        app.screen.query_one("#use").focus()
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.state.current_page == "step1"
        assert app.settings.source == f"env file {env_file}"
        assert app.state.report is not None
        assert "iam.ses_permission_missing" in app.state.report.finding_ids()


async def test_worker_error_becomes_error_panel(tmp_path: Path) -> None:
    """An unreadable .env file: an error panel with what to try, never a traceback."""
    app = make_app(settings=None, operator=None, lang="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await pilot.click("#source-envfile")
        app.screen.query_one("#env-path").focus()
        await pilot.press(*str(tmp_path / "missing.env"))
        app.screen.query_one("#use").focus()
        await pilot.press("enter")
        await settle(pilot, app)
        from sesfix.tui.screens.error import ErrorScreen

        assert isinstance(app.screen, ErrorScreen)
        text = screen_text(app)
        assert "Reading the app's variables failed" in text
        assert "What to try" in text
        assert "Traceback" not in text
        await pilot.press("escape")
        assert not isinstance(app.screen, ErrorScreen)


async def test_escape_cancels_a_running_diagnosis(account: Any, monkeypatch: Any) -> None:
    acct = account("seed")
    # Each request takes 3 s: the diagnosis cannot end between the check and the key,
    # however loaded the machine is.
    with DelayProxy(acct.endpoint, delay=3.0) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.url)
        app = incident_app(acct)
        async with app.run_test(size=(100, 32)) as pilot:
            await pilot.pause(0.2)
            assert app.state.running
            assert "Probing AWS" in screen_text(app)
            await pilot.press("escape")
            await settle(pilot, app)
            assert app.state.cancelled
            assert app.step_state(1) in ("cancelled", "fail", "unknown")


async def test_vietnamese(account: Any) -> None:
    acct = account("seed")
    app = incident_app(acct, lang="vi")
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot, app)
        text = screen_text(app)
        assert "Bước 1/5 — Quyền IAM" in text
        assert "IAM user không được phép gửi bằng SES" in text
        await pilot.press("c")
        await pilot.pause(0.1)
        text = screen_text(app)
        assert "IAM user có quyền SES" in text
        # The title bar and the footer are Vietnamese too.
        assert "tài khoản thực hành (seed)" in text
        assert "q Thoát" in text and "? Trợ giúp" in text


async def test_command_palette_lists_steps_and_fixes(account: Any) -> None:
    acct = account("seed")
    app = incident_app(acct)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot, app)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Step 4: Region" in titles
        assert "Fix: Create RentalShopSESPermissions and attach it" in titles


def test_catalogues_complete() -> None:
    from sesfix.findings import CATALOGUE
    from sesfix.fixes.catalogue import FIX_CATALOGUE
    from sesfix.locale import catalogue

    en, vi = catalogue("en"), catalogue("vi")
    assert set(en) == set(vi)
    for fid in CATALOGUE:
        assert vi[f"finding.{fid}.title"] and vi[f"finding.{fid}.explanation"]
    for fix in FIX_CATALOGUE:
        assert vi[f"fix.{fix}.title"]
    # Every literal key the wizard asks for exists.
    root = Path(__file__).resolve().parent.parent / "sesfix" / "tui"
    used = set()
    for path in root.rglob("*.py"):
        used |= set(re.findall(r"\bt\(\"([a-z0-9_.\-]+[a-z0-9_\-])\"", path.read_text()))
    missing = sorted(k for k in used if k not in en and not k.startswith("summary."))
    assert missing == []
    # Placeholders agree between languages.
    for key, text in en.items():
        assert set(re.findall(r"\{(\w+)\}", text)) == set(re.findall(r"\{(\w+)\}", vi[key])), key


def test_only_the_tui_imports_textual() -> None:
    root = Path(__file__).resolve().parent.parent / "sesfix"
    offenders = [
        str(p.relative_to(root))
        for p in root.rglob("*.py")
        if "tui" not in p.relative_to(root).parts
        and re.search(r"^\s*(from|import)\s+textual\b", p.read_text(), re.M)
    ]
    assert offenders == []


def test_language_detection() -> None:
    from sesfix.locale import detect_language

    assert detect_language("vi") == "vi"
    assert detect_language(None, {"LANG": "vi_VN.UTF-8"}) == "vi"
    assert detect_language(None, {"LANG": "de_DE.UTF-8"}) == "en"
    assert detect_language(None, {}) == "en"


def test_checklist_before_any_diagnosis_is_unknown() -> None:
    from sesfix.diagnosis.checklist import ITEMS, judge

    assert [i.state for i in judge(None)] == ["unknown"] * len(ITEMS)
    assert len(ITEMS) == 10  # the guide's eight, then authentication and deliverability


def test_plan_modal_renders_policy_json() -> None:
    """The modal shows calls and documents from the fix layer's Plan dataclass."""
    from sesfix.fixes.model import Plan, PlannedCall
    from sesfix.tui.screens.confirm import ConfirmFixScreen

    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["ses:SendEmail"]}]}
    plan = Plan(
        "create-custom-policy",
        "t",
        "aws",
        "summary",
        calls=[
            PlannedCall("iam:CreatePolicy", "iam", "create_policy", "us-east-1", {}, "aws iam x")
        ],
        documents={"RentalShopSESPermissions": doc},
    )
    screen = ConfirmFixScreen(plan)
    assert screen.can_apply
    assert screen.commands == ["aws iam x"]
    assert json.loads(json.dumps(screen.documents["RentalShopSESPermissions"])) == doc


async def test_undo_from_the_same_place(account: Any) -> None:
    pytest.importorskip("sesfix.fixes.apply")
    acct = account("seed")
    app = incident_app(acct)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot, app)
        await apply_fix(pilot, app, "attach-ses-full-access")
        assert app.step_state(1) == "pass"
        assert app.screen.query_one("#undo-button").display
        await pilot.press("u")
        await settle(pilot, app)
        from sesfix.tui.screens.confirm import ConfirmScreen

        assert isinstance(app.screen, ConfirmScreen)
        assert "detach-user-policy" in screen_text(app)
        await pilot.press("a")
        await settle(pilot, app)
        assert app.step_state(1) == "fail"
        assert app.state.applied == []


def test_sesfix_without_a_command_opens_the_wizard(
    account: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``sesfix --lang vi`` with the app's variables in the environment: the wizard on them."""
    from sesfix import cli

    acct = account("seed")
    for name, value in acct.app_env.items():
        monkeypatch.setenv(name, value)
    opened: list[SesfixApp] = []

    def fake_run(self: SesfixApp, *args: Any, **kwargs: Any) -> int:
        opened.append(self)
        return 0

    monkeypatch.setattr(SesfixApp, "run", fake_run)
    monkeypatch.setattr("sesfix.terminal.interactive", lambda: True)  # as if in a terminal
    assert cli.main(["--lang", "vi"]) == 0
    (app,) = opened
    assert app.lang == "vi"
    assert app.settings.source == "environment"
    assert app.settings.access_key_id == acct.app_env["AWS_ACCESS_KEY_ID"]
    assert app.has_variables


async def test_sources_typed_credentials_and_operator_profile(
    account: Any, operator_profile: Any
) -> None:
    """Typed credentials (masked input) and an operator chosen from the AWS config."""
    from textual.widgets import Select

    acct = account("seed")
    profile = operator_profile()
    app = make_app(settings=None, operator=None, lang="en")
    app.stable_output = True
    # Notifications expire after a few seconds, a loaded machine's diagnosis may take
    # longer: record what was said instead of reading what is still on screen.
    said: list[str] = []
    notify = app.notify

    def record(message: str, **kw: Any) -> None:
        said.append(message)
        notify(message, **kw)

    app.notify = record  # type: ignore[method-assign]
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot, app)
        select = app.screen.query_one("#operator", Select)
        assert (f"profile {profile}", profile) in [(str(p), v) for p, v in select._options]
        select.value = profile
        await pilot.click("#source-typed")
        await pilot.pause(0.1)
        fields = {
            "#key-id": acct.app_env["AWS_ACCESS_KEY_ID"],
            "#secret": acct.app_env["AWS_SECRET_ACCESS_KEY"],
            "#region": acct.app_env["AWS_SES_REGION"],
            "#email-from": acct.app_env["EMAIL_FROM"],
        }
        for selector, value in fields.items():
            app.screen.query_one(selector).focus()
            await pilot.press(*value)
        app.screen.query_one("#remember").value = True
        await pilot.pause(0.1)
        assert acct.app_env["AWS_SECRET_ACCESS_KEY"] not in screen_text(app)
        app.screen.query_one("#use").focus()
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.state.current_page == "step1"
        assert app.operator is not None and app.operator.profile == profile
        assert app.settings.source == "typed in"
        assert app.state.report is not None
        assert app.state.report.operator == f"profile {profile}"
        assert "iam.ses_permission_missing" in app.state.report.finding_ids()
        # The fail keyring backend: said plainly, nothing stored, the wizard carried on.
        assert any("Not remembered" in m for m in said)


async def test_practice_mode_prepares_then_offers_the_summary() -> None:
    pytest.importorskip("sesfix.fixes.apply")
    from sesfix.demo.practice import PracticeInfo
    from sesfix.tui.screens.summary import SummaryScreen

    practice = PracticeInfo.for_scenario("seed").begin()
    try:
        app = make_app(
            settings=None, operator=None, lang="en", prepare=practice.prepare, practice=practice
        )
        async with app.run_test(size=(100, 40)) as pilot:
            await pilot.pause(0)
            assert app.state.preparing
            assert "Preparing the practice account" in screen_text(app)
            await settle(pilot, app)
            assert app.step_state(1) == "fail"
            await apply_fix(pilot, app, "attach-ses-full-access")
            assert isinstance(app.screen, SummaryScreen)
            assert app.screen.record.fixes_applied == ["attach-ses-full-access"]
            assert app.screen.record.broken_findings == ["iam.ses_permission_missing"]
            await pilot.press("escape")
            await pilot.pause(0.1)
            assert app.state.current_page == "step1"
    finally:
        practice.close()


async def test_fix_needing_values_is_planned_again_with_them(account: Any) -> None:
    """request-production-access: type the use case in the modal, get the full plan."""
    pytest.importorskip("sesfix.fixes.catalogue")
    from textual.widgets import Input

    from sesfix.tui.screens.confirm import ConfirmFixScreen

    acct = account("seed")
    app = incident_app(acct)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await open_plan(pilot, app, "request-production-access", step=5)
        first = app.screen
        assert isinstance(first, ConfirmFixScreen)
        assert not first.can_apply  # values missing: no "yes" yet
        assert first.plan.inputs_needed
        names = [f.name for f in first.fields]
        use_case = first.query_one(f"#field-{names.index('use_case')}", Input)
        use_case.focus()
        await pilot.press(*"Sign-up confirmations to customers who register")
        first.query_one("#replan").focus()
        await pilot.press("enter")
        await settle(pilot, app)
        second = app.screen
        assert isinstance(second, ConfirmFixScreen) and second is not first
        assert second.can_apply
        assert "put-account-details" in " ".join(second.commands)
        await pilot.press("escape")
        await settle(pilot, app)
        assert "nothing was changed" in screen_text(app)


async def test_rerun_reads_the_env_file_again(account: Any, tmp_path: Path) -> None:
    """Fix a variable where the app reads it, press r: the wizard sees the new value."""
    acct = account("healthy")
    env_file = tmp_path / "app.env"

    def write(provider: str) -> None:
        env = dict(acct.app_env, EMAIL_PROVIDER=provider)
        env_file.write_text("".join(f"{k}={v}\n" for k, v in env.items()))

    write("console")
    app = make_app(settings=None, operator=acct.operator, lang="en")
    app.stable_output = True
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot, app)
        await pilot.click("#source-envfile")
        app.screen.query_one("#env-path").value = str(env_file)
        app.screen.query_one("#use").focus()
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.state.report is not None
        assert "config.provider_not_ses" in app.state.report.finding_ids()
        write("ses")
        await pilot.press("r")
        await settle(pilot, app)
        assert "config.provider_not_ses" not in app.state.report.finding_ids()
        assert app.settings.provider == "ses"


async def test_remember_then_use_keyring_credentials(account: Any, os_keyring: Any) -> None:
    from textual.widgets import Select

    from sesfix.secrets import load_credentials

    acct = account("seed")
    app = make_app(settings=None, operator=acct.operator, lang="en")
    app.stable_output = True
    async with app.run_test(size=(100, 60)) as pilot:
        await settle(pilot, app)
        assert "The OS keyring is available" in screen_text(app)
        await pilot.click("#source-typed")
        screen = app.screen
        screen.query_one("#key-id").value = acct.app_env["AWS_ACCESS_KEY_ID"]
        screen.query_one("#secret").value = acct.app_env["AWS_SECRET_ACCESS_KEY"]
        screen.query_one("#region").value = acct.app_env["AWS_SES_REGION"]
        screen.query_one("#email-from").value = acct.app_env["EMAIL_FROM"]
        screen.query_one("#remember").value = True
        screen.query_one("#remember-label").value = "rental-shop"
        screen.query_one("#use").focus()
        await pilot.press("enter")
        await settle(pilot, app)
        stored = load_credentials("rental-shop")
        assert stored is not None
        assert stored.secret_access_key.reveal() == acct.app_env["AWS_SECRET_ACCESS_KEY"]
        # Back to Sources: the remembered label is offered; use it.
        app.screen.query_one("#sidebar").focus()
        await pilot.press("s")
        await settle(pilot, app)
        screen = app.screen
        screen.query_one("#source-keyring").value = True
        await pilot.pause(0.1)
        screen._discover()
        await settle(pilot, app)
        label = screen.query_one("#keyring-label", Select)
        label.value = "rental-shop"
        screen.query_one("#use").focus()
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.settings.source == "OS keyring (rental-shop)"
        assert app.state.report is not None
        assert "iam.ses_permission_missing" in app.state.report.finding_ids()
        assert acct.app_env["AWS_SECRET_ACCESS_KEY"] not in screen_text(app)


async def test_rotated_key_without_keyring_goes_to_the_clipboard_never_the_screen(
    account: Any,
) -> None:
    pytest.importorskip("sesfix.fixes.apply")
    acct = account("lost-secret")
    app = incident_app(acct)
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot, app)
        assert "credentials.secret_mismatch" in app.state.report.finding_ids()  # type: ignore[union-attr]
        key = await rotate_key_with_keyboard(pilot, app)
        assert not key.keyring_stored
        new_secret = key.secret.reveal()
        text = screen_text(app)
        assert key.masked in text and key.access_key_id not in text
        assert new_secret not in text
        button = app.screen.query_one("#copy-secret-button")
        assert button.display
        button.focus()
        await pilot.press("enter")
        assert app.clipboard == new_secret
        app.screen.query_one("#copy-key-button").focus()
        await pilot.press("enter")
        assert app.clipboard == key.access_key_id
        app.screen.query_one("#main").scroll_end(animate=False)
        await pilot.pause(0.1)
        assert new_secret[:12] not in screen_text(app)
