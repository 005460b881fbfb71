"""Configuring the store: the argument, the environment variable, the CLI, and the errors when it is wrong."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from typer.testing import CliRunner

from greenstat_ext import AsyncGreenStat, ConfigurationError, GreenStat
from greenstat_ext._ratelimit_redis import KEY_PREFIX, RedisRateLimiter, store_for
from greenstat_ext.cli import app
from greenstat_ext.mock import DEMO_ID_INSTANCE, DEMO_TOKEN, MockServer, MockSettings
from tests.ratelimit_store._redis import keys

CREDENTIALS: dict[str, Any] = {"id_instance": DEMO_ID_INSTANCE, "api_token": DEMO_TOKEN}


def test_the_environment_variable_sets_the_store(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GREEN_API_RATE_LIMIT_STORE", redis_url)
    assert isinstance(GreenStat(**CREDENTIALS).rate_limiter, RedisRateLimiter)
    assert isinstance(AsyncGreenStat(**CREDENTIALS).rate_limiter, RedisRateLimiter)
    monkeypatch.setenv("GREEN_API_RATE_LIMIT_STORE", "")  # empty: no store
    assert not isinstance(GreenStat(**CREDENTIALS).rate_limiter, RedisRateLimiter)


def test_the_argument_wins_over_the_environment(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GREEN_API_RATE_LIMIT_STORE", "not a url")
    client = GreenStat(**CREDENTIALS, rate_limit_store=redis_url)
    assert client.rate_limit_store == redis_url
    monkeypatch.delenv("GREEN_API_RATE_LIMIT_STORE")
    assert GreenStat(**CREDENTIALS).rate_limit_store is None


@pytest.mark.parametrize(
    "store", ["http://localhost:6379", "localhost:6379", "memcached://x", 6379, b"redis://x"]
)
def test_a_store_that_is_not_a_redis_url_is_a_configuration_error(store: object) -> None:
    with pytest.raises(ConfigurationError, match="rate_limit_store"):
        GreenStat(**CREDENTIALS, rate_limit_store=store)  # type: ignore[arg-type]


def test_without_the_redis_extra_the_error_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "redis", None)  # as if not installed
    with pytest.raises(ConfigurationError, match=r"pip install 'greenstat\[redis\]'"):
        GreenStat(**CREDENTIALS, rate_limit_store="redis://127.0.0.1:1/15")


def test_the_core_does_not_import_redis_without_a_store() -> None:
    code = "import sys, greenstat_ext; greenstat_ext.GreenStat(id_instance=1101000001, api_token='x' * 50)\n"
    code += "print('redis' in sys.modules)"
    out = subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env={"PATH": ""}
    )
    assert out.stdout.strip() == "False"


runner = CliRunner()


def test_the_cli_honours_the_environment_variable(redis_url: str) -> None:
    with MockServer(MockSettings()) as mock:
        env = {
            "GREEN_API_URL": mock.base_url,
            "GREEN_API_ID_INSTANCE": str(DEMO_ID_INSTANCE),
            "GREEN_API_TOKEN": DEMO_TOKEN,
            "GREEN_API_RATE_LIMIT_STORE": redis_url,
        }
        result = runner.invoke(app, ["stats", "BAE5F4886F6F2D05", "--json"], env=env)
    assert result.exit_code == 0, result.output
    assert [key.rsplit(":", 2)[1] for key in keys(redis_url, f"{KEY_PREFIX}*")] == ["getStatusStatistic"]


def test_the_cli_says_what_is_wrong_with_the_store_in_one_line() -> None:
    env = {
        "GREEN_API_ID_INSTANCE": str(DEMO_ID_INSTANCE),
        "GREEN_API_TOKEN": DEMO_TOKEN,
        "GREEN_API_RATE_LIMIT_STORE": "redis://:hunter2pass@host:port/0",
    }
    result = runner.invoke(app, ["stats", "BAE5F4886F6F2D05"], env=env)
    assert result.exit_code == 2, result.output
    assert "GREEN_API_RATE_LIMIT_STORE" in result.output
    assert "hunter2pass" not in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("burst", [0, 2, True])
def test_a_shared_store_keeps_burst_one_only(redis_url: str, burst: int) -> None:
    """The script's one-token bucket is the one rule (``RateLimit.wait``) at burst 1 only (docs/spec.md)."""
    with pytest.raises(ConfigurationError) as info:
        RedisRateLimiter(store_for(redis_url), "http://loopback:80", 1, "op", 1.0, burst=burst)
    assert info.value.field == "burst"
