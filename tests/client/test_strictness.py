"""Small lenience closed (issue 13, items 6 and 8): ``Retry-After`` values that are not a wait, a 200 that
is not JSON, and the token as a plain local of the generated call's frame."""

from __future__ import annotations

import email.utils
import logging
import time
import traceback
from pathlib import Path
from typing import Any

import httpx
import pytest

from greenstat_ext import (
    AsyncGreenStat,
    GreenStat,
    GreenStatError,
    RateLimitError,
    ResponseValidationError,
    parse_retry_after,
)
from tests._hostile import HostileServer, answer

from ._helpers import (
    API_URL,
    ID_INSTANCE,
    TOKEN,
    FakeClock,
    Recorder,
    assert_no_token,
    fast_policy,
    json_response,
    make_sync,
)

BACKOFF = 0.25


def _past_date() -> str:
    return email.utils.formatdate(time.time() - 3600, usegmt=True)


@pytest.mark.parametrize(
    "value",
    ["-5", "0", "000", "past-date", "1e1", "3.0", "+3", " 0x10", "3 s", "", "NaN"],
)
def test_a_retry_after_that_is_not_a_future_wait_gives_the_normal_backoff(value: str) -> None:
    header = _past_date() if value == "past-date" else value
    clock = FakeClock()
    limited = json_response(429, {"message": "slow"}, {"Retry-After": header})
    recorder = Recorder(limited, json_response(200, []))
    policy = fast_policy(clock, wait_initial=BACKOFF, wait_jitter=0)
    with make_sync(recorder, policy=policy) as client:
        client.get_status_statistic("x")
    assert clock.sleeps == [BACKOFF]  # never 0 (back to back), never 10 s for "1e1"


@pytest.mark.parametrize(("value", "seconds"), [("7", 7.0), (" 12 ", 12.0), ("0005", 5.0)])
def test_delta_seconds_are_digits(value: str, seconds: float) -> None:
    assert parse_retry_after(value) == seconds


def test_a_retry_after_of_thousands_of_digits_is_a_long_wait_not_a_crash() -> None:
    assert (parse_retry_after("9" * 5000) or 0) >= 10**9
    clock = FakeClock()
    recorder = Recorder(json_response(429, {"message": "later"}, {"Retry-After": "9" * 5000}))
    with make_sync(recorder, policy=fast_policy(clock)) as client, pytest.raises(RateLimitError):
        client.get_status_statistic("x")
    assert clock.sleeps == []  # beyond retry_after_max: fail fast


def _answering(response: httpx.Response) -> GreenStat:
    """A client whose ``http_client`` answers exactly ``response`` (no Content-Type added)."""
    transport = httpx.MockTransport(
        lambda request: httpx.Response(
            response.status_code, headers=response.headers, content=response.content
        )
    )
    return GreenStat(
        id_instance=ID_INSTANCE,
        api_token=TOKEN,
        api_url=API_URL,
        rate_limit=0,
        retry_policy=fast_policy(),
        http_client=httpx.Client(transport=transport),
    )


@pytest.mark.parametrize(
    "content_type", [None, "", "text/html", "text/plain; charset=utf-8", "application/jsonp"]
)
def test_a_200_that_is_not_json_is_refused(content_type: str | None) -> None:
    headers = {} if content_type is None else {"Content-Type": content_type}
    with (
        _answering(httpx.Response(200, content=b"[]", headers=headers)) as client,
        pytest.raises(ResponseValidationError, match="Content-Type") as info,
    ):
        client.get_status_statistic("x")
    assert info.value.path is None
    assert info.value.status_code == 200
    assert info.value.body == "[]"


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/json; charset=utf-8", "Application/JSON", "application/vnd.green+json"],
)
def test_json_content_types_are_accepted(content_type: str) -> None:
    with _answering(httpx.Response(200, content=b"[]", headers={"Content-Type": content_type})) as client:
        assert client.get_status_statistic("x") == []


def test_a_200_html_page_over_the_wire_is_refused() -> None:
    with (
        HostileServer(answer(200, b"[]", content_type="text/html")) as server,
        GreenStat(id_instance=ID_INSTANCE, api_token=TOKEN, api_url=server.base_url, rate_limit=0) as client,
        pytest.raises(ResponseValidationError, match="text/html"),
    ):
        client.get_status_statistic("x")


def _hook_fails(request: httpx.Request) -> None:
    raise RuntimeError("a caller's hook failed")


def _transport_fails(request: httpx.Request) -> httpx.Response:
    raise ValueError("a caller's transport failed")


@pytest.mark.parametrize("where", ["hook", "transport"])
def test_the_generated_frame_never_holds_the_token(where: str) -> None:
    """With locals captured (Sentry, rich ``show_locals``), the generated call's frame shows no token."""
    options: dict[str, Any] = {}
    if where == "hook":
        options["event_hooks"] = {"request": [_hook_fails]}
        transport = httpx.MockTransport(lambda request: json_response(200, []))
    else:
        transport = httpx.MockTransport(_transport_fails)
    http_client = httpx.Client(transport=transport, **options)
    client = GreenStat(
        id_instance=ID_INSTANCE, api_token=TOKEN, api_url=API_URL, rate_limit=0, http_client=http_client
    )
    with client, pytest.raises((RuntimeError, ValueError)) as info:
        client.get_status_statistic("x")
    stack = traceback.TracebackException.from_exception(info.value, capture_locals=True).stack
    ours = [frame for frame in stack if Path(frame.filename).parent.name in ("greenstat_client", "statuses")]
    ours += [frame for frame in stack if Path(frame.filename).parts[-2:] == ("greenstat_ext", "_client.py")]
    assert any(frame.name == "sync_detailed" for frame in ours)
    # No frame at all: the transport's and httpcore's, which held the request as sent, were cleared by the
    # client before the exception went on (test_the_server_gets_the_real_token_in_the_path: it was sent).
    for frame in stack:
        assert_no_token(TOKEN, frame.locals, f"the locals of {frame.name}")


@pytest.mark.parametrize("status", [400, 401, 466, 500])
def test_an_echoed_token_is_in_no_frame_of_a_status_error(status: int) -> None:
    """A server that echoes the token (body, header) gets a typed error whose raising frames hold no copy of
    the answer: the client drops it before raising (Sentry and ``capture_locals`` show those frames)."""
    echo = httpx.Response(
        status,
        json={"message": f"bad token {TOKEN}"},
        headers={"X-Echo": TOKEN, "Content-Type": "application/json"},
    )
    with (
        make_sync(Recorder(echo), policy=fast_policy(max_retries=0)) as client,
        pytest.raises(GreenStatError) as info,
    ):
        client.get_status_statistic("x")
    for frame in traceback.TracebackException.from_exception(info.value, capture_locals=True).stack:
        assert_no_token(TOKEN, frame.locals, f"the locals of {frame.name}")


def test_the_server_gets_the_real_token_in_the_path() -> None:
    recorder = Recorder(json_response(200, []))
    with make_sync(recorder) as client:
        client.get_status_statistic("x")
    assert recorder.requests[0].url.path == f"/waInstance{ID_INSTANCE}/getStatusStatistic/{TOKEN}"


@pytest.mark.parametrize("token", [TOKEN, "abc12"])
def test_the_retry_warning_and_the_error_carry_no_token(token: str, caplog: pytest.LogCaptureFixture) -> None:
    recorder = Recorder(
        json_response(503, {"message": f"busy {token}"}),
        httpx.ReadTimeout(f"timed out: {API_URL}/waInstance{ID_INSTANCE}/getStatusStatistic/{token}"),
    )
    with (
        caplog.at_level(logging.WARNING, logger="greenstat.retry"),
        make_sync(recorder, token=token, policy=fast_policy(max_retries=2)) as client,
        pytest.raises(Exception) as info,  # noqa: PT011 - the type is asserted below
    ):
        client.get_status_statistic("x")
    assert type(info.value).__name__ == "APITimeoutError"
    assert caplog.records
    for record in caplog.records:
        assert_no_token(token, record.getMessage(), "the greenstat.retry line")
    assert_no_token(token, str(info.value), "str(e)")


@pytest.mark.anyio
async def test_the_async_generated_frame_never_holds_the_token() -> None:
    http_client = httpx.AsyncClient(transport=httpx.MockTransport(_transport_fails))
    client = AsyncGreenStat(
        id_instance=ID_INSTANCE, api_token=TOKEN, api_url=API_URL, rate_limit=0, http_client=http_client
    )
    async with client:
        with pytest.raises(ValueError, match="transport failed") as info:
            await client.get_status_statistic("x")
    stack = traceback.TracebackException.from_exception(info.value, capture_locals=True).stack
    generated = [frame for frame in stack if frame.name == "asyncio_detailed"]
    assert generated
    for frame in generated:
        assert_no_token(TOKEN, frame.locals, "the locals of asyncio_detailed")
