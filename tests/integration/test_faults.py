"""The client against the real mock with 20% injected faults: retries absorb them; 4xx are never retried.

Why against the real mock over loopback HTTP (not a MockTransport): drops are real closed connections and
the hit counters are what the server saw, so "0 retries of 401" is proven on the server side.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from greenstat_ext import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    GreenStat,
    GreenStatError,
    InvalidRequestError,
    PermissionDeniedError,
    QuotaExceededError,
    RetryPolicy,
)
from greenstat_ext.mock import DEMO_ID_INSTANCE, DEMO_TOKEN, FaultSettings, MockServer, MockSettings
from tests._figures import record

FAST = RetryPolicy(wait_initial=0.001, wait_max=0.01, wait_jitter=0)
# Five of the six fault kinds fail an attempt (a delay does not), so an attempt fails with p = 0.2 * 5/6.
# With the default 3 retries a call fails when 4 attempts in a row do: p**4 = 0.08 %, about 0.8 expected
# failures in 1,000 calls, right at the bar of 999. With 5 retries it is p**6, 0.002 expected: the
# bar then holds for any fault sequence, not only for this seed.
FAULT_RETRIES = 5
MIXED = "BAE5F4886F6F2D05"
CALLS = 1_000


def _client(server: MockServer, **overrides: object) -> GreenStat:
    options: dict[str, object] = {
        "id_instance": DEMO_ID_INSTANCE,
        "api_token": DEMO_TOKEN,
        "api_url": server.base_url,
        "rate_limit": 0,
        "retry_policy": FAST,
        **overrides,
    }
    return GreenStat(**options)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def faulty_mock() -> Iterator[MockServer]:
    faults = FaultSettings(rate=0.2, seed=7, retry_after=0, delay=0.005)  # every kind, equally weighted
    with MockServer(MockSettings(rate_limit=0, faults=faults)) as server:
        yield server


def test_1000_calls_under_20_percent_faults_nearly_all_succeed(faulty_mock: MockServer) -> None:
    succeeded = retries = 0
    failures: list[str] = []
    with _client(faulty_mock, retry_policy=FAST.replace(max_retries=FAULT_RETRIES)) as client:
        for _ in range(CALLS):
            try:
                response = client.with_raw_response.get_status_statistic(MIXED)
            except GreenStatError as exc:
                failures.append(type(exc).__name__)
                retries += getattr(exc, "retries_taken", 0)
                continue
            assert len(response.parse()) == 12
            succeeded += 1
            retries += response.retries_taken
    stats = faulty_mock.stats
    injected = sum(stats.faults.values())
    record(
        "client under faults",
        f"{succeeded}/{CALLS} calls succeeded at a 20% fault rate, {retries} retries taken, "
        f"{injected} faults injected {dict(stats.faults)}, failures {failures}",
    )
    assert succeeded >= 999
    # The faults were really there, and every re-send reached the server.
    assert injected >= 0.15 * stats.total
    assert stats.requests_for(MIXED) == CALLS + retries


def _widen_id_message(request: httpx.Request) -> None:
    """Send a 300-character idMessage, which the client itself refuses to send (see the test below)."""
    request.url = request.url.copy_set_param("idMessage", "X" * 300)


@pytest.mark.parametrize(
    ("settings", "client_options", "error", "status"),
    [
        pytest.param(MockSettings(rate_limit=0), {"widen": True}, BadRequestError, 400, id="400-oversized"),
        pytest.param(
            MockSettings(rate_limit=0), {"api_token": "WrongToken123"}, AuthenticationError, 401, id="401"
        ),
        pytest.param(
            MockSettings(rate_limit=0), {"id_instance": 1101000002}, PermissionDeniedError, 403, id="403-inst"
        ),
        pytest.param(
            MockSettings(rate_limit=0, beta_access=False), {}, PermissionDeniedError, 403, id="403-beta"
        ),
        pytest.param(
            MockSettings(rate_limit=0, quota_exceeded=True), {}, QuotaExceededError, 466, id="466-quota"
        ),
    ],
)
def test_non_retryable_statuses_reach_the_server_exactly_once(
    settings: MockSettings,
    client_options: dict[str, object],
    error: type[APIStatusError],
    status: int,
) -> None:
    options = dict(client_options)
    hooks: list[httpx.Client] = []
    if options.pop("widen", False):
        hooks.append(httpx.Client(event_hooks={"request": [_widen_id_message]}))
        options["http_client"] = hooks[0]
    with MockServer(settings) as server, _client(server, **options) as client:
        with pytest.raises(error) as caught:
            client.get_status_statistic(MIXED)
        seen = server.stats
        record(
            "client under faults",
            f"HTTP {status} ({error.__name__}): {seen.total} request reached the mock, "
            f"{caught.value.retries_taken} retries",
        )
        assert caught.value.status_code == status
        assert caught.value.retries_taken == 0
        assert seen.by_status[status] == 1
        assert seen.total == 1
    for http_client in hooks:
        http_client.close()


def test_the_client_refuses_an_oversized_id_message_without_a_request() -> None:
    with MockServer(MockSettings(rate_limit=0)) as server, _client(server) as client:
        with pytest.raises(InvalidRequestError, match="at most 256"):
            client.get_status_statistic("X" * 300)
        assert server.stats.total == 0
