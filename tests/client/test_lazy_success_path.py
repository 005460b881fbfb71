"""A success pays only for what a success needs; an error or ``with_raw_response`` still gets redacted views.

Structural, not timed: the expensive pieces (a redacted copy of the request or headers, a tenacity
``Retrying``) are counted with monkeypatch, so these tests fail the day one of them creeps back onto the
success path, whatever the machine's load. ``make bench`` measures what they cost.
"""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import tenacity

import greenstat_ext._redact as redact_module
import greenstat_ext._response as response_module
import greenstat_ext._transport as transport_module
from greenstat_ext import AuthenticationError, RateLimitError
from greenstat_ext._redact import MASK
from greenstat_ext._response import RawResponse as ConcreteRawResponse
from greenstat_ext._transport import TOKEN_PLACEHOLDER, _joined, _url_with_token, _url_with_token_slow

from ._helpers import (
    BODY,
    ID_INSTANCE,
    TOKEN,
    FakeClock,
    Recorder,
    assert_no_token,
    fast_policy,
    json_response,
    make_async,
    make_sync,
)

ECHOING_HEADERS = {"X-Echo": TOKEN, "X-Request-Id": "r1"}


class Counts:
    def __init__(self) -> None:
        self.calls: dict[str, int] = {}

    def wrap(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] = self.calls.get(name, 0) + 1
            return function(*args, **kwargs)

        return counted

    def __getitem__(self, name: str) -> int:
        return self.calls.get(name, 0)


@pytest.fixture
def counts(monkeypatch: pytest.MonkeyPatch) -> Counts:
    """Counts every redacted copy of a request or headers, and every tenacity retrier built."""
    counter = Counts()
    for module in (redact_module, response_module, transport_module):
        for name in ("redacted_request", "redacted_headers"):
            if hasattr(module, name):
                monkeypatch.setattr(module, name, counter.wrap(name, getattr(module, name)))
    for cls_name in ("Retrying", "AsyncRetrying"):
        original = getattr(tenacity, cls_name)
        counted_cls = type(cls_name, (original,), {"__init__": counter.wrap(cls_name, original.__init__)})
        monkeypatch.setattr(tenacity, cls_name, counted_cls)
    return counter


def test_a_success_builds_no_redacted_copy_and_no_retrier(counts: Counts) -> None:
    recorder = Recorder(json_response(200, BODY, ECHOING_HEADERS))
    with make_sync(recorder) as client:
        result = client.get_status_statistic("x")
    assert [s.to_dict() for s in result] == BODY
    assert counts.calls == {}
    # The lazy path still sends the real token: only the wire request carries it.
    assert recorder.requests[0].url.path == f"/waInstance{ID_INSTANCE}/getStatusStatistic/{TOKEN}"


@pytest.mark.anyio
async def test_an_async_success_builds_no_redacted_copy_and_no_retrier(counts: Counts) -> None:
    recorder = Recorder(json_response(200, BODY, ECHOING_HEADERS))
    async with make_async(recorder) as client:
        result = await client.get_status_statistic("x")
    assert [s.to_dict() for s in result] == BODY
    assert counts.calls == {}
    assert recorder.requests[0].url.path.endswith(f"/{TOKEN}")


def test_raw_response_redacts_on_first_access_only(counts: Counts) -> None:
    with make_sync(Recorder(json_response(200, BODY, ECHOING_HEADERS))) as client:
        raw = client.with_raw_response.get_status_statistic("x")
    assert counts.calls == {}  # nothing built until asked
    assert raw.headers["x-echo"] == MASK
    assert raw.headers["x-request-id"] == "r1"
    assert str(raw.request.url).endswith(f"/getStatusStatistic/{MASK}?idMessage=x")
    assert_no_token(TOKEN, raw.headers, "RawResponse.headers")
    assert_no_token(TOKEN, raw.request.url, "RawResponse.request.url")
    assert_no_token(TOKEN, raw.request.headers, "RawResponse.request.headers")
    built = dict(counts.calls)
    assert built["redacted_request"] == 1
    assert raw.headers is raw.headers  # computed once, then kept
    assert raw.request is raw.request
    assert counts.calls == built


@pytest.mark.anyio
async def test_async_raw_response_is_redacted_too(counts: Counts) -> None:
    async with make_async(Recorder(json_response(200, BODY, ECHOING_HEADERS))) as client:
        raw = await client.with_raw_response.get_status_statistic("x")
    assert counts.calls == {}
    assert raw.headers["x-echo"] == MASK
    assert_no_token(TOKEN, raw.request.url, "async RawResponse.request.url")


def test_raw_response_keeps_no_raw_material_once_both_views_are_built() -> None:
    with make_sync(Recorder(json_response(200, BODY, ECHOING_HEADERS))) as client:
        raw = client.with_raw_response.get_status_statistic("x")
    _ = raw.headers, raw.request
    assert isinstance(raw, ConcreteRawResponse)
    assert raw._call is None
    assert raw._raw_headers is None


@pytest.mark.parametrize(
    "clone", [pickle.dumps, copy.copy, copy.deepcopy], ids=["pickle", "copy", "deepcopy"]
)
def test_raw_response_copies_carry_only_the_redacted_views(clone: Callable[[Any], Any]) -> None:
    with make_sync(Recorder(json_response(200, BODY, ECHOING_HEADERS))) as client:
        raw = client.with_raw_response.get_status_statistic("x")
    cloned = clone(raw)
    if isinstance(cloned, bytes):
        assert_no_token(TOKEN, cloned.decode("latin-1"), "pickled RawResponse")
        cloned = pickle.loads(cloned)  # noqa: S301 - our own bytes
    assert isinstance(cloned, ConcreteRawResponse)
    assert cloned._call is None
    assert cloned.headers["x-echo"] == MASK
    assert_no_token(TOKEN, cloned.request.url, "copied RawResponse.request.url")
    assert [s.to_dict() for s in cloned.parse()] == BODY
    assert cloned.content == raw.content
    assert repr(cloned) == repr(raw)


def test_old_constructor_keywords_still_work() -> None:
    request = httpx.Request("GET", "https://h/x")
    raw: ConcreteRawResponse[list[object]] = ConcreteRawResponse(
        status_code=200, headers=httpx.Headers({"a": "b"}), content=b"[]", retries_taken=0, request=request,
        parsed=[],
    )  # fmt: skip
    assert raw.headers["a"] == "b"
    assert raw.request is request
    with pytest.raises(TypeError):
        ConcreteRawResponse(status_code=200, content=b"[]", retries_taken=0, parsed=[], request=request)


def test_an_error_still_carries_a_redacted_request_and_headers(counts: Counts) -> None:
    answer = json_response(401, {"message": f"bad token {TOKEN}"}, ECHOING_HEADERS)
    with make_sync(Recorder(answer)) as client, pytest.raises(AuthenticationError) as info:
        client.get_status_statistic("x")
    error = info.value
    assert counts["redacted_request"] >= 1
    assert str(error.request.url).endswith(f"/getStatusStatistic/{MASK}?idMessage=x")
    assert error.headers["x-echo"] == MASK
    for where, text in (("str", str(error)), ("url", error.request.url), ("headers", error.headers)):
        assert_no_token(TOKEN, text, f"401 error {where}")
    assert counts["Retrying"] == 0  # 401 is not retryable: tenacity is never built


@pytest.mark.anyio
async def test_an_async_error_still_carries_a_redacted_request() -> None:
    answer = json_response(401, {"message": "no"}, ECHOING_HEADERS)
    async with make_async(Recorder(answer)) as client:
        with pytest.raises(AuthenticationError) as info:
            await client.get_status_statistic("x")
    assert_no_token(TOKEN, info.value.request.url, "async 401 error url")
    assert info.value.headers["x-echo"] == MASK


def test_a_retry_builds_tenacity_once_and_behaves_as_before(counts: Counts) -> None:
    clock = FakeClock()
    recorder = Recorder(json_response(503, {"message": "busy"}), json_response(200, BODY))
    with make_sync(recorder, policy=fast_policy(clock, wait_jitter=0)) as client:
        raw = client.with_raw_response.get_status_statistic("x")
    assert counts["Retrying"] == 1
    assert raw.retries_taken == 1
    assert len(recorder.requests) == 2  # the first outcome is replayed to tenacity, not re-sent
    assert clock.sleeps == [0.5]


@pytest.mark.anyio
async def test_an_async_retry_builds_tenacity_once(counts: Counts) -> None:
    clock = FakeClock()
    recorder = Recorder(json_response(503, {"message": "busy"}), json_response(200, BODY))
    async with make_async(recorder, policy=fast_policy(clock, wait_jitter=0)) as client:
        raw = await client.with_raw_response.get_status_statistic("x")
    assert counts["AsyncRetrying"] == 1
    assert raw.retries_taken == 1
    assert len(recorder.requests) == 2
    assert clock.sleeps == [0.5]


def test_a_first_transport_error_is_replayed_then_retried(counts: Counts) -> None:
    recorder = Recorder(httpx.ConnectError("refused"), json_response(200, BODY))
    with make_sync(recorder) as client:
        raw = client.with_raw_response.get_status_statistic("x")
    assert counts["Retrying"] == 1
    assert raw.retries_taken == 1
    assert len(recorder.requests) == 2


def test_giving_up_after_retries_is_unchanged() -> None:
    clock = FakeClock()
    recorder = Recorder(json_response(429, {"message": "slow down"}))
    policy = fast_policy(clock, wait_jitter=0, max_retries=2)
    with make_sync(recorder, policy=policy) as client, pytest.raises(RateLimitError) as info:
        client.get_status_statistic("x")
    assert info.value.retries_taken == 2
    assert len(recorder.requests) == 3
    assert clock.sleeps == [0.5, 1.0]


@pytest.mark.parametrize(
    "url",
    [
        f"https://api.example.test/waInstance{ID_INSTANCE}/getStatusStatistic/{TOKEN_PLACEHOLDER}?idMessage=a%20b",
        f"http://127.0.0.1:8080/base/waInstance1/getOutgoingStatuses/{TOKEN_PLACEHOLDER}?minutes=5&x=%2F",
        f"http://[::1]:9/waInstance1/m/{TOKEN_PLACEHOLDER}",
        f"https://h/waInstance1/m/{TOKEN_PLACEHOLDER}#frag",
    ],
)
@pytest.mark.parametrize("token", [TOKEN, "abc12", "t+/ é"])
def test_the_fast_token_substitution_equals_httpx_s_own(url: str, token: str) -> None:
    """The URL built from httpx's parsed form is the one ``copy_with`` (a full re-parse) gives."""
    fast = _url_with_token(httpx.URL(url), token)
    slow = _url_with_token_slow(httpx.URL(url), token)
    assert fast is not None
    assert slow is not None
    assert fast == slow
    assert fast.raw_path == slow.raw_path
    assert str(fast) == str(slow)
    assert fast == httpx.URL(str(slow))  # what a fresh parse of it gives: valid and normalised


def test_no_placeholder_no_substitution() -> None:
    url = httpx.URL("https://h/waInstance1/m/sometoken?a=1")
    assert _url_with_token(url, TOKEN) is None
    assert _url_with_token_slow(url, TOKEN) is None


def test_a_body_read_in_one_piece_is_not_copied() -> None:
    body = b"[" + b"1," * 1000 + b"1]"
    assert _joined([body]) is body
    assert _joined([b"ab", b"cd"]) == b"abcd"
