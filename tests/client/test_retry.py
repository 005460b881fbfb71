from __future__ import annotations

import email.utils
import logging

import httpx
import pytest

from greenstat_ext import (
    RETRYABLE_STATUSES,
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    ConfigurationError,
    RateLimitError,
    RetryPolicy,
    parse_retry_after,
)

from ._helpers import BODY, TOKEN, FakeClock, Recorder, fast_policy, json_response, make_sync

NEVER_RETRIED = [400, 401, 403, 404, 405, 409, 418, 422, 466, 501, 505, 520]


def test_retryable_set_is_the_documented_one() -> None:
    assert frozenset({429, 499, 500, 502, 503, 504}) == RETRYABLE_STATUSES


@pytest.mark.parametrize("code", sorted(RETRYABLE_STATUSES))
def test_retryable_statuses_are_retried_until_success(code: int) -> None:
    recorder = Recorder(
        json_response(code, {"message": "x"}), json_response(code, {"message": "x"}), json_response(200, BODY)
    )
    with make_sync(recorder) as client:
        raw = client.with_raw_response.get_status_statistic("x")
    assert raw.retries_taken == 2
    assert len(recorder.requests) == 3
    assert [s.to_dict() for s in raw.parse()] == BODY


@pytest.mark.parametrize("code", sorted(RETRYABLE_STATUSES))
def test_retryable_statuses_give_up_after_max_retries(code: int) -> None:
    recorder = Recorder(json_response(code, {"message": "x"}))
    with (
        make_sync(recorder, policy=fast_policy(max_retries=4)) as client,
        pytest.raises(APIStatusError) as info,
    ):
        client.get_status_statistic("x")
    assert len(recorder.requests) == 5
    assert info.value.retries_taken == 4
    assert info.value.status_code == code


@pytest.mark.parametrize("code", NEVER_RETRIED)
def test_other_statuses_are_never_retried(code: int) -> None:
    recorder = Recorder(json_response(code, {"message": "no"}))
    with (
        make_sync(recorder, policy=fast_policy(max_retries=5)) as client,
        pytest.raises(APIStatusError) as info,
    ):
        client.get_status_statistic("x")
    assert len(recorder.requests) == 1
    assert info.value.retries_taken == 0


@pytest.mark.parametrize(
    ("exc", "cls"),
    [
        (httpx.ConnectError("refused"), APIConnectionError),
        (httpx.ReadError("reset"), APIConnectionError),
        (httpx.RemoteProtocolError("eof"), APIConnectionError),
        (httpx.ConnectTimeout("slow"), APITimeoutError),
        (httpx.ReadTimeout("slow"), APITimeoutError),
        (httpx.PoolTimeout("busy"), APITimeoutError),
    ],
)
def test_transport_errors_are_retried(exc: httpx.RequestError, cls: type[APIConnectionError]) -> None:
    recorder = Recorder(exc)
    with make_sync(recorder, policy=fast_policy(max_retries=2)) as client, pytest.raises(cls) as info:
        client.get_status_statistic("x")
    assert len(recorder.requests) == 3
    assert info.value.retries_taken == 2

    recorder = Recorder(exc, json_response(200, []))
    with make_sync(recorder) as client:
        assert client.with_raw_response.get_status_statistic("x").retries_taken == 1


def test_unsupported_protocol_is_not_retried() -> None:
    recorder = Recorder(httpx.UnsupportedProtocol("nope"))
    with make_sync(recorder) as client, pytest.raises(APIConnectionError):
        client.get_status_statistic("x")
    assert len(recorder.requests) == 1


def test_backoff_is_exponential_with_jitter_and_capped() -> None:
    clock = FakeClock()
    policy = fast_policy(
        clock,
        max_retries=6,
        wait_initial=1.0,
        wait_exp_base=2.0,
        wait_jitter=0.5,
        wait_max=10.0,
        deadline=None,
    )
    recorder = Recorder(json_response(503, {"message": "x"}))
    with make_sync(recorder, policy=policy) as client, pytest.raises(APIStatusError):
        client.get_status_statistic("x")
    assert len(clock.sleeps) == 6
    for n, slept in enumerate(clock.sleeps, start=1):
        base = 1.0 * 2.0 ** (n - 1)
        assert min(base, 10.0) <= slept <= min(base + 0.5, 10.0)
    assert clock.sleeps[-1] == 10.0  # 32 s capped


def test_jitter_varies() -> None:
    policy = RetryPolicy(wait_initial=1.0, wait_jitter=1.0)
    assert len({policy.backoff(1) for _ in range(20)}) > 1


def test_backoff_overflow_is_capped() -> None:
    assert RetryPolicy(wait_exp_base=10.0, wait_max=7.0, wait_jitter=0).backoff(10_000) == 7.0


@pytest.mark.parametrize("header", ["3", "  3  ", "03"])
def test_retry_after_seconds_is_honoured(header: str) -> None:
    clock = FakeClock()
    recorder = Recorder(
        json_response(429, {"message": "slow down"}, {"Retry-After": header}), json_response(200, [])
    )
    with make_sync(recorder, policy=fast_policy(clock)) as client:
        client.get_status_statistic("x")
    assert clock.sleeps == [3.0]


def test_retry_after_http_date_is_honoured() -> None:
    date = email.utils.formatdate(1_000_000_000 + 7, usegmt=True)
    assert parse_retry_after(date, now=lambda: 1_000_000_000.0) == pytest.approx(7.0)
    # A date in the past is treated as absent: the normal backoff, not a retry back to back.
    assert parse_retry_after(email.utils.formatdate(5, usegmt=True), now=lambda: 100.0) is None


@pytest.mark.parametrize(
    "date", ["Sun, 09 Sep 2001 01:46:47 GMT", "Sunday, 09-Sep-01 01:46:47 GMT", "Sun Sep  9 01:46:47 2001"]
)
def test_retry_after_accepts_the_three_http_date_forms(date: str) -> None:
    """RFC 9110 §5.6.7: IMF-fixdate, the obsolete RFC 850 form and asctime (no zone: GMT)."""
    assert parse_retry_after(date, now=lambda: 1_000_000_000.0) == pytest.approx(7.0)


def test_retry_after_beyond_the_cap_fails_fast() -> None:
    clock = FakeClock()
    recorder = Recorder(json_response(429, {"message": "later"}, {"Retry-After": "3600"}))
    with (
        make_sync(recorder, policy=fast_policy(clock, retry_after_max=30)) as client,
        pytest.raises(RateLimitError) as info,
    ):
        client.get_status_statistic("x")
    assert len(recorder.requests) == 1
    assert clock.sleeps == []
    assert info.value.retry_after == 3600.0


@pytest.mark.parametrize("value", [None, "", "soon", "Wed, 99 Foo 2020 00:00:00 GMT", "nan", "inf", "-5"])
def test_garbled_retry_after(value: str | None) -> None:
    parsed = parse_retry_after(value)
    assert parsed is None or parsed == 0.0


def test_garbled_retry_after_falls_back_to_backoff() -> None:
    clock = FakeClock()
    recorder = Recorder(json_response(429, {"message": "x"}, {"Retry-After": "soon"}), json_response(200, []))
    with make_sync(recorder, policy=fast_policy(clock, wait_initial=0.25, wait_jitter=0)) as client:
        client.get_status_statistic("x")
    assert clock.sleeps == [0.25]


def test_deadline_stops_retrying() -> None:
    clock = FakeClock()
    policy = fast_policy(
        clock, max_retries=100, wait_initial=1.0, wait_exp_base=1.0, wait_jitter=0, deadline=5.5
    )
    recorder = Recorder(json_response(503, {"message": "x"}))
    with make_sync(recorder, policy=policy) as client, pytest.raises(APIStatusError) as info:
        client.get_status_statistic("x")
    assert clock.sleeps == [1.0] * 5
    assert info.value.retries_taken == 5


def test_max_retries_zero_sends_once() -> None:
    recorder = Recorder(json_response(503, {"message": "x"}))
    with make_sync(recorder, max_retries=0) as client, pytest.raises(APIStatusError):
        client.get_status_statistic("x")
    assert len(recorder.requests) == 1


def test_with_options_overrides_max_retries_for_its_calls_only() -> None:
    recorder = Recorder(json_response(503, {"message": "x"}))
    with make_sync(recorder, policy=fast_policy(max_retries=3)) as client:
        with pytest.raises(APIStatusError):
            client.with_options(max_retries=1).get_status_statistic("x")
        assert len(recorder.requests) == 2
        with pytest.raises(APIStatusError):
            client.get_status_statistic("x")
        assert len(recorder.requests) == 6


def test_each_retry_is_logged_with_the_url_masked(caplog: pytest.LogCaptureFixture) -> None:
    recorder = Recorder(
        json_response(502, {"message": "x"}), httpx.ConnectError("refused"), json_response(200, [])
    )
    with caplog.at_level(logging.DEBUG), make_sync(recorder) as client:
        client.get_status_statistic("x")
    retries = [r for r in caplog.records if r.name == "greenstat.retry"]
    assert len(retries) == 2
    assert all(r.levelno == logging.WARNING for r in retries)
    assert "after HTTP 502" in retries[0].getMessage()
    assert "after ConnectError: refused" in retries[1].getMessage()
    assert "/getStatusStatistic/***?idMessage=x" in retries[0].getMessage()
    assert TOKEN not in caplog.text


@pytest.mark.parametrize(
    "changes",
    [
        {"max_retries": -1},
        {"max_retries": True},
        {"wait_initial": -1.0},
        {"wait_max": float("inf")},
        {"wait_exp_base": 0.5},
        {"deadline": 0},
        {"wait_exp_base": "2"},
        {"wait_exp_base": float("nan")},
        {"wait_exp_base": float("inf")},
        {"wait_exp_base": True},
        {"deadline": "60"},
        {"deadline": float("inf")},
        {"deadline": float("nan")},
        {"wait_initial": 1e308},
        {"retry_after_max": 86_401},
        {"wait_jitter": "0.5"},
    ],
)
def test_policy_validation(changes: dict[str, object]) -> None:
    with pytest.raises(ConfigurationError):
        RetryPolicy().replace(**changes)
