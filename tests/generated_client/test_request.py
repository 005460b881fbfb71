"""The generated client builds the exact request: mid-segment path, token, percent-encoded idMessage."""

from __future__ import annotations

from urllib.parse import parse_qs

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from greenstat_client.api.statuses.get_status_statistic import sync_detailed
from tests.generated_client.conftest import BASE_URL, ID_INSTANCE, TOKEN, make_client


def _capture(id_message: str) -> httpx.Request:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=[])

    with make_client(handler) as client:
        sync_detailed(ID_INSTANCE, TOKEN, client=client, id_message=id_message)
    assert len(seen) == 1
    return seen[0]


def test_exact_url_for_the_mid_segment_path() -> None:
    request = _capture("BAE5F4886F6F2D05")
    assert request.method == "GET"
    assert str(request.url) == (
        f"{BASE_URL}/waInstance{ID_INSTANCE}/getStatusStatistic/{TOKEN}?idMessage=BAE5F4886F6F2D05"
    )
    assert (
        request.url.raw_path
        == f"/waInstance{ID_INSTANCE}/getStatusStatistic/{TOKEN}?idMessage=BAE5F4886F6F2D05".encode()
    )


def _server_side_id_message(request: httpx.Request) -> str:
    """Decode the query as a server does (from the raw bytes on the wire), not through httpx's own parser."""
    query = request.url.query.decode("ascii")  # on the wire it must be pure ASCII
    values = parse_qs(query, keep_blank_values=True, strict_parsing=True)
    assert list(values) == ["idMessage"], f"the query must carry idMessage alone, got {query!r}"
    [value] = values["idMessage"]
    return value


SPECIAL = ["a&x=1#f", "a/b?c", "100%", "1+1", "with space", "ÄÖü-привет-😀", "#", "&", "%2F", "=", ";"]


def test_special_characters_reach_the_server_byte_exact() -> None:
    for id_message in SPECIAL:
        request = _capture(id_message)
        assert _server_side_id_message(request) == id_message
        assert "#" not in str(request.url), "a fragment would be cut off before reaching the server"
        assert request.url.path == f"/waInstance{ID_INSTANCE}/getStatusStatistic/{TOKEN}"


@settings(max_examples=200, derandomize=True, database=None, deadline=None)
@given(st.text(min_size=1, max_size=256).filter(lambda s: "\x00" not in s))
def test_any_id_message_reaches_the_server_byte_exact(id_message: str) -> None:
    request = _capture(id_message)
    assert _server_side_id_message(request) == id_message
