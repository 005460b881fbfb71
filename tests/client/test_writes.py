"""The write side of the client: sends and deletes, their arguments, and retries that never post twice."""

from __future__ import annotations

import json
import pickle

import httpx
import pytest

from greenstat_client.api import OPERATIONS
from greenstat_ext import (
    APIConnectionError,
    APITimeoutError,
    BadRequestError,
    InvalidRequestError,
    OutcomeUnknownError,
    RateLimitError,
    SendStatusResult,
    StatusFont,
    _spec,
)
from greenstat_ext.contract._probes import base_body
from greenstat_ext.contract._spec import load_operations

from ._helpers import TOKEN, Recorder, assert_no_token, fast_policy, json_response, make_async, make_sync

POSTED = {"idMessage": "BAE5F4886F6F2D05"}


def _bound(operation: str, name: str, attribute: str) -> int:
    value = getattr(_spec.parameter(operation, name), attribute)
    assert isinstance(value, int)
    return value


MESSAGE_MAX = _bound("sendTextStatus", "message", "max_length")
CAPTION_MAX = _bound("sendMediaStatus", "caption", "max_length")
PARTICIPANTS_MAX = _bound("sendTextStatus", "participants", "max_items")


def _example_arguments(name: str) -> tuple[tuple[object, ...], dict[str, object]]:
    """Arguments that pass a write's checks, by the facade's names: the body the contract kit sends
    (``contract._probes.base_body``: the spec's first request example, else each required field at a valid
    value)."""
    spec = _spec.operation(name)
    kit_operation = next(op for op in load_operations() if op.name == spec.operation_id)
    body = base_body(kit_operation, {}) or {}
    return (), {spec.parameter(wire).python_name: value for wire, value in body.items()}


#: Every write operation of the spec (chosen by shape: ``is_write``, from x-idempotent/-creates/-deletes and
#: the method), with arguments that pass its checks.
WRITES: dict[str, tuple[tuple[object, ...], dict[str, object]]] = {
    op.name: _example_arguments(op.name) for op in OPERATIONS if _spec.operation(op.name).is_write
}


def _ok(name: str) -> httpx.Response:
    """A 200 of the write's own shape: no body for one whose 200 has none, else its id."""
    operation = next(op for op in OPERATIONS if op.name == name)
    return httpx.Response(200) if operation.result_type is None else json_response(200, POSTED)


def test_every_write_of_the_spec_is_covered_here() -> None:
    writes = {op.python_name for op in _spec.operations().values() if op.is_write}
    assert writes == set(WRITES)
    assert writes  # the spec has writes: the tests below run
    assert not any(_spec.operation(name).idempotent for name in writes)  # each x-idempotent: false


def test_send_text_status_posts_the_documented_body_and_returns_the_id() -> None:
    recorder = Recorder(json_response(200, POSTED))
    with make_sync(recorder) as client:
        result = client.send_text_status(
            "Hello", background_color="#228B22", font=StatusFont.SERIF, participants=("79001234567@c.us",)
        )
    assert isinstance(result, SendStatusResult)
    assert result.id_message == POSTED["idMessage"]
    (request,) = recorder.requests
    assert request.method == "POST"
    assert request.url.path.endswith(f"/sendTextStatus/{TOKEN}")
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == {
        "message": "Hello",
        "backgroundColor": "#228B22",
        "font": "SERIF",
        "participants": ["79001234567@c.us"],
    }


def test_optional_members_left_none_are_left_out() -> None:
    recorder = Recorder(json_response(200, POSTED))
    with make_sync(recorder) as client:
        client.send_media_status("https://example.test/a.jpg", "a.jpg")
    assert json.loads(recorder.requests[0].content) == {
        "urlFile": "https://example.test/a.jpg",
        "fileName": "a.jpg",
    }


def test_delete_status_returns_none_on_an_empty_200_without_content_type() -> None:
    recorder = Recorder(httpx.Response(200))
    recorder.script = [httpx.Response(200, content=b"")]
    with make_sync(recorder) as client:
        client.delete_status("BAE5F4886F6F2D05")
        raw = client.with_raw_response.delete_status("BAE5F4886F6F2D05")
    assert raw.status_code == 200
    assert raw.parse() is None
    assert json.loads(recorder.requests[0].content) == {"idMessage": "BAE5F4886F6F2D05"}


def test_unknown_id_on_delete_is_a_bad_request_not_an_unknown_outcome() -> None:
    recorder = Recorder(json_response(400, {"statusCode": 400, "message": "ID message notfound"}))
    with (
        make_sync(recorder, policy=fast_policy(max_retries=3)) as client,
        pytest.raises(BadRequestError) as info,
    ):
        client.delete_status("NOPE")
    assert "notfound" in info.value.body
    assert len(recorder.requests) == 1


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda c: c.send_text_status(""), "message"),
        (
            lambda c: c.send_text_status("x" * (MESSAGE_MAX + 1)),
            "message",
        ),
        (lambda c: c.send_text_status("hi", background_color="green"), "background_color"),
        (lambda c: c.send_text_status("hi", font="COMIC_SANS"), "font"),
        (lambda c: c.send_text_status("hi", participants="79001234567@c.us"), "participants"),
        (lambda c: c.send_text_status("hi", participants=["123@g.us"]), "participants[0]"),
        (
            lambda c: c.send_text_status(
                "hi",
                participants=["79001234567@c.us"] * (PARTICIPANTS_MAX + 1),
            ),
            "participants",
        ),
        (lambda c: c.send_voice_status("https://example.test/a.ogg", "a.ogg"), "file_name"),
        (lambda c: c.send_voice_status("https://example.test/a.mp3", "a\x00b.mp3"), "file_name"),
        (lambda c: c.send_media_status("https://example.test/a.png", "a\x1b[31m.png"), "file_name"),
        (lambda c: c.send_voice_status("ftp://example.test/a.mp3", "a.mp3"), "url_file"),
        (lambda c: c.send_media_status("https://example.test/a", "noextension"), "file_name"),
        (
            lambda c: c.send_media_status(
                "https://example.test/a.jpg",
                "a.jpg",
                caption="c" * (CAPTION_MAX + 1),
            ),
            "caption",
        ),
        (lambda c: c.delete_status(""), "id_message"),
    ],
)
def test_arguments_are_checked_against_the_spec_before_any_request(call: object, field: str) -> None:
    recorder = Recorder(json_response(200, POSTED))
    with make_sync(recorder) as client, pytest.raises(InvalidRequestError) as info:
        call(client)  # type: ignore[operator]
    assert info.value.field == field
    assert recorder.requests == []


def test_the_five_documented_fonts_are_accepted_as_enum_or_string() -> None:
    recorder = Recorder(json_response(200, POSTED))
    fonts = _spec.parameter("sendTextStatus", "font").enum
    assert fonts is not None
    assert {f.value for f in StatusFont} == set(fonts)
    with make_sync(recorder) as client:
        for font in fonts:
            # the spec's strings read at run time: the signature's Literal lists the same (tests/typing)
            client.send_text_status("hi", font=str(font))  # type: ignore[arg-type]
        client.send_text_status("hi", font=StatusFont.OSWALD_HEAVY)
    assert [json.loads(r.content)["font"] for r in recorder.requests] == [*fonts, "OSWALD_HEAVY"]


# --- retries that never post twice -------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(WRITES))
def test_a_429_is_retried_the_server_did_not_act(name: str) -> None:
    recorder = Recorder(json_response(429, {"message": "slow down"}), _ok(name))
    args, kwargs = WRITES[name]
    with make_sync(recorder) as client:
        raw = getattr(client.with_raw_response, name)(*args, **kwargs)
    assert raw.status_code == 200
    assert raw.retries_taken == 1
    assert len(recorder.requests) == 2


@pytest.mark.parametrize("name", sorted(WRITES))
@pytest.mark.parametrize(
    "exc", [httpx.ConnectError("refused"), httpx.ConnectTimeout("slow"), httpx.PoolTimeout("busy")]
)
def test_a_failure_before_the_request_was_written_is_retried(name: str, exc: httpx.RequestError) -> None:
    recorder = Recorder(exc, _ok(name))
    args, kwargs = WRITES[name]
    with make_sync(recorder) as client:
        raw = getattr(client.with_raw_response, name)(*args, **kwargs)
    assert raw.retries_taken == 1


@pytest.mark.parametrize("name", sorted(WRITES))
@pytest.mark.parametrize("code", [499, 500, 502, 503, 504, 520])
def test_a_499_or_5xx_is_never_retried_and_the_outcome_is_unknown(name: str, code: int) -> None:
    recorder = Recorder(json_response(code, {"statusCode": code, "message": "oops"}), _ok(name))
    args, kwargs = WRITES[name]
    with (
        make_sync(recorder, policy=fast_policy(max_retries=5)) as client,
        pytest.raises(OutcomeUnknownError) as info,
    ):
        getattr(client, name)(*args, **kwargs)
    assert len(recorder.requests) == 1
    error = info.value
    assert (error.status_code, error.retries_taken) == (code, 0)
    assert error.operation == _spec.operation(name).operation_id
    spec = _spec.operation(name)
    listing = _spec.listing(spec.creates or spec.deletes or "")
    # the advice names the read that lists what the write acts on (the spec's x-lists), else says so
    advice = "by other means" if listing is None else f"{listing.python_name}()"
    assert advice in str(error)
    assert str(code) in error.cause


@pytest.mark.parametrize("name", sorted(WRITES))
@pytest.mark.parametrize(
    "exc",
    [
        httpx.ReadTimeout("slow"),
        httpx.ReadError("reset"),
        httpx.RemoteProtocolError("peer closed"),
        httpx.WriteError("broken pipe"),
        httpx.WriteTimeout("slow"),
    ],
)
def test_a_failure_after_the_request_may_have_been_written_is_never_retried(
    name: str, exc: httpx.RequestError
) -> None:
    recorder = Recorder(exc, _ok(name))
    args, kwargs = WRITES[name]
    with (
        make_sync(recorder, policy=fast_policy(max_retries=5)) as client,
        pytest.raises(OutcomeUnknownError) as info,
    ):
        getattr(client, name)(*args, **kwargs)
    assert len(recorder.requests) == 1
    assert info.value.status_code is None
    assert info.value.cause in {"APIConnectionError", "APITimeoutError"}


def test_a_429_then_an_unknown_outcome_stops_there() -> None:
    recorder = Recorder(
        json_response(429, {"message": "x"}), httpx.ReadTimeout("slow"), json_response(200, POSTED)
    )
    with (
        make_sync(recorder, policy=fast_policy(max_retries=5)) as client,
        pytest.raises(OutcomeUnknownError) as info,
    ):
        client.send_text_status("hi")
    assert len(recorder.requests) == 2
    assert info.value.retries_taken == 1


def test_429s_past_max_retries_are_a_rate_limit_error_not_an_unknown_outcome() -> None:
    recorder = Recorder(json_response(429, {"message": "x"}))
    with make_sync(recorder, policy=fast_policy(max_retries=2)) as client, pytest.raises(RateLimitError):
        client.send_text_status("hi")
    assert len(recorder.requests) == 3


def test_connection_refused_past_max_retries_is_a_plain_connection_error() -> None:
    recorder = Recorder(httpx.ConnectError("refused"))
    with (
        make_sync(recorder, policy=fast_policy(max_retries=1)) as client,
        pytest.raises(APIConnectionError) as info,
    ):
        client.send_text_status("hi")
    assert not isinstance(info.value, OutcomeUnknownError)
    recorder = Recorder(httpx.ConnectTimeout("slow"))
    with make_sync(recorder, policy=fast_policy(max_retries=0)) as client, pytest.raises(APITimeoutError):
        client.send_text_status("hi")


def test_reads_keep_their_policy_a_read_timeout_is_retried() -> None:
    recorder = Recorder(httpx.ReadTimeout("slow"), json_response(200, []))
    with make_sync(recorder) as client:
        assert client.with_raw_response.get_outgoing_statuses().retries_taken == 1


def test_the_unknown_outcome_error_leaks_no_token_and_pickles() -> None:
    recorder = Recorder(json_response(502, {"statusCode": 502, "message": f"bad gateway for /{TOKEN}"}))
    with make_sync(recorder) as client, pytest.raises(OutcomeUnknownError) as info:
        client.send_text_status("hi")
    error = info.value
    for where, text in {
        "str": str(error),
        "repr": repr(error),
        "body": error.body,
        "request": str(error.request.url),
        "pickle": pickle.dumps(error),
        "vars": vars(error),
    }.items():
        assert_no_token(TOKEN, text, where)
    assert error.__cause__ is None
    assert error.__context__ is None
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own pickle
    assert (type(copy), copy.status_code, copy.operation) == (OutcomeUnknownError, 502, "sendTextStatus")


@pytest.mark.anyio
async def test_async_twins_follow_the_same_rule() -> None:
    recorder = Recorder(json_response(429, {"message": "x"}), json_response(200, POSTED))
    async with make_async(recorder) as client:
        result = await client.send_text_status("hi")
        assert result.id_message == POSTED["idMessage"]
    recorder = Recorder(json_response(500, {"message": "x"}), json_response(200, POSTED))
    async with make_async(recorder, policy=fast_policy(max_retries=4)) as client:
        with pytest.raises(OutcomeUnknownError):
            await client.send_voice_status("https://example.test/v.wav", "v.wav")
        assert len(recorder.requests) == 1
        recorder.script = [httpx.Response(200)]
        raw = await client.with_raw_response.delete_status("X1")
        assert raw.status_code == 200
        assert raw.parse() is None
