from __future__ import annotations

import socket

import httpx
import pytest

from greenstat_ext.mock import DEMO_TOKEN, FaultSettings, MockServer, MockSettings

QUERY = {"idMessage": "BAE5F4886F6F2D05"}


def _url(server: MockServer) -> str:
    return f"{server.base_url}/waInstance1101000001/getStatusStatistic/{DEMO_TOKEN}"


def test_serves_on_a_free_loopback_port_and_stops() -> None:
    with MockServer(MockSettings(rate_limit=0)) as one, MockServer(MockSettings(rate_limit=0)) as two:
        assert one.base_url.startswith("http://127.0.0.1:")
        assert one.port != two.port
        assert httpx.get(_url(one), params=QUERY).status_code == 200
        assert httpx.get(_url(two), params=QUERY).status_code == 200
        assert one.stats.count(id_message=QUERY["idMessage"], status=200) == 1
        port = one.port
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass


def test_refuses_a_non_loopback_host() -> None:
    with pytest.raises(ValueError, match="not a loopback address"), MockServer(host="0.0.0.0"):  # noqa: S104
        pass


def test_drop_fault_closes_the_connection_over_http() -> None:
    settings = MockSettings(rate_limit=0, faults=FaultSettings(rate=1.0, kinds=["drop"]))
    with MockServer(settings) as server:
        with pytest.raises(httpx.RemoteProtocolError):
            httpx.get(_url(server), params=QUERY)
        assert server.stats.dropped == 1
        assert server.stats.requests_for(QUERY["idMessage"]) == 1
        assert server.stats.by_status == {}


def test_rate_limit_over_http_counts_429s() -> None:
    with MockServer(MockSettings(rate_limit=1.0)) as server, httpx.Client() as client:
        statuses = [client.get(_url(server), params=QUERY).status_code for _ in range(3)]
        assert statuses[0] == 200
        assert 429 in statuses[1:]
        assert server.stats.by_status[429] == statuses.count(429)
