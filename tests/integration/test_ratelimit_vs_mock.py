"""The client's default limiter against the real mock at its default rate limit: not a single 429.

Why against the real mock over loopback (not a fake clock): the failure this guards against lives in the gap
between when the client sends and when the server stamps a request (connection set-up, scheduling on a
loaded machine), which only real sockets and the server's own limiter reproduce; the mock's hit counters are
what the server saw. This takes about 25 s of wall time by nature (23 calls at 1 request/s), so it is the
one such test: the pacing arithmetic is covered on a fake clock in ``tests/client/test_ratelimit.py``.
"""

from __future__ import annotations

import contextlib
from collections import Counter

from greenstat_ext import GreenStat, GreenStatError, RateLimitError
from greenstat_ext._spec import operation
from greenstat_ext.mock import DEMO_ID_INSTANCE, DEMO_TOKEN, MockServer, MockSettings
from tests._figures import record

SEQUENTIAL = 15
NEW_CLIENT_EACH = 8
ID_MESSAGE = "BAE5F4886F6F2D05"


def _call(client: GreenStat) -> None:
    with contextlib.suppress(RateLimitError):  # counted by the mock; go on, so the figure is the whole run's
        client.get_status_statistic(ID_MESSAGE)


def test_default_pacing_never_earns_a_429_from_the_mock_at_its_default_rate() -> None:
    settings = MockSettings()
    # The mock's default: each operation at its spec x-rate-limit (getStatusStatistic: 1/s, Green API's).
    assert settings.rate_limit is None
    with MockServer(settings) as server:
        port = server.port
        options = {"id_instance": DEMO_ID_INSTANCE, "api_token": DEMO_TOKEN, "max_retries": 0}
        # (a) one client, one thread, sequential calls at the default rate (1/s).
        with GreenStat(api_url=f"http://127.0.0.1:{port}", **options) as client:  # type: ignore[arg-type]
            limiter = client.rate_limiter_for("getStatusStatistic")
            assert limiter is not None
            assert limiter.rate == operation("getStatusStatistic").rate_limit.rate
            for _ in range(SEQUENTIAL):
                _call(client)
        sequential = server.stats.by_status
        # (b) a new client per call (the README's pattern), the server spelt three ways.
        spellings = ["127.0.0.1", "localhost", "127.1"]
        for i in range(NEW_CLIENT_EACH):
            url = f"http://{spellings[i % len(spellings)]}:{port}"
            try:
                _call(GreenStat(api_url=url, **options))  # type: ignore[arg-type]
            except GreenStatError as exc:  # e.g. localhost answered on ::1 first: say so, do not hide it
                raise AssertionError(f"call {i} to {url} failed: {exc}") from exc
        new_clients = server.stats.by_status - sequential
    record("rate limiter vs mock", f"(a) {SEQUENTIAL} sequential calls, one client: {dict(sequential)}")
    record("rate limiter vs mock", f"(b) {NEW_CLIENT_EACH} calls, a new client each: {dict(new_clients)}")
    assert sequential == Counter({200: SEQUENTIAL})
    assert new_clients == Counter({200: NEW_CLIENT_EACH})
