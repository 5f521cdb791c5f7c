"""Copied commands run as copied: every key ID in full on the clipboard, masked on screen.

Plans are made against the simulated account (moto's server, IAM authentication
enforced); the wizard's Copy is driven with Pilot and read back from the app's clipboard.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import replace
from typing import Any

import pytest

from sesfix.demo.account import SCENARIOS
from sesfix.diagnosis.engine import DiagnosisOptions, diagnose
from sesfix.errors import UsageError
from sesfix.fixes import FIX_CATALOGUE, apply_plan, plan_fix, undo_preview
from sesfix.fixes.model import Plan
from sesfix.masking import mask_key_id, unmask_key_ids
from sesfix.tui.render import runnable
from sesfix.tui.screens.confirm import ConfirmFixScreen
from tests.support.screen import screen_text
from tests.support.wizard import incident_app, settle, wait_for_dialog
from tests.test_fixes_keys import plan_for, with_key

FULL_KEY_ID = re.compile(r"\bA(?:KIA|SIA)[A-Z0-9]{16}\b")


def plans(acct: Any, **inputs: str) -> list[Plan]:
    """Every fix of the catalogue planned for this account's app (those that plan at all)."""
    settings = acct.app_settings()
    report = diagnose(settings, DiagnosisOptions(operator=acct.operator))
    out = []
    for fix_id in FIX_CATALOGUE:
        try:
            plan = plan_fix(fix_id, report, settings, operator=acct.operator, inputs=inputs)
        except UsageError:
            continue
        out.append(plan)
    return out


def assert_runs_as_copied(plan: Plan) -> str:
    shown = "\n".join(plan.cli_commands())
    copied = runnable(plan.cli_commands(), plan.key_ids())
    assert "…" not in copied, (plan.fix_id, copied)
    # On screen no key ID is ever whole; on the clipboard each is the call's own.
    assert not FULL_KEY_ID.search(shown), (plan.fix_id, shown)
    for call in plan.calls:
        if call.params.get("AccessKeyId"):
            words = shlex.split(runnable([call.cli], plan.key_ids()))
            assert words[words.index("--access-key-id") + 1] == call.params["AccessKeyId"]
    assert "$AWS_ACCESS_KEY_ID" not in copied
    return copied


def test_every_fix_with_a_key_in_its_cli_copies_it_whole(account: Any) -> None:
    keyed: set[str] = set()
    inactive = account(replace(SCENARIOS["healthy"], name="inactive", key_status="Inactive"))
    for plan in plans(inactive):
        assert_runs_as_copied(plan)
        keyed |= {plan.fix_id for c in plan.calls if "AccessKeyId" in c.params}
    assert "reactivate-access-key" in keyed

    acct = account("lost-secret")  # a second key: rotation must delete one, chosen by mask
    second = acct.operator_client("iam").create_access_key(UserName="rental-app")["AccessKey"]
    for plan in plans(acct, delete_key=mask_key_id(second["AccessKeyId"])):
        copied = assert_runs_as_copied(plan)
        if plan.fix_id == "rotate-access-key":
            assert second["AccessKeyId"] in copied
            keyed.add(plan.fix_id)
    assert "rotate-access-key" in keyed

    for name in ("seed", "unverified-domain", "sandbox-recipient", "suppressed-recipient"):
        for plan in plans(account(name)):
            assert_runs_as_copied(plan)


def test_retiring_the_old_key_copies_the_old_key_not_the_apps_variable(
    account: Any, os_keyring: Any
) -> None:
    acct = account("lost-secret")
    old = acct.app_key_id
    settings, _report, rotate = plan_for(acct, "rotate-access-key")
    result = apply_plan(
        rotate, settings=settings, operator=acct.operator, confirmed=True, verify_timeout=10
    )
    assert result.new_key is not None
    new = result.new_key.access_key_id
    switched = with_key(settings, new, result.new_key.secret)
    _s, _r, retire = plan_for(acct, "retire-old-key", switched)
    assert retire.applicable, retire.refused
    copied = assert_runs_as_copied(retire)
    assert old in copied and new not in copied
    # The undo of the rotation names the new key: its copy carries it whole too.
    entry, commands = undo_preview(None)
    undo_copy = runnable(commands, entry.key_ids())
    assert "…" not in undo_copy and new in undo_copy


def test_a_mask_two_keys_share_is_left_masked() -> None:
    a, b = "AKIAAAAAAAAAAAAA1234", "AKIABBBBBBBBBBBB1234"
    assert mask_key_id(a) == mask_key_id(b)
    text = f"aws iam delete-access-key --access-key-id {mask_key_id(a)}"
    assert unmask_key_ids(text, [a, b]) == text
    assert unmask_key_ids(text, [a]) == f"aws iam delete-access-key --access-key-id {a}"


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_plan_dialogs_copy_runs_as_copied(account: Any, size: tuple[int, int]) -> None:
    acct = account("inactive-key")
    key_id = acct.app_key_id
    app = incident_app(acct)
    async with app.run_test(size=size) as pilot:
        await settle(pilot, app)
        # The probes' CLI (y): the app's key whole on the clipboard, masked on screen.
        await pilot.press("2")
        await settle(pilot, app)
        await pilot.press("y")
        await pilot.pause(0.05)
        assert key_id in app.clipboard and "…" not in app.clipboard
        assert key_id not in screen_text(app)
        app.request_fix("reactivate-access-key")
        dialog = await wait_for_dialog(pilot, app, ConfirmFixScreen)
        assert key_id not in screen_text(app) and mask_key_id(key_id) in screen_text(app)
        await pilot.press("c")
        await pilot.pause(0.05)
        copied = app.clipboard
        assert f"--access-key-id {key_id}" in copied and "…" not in copied
        assert dialog.plan.fix_id == "reactivate-access-key"
