"""SESFIX_* numbers: invalid values are one usage error, never a wrong verdict."""

from __future__ import annotations

import pytest

from sesfix import config
from sesfix.errors import UsageError


@pytest.mark.parametrize("raw", ["abc", "nan", "inf", "-1", "0", "1e999", "\x1b[2J"])
def test_invalid_connect_timeout_is_a_usage_error(raw: str) -> None:
    with pytest.raises(UsageError) as caught:
        config.validate({"SESFIX_CONNECT_TIMEOUT": raw})
    assert "SESFIX_CONNECT_TIMEOUT" in caught.value.message
    assert "\x1b" not in str(caught.value)
    assert caught.value.exit_code == 2


def test_defaults_and_valid_values() -> None:
    assert config.CONNECT_TIMEOUT.read({}) == 3
    assert config.CONNECT_TIMEOUT.read({"SESFIX_CONNECT_TIMEOUT": "2.5"}) == 2.5
    assert config.MAX_ATTEMPTS.read({"SESFIX_MAX_ATTEMPTS": "4"}) == 4
    with pytest.raises(UsageError):
        config.MAX_ATTEMPTS.read({"SESFIX_MAX_ATTEMPTS": "2.5"})
    config.validate({})
