from __future__ import annotations

import json
import pickle
from collections.abc import Callable

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from greenstat_client.models import QuotaExceeded
from greenstat_ext import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AsyncGreenStat,
    AuthenticationError,
    BadRequestError,
    ClientClosedRequestError,
    ConfigurationError,
    GreenStat,
    GreenStatError,
    InvalidRequestError,
    OutcomeUnknownError,
    PermissionDeniedError,
    QuotaExceededError,
    RateLimitError,
    ResponseTooLargeError,
    ResponseValidationError,
    ServerError,
    UnexpectedStatusError,
)
from greenstat_ext._errors import reason_phrase, status_error_class
from greenstat_ext._redact import MASK
from tests._fuzz import examples

from ._helpers import API_URL, ID_INSTANCE, TOKEN, Recorder, fast_policy, json_response, make_sync

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
    # The message says the body's words and figures, not a JSON excerpt cut mid-object.
    assert info.value.message == (
        "HTTP 466 Quota Exceeded: Monthly quota has been exceeded. (getStatusStatistic: 3 of 3 used)"
    )


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


def hooked_sync(
    handler: Callable[[httpx.Request], httpx.Response], hook: Callable[[httpx.Response], object]
) -> GreenStat:
    http = httpx.Client(transport=httpx.MockTransport(handler), event_hooks={"response": [hook]})
    return GreenStat(
        id_instance=ID_INSTANCE,
        api_token=TOKEN,
        api_url=API_URL,
        retry_policy=fast_policy(),
        rate_limit=0,
        http_client=http,
    )


def assert_clean(error: BaseException) -> None:
    assert error.__cause__ is None
    assert error.__context__ is None
    assert TOKEN not in str(error)
    assert TOKEN not in repr(error)
    if isinstance(error, APIError):
        assert TOKEN not in str(error.request.url)


def read_then_raise(response: httpx.Response) -> None:
    response.read()
    response.raise_for_status()


@pytest.mark.parametrize(
    ("code", "cls"), [(401, AuthenticationError), (503, ServerError), (404, UnexpectedStatusError)]
)
def test_raise_for_status_in_a_callers_hook_gives_the_typed_status_error(
    code: int, cls: type[APIStatusError]
) -> None:
    body = json.dumps({"message": f"echo {TOKEN}"}).encode()

    def streamed(request: httpx.Request) -> httpx.Response:  # a body not read before the hooks run
        return httpx.Response(code, stream=httpx.ByteStream(body), headers={"X-Echo": TOKEN})

    with hooked_sync(streamed, lambda r: r.raise_for_status()) as client, pytest.raises(cls) as info:
        client.get_status_statistic("x")
    assert_clean(info.value)
    assert info.value.status_code == code
    assert info.value.headers["x-echo"] == "***"
    assert info.value.body == ""  # the hook raised before the body was read
    with hooked_sync(streamed, read_then_raise) as client, pytest.raises(cls) as info:
        client.get_status_statistic("x")
    assert_clean(info.value)
    assert info.value.body == '{"message": "echo ***"}'
    assert str(info.value) == f"HTTP {code} {reason_phrase(code)}: echo ***"


@pytest.mark.parametrize(
    "exc",
    [
        httpx.InvalidURL(f"bad /waInstance1/getStatusStatistic/{TOKEN}"),
        httpx.CookieConflict(f"two cookies for {TOKEN}"),
        httpx.ResponseNotRead(),
        httpx.DecodingError(f"bad gzip from {TOKEN}"),
    ],
)
def test_any_other_httpx_error_from_a_hook_is_typed_and_redacted(exc: Exception) -> None:
    def hook(response: httpx.Response) -> None:
        if isinstance(exc, httpx.RequestError):
            exc.request = response.request
        raise exc

    with hooked_sync(Recorder(json_response(200, [])), hook) as client, pytest.raises(APIError) as info:
        client.get_status_statistic("x")
    assert_clean(info.value)
    assert str(info.value).startswith(type(exc).__name__)


@pytest.mark.anyio
async def test_async_hook_errors_are_typed_too() -> None:
    async def hook(response: httpx.Response) -> None:
        response.raise_for_status()

    http = httpx.AsyncClient(
        transport=httpx.MockTransport(Recorder(json_response(401, {"message": "no"}))),
        event_hooks={"response": [hook]},
    )
    client = AsyncGreenStat(
        id_instance=ID_INSTANCE, api_token=TOKEN, api_url=API_URL, rate_limit=0, http_client=http
    )
    with pytest.raises(AuthenticationError) as info:
        await client.get_status_statistic("x")
    assert_clean(info.value)
    await http.aclose()


def test_a_lone_surrogate_id_is_refused_before_any_request() -> None:
    recorder = Recorder(json_response(200, []))
    with make_sync(recorder) as client, pytest.raises(InvalidRequestError, match="surrogate") as info:
        client.get_status_statistic("ab\ud800")
    assert info.value.field == "id_message"
    assert recorder.requests == []


@settings(max_examples=examples(30), derandomize=True, deadline=None, database=None)
@given(id_message=st.text(max_size=300))
def test_any_text_id_is_sent_or_refused_with_a_typed_error(id_message: str) -> None:
    recorder = Recorder(json_response(200, []))
    valid = 1 <= len(id_message) <= 256 and not any("\ud800" <= c <= "\udfff" for c in id_message)
    with make_sync(recorder) as client:
        if valid:
            assert client.get_status_statistic(id_message) == []
            assert recorder.requests[0].url.params["idMessage"] == id_message
        else:
            with pytest.raises(InvalidRequestError):
                client.get_status_statistic(id_message)
            assert recorder.requests == []


def _request() -> httpx.Request:
    return httpx.Request("GET", f"{API_URL}/waInstance{ID_INSTANCE}/getStatusStatistic/***?idMessage=x")


def _api_error(cls: type[APIError]) -> APIError:
    if issubclass(cls, APIStatusError):
        error: APIError = cls(
            "HTTP 4xx",
            request=_request(),
            retries_taken=2,
            status_code=466 if cls is QuotaExceededError else 418,
            body="{}",
            headers=httpx.Headers({"Retry-After": "3"}),
        )
        if isinstance(error, RateLimitError):
            error.retry_after = 3.0
        if isinstance(error, QuotaExceededError):
            error.quota = QuotaExceeded.from_dict(QUOTA_BODY)
        return error
    if cls is ResponseValidationError:
        return cls("200 body", request=_request(), retries_taken=0, status_code=200, body="[1]", path="$[0]")
    if cls is ResponseTooLargeError:
        return cls("too large", request=_request(), retries_taken=0, status_code=500, max_response_size=10)
    if cls is OutcomeUnknownError:
        return OutcomeUnknownError.after("sendTextStatus", _api_error(ServerError))
    return cls("refused", request=_request(), retries_taken=1)


def _all_error_classes() -> list[type[GreenStatError]]:
    found: list[type[GreenStatError]] = []
    pending: list[type[GreenStatError]] = [GreenStatError]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return sorted(found, key=lambda c: c.__name__)


@pytest.mark.parametrize("cls", _all_error_classes(), ids=lambda c: c.__name__)
def test_every_error_round_trips_through_pickle(cls: type[GreenStatError]) -> None:
    error: GreenStatError
    if cls is GreenStatError:
        error = GreenStatError("closed")
    elif issubclass(cls, ConfigurationError | InvalidRequestError):
        error = cls("field", "is bad")
    else:
        assert issubclass(cls, APIError)
        error = _api_error(cls)
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes
    assert type(copy) is cls
    assert str(copy) == str(error)
    assert copy.args == error.args
    state = {k: v for k, v in vars(error).items() if k != "request"}
    assert {k: v for k, v in vars(copy).items() if k != "request"} == state
    if isinstance(error, APIError):
        assert isinstance(copy, APIError)
        assert copy.request.url == error.request.url
        assert copy.request.method == "GET"


def test_a_pickled_error_from_a_real_call_carries_no_token() -> None:
    answer = json_response(466, QUOTA_BODY, headers={"X-Echo": TOKEN, "Location": f"/x/{TOKEN}"})
    with make_sync(Recorder(answer)) as client, pytest.raises(QuotaExceededError) as info:
        client.get_status_statistic("x")
    data = pickle.dumps(info.value)
    assert TOKEN.encode() not in data
    copy = pickle.loads(data)  # noqa: S301 - our own bytes
    assert copy.quota == info.value.quota
    assert copy.headers["x-echo"] == "***"
