"""The fast path (msgspec decoding the body bytes straight into the Structs) against the slow path
(``json.loads`` + ``StatusStatistic.from_dict`` per item), on hypothesis-generated bodies.

Why: the speed of ``GreenStat`` comes from decoding in one pass from bytes; these tests pin that the
shortcut changes nothing a caller can see: the same models, the same rejections, the same forward
compatibility. The bodies are serialised several ways (ASCII-escaped or raw UTF-8, compact or indented),
because the fast path reads bytes and the slow path reads ``str``.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from greenstat_client import Client
from greenstat_client.api.statuses import get_status_statistic
from greenstat_client.models import StatusStatistic
from greenstat_ext import ResponseValidationError

from ._helpers import API_URL, ID_INSTANCE, TOKEN, Recorder, make_async, make_sync
from ._schema_strategies import from_schema
from .test_properties import SETTINGS, broken_bodies, item_schema, ok_schema

KNOWN = {"pending", "sent", "delivered", "read"}


@st.composite
def encoded(draw: st.DrawFn, body: Any) -> bytes:
    """``body`` as JSON bytes, in one of the shapes a server may send."""
    ensure_ascii = draw(st.booleans())
    indent = draw(st.sampled_from([None, 2]))
    return json.dumps(body, ensure_ascii=ensure_ascii, indent=indent).encode("utf-8")


def slow_path(content: bytes) -> list[StatusStatistic]:
    """What the untemplated generator does: parse to dicts, then build each model from its dict."""
    document = json.loads(content)
    if not isinstance(document, list):
        raise TypeError(f"expected an array, got {type(document).__name__}")
    return [StatusStatistic.from_dict(item) for item in document]


def endpoint_path(content: bytes) -> list[StatusStatistic]:
    """The generated endpoint, as ``GreenStat`` calls it (no greenstat_ext layer in between)."""
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=content))
    client = Client(base_url=API_URL, httpx_args={"transport": transport})
    response = get_status_statistic.sync_detailed(ID_INSTANCE, TOKEN, client=client, id_message="x")
    assert isinstance(response.parsed, list)
    return response.parsed


def greenstat_path(content: bytes) -> list[StatusStatistic]:
    with make_sync(Recorder(httpx.Response(200, content=content))) as client:
        return client.get_status_statistic("x")


@st.composite
def bodies_with_unknown_statuses(draw: st.DrawFn) -> list[dict[str, Any]]:
    """A valid body where some items carry a status value the spec does not know (yet)."""
    body: list[dict[str, Any]] = draw(from_schema({**ok_schema(), "minItems": 1}))
    unknown = st.text(min_size=1, max_size=12).filter(lambda value: value not in KNOWN)
    for item in body:
        if draw(st.booleans()):
            item["status"] = draw(unknown)
    return body


@SETTINGS
@given(data=st.data())
def test_fast_and_slow_paths_give_identical_models(data: st.DataObject) -> None:
    body = data.draw(from_schema(ok_schema()))
    content = data.draw(encoded(body))
    expected = slow_path(content)
    for fast in (endpoint_path(content), greenstat_path(content)):
        assert fast == expected
        assert [type(item.status) for item in fast] == [type(item.status) for item in expected]
        assert [item.status.value for item in fast] == [item["status"] for item in body]


@SETTINGS
@given(data=st.data())
def test_unknown_statuses_survive_both_paths(data: st.DataObject) -> None:
    body = data.draw(bodies_with_unknown_statuses())
    content = data.draw(encoded(body))
    slow, fast = slow_path(content), greenstat_path(content)
    assert fast == slow
    for item, fast_item, slow_item in zip(body, fast, slow, strict=True):
        assert fast_item.status.value == slow_item.status.value == item["status"]
        assert fast_item.status.is_known is slow_item.status.is_known is (item["status"] in KNOWN)


@SETTINGS
@given(case=broken_bodies())
def test_invalid_bodies_are_rejected_by_both_paths(case: tuple[list[Any], str]) -> None:
    body, where = case
    content = json.dumps(body).encode()
    with pytest.raises(msgspec.ValidationError):
        slow_path(content)
    with pytest.raises(msgspec.ValidationError):
        endpoint_path(content)
    with pytest.raises(ResponseValidationError) as info:
        greenstat_path(content)
    assert info.value.path is not None
    assert info.value.path.startswith(where)


@pytest.mark.parametrize(
    "content",
    [b"", b"[", b"[{]", b'[{"participant": "1@c.us"', b"\xff\xfe", b"null", b'{"a": 1}', b"[1, 2]"],
)
def test_malformed_bodies_are_rejected_by_both_paths(content: bytes) -> None:
    with pytest.raises((ValueError, TypeError, msgspec.ValidationError)):
        slow_path(content)
    with pytest.raises(ResponseValidationError):
        greenstat_path(content)


@SETTINGS
@given(data=st.data())
def test_async_fast_path_matches_the_slow_path(data: st.DataObject) -> None:
    import anyio

    body = data.draw(bodies_with_unknown_statuses())
    content = data.draw(encoded(body))

    async def fetch() -> list[StatusStatistic]:
        async with make_async(Recorder(httpx.Response(200, content=content))) as client:
            return await client.get_status_statistic("x")

    assert anyio.run(fetch) == slow_path(content)


def test_raw_response_content_is_the_body_that_was_decoded() -> None:
    body = [{"participant": "79001234567@c.us", "timestamp": 1_700_000_000, "status": "read"}]
    content = json.dumps(body).encode()
    with make_sync(Recorder(httpx.Response(200, content=content))) as client:
        raw = client.with_raw_response.get_status_statistic("x")
    assert raw.content == content
    assert raw.parse() == slow_path(content)


def test_item_schema_is_the_models() -> None:
    # The generated bodies cover every member the model has, so "identical models" compares all of them.
    # By wire name (a member such as ``viewedAt`` is the model's ``viewed_at``).
    assert set(item_schema()["properties"]) == set(StatusStatistic.__struct_encode_fields__)
