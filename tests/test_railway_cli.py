"""sesfix.railway against a fake ``railway`` that records its argv and stdin."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sesfix import railway
from sesfix.errors import SesfixError
from sesfix.masking import Secret
from tests.support.fake_railway import FakeRailway, install, remove_from_path

KEY_ID = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeRailway:
    return install(tmp_path, monkeypatch)


def _argv_text(fake: FakeRailway) -> str:
    return json.dumps([c["argv"] for c in fake.calls()])


def test_read_variables_is_a_json_map_with_service_and_environment(fake: FakeRailway) -> None:
    fake.set_variables({"AWS_ACCESS_KEY_ID": KEY_ID, "AWS_SECRET_ACCESS_KEY": SECRET + " "})
    values = railway.read_variables(service="api", environment="production")
    assert values == {"AWS_ACCESS_KEY_ID": KEY_ID, "AWS_SECRET_ACCESS_KEY": SECRET + " "}
    assert [c["argv"] for c in fake.calls()] == [
        ["variable", "list", "-s", "api", "-e", "production", "--json"]
    ]


def test_read_variables_without_target(fake: FakeRailway) -> None:
    fake.set_variables({"EMAIL_PROVIDER": "ses"})
    assert railway.read_variables() == {"EMAIL_PROVIDER": "ses"}
    assert fake.calls()[0]["argv"] == ["variable", "list", "--json"]


def test_set_variables_uses_stdin_only_and_deploys_once(fake: FakeRailway) -> None:
    result = railway.set_variables(
        {"AWS_ACCESS_KEY_ID": KEY_ID, "AWS_SECRET_ACCESS_KEY": Secret(SECRET)},
        service="api",
        environment="production",
    )
    calls = fake.calls()
    assert [c["argv"] for c in calls] == [
        [
            "variable",
            "set",
            "--stdin",
            "AWS_ACCESS_KEY_ID",
            "-s",
            "api",
            "-e",
            "production",
            "--skip-deploys",
        ],
        ["variable", "set", "--stdin", "AWS_SECRET_ACCESS_KEY", "-s", "api", "-e", "production"],
    ]
    assert [c["stdin"] for c in calls] == [KEY_ID + "\n", SECRET + "\n"]
    assert SECRET not in _argv_text(fake) and KEY_ID not in _argv_text(fake)
    # The CLI strips one trailing newline: the stored values are exact.
    assert fake.variables() == {"AWS_ACCESS_KEY_ID": KEY_ID, "AWS_SECRET_ACCESS_KEY": SECRET}
    assert fake.deploys() == 1
    assert result.redeploys and "redeploys" in result.message
    assert SECRET not in result.message


def test_set_variables_skip_deploys(fake: FakeRailway) -> None:
    result = railway.set_variables({"EMAIL_PROVIDER": "ses"}, skip_deploys=True)
    assert fake.calls()[0]["argv"][-1] == "--skip-deploys"
    assert fake.deploys() == 0
    assert not result.redeploys and "redeploy" in result.message


@pytest.mark.parametrize("value", [SECRET + " ", " " + SECRET, SECRET + "\n", "a\nb", ""])
def test_set_variables_refuses_whitespace(fake: FakeRailway, value: str) -> None:
    with pytest.raises(SesfixError):
        railway.set_variables({"AWS_SECRET_ACCESS_KEY": Secret(value)})
    assert fake.calls() == []


@pytest.mark.parametrize("name", ["--service", "A B", "1X", "X=Y"])
def test_set_variables_refuses_odd_names(fake: FakeRailway, name: str) -> None:
    with pytest.raises(SesfixError):
        railway.set_variables({name: "ses"})
    assert fake.calls() == []


def test_service_name_cannot_be_an_option(fake: FakeRailway) -> None:
    with pytest.raises(SesfixError):
        railway.read_variables(service="--json")
    assert fake.calls() == []


def test_fetch_logs(fake: FakeRailway) -> None:
    entries = [
        {"message": f"line {i}", "timestamp": "2026-11-29T10:42:00Z", "severity": "info"}
        for i in range(10)
    ]
    fake.set_logs(entries)
    lines = railway.fetch_logs(service="api", lines=3)
    assert [json.loads(x)["message"] for x in lines] == ["line 7", "line 8", "line 9"]
    assert fake.calls()[0]["argv"] == ["logs", "-s", "api", "--lines", "3", "--json"]


def test_not_logged_in(fake: FakeRailway) -> None:
    fake.set_mode("unauthorized")
    with pytest.raises(railway.RailwayNotLoggedIn) as info:
        railway.read_variables()
    assert "railway login" in str(info.value)
    assert "file" in info.value.hint  # the fallback is named


def test_no_linked_project(fake: FakeRailway) -> None:
    fake.set_mode("unlinked")
    with pytest.raises(railway.RailwayNotLinked) as info:
        railway.fetch_logs()
    assert "railway link" in str(info.value)


def test_missing_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    remove_from_path(monkeypatch, tmp_path)
    with pytest.raises(railway.RailwayNotInstalled) as info:
        railway.read_variables()
    assert "npm i -g @railway/cli" in str(info.value)


def test_timeout(fake: FakeRailway, monkeypatch: pytest.MonkeyPatch) -> None:
    fake.set_mode("hang")
    monkeypatch.setenv("SESFIX_RAILWAY_TIMEOUT", "1")
    with pytest.raises(railway.RailwayTimeout):
        railway.read_variables()


def test_unknown_service_error_is_passed_on(fake: FakeRailway) -> None:
    fake.set_services("api")
    with pytest.raises(railway.RailwayError) as info:
        railway.read_variables(service="worker")
    assert "worker" in str(info.value)


def test_not_json(fake: FakeRailway) -> None:
    fake.set_mode("broken")
    with pytest.raises(railway.RailwayError):
        railway.read_variables()


class _NewKey:
    def __init__(self, key_id: str, secret: str) -> None:
        self.access_key_id = key_id
        self.secret = Secret(secret)


def test_push_new_key_reads_it_back(fake: FakeRailway) -> None:
    fake.set_variables({"AWS_ACCESS_KEY_ID": "AKIAOLDOLDOLDOLDOLD1", "EMAIL_PROVIDER": "ses"})
    result = railway.push_new_key_to_railway(_NewKey(KEY_ID, SECRET), "api", None)
    assert fake.variables()["AWS_SECRET_ACCESS_KEY"] == SECRET
    assert SECRET not in _argv_text(fake)
    assert [c["argv"][:4] for c in fake.calls()][-1] == ["variable", "list", "-s", "api"]
    assert result.notes and fake.deploys() == 1


def test_old_cli_reads_with_variables_json_but_never_writes_from_argv(fake: FakeRailway) -> None:
    fake.set_mode("v3")
    fake.set_variables({"EMAIL_PROVIDER": "ses"})
    assert railway.read_variables(service="api") == {"EMAIL_PROVIDER": "ses"}
    assert [c["argv"] for c in fake.calls()] == [
        ["variable", "list", "-s", "api", "--json"],
        ["variables", "-s", "api", "--json"],
    ]
    with pytest.raises(railway.RailwayOutdated) as info:
        railway.set_variables({"AWS_SECRET_ACCESS_KEY": Secret(SECRET)})
    assert "npm i -g @railway/cli" in str(info.value)
    assert SECRET not in _argv_text(fake)


def test_installed(fake: FakeRailway, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert railway.installed()
    remove_from_path(monkeypatch, tmp_path)
    assert not railway.installed()
