from __future__ import annotations

import httpx
import pytest

from greenstat_client.models import QuotaExceeded
from greenstat_ext import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClientClosedRequestError,
    ConfigurationError,
    GreenStatError,
    InvalidRequestError,
    PermissionDeniedError,
    QuotaExceededError,
    RateLimitError,
    ResponseValidationError,
    ServerError,
    UnexpectedStatusError,
)
from greenstat_ext._errors import reason_phrase, status_error_class
from greenstat_ext._redact import MASK

from ._helpers import Recorder, fast_policy, json_response, make_sync

QUOTA_BODY = {
    "invokeStatus": {
        "method": "getStatusStatistic",
        "used": 3,
        "total": 3,
        "status": "QUOTE_EXCEEDED",
        "description": "Monthly quota has been exceeded.",
    },
    "correspondentsStatus": {
        "used": 3,
        "total": 3,
        "status": "CORRESPONDENTS_QUOTE_EXCEEDED",
        "description": "Monthly correspondents quota has been exceeded.",
    },
}


def test_tree() -> None:
    assert issubclass(APIError, GreenStatError)
    for cls in (APIStatusError, APIConnectionError, ResponseValidationError):
        assert issubclass(cls, APIError)
    assert issubclass(APITimeoutError, APIConnectionError)
    for cls in (
        BadRequestError,
        AuthenticationError,
        PermissionDeniedError,
        RateLimitError,
        QuotaExceededError,
        ClientClosedRequestError,
        ServerError,
        UnexpectedStatusError,
    ):
        assert issubclass(cls, APIStatusError)
    assert issubclass(ConfigurationError, GreenStatError)
    assert issubclass(ConfigurationError, ValueError)
    assert issubclass(InvalidRequestError, ValueError)


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (429, RateLimitError),
        (466, QuotaExceededError),
        (499, ClientClosedRequestError),
        (500, ServerError),
        (502, ServerError),
        (503, ServerError),
        (504, ServerError),
        (511, ServerError),
        (520, UnexpectedStatusError),
        (404, UnexpectedStatusError),
        (418, UnexpectedStatusError),
        (204, UnexpectedStatusError),
        (302, UnexpectedStatusError),
    ],
)
def test_each_status_maps_to_its_class(code: int, cls: type[APIStatusError]) -> None:
    assert status_error_class(code) is cls
    recorder = Recorder(json_response(code, {"statusCode": code, "message": f"m{code}"}))
    with make_sync(recorder, policy=fast_policy(max_retries=1)) as client, pytest.raises(cls) as info:
        client.get_status_statistic("x")
    error = info.value
    assert type(error) is cls
    assert error.status_code == code
    assert f"HTTP {code}" in str(error)
    assert error.retries_taken == len(recorder.requests) - 1
    assert error.request.method == "GET"


def test_message_and_body_excerpt_from_json_error() -> None:
    recorder = Recorder(json_response(401, {"statusCode": 401, "message": "Unauthorized"}))
    with make_sync(recorder) as client, pytest.raises(AuthenticationError) as info:
        client.get_status_statistic("x")
    assert str(info.value) == "HTTP 401 Unauthorized: Unauthorized"
    assert '"message": "Unauthorized"' in info.value.body


def test_plain_text_and_long_bodies() -> None:
    recorder = Recorder(httpx.Response(400, text="instance in starting process try later " + "x" * 2000))
    with make_sync(recorder) as client, pytest.raises(BadRequestError) as info:
        client.get_status_statistic("x")
    text = "instance in starting process try later "
    # 500 characters, except that the cut splits the run of x: its last 128 (the longest a token can be)
    # are masked, in case it was a token.
    assert info.value.body == text + "x" * (500 - len(text) - 128) + MASK
    assert "instance in starting process" in str(info.value)


def test_quota_body_is_parsed() -> None:
    recorder = Recorder(json_response(466, QUOTA_BODY))
    with make_sync(recorder) as client, pytest.raises(QuotaExceededError) as info:
        client.get_status_statistic("x")
    assert isinstance(info.value.quota, QuotaExceeded)
    assert info.value.quota.invoke_status.status == "QUOTE_EXCEEDED"
    assert info.value.quota.correspondents_status.total == 3
    assert len(recorder.requests) == 1


def test_malformed_quota_body_gives_none() -> None:
    recorder = Recorder(httpx.Response(466, text="quota"))
    with make_sync(recorder) as client, pytest.raises(QuotaExceededError) as info:
        client.get_status_statistic("x")
    assert info.value.quota is None


def test_rate_limit_error_carries_retry_after() -> None:
    recorder = Recorder(json_response(429, {"message": "Too Many Requests"}, {"Retry-After": "2"}))
    with (
        make_sync(recorder, policy=fast_policy(max_retries=2)) as client,
        pytest.raises(RateLimitError) as info,
    ):
        client.get_status_statistic("x")
    assert info.value.retry_after == 2.0
    assert info.value.retries_taken == 2
    assert "after 2 retries" in str(info.value)


@pytest.mark.parametrize(
    ("body", "path", "fragment"),
    [
        (b'[{"participant": "a", "timestamp": "1", "status": "read"}]', "$[0].timestamp", "Expected `int`"),
        (b'[{"participant": "a", "status": "read"}]', "$[0]", "missing required field `timestamp`"),
        (b'{"participant": "a"}', "$", "Expected `array`"),
        (b"not json", None, "is not valid JSON"),
        (b'[{"participant": "a"', None, "is not valid JSON"),
        (b"", None, "is not valid JSON"),
    ],
)
def test_invalid_200_body(body: bytes, path: str | None, fragment: str) -> None:
    recorder = Recorder(httpx.Response(200, content=body))
    with make_sync(recorder) as client, pytest.raises(ResponseValidationError) as info:
        client.get_status_statistic("x")
    assert info.value.status_code == 200
    assert info.value.path == path
    assert fragment in str(info.value)
    assert info.value.body == body.decode()
    assert info.value.__cause__ is None
    assert info.value.__context__ is None


def test_connection_and_timeout_errors_have_no_chain() -> None:
    for exc, cls in (
        (httpx.ConnectError("refused"), APIConnectionError),
        (httpx.ReadTimeout("slow"), APITimeoutError),
    ):
        recorder = Recorder(exc)
        with make_sync(recorder, policy=fast_policy(max_retries=1)) as client, pytest.raises(cls) as info:
            client.get_status_statistic("x")
        assert info.value.retries_taken == 1
        assert info.value.__cause__ is None
        assert info.value.__context__ is None


@pytest.mark.parametrize("bad", ["", "x" * 257, 5, None])
def test_bad_id_message_is_refused_before_any_request(bad: object) -> None:
    recorder = Recorder(json_response(200, []))
    with make_sync(recorder) as client, pytest.raises(InvalidRequestError) as info:
        client.get_status_statistic(bad)  # type: ignore[arg-type]
    assert info.value.field == "id_message"
    assert recorder.requests == []


def test_reason_phrases_for_unregistered_codes() -> None:
    assert reason_phrase(466) == "Quota Exceeded"
    assert reason_phrase(499) == "Client Closed Request"
    assert reason_phrase(520) == "Unknown Error"
    assert reason_phrase(299) == "Unknown Status"
    assert reason_phrase(404) == "Not Found"
