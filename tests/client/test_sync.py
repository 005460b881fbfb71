from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from greenstat_client.models import StatusStatistic, StatusValue
from greenstat_ext import (
    DEFAULT_TIMEOUT,
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    ConfigurationError,
    GreenStat,
    GreenStatError,
    RawResponse,
)
from tests._servers import free_port, serve

from . import _server
from ._helpers import BODY, ID_INSTANCE, ID_MESSAGE, TOKEN, Recorder, fast_policy, json_response, make_sync


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    with serve(_server.app) as url:
        yield url


def test_quickstart_against_a_real_server(server_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GREEN_API_URL", server_url)
    monkeypatch.setenv("GREEN_API_ID_INSTANCE", str(ID_INSTANCE))
    monkeypatch.setenv("GREEN_API_TOKEN", TOKEN)
    with GreenStat(rate_limit=0) as client:
        stats = client.get_status_statistic(ID_MESSAGE)
    assert all(isinstance(s, StatusStatistic) for s in stats)
    assert [s.to_dict() for s in stats] == BODY
    assert stats[3].status is StatusValue.READ
    id_instance, token, id_message, agent = _server.SEEN[-1]
    assert (id_instance, token, id_message) == (ID_INSTANCE, TOKEN, ID_MESSAGE)
    assert agent.startswith("greenstat/")


def test_id_message_is_percent_encoded_end_to_end(server_url: str) -> None:
    with GreenStat(id_instance=ID_INSTANCE, api_token=TOKEN, api_url=server_url, rate_limit=0) as client:
        client.get_status_statistic("a&x=1#f ?/é")
    assert _server.SEEN[-1][2] == "a&x=1#f ?/é"


def test_real_read_timeout_is_retried_then_raised(server_url: str) -> None:
    client = GreenStat(
        id_instance=ID_INSTANCE,
        api_token=TOKEN,
        api_url=server_url,
        rate_limit=0,
        # a 0.1 s read timeout inside a 5 s call: the first read timeout leaves time for a retry
        timeout=httpx.Timeout(5.0, read=0.1),
        retry_policy=fast_policy(max_retries=1),
    )
    with client, pytest.raises(APITimeoutError) as info:
        client.get_status_statistic("slow")
    assert info.value.retries_taken == 1
    assert TOKEN not in str(info.value.request.url)


def test_real_error_status(server_url: str) -> None:
    client = GreenStat(id_instance=ID_INSTANCE, api_token=TOKEN, api_url=server_url, rate_limit=0)
    with client, pytest.raises(AuthenticationError) as info:
        client.get_status_statistic("status-401")
    assert TOKEN not in str(info.value)  # the server echoed the path: the excerpt is redacted
    assert "getStatusStatistic/***" in info.value.body


def test_connection_refused_by_loopback_is_final() -> None:
    """No retry makes a local server appear: a refusal from a loopback address fails at once
    (tests/client/test_refused_loopback.py has the rule's other sides)."""
    url = f"http://127.0.0.1:{free_port()}"
    client = GreenStat(
        id_instance=ID_INSTANCE,
        api_token=TOKEN,
        api_url=url,
        rate_limit=0,
        retry_policy=fast_policy(max_retries=2),
    )
    with client, pytest.raises(APIConnectionError) as info:
        client.get_status_statistic("x")
    assert type(info.value) is APIConnectionError
    assert info.value.retries_taken == 0


def test_raw_response() -> None:
    recorder = Recorder(
        json_response(503, {"message": "x"}), json_response(200, BODY, {"X-Request-Id": "r1"})
    )
    with make_sync(recorder) as client:
        raw = client.with_raw_response.get_status_statistic("x")
    assert isinstance(raw, RawResponse)
    assert raw.status_code == 200
    assert raw.headers["x-request-id"] == "r1"
    assert raw.retries_taken == 1
    assert raw.content == json_response(200, BODY).content
    assert [s.to_dict() for s in raw.parse()] == BODY
    assert TOKEN not in str(raw.request.url)
    assert repr(raw) == "<RawResponse [200] retries_taken=1>"


def test_unknown_status_and_extra_fields_survive() -> None:
    body = [{"participant": "1@c.us", "timestamp": 1, "status": "played", "reaction": "👍"}]
    with make_sync(Recorder(json_response(200, body))) as client:
        (item,) = client.get_status_statistic("x")
    assert item.status.value == "played"
    assert item.status.is_known is False
    assert item.to_dict() == {"participant": "1@c.us", "timestamp": 1, "status": "played"}


def test_empty_list_is_a_normal_answer() -> None:
    with make_sync(Recorder(json_response(200, []))) as client:
        assert client.get_status_statistic("expired") == []


def test_default_timeout_is_never_none() -> None:
    with make_sync(Recorder(json_response(200, []))) as client:
        assert client.timeout == DEFAULT_TIMEOUT
        assert None not in (
            client.timeout.connect,
            client.timeout.read,
            client.timeout.write,
            client.timeout.pool,
        )


@pytest.mark.parametrize(
    "bad",
    [
        None,
        0,
        -1,
        "30",
        True,
        httpx.Timeout(None),
        float("inf"),
        float("nan"),
        1e308,
        86_401,
        httpx.Timeout(5.0, read=float("inf")),
        httpx.Timeout(5.0, connect=float("nan")),
        httpx.Timeout(1e308),
        httpx.Timeout(5.0, pool=0),
    ],
)
def test_bad_timeouts(bad: object) -> None:
    with pytest.raises(ConfigurationError) as info:
        make_sync(Recorder(json_response(200, [])), timeout=bad)
    assert info.value.field == "timeout"


def test_with_options_timeout_reaches_the_transport() -> None:
    recorder = Recorder(json_response(200, []))
    with make_sync(recorder, timeout=30) as client:
        client.with_options(timeout=httpx.Timeout(1.5)).get_status_statistic("x")
        client.get_status_statistic("y")
    assert recorder.requests[0].extensions["timeout"]["read"] == 1.5
    assert recorder.requests[1].extensions["timeout"]["read"] == 30


def test_with_options_shares_the_pool_and_does_not_close_it() -> None:
    recorder = Recorder(json_response(200, []))
    client = make_sync(recorder)
    other = client.with_options(max_retries=0)
    assert other.max_retries == 0
    assert client.max_retries == 3
    other.close()
    client.get_status_statistic("still open")
    client.close()
    with pytest.raises(GreenStatError, match="client is closed"):
        client.get_status_statistic("closed")


def test_caller_supplied_http_client_is_not_closed() -> None:
    http = httpx.Client(transport=httpx.MockTransport(Recorder(json_response(200, []))))
    with GreenStat(
        id_instance=1, api_token="abcdef", api_url="https://h.test", http_client=http, rate_limit=0
    ):
        pass
    assert not http.is_closed
    http.close()


def test_repr_is_useful_and_masked() -> None:
    with make_sync(Recorder(json_response(200, [])), rate_limit=2) as client:
        text = repr(client)
    assert text == (
        f"GreenStat(api_url='https://api.example.test', id_instance={ID_INSTANCE}, "
        "api_token=ApiToken('**********'), max_retries=3, rate_limit=2.0)"
    )


def test_a_day_is_the_longest_timeout() -> None:
    with make_sync(Recorder(json_response(200, [])), timeout=86_400) as client:
        assert client.timeout == httpx.Timeout(86_400.0)
        with pytest.raises(ConfigurationError, match="read must be"):
            client.with_options(timeout=httpx.Timeout(5.0, read=float("inf")))
