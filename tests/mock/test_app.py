from __future__ import annotations

import msgspec
import pytest

from greenstat_client.models import Error, QuotaExceeded, StatusStatistic, StatusValue
from greenstat_ext.mock import DEMO_ID_INSTANCE, DEMO_TOKEN, MockSettings, create_app, get_state

from .conftest import PATH, FakeClock, TestClient

MIXED = "BAE5F4886F6F2D05"


def _error(response: object) -> Error:
    assert hasattr(response, "content")
    return msgspec.json.decode(response.content, type=Error)


def test_known_message_answers_its_recipients(client: TestClient) -> None:
    response = client.get(PATH, params={"idMessage": MIXED})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    items = msgspec.json.decode(response.content, type=list[StatusStatistic])
    assert len(items) == 12
    assert {item.status for item in items} == set(StatusValue)


@pytest.mark.parametrize("id_message", ["UNKNOWN0000000000", "DEADBEEFDEADBEEF", "a&x=1#f"])
def test_unknown_or_expired_message_answers_empty_array(client: TestClient, id_message: str) -> None:
    response = client.get(PATH, params={"idMessage": id_message})
    assert (response.status_code, response.content) == (200, b"[]")


def test_id_message_of_256_characters_is_accepted(client: TestClient) -> None:
    assert client.get(PATH, params={"idMessage": "é" * 256}).status_code == 200


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "idMessage: required query parameter is missing"),
        ("?idMessage=", "idMessage: must not be empty"),
        ("?idMessage=" + "x" * 257, "idMessage: longer than 256 characters"),
        ("?idMessage=a&idMessage=b", "idMessage: given more than once"),
        ("?idMessage=%ff", "query string: not valid percent-encoded UTF-8, or too many fields"),
    ],
)
def test_bad_id_message_is_400_with_json_body(client: TestClient, query: str, message: str) -> None:
    response = client.get(PATH + query)
    assert response.status_code == 400
    assert _error(response) == Error(message=message, status_code=400)


@pytest.mark.parametrize("instance", ["abc", "0", "10000000000", "", "-1", "1.5", "%31x"])
def test_malformed_id_instance_is_400(client: TestClient, instance: str) -> None:
    response = client.get(f"/waInstance{instance}/getStatusStatistic/{DEMO_TOKEN}?idMessage=x")
    assert response.status_code == 400
    assert _error(response).message.startswith("idInstance:")


def test_unknown_instance_is_403_and_wrong_token_401(client: TestClient) -> None:
    other = client.get(f"/waInstance{DEMO_ID_INSTANCE + 1}/getStatusStatistic/{DEMO_TOKEN}?idMessage=x")
    assert other.status_code == 403
    # "a%0Ab": a decoded newline once fell out of the catch-all route into an undocumented 404.
    for token in ["wrong", DEMO_TOKEN.upper(), DEMO_TOKEN + "0", "", "a%2Fb", "a%0Ab", "%0D%0A"]:
        response = client.get(f"/waInstance{DEMO_ID_INSTANCE}/getStatusStatistic/{token}?idMessage=x")
        assert response.status_code == 401, token
        assert _error(response) == Error(message="Unauthorized", status_code=401)


def test_no_beta_access_is_403(clock: FakeClock) -> None:
    with TestClient(create_app(MockSettings(beta_access=False, clock=clock))) as client:
        response = client.get(PATH, params={"idMessage": MIXED})
    assert response.status_code == 403
    assert "beta" in _error(response).message


def test_quota_switch_answers_466_with_documented_body(clock: FakeClock) -> None:
    with TestClient(create_app(MockSettings(quota_exceeded=True, clock=clock))) as client:
        response = client.get(PATH, params={"idMessage": MIXED})
    assert response.status_code == 466
    body = msgspec.json.decode(response.content, type=QuotaExceeded)
    assert body.invoke_status.method == "getStatusStatistic"
    assert body.invoke_status.status == "QUOTE_EXCEEDED"
    assert body.correspondents_status.status == "CORRESPONDENTS_QUOTE_EXCEEDED"


def test_rate_limit_answers_429_with_retry_after_then_recovers(clock: FakeClock) -> None:
    with TestClient(create_app(MockSettings(rate_limit=1.0, clock=clock))) as client:
        assert client.get(PATH, params={"idMessage": MIXED}).status_code == 200
        limited = client.get(PATH, params={"idMessage": MIXED})
        assert limited.status_code == 429
        assert limited.headers["retry-after"] == "1"
        assert _error(limited).status_code == 429
        clock.advance(1.0)
        assert client.get(PATH, params={"idMessage": MIXED}).status_code == 200


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"])
def test_undeclared_method_is_405_with_allow(client: TestClient, method: str) -> None:
    response = client.request(method, PATH + "?idMessage=x")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"


def test_other_paths_are_404(client: TestClient) -> None:
    assert (
        client.get(f"/waInstance{DEMO_ID_INSTANCE}/getStatusStatistics/{DEMO_TOKEN}?idMessage=x").status_code
        == 404
    )
    assert client.get(PATH + "/extra?idMessage=x").status_code == 404
    # Our own JSON 404 (the spec's error shape), also for a path with a decoded newline in it.
    response = client.get("/waInstance1%0A/nope")
    assert (response.status_code, _error(response).status_code) == (404, 404)


def test_counters_record_every_answer(client: TestClient) -> None:
    stats = get_state(client.app).stats
    client.get(PATH, params={"idMessage": MIXED})
    client.get(f"/waInstance{DEMO_ID_INSTANCE}/getStatusStatistic/wrong", params={"idMessage": MIXED})
    client.get(PATH)
    assert stats.by_status == {200: 1, 401: 1, 400: 1}
    assert stats.requests_for(MIXED) == 2
    assert stats.count(id_message=MIXED, status=401) == 1
    assert stats.count(status=400) == 1
    assert stats.total == 3


def test_large_status_of_100000_recipients(client: TestClient) -> None:
    import time

    started = time.perf_counter()
    response = client.get(PATH, params={"idMessage": "3EB0C767D097B7C7C030"})
    first = time.perf_counter() - started
    started = time.perf_counter()
    again = client.get(PATH, params={"idMessage": "3EB0C767D097B7C7C030"})
    second = time.perf_counter() - started
    items = msgspec.json.decode(response.content, type=list[StatusStatistic])
    assert len(items) == 100_000
    assert len({item.participant for item in items}) == 100_000
    assert again.content == response.content  # the fake clock did not move: same answer
    print(f"\n100,000 recipients: first answer {first * 1000:.0f} ms, cached {second * 1000:.0f} ms, "
          f"{len(response.content) / 1e6:.1f} MB")  # fmt: skip
