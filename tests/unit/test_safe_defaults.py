"""Safe defaults: placeholder secrets refused outside development, the rate window's
arithmetic, and Flower without its task-running routes."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import SecretStr, ValidationError

from api.rate_limit import _seconds_until_under, sliding_count
from settings import DEV_API_KEY, Settings, flower_auth_problem


@pytest.fixture(autouse=True)
def _no_configured_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    # Defaults are under test: nothing from the environment (an integration session in the
    # same run exports its own) may stand in for them.
    import os

    for name in list(os.environ):
        if name.startswith("SALES_AGENT_"):
            monkeypatch.delenv(name)


def _settings(**values: Any) -> Settings:
    return Settings.model_validate(values)


def test_development_accepts_the_dev_key_and_other_environments_refuse_it():
    # Given the well-known development key
    # When the environment is development, then the API may start
    assert _settings(environment="development").api_start_problems() == []
    # When it is test, then the API refuses, naming the setting
    problems = _settings(environment="test").api_start_problems()
    assert len(problems) == 1
    assert "SALES_AGENT_API_KEY" in problems[0]
    # When it is production, then the settings themselves refuse to load
    with pytest.raises(ValidationError, match="SALES_AGENT_API_KEY"):
        _settings(environment="production")


def test_a_blank_key_is_refused_even_in_development():
    assert _settings(environment="development", api_key=SecretStr("")).api_start_problems()


@pytest.mark.parametrize("auth", ["admin:admin", "a:", "ops:", "ops:password", ":secret",
                                  "ops", "ops:s3cret-long,admin:admin", "ops:ops"])
def test_placeholder_flower_credentials_are_refused_outside_development(auth):
    # Given Flower credentials that are empty, a placeholder or malformed
    assert flower_auth_problem(auth) is not None
    settings = _settings(environment="test", api_key=SecretStr("k-123456"),
                         flower_basic_auth=SecretStr(auth))
    # Then an API outside development refuses to start
    assert any("FLOWER" in p for p in settings.api_start_problems())
    # And production refuses the settings outright
    with pytest.raises(ValidationError, match="FLOWER"):
        _settings(environment="production", api_key=SecretStr("k-123456"),
                  flower_basic_auth=SecretStr(auth))


def test_real_flower_credentials_and_no_flower_at_all_are_accepted():
    assert flower_auth_problem("ops:Zq8-long-random") is None
    assert flower_auth_problem("ops:Zq8-long-random,viewer:Other-pass-9") is None
    settings = _settings(environment="production", api_key=SecretStr("k-123456"))
    assert settings.flower_basic_auth.get_secret_value() == ""
    assert settings.api_start_problems() == []
    assert not settings.uses_dev_api_key
    assert _settings().api_key.get_secret_value() == DEV_API_KEY


def test_defaults_bind_loopback_and_trust_only_local_hosts():
    settings = _settings()
    assert settings.api_host == "127.0.0.1"
    assert set(settings.trusted_hosts) == {"localhost", "127.0.0.1", "::1"}
    # 200 status polls a second for six seconds by one key stay under the limit
    assert settings.rate_limit_per_minute >= 200 * 6


def test_the_sliding_window_weighs_last_minute_by_what_is_left_of_it():
    # Given 1,200 requests last minute and 100 so far, 45 s into this minute
    # Then a quarter of last minute still counts
    assert sliding_count(1200, 100, 45) == pytest.approx(400)
    assert sliding_count(0, 7, 59) == 7


def test_retry_after_is_when_the_estimate_falls_back_under_the_limit():
    # Given last minute full (60) and 10 now at 15 s, with a limit of 50: 45 + 10 = 55
    # Then the estimate is 50 once last minute weighs 40, i.e. at 20 s: 5 s from now
    assert _seconds_until_under(60, 10, 15, 50) == 5
    # Given this minute alone over the limit (70 of 50, 20 s in)
    # Then the wait runs to the minute's end and on until 70 has faded to 50 (40 + 18 s)
    assert _seconds_until_under(0, 70, 20, 50) == 58
    # And never less than a second
    assert _seconds_until_under(100, 1, 59.9, 50) >= 1


def test_flower_loses_only_its_task_running_routes():
    from flower import urls

    from api.flower import BLOCKED_PREFIXES, _pattern, remove_task_apply_routes

    before = len(urls.handlers)
    remove_task_apply_routes()
    patterns = [_pattern(h) for h in urls.handlers]
    assert not [p for p in patterns if p.startswith(BLOCKED_PREFIXES)]
    assert "/api/workers" in patterns
    assert "/api/task/revoke/(.+)" in patterns
    assert len(urls.handlers) >= before - 3
