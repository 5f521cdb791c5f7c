"""After a rotation in the wizard, the new key reaches Railway through stdin only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sesfix import railway
from sesfix.settings import AppSettings
from sesfix.tui.app import make_app
from tests.support.fake_railway import FakeRailway, install
from tests.support.screen import screen_text
from tests.test_tui_flow import rotate_key_with_keyboard, settle


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeRailway:
    return install(tmp_path, monkeypatch)


def _from_railway() -> AppSettings:
    return AppSettings.from_mapping(railway.read_variables("api"), "Railway service variables")


async def test_rotation_then_push_to_railway_through_stdin(account: Any, fake: FakeRailway) -> None:
    acct = account("lost-secret")
    fake.set_variables(acct.app_env)  # the deployed, broken pair
    app = make_app(settings=_from_railway(), operator=acct.operator, lang="en")
    app.stable_output = True
    app.from_railway, app.railway_service = True, "api"
    app.reload_settings = _from_railway
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot, app)
        assert "credentials.secret_mismatch" in app.state.report.finding_ids()  # type: ignore[union-attr]
        key = await rotate_key_with_keyboard(pilot, app)
        secret = key.secret.reveal()
        assert not [c for c in fake.calls() if c["argv"][:2] == ["variable", "set"]]

        button = app.screen.query_one("#push-railway-button")
        assert button.display
        button.focus()
        await pilot.press("enter")
        await pilot.pause(0.1)
        # The confirmation names the exact commands; the secret is not among them.
        plan = screen_text(app)
        assert "railway variable set --stdin AWS_SECRET_ACCESS_KEY -s api" in plan
        assert secret[:12] not in plan
        await pilot.press("a")
        await settle(pilot, app)

        sets = [c for c in fake.calls() if c["argv"][:2] == ["variable", "set"]]
        assert [c["argv"][3] for c in sets] == ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]
        assert [c["stdin"] for c in sets] == [key.access_key_id + "\n", secret + "\n"]
        assert secret not in json.dumps([c["argv"] for c in fake.calls()])
        assert fake.deploys() == 1
        # The wizard probed the deployed variables again: the new pair works.
        assert app.settings.access_key_id == key.access_key_id
        assert "credentials.secret_mismatch" not in app.state.report.finding_ids()  # type: ignore[union-attr]
        assert secret[:12] not in screen_text(app)


async def test_declining_the_push_writes_nothing(account: Any, fake: FakeRailway) -> None:
    acct = account("lost-secret")
    fake.set_variables(acct.app_env)
    app = make_app(settings=_from_railway(), operator=acct.operator, lang="en")
    app.stable_output = True
    app.from_railway, app.railway_service = True, "api"
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot, app)
        await rotate_key_with_keyboard(pilot, app)
        app.screen.query_one("#push-railway-button").focus()
        await pilot.press("enter")
        await pilot.pause(0.1)
        await pilot.press("escape")
        await settle(pilot, app)
        assert not [c for c in fake.calls() if c["argv"][:2] == ["variable", "set"]]
        assert fake.deploys() == 0
