"""The one source layer (sesfix.sources): every place the app's variables come from, opened the
same way by the commands, the wizard and practice.

Real files, the real practice account (moto on loopback, IAM authentication enforced), a real
Secret Service for the keyring (tests/support/with-secret-service.sh), real AWS config files.
"""

from __future__ import annotations

import argparse
import ast
import os
from pathlib import Path
from typing import Any

import pytest

from sesfix.errors import UsageError
from sesfix.locale import set_language
from sesfix.masking import Secret
from sesfix.sources import (
    SourceSpec,
    env_file_problem,
    open_source,
    spec_from_args,
    typed_spec,
)
from tests.conftest import SENTINEL_SECRET

ROOT = Path(__file__).resolve().parents[1]
KEY = "AKIAIOSFODNN7EXAMPLE"


def env_file(path: Path, **values: str) -> Path:
    path.write_text("".join(f'{k}="{v}"\n' for k, v in values.items()), encoding="utf-8")
    return path


def args(**values: Any) -> argparse.Namespace:
    return argparse.Namespace(**values)


def test_environment_source_reads_the_process_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY)
    monkeypatch.setenv("AWS_SES_REGION", "ap-southeast-1")
    with open_source(SourceSpec()) as source:
        assert source.settings.access_key_id == KEY and source.settings.source == "environment"
        assert source.operator is None
        monkeypatch.setenv("AWS_SES_REGION", "eu-west-1")
        assert source.reload().region == "eu-west-1"
        assert source.settings.region == "eu-west-1"


def test_env_file_source_reloads_what_was_edited(tmp_path: Path) -> None:
    path = env_file(tmp_path / "app.env", AWS_ACCESS_KEY_ID=KEY, AWS_SES_REGION="us-east-1")
    source = open_source(spec_from_args(args(env_file=str(path), domain="anyrent.shop")))
    assert source.spec.kind == "envfile"
    assert source.settings.region == "us-east-1" and source.settings.domain == "anyrent.shop"
    env_file(path, AWS_ACCESS_KEY_ID=KEY, AWS_SES_REGION="ap-southeast-1")
    reloaded = source.reload()
    assert reloaded.region == "ap-southeast-1" and reloaded.domain == "anyrent.shop"


def test_an_unclosed_quote_names_the_line_and_what_was_read(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "app.env"
    path.write_text(
        f"AWS_ACCESS_KEY_ID={KEY}\n"
        f'AWS_SECRET_ACCESS_KEY="{SENTINEL_SECRET}\n'
        "AWS_SES_REGION=ap-southeast-1\n",
        encoding="utf-8",
    )
    with pytest.raises(UsageError) as info:
        open_source(SourceSpec(kind="envfile", env_file=str(path)))
    message = info.value.message
    assert "line 2" in message and "AWS_SECRET_ACCESS_KEY" in message
    assert "AWS_ACCESS_KEY_ID, AWS_SES_REGION" in message  # what was read
    assert "is not set" not in message
    assert SENTINEL_SECRET not in message + (info.value.hint or "")
    assert KEY not in message
    out, err = capfd.readouterr()
    assert "could not parse" not in out + err  # python-dotenv's own warning stays out


def test_env_file_problem_is_python_dotenvs_view() -> None:
    assert env_file_problem("A=1\nB='x\nC=3\n") == (2, "B")
    assert env_file_problem('export D="x\nE=1\n') == (1, "D")
    assert env_file_problem('A=1\nB="two\nlines"\n') is None  # a quoted value may span lines
    assert env_file_problem("# only a comment\n") is None


def test_typed_source_keeps_the_secret_out_of_sight() -> None:
    spec = typed_spec(
        {"AWS_ACCESS_KEY_ID": KEY, "AWS_SES_REGION": "ap-southeast-1", "EMAIL_FROM": ""},
        Secret(SENTINEL_SECRET),
    )
    assert SENTINEL_SECRET not in repr(spec)
    with open_source(spec) as source:
        s = source.settings
        assert s.provider == "ses" and s.email_from is None
        assert s.secret_access_key is not None
        assert s.secret_access_key.reveal() == SENTINEL_SECRET
        assert not source.reloadable and source.reload() is s


def test_keyring_source_from_the_os_keyring(
    os_keyring: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sesfix.secrets import store_credentials

    monkeypatch.setenv("AWS_SES_REGION", "ap-southeast-1")
    monkeypatch.setenv("EMAIL_FROM", "no-reply@anyrent.shop")
    assert store_credentials("shop", KEY, Secret(SENTINEL_SECRET)).usable
    with open_source(SourceSpec(kind="keyring", keyring_label="shop")) as source:
        s = source.settings
        assert s.access_key_id == KEY and s.region == "ap-southeast-1"
        assert s.secret_access_key is not None and s.secret_access_key.reveal() == SENTINEL_SECRET
        assert "shop" in s.source
    with pytest.raises(UsageError, match="nobody"):
        open_source(SourceSpec(kind="keyring", keyring_label="nobody"))


def test_practice_source_waits_for_its_account_and_cleans_up() -> None:
    assert "AWS_ENDPOINT_URL" not in os.environ
    source = open_source(spec_from_args(args(demo="quoted-key")))
    try:
        assert source.practice is not None and source.spec.kind == "practice"
        settings, operator = source.prepare()  # blocks until the account is built
        assert settings.source == "practice account (quoted-key)"
        assert operator is not None and operator.credentials is not None
        assert os.environ["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:")
        source.practice.set_app_variable("AWS_SES_REGION", "us-east-1")
        assert source.reload().region == "us-east-1"
    finally:
        source.close()
    assert "AWS_ENDPOINT_URL" not in os.environ


def test_unknown_operator_profile_is_refused_before_anything_runs(
    isolated_world: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = isolated_world / "aws-config"
    config.write_text("[profile ops]\nregion = us-east-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    with open_source(SourceSpec(operator_profile="ops")) as source:
        assert source.operator is not None and source.operator.profile == "ops"
    with pytest.raises(UsageError) as info:
        open_source(SourceSpec(operator_profile="nope"))
    assert "nope" in info.value.message
    from sesfix.sources import operator_profiles

    assert "ops" in operator_profiles()


def test_the_wizard_checks_the_operator_profile_as_check_does(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from sesfix import cli

    monkeypatch.setattr("sesfix.terminal.interactive", lambda: True)  # as if in a terminal
    started: list[object] = []
    monkeypatch.setattr("sesfix.tui.app.SesfixApp.run", lambda self, *a, **k: started.append(1))
    assert cli.main(["--operator-profile", "nope"]) == 2
    assert not started
    err = capsys.readouterr().err
    assert "nope" in err and len(err.strip().splitlines()) <= 2
    assert cli.main(["check", "--operator-profile", "nope", "--demo", "seed"]) == 2


def test_flags_naming_two_sources_or_a_bad_domain(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="--env-file and --demo"):
        spec_from_args(args(env_file="x.env", demo="seed"))
    with pytest.raises(UsageError, match="not a domain"):
        open_source(SourceSpec(domain="not a domain"))
    set_language("vi")
    try:
        with pytest.raises(UsageError, match="chỉ chọn một nguồn") as info:
            spec_from_args(args(from_railway=True, demo="seed"))
        assert "--from-railway và --demo" in info.value.message
    finally:
        set_language("en")


def test_operator_profile_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SESFIX_OPERATOR_PROFILE", "ops")
    assert spec_from_args(args()).operator_profile == "ops"
    assert spec_from_args(args(operator_profile="other")).operator_profile == "other"


def test_no_variables_is_one_message_saying_how_to_give_them() -> None:
    source = open_source(SourceSpec())
    with pytest.raises(UsageError) as info:
        source.require_variables()
    text = info.value.message + " " + (info.value.hint or "")
    for way in ("--env-file", "--from-railway", "sesfix demo", "sesfix check --demo"):
        assert way in text


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_one_place_decides_the_source() -> None:
    """The wizard never imports the commands; the Sources page builds no settings itself and
    imports no botocore; the source layer imports neither the wizard nor the commands."""
    for path in (ROOT / "sesfix/tui").rglob("*.py"):
        assert not any(m.startswith("sesfix.commands") for m in _imports(path)), path
    page = ROOT / "sesfix/tui/screens/sources.py"
    text = page.read_text(encoding="utf-8")
    assert not any(m.startswith("botocore") for m in _imports(page))
    assert "AppSettings.from_" not in text and "load_credentials" not in text
    layer = _imports(ROOT / "sesfix/sources.py")
    assert not any(m.startswith(("sesfix.tui", "sesfix.commands", "textual")) for m in layer)
