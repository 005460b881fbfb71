from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from greenstat_ext import (
    AsyncGreenStat,
    AuthenticationError,
    GreenStatError,
    InvalidRequestError,
    RawResponse,
)
from tests._servers import serve

from . import _server
from ._helpers import (
    BODY,
    ID_INSTANCE,
    TOKEN,
    FakeClock,
    Recorder,
    fast_policy,
    json_response,
    make_async,
    make_sync,
)

pytestmark = pytest.mark.anyio

Scenario = Callable[[], Recorder]
SCENARIOS: dict[str, Scenario] = {
    "ok": lambda: Recorder(json_response(200, BODY)),
    "empty": lambda: Recorder(json_response(200, [])),
    "retry-then-ok": lambda: Recorder(
        json_response(429, {"message": "x"}, {"Retry-After": "1"}), json_response(200, BODY)
    ),
    "connect-then-ok": lambda: Recorder(httpx.ConnectError("refused"), json_response(200, [])),
    "400": lambda: Recorder(json_response(400, {"message": "bad"})),
    "401": lambda: Recorder(json_response(401, {"message": "Unauthorized"})),
    "403": lambda: Recorder(httpx.Response(403, text="Forbidden")),
    "429": lambda: Recorder(json_response(429, {"message": "slow"})),
    "466": lambda: Recorder(json_response(466, {"oops": 1})),
    "499": lambda: Recorder(json_response(499, {"message": "closed"})),
    "500": lambda: Recorder(json_response(500, {"message": "boom"})),
    "502": lambda: Recorder(httpx.Response(502, text="<html>bad gateway</html>")),
    "520": lambda: Recorder(httpx.Response(520)),
    "timeout": lambda: Recorder(httpx.ReadTimeout("slow")),
    "refused": lambda: Recorder(httpx.ConnectError("refused")),
    "invalid": lambda: Recorder(
        json_response(200, [{"participant": "a", "timestamp": "1", "status": "read"}])
    ),
    "not-json": lambda: Recorder(httpx.Response(200, text="<html>")),
}


def outcome(
    result: RawResponse[list[object]] | GreenStatError, recorder: Recorder, clock: FakeClock
) -> object:
    requests = [(r.method, str(r.url), r.headers.get("user-agent")) for r in recorder.requests]
    if isinstance(result, GreenStatError):
        request = getattr(result, "request", None)
        return (
            "error",
            type(result).__name__,
            str(result),
            getattr(result, "status_code", None),
            getattr(result, "retries_taken", None),
            str(request.url) if request else None,
            requests,
            clock.sleeps,
        )
    return ("ok", result.status_code, result.retries_taken, result.parse(), requests, clock.sleeps)


@pytest.mark.parametrize("name", list(SCENARIOS))
async def test_sync_async_parity(name: str) -> None:
    sync_recorder, sync_clock = SCENARIOS[name](), FakeClock()
    async_recorder, async_clock = SCENARIOS[name](), FakeClock()
    policy_changes = {"max_retries": 2, "wait_jitter": 0.0}

    sync_result: RawResponse[list[object]] | GreenStatError
    with make_sync(sync_recorder, policy=fast_policy(sync_clock, **policy_changes)) as client:
        try:
            sync_result = client.with_raw_response.get_status_statistic("id-1")  # type: ignore[assignment]
        except GreenStatError as exc:
            sync_result = exc

    async_result: RawResponse[list[object]] | GreenStatError
    async with make_async(async_recorder, policy=fast_policy(async_clock, **policy_changes)) as aclient:
        try:
            async_result = await aclient.with_raw_response.get_status_statistic("id-1")  # type: ignore[assignment]
        except GreenStatError as exc:
            async_result = exc

    assert outcome(sync_result, sync_recorder, sync_clock) == outcome(
        async_result, async_recorder, async_clock
    )


async def test_get_many_returns_per_id_results_or_errors() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        id_message = request.url.params["idMessage"]
        if id_message == "bad-token":
            return json_response(401, {"message": "Unauthorized"})
        return json_response(200, BODY[: int(id_message)])

    async with make_async(handler) as client:
        results = await client.get_many(["2", "bad-token", "0", "2", "", "4"], concurrency=3)
    assert list(results) == ["2", "bad-token", "0", "", "4"]  # distinct ids, input order
    assert [len(v) for k, v in results.items() if isinstance(v, list)] == [2, 0, 4]
    assert isinstance(results["bad-token"], AuthenticationError)
    assert isinstance(results[""], InvalidRequestError)


async def test_get_many_bounds_concurrency() -> None:
    import anyio

    active = 0
    peak = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal active, peak
        active += 1
        peak = max(peak, active)
        await anyio.sleep(0.01)
        active -= 1
        return json_response(200, [])

    client = AsyncGreenStat(
        id_instance=ID_INSTANCE,
        api_token=TOKEN,
        api_url="https://h.test",
        rate_limit=0,
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
    )
    async with client:
        results = await client.get_many([str(i) for i in range(12)], concurrency=3)
    assert len(results) == 12
    assert peak == 3


@pytest.mark.parametrize("bad", [0, -1, True])
async def test_get_many_rejects_bad_concurrency(bad: int) -> None:
    async with make_async(Recorder(json_response(200, []))) as client:
        with pytest.raises(InvalidRequestError):
            await client.get_many(["x"], concurrency=bad)


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    with serve(_server.app) as url:
        yield url


async def test_async_against_a_real_server(server_url: str) -> None:
    async with AsyncGreenStat(
        id_instance=ID_INSTANCE, api_token=TOKEN, api_url=server_url, rate_limit=0
    ) as client:
        stats = await client.get_status_statistic("a&b")
        other = client.with_options(timeout=5.0)
        assert [s.to_dict() for s in await other.get_status_statistic("c")] == BODY
    assert [s.to_dict() for s in stats] == BODY
    assert _server.SEEN[-2][2] == "a&b"
    with pytest.raises(GreenStatError, match="client is closed"):
        await client.get_status_statistic("after close")


async def test_get_many_keeps_the_others_when_one_id_cannot_be_sent() -> None:
    recorder = Recorder(json_response(200, BODY[:1]))
    async with make_async(recorder) as client:
        results = await client.get_many(["A", "B", "\ud800"])
    assert list(results) == ["A", "B", "\ud800"]
    assert results["A"] == results["B"]
    assert isinstance(results["A"], list)
    assert len(results["A"]) == 1
    error = results["\ud800"]
    assert isinstance(error, InvalidRequestError)
    assert error.field == "id_message"
    assert len(recorder.requests) == 2


async def test_get_many_turns_an_unexpected_exception_into_that_ids_result() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.params["idMessage"] == "boom":
            raise RuntimeError(f"hook bug at {request.url}")
        return json_response(200, [])

    async with make_async(handler) as client:
        results = await client.get_many(["A", "boom", "B"])
    assert results["A"] == []
    assert results["B"] == []
    error = results["boom"]
    assert type(error) is GreenStatError
    assert str(error).startswith("unexpected RuntimeError: hook bug at")
    assert TOKEN not in str(error)


@pytest.mark.parametrize(("recipients", "off_loop"), [(10, False), (20_000, True)])
async def test_a_large_body_is_decoded_off_the_event_loop(
    monkeypatch: pytest.MonkeyPatch, recipients: int, off_loop: bool
) -> None:
    """A 100k-recipient answer would hold the loop for its whole decode (120 ms under -X dev): a body of
    ``OFF_LOOP_BYTES`` or more is decoded in a worker thread, a small one where it arrived."""
    import threading

    from greenstat_client.api.statuses import get_status_statistic as endpoint
    from greenstat_client.types import OFF_LOOP_BYTES

    decoded_in: list[int] = []
    parse = endpoint._parse_response

    def recording_parse(**kwargs: object) -> object:
        decoded_in.append(threading.get_ident())
        return parse(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(endpoint, "_parse_response", recording_parse)
    items = [
        {"participant": f"7900{n:07d}@c.us", "timestamp": 1_700_000_000 + n, "status": "read"}
        for n in range(recipients)
    ]
    response = json_response(200, items)
    assert (len(response.content) >= OFF_LOOP_BYTES) is off_loop
    async with make_async(Recorder(response)) as client:
        stats = await client.get_status_statistic("BAE5F4886F6F2D05")
    assert len(stats) == recipients
    assert len(decoded_in) == 1
    assert (decoded_in[0] != threading.get_ident()) is off_loop
