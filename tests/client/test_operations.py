"""The operations the generated facade adds (``getOutgoingStatuses``, ``getIncomingStatuses``), sync and
async, against ``httpx.MockTransport``; their arguments checked from the spec; one rate-limit bucket per
operation.

Limits are read through ``greenstat_ext._spec`` here too, so these tests follow the spec like the client does.
"""

from __future__ import annotations

from typing import Any

import anyio
import httpx
import pytest

from greenstat_client.api import OPERATIONS
from greenstat_client.models import IncomingStatus, OutgoingStatus
from greenstat_ext import GreenStat, InvalidRequestError, RateLimiter, RawResponse, _spec
from greenstat_ext._client import spec_rate
from greenstat_ext._ratelimit import MIN_RATE

from ._helpers import (
    API_URL,
    ID_INSTANCE,
    TOKEN,
    Recorder,
    assert_no_token,
    fast_policy,
    json_response,
    make_async,
    make_sync,
)

OUTGOING: list[dict[str, Any]] = [
    {
        "type": "outgoing",
        "idMessage": "BAE5F4886F6F2D05",
        "timestamp": 1700000000,
        "statusMessage": "read",
        "sendByApi": True,
        "typeMessage": "extendedTextMessage",
        "chatId": "70000000001@c.us",
        "participants": ["79001234567@c.us", "120363041234567890@lid"],
        "textMessage": "Good morning!",
        "extendedTextMessage": {"text": "Good morning!", "backgroundColor": "#228B22", "font": "SERIF"},
        "aFieldFromTheFuture": {"x": 1},
    }
]
INCOMING: list[dict[str, Any]] = [
    {
        "type": "incoming",
        "idMessage": "1E1A12D337F2BFA5FC0000000000000",
        "timestamp": 1700000300,
        "typeMessage": "imageMessage",
        "chatId": "120363041234567890@lid",
        "senderId": "120363041234567890@lid",
        "senderName": "Boris",
        "senderContactName": "Boris",
        "downloadUrl": "https://sw-media.storage.greenapi.net/7103000000/1E1A.jpg",
        "fileName": "1E1A.jpg",
        "mimeType": "image/jpeg",
    }
]
MINUTES = _spec.parameter("getOutgoingStatuses", "minutes")
ID_MESSAGE = _spec.parameter("getStatusStatistic", "idMessage")


def _path(operation_id: str) -> str:
    return f"/waInstance{ID_INSTANCE}/{operation_id}/{TOKEN}"


def test_sync_outgoing_and_incoming_statuses() -> None:
    recorder = Recorder(json_response(200, OUTGOING), json_response(200, INCOMING))
    with make_sync(recorder) as client:
        (outgoing,) = client.get_outgoing_statuses(minutes=60)
        (incoming,) = client.get_incoming_statuses()
    assert isinstance(outgoing, OutgoingStatus)
    assert outgoing.id_message == "BAE5F4886F6F2D05"
    assert outgoing.send_by_api is True
    assert outgoing.participants == ["79001234567@c.us", "120363041234567890@lid"]
    assert outgoing.status_message.value == "read"
    assert isinstance(incoming, IncomingStatus)
    assert incoming.sender_id.endswith("@lid")
    first, second = recorder.requests
    assert (first.url.path, dict(first.url.params)) == (_path("getOutgoingStatuses"), {"minutes": "60"})
    # None (the default) leaves the parameter out: the server applies its own default.
    assert (second.url.path, dict(second.url.params)) == (_path("getIncomingStatuses"), {})


def test_async_outgoing_and_incoming_statuses() -> None:
    async def main() -> tuple[list[OutgoingStatus], list[IncomingStatus], Recorder]:
        recorder = Recorder(json_response(200, OUTGOING), json_response(200, INCOMING))
        async with make_async(recorder) as client:
            return (
                await client.get_outgoing_statuses(),
                await client.get_incoming_statuses(minutes=5),
                recorder,
            )

    outgoing, incoming, recorder = anyio.run(main)
    assert [item.id_message for item in outgoing] == ["BAE5F4886F6F2D05"]
    assert [item.sender_name for item in incoming] == ["Boris"]
    assert [dict(r.url.params) for r in recorder.requests] == [{}, {"minutes": "5"}]


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
def test_raw_response_and_with_options_for_the_new_methods(is_async: bool) -> None:
    recorder = Recorder(httpx.Response(503), json_response(200, INCOMING, {"X-Request-Id": "42"}))

    async def run_async() -> RawResponse[list[IncomingStatus]]:
        async with make_async(recorder, max_retries=0) as client:
            return await client.with_options(max_retries=1).with_raw_response.get_incoming_statuses(1)

    if is_async:
        raw = anyio.run(run_async)
    else:
        with make_sync(recorder, max_retries=0) as client:
            raw = client.with_options(max_retries=1).with_raw_response.get_incoming_statuses(1)
    assert isinstance(raw, RawResponse)
    assert raw.status_code == 200
    assert raw.retries_taken == 1
    assert raw.headers["x-request-id"] == "42"
    assert [item.sender_id for item in raw.parse()] == [INCOMING[0]["senderId"]]
    assert_no_token(TOKEN, raw.request.url, "RawResponse.request of a new operation")


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (MINUTES.bounds[0] - 1, f">= {MINUTES.bounds[0]}"),  # type: ignore[index]
        (MINUTES.bounds[1] + 1, f"<= {MINUTES.bounds[1]}"),  # type: ignore[index]
        ("60", "must be an integer, got str"),
        (True, "must be an integer, got bool"),
        (1.5, "must be an integer, got float"),
    ],
)
def test_minutes_is_checked_against_the_spec_before_any_request(value: object, problem: str) -> None:
    recorder = Recorder(json_response(200, []))
    with make_sync(recorder) as client, pytest.raises(InvalidRequestError, match=problem) as info:
        client.get_outgoing_statuses(minutes=value)  # type: ignore[arg-type]
    assert info.value.field == "minutes"
    assert recorder.requests == []


def test_the_spec_bounds_themselves_are_accepted() -> None:
    assert MINUTES.bounds is not None
    recorder = Recorder(json_response(200, []))
    with make_sync(recorder) as client:
        for minutes in MINUTES.bounds:
            assert client.get_incoming_statuses(minutes=minutes) == []
    assert [r.url.params["minutes"] for r in recorder.requests] == [str(m) for m in MINUTES.bounds]


def test_id_message_length_comes_from_the_spec() -> None:
    assert ID_MESSAGE.max_length is not None
    recorder = Recorder(json_response(200, []))
    with make_sync(recorder) as client:
        assert client.get_status_statistic("x" * ID_MESSAGE.max_length) == []
        with pytest.raises(InvalidRequestError, match=f"at most {ID_MESSAGE.max_length} characters"):
            client.get_status_statistic("x" * (ID_MESSAGE.max_length + 1))
    assert len(recorder.requests) == 1


def test_get_many_checks_ids_with_the_same_rules() -> None:
    async def main() -> dict[str, Any]:
        async with make_async(Recorder(json_response(200, []))) as client:
            return await client.get_many(["ok", "", "ok"])

    results = anyio.run(main)
    assert results["ok"] == []
    assert isinstance(results[""], InvalidRequestError)


# -- rate limits: one bucket per (origin, instance, operation), at the operation's spec rate -----------------


def _client(**options: Any) -> GreenStat:
    return GreenStat(id_instance=ID_INSTANCE + 900, api_token=TOKEN, api_url=API_URL, **options)


def test_each_operation_has_its_own_bucket_at_its_spec_rate() -> None:
    with _client() as client, _client() as other:
        buckets = {op.operation_id: client.rate_limiter_for(op.operation_id) for op in OPERATIONS}
        assert len({id(bucket) for bucket in buckets.values()}) == len(OPERATIONS)
        for op in OPERATIONS:
            bucket = buckets[op.operation_id]
            assert bucket is not None
            assert bucket.rate == spec_rate(op) == _spec.operation(op.operation_id).rate_limit.rate
            # shared by every client of the process calling the same method of the same instance
            assert other.rate_limiter_for(op.operation_id) is bucket
            assert client.rate_limiter_for(op.name) is bucket  # by method name too
        slowest = min(OPERATIONS, key=spec_rate)  # the first of the slowest, in the spec's order
        assert client.rate_limiter is buckets[slowest.operation_id]


def test_a_rate_override_applies_to_every_operation_with_a_bucket_each() -> None:
    with _client(rate_limit=2.5) as client:
        buckets = [client.rate_limiter_for(op.operation_id) for op in OPERATIONS]
        assert all(b is not None and b.rate == 2.5 for b in buckets)
        assert len({id(b) for b in buckets}) == len(OPERATIONS)
        assert all(
            client.with_options(rate_limit=0).rate_limiter_for(op.operation_id) is None for op in OPERATIONS
        )


def test_one_limiter_given_paces_every_operation_together() -> None:
    limiter = RateLimiter(3.0)
    with _client(rate_limit=limiter) as client:
        assert all(client.rate_limiter_for(op.operation_id) is limiter for op in OPERATIONS)


def test_a_call_takes_its_token_from_its_own_operations_bucket() -> None:
    """At the slowest rate a bucket refills in 1,000 s, so the one a call used stays visibly spent."""
    recorder = Recorder(json_response(200, []))
    http = httpx.Client(transport=httpx.MockTransport(recorder))
    with GreenStat(
        id_instance=ID_INSTANCE + 901,
        api_token=TOKEN,
        api_url=API_URL,
        rate_limit=MIN_RATE,
        http_client=http,
        retry_policy=fast_policy(),
    ) as client:
        client.get_incoming_statuses()
        spent = {
            op.operation_id: not bucket._at_rest()
            for op in OPERATIONS
            if isinstance(bucket := client.rate_limiter_for(op.operation_id), RateLimiter)
        }
    assert spent == {op.operation_id: op.operation_id == "getIncomingStatuses" for op in OPERATIONS}
