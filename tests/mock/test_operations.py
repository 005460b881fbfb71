"""Every operation of the spec through the one gateway: routing, per-method limits, the two journals."""

from __future__ import annotations

from typing import Any

import httpx
import msgspec
import pytest

from greenstat_client.models import (
    Error,
    ExtendedTextMessage,
    IncomingStatus,
    OutgoingStatus,
    QuotaExceeded,
    StatusStatistic,
)
from greenstat_ext._spec import operations, parameter
from greenstat_ext.mock import (
    DEMO_ID_INSTANCE,
    DEMO_MESSAGES,
    DEMO_TOKEN,
    MockSettings,
    create_app,
    get_state,
)
from greenstat_ext.mock._handlers import HANDLERS
from greenstat_ext.mock._journal import CONTACTS
from greenstat_ext.mock._state import RETENTION

from .conftest import FakeClock, TestClient, example_body

OPERATION_IDS = list(operations())
READ_IDS = [op.operation_id for op in operations().values() if not op.is_write]
WRITE_IDS = [op.operation_id for op in operations().values() if op.is_write]
NO_PARAMS = {"getStatusStatistic": {"idMessage": "BAE5F4886F6F2D05"}}
MIXED = "BAE5F4886F6F2D05"
BIG = next(key for key, message in DEMO_MESSAGES.items() if message.recipients == 100_000)


def _path(operation_id: str, token: str = DEMO_TOKEN, instance: object = DEMO_ID_INSTANCE) -> str:
    return f"/waInstance{instance}/{operation_id}/{token}"


def _outgoing(client: TestClient, **params: object) -> list[OutgoingStatus]:
    response = client.get(_path("getOutgoingStatuses"), params=params)
    assert response.status_code == 200, response.text
    return msgspec.json.decode(response.content, type=list[OutgoingStatus])


def _incoming(client: TestClient, **params: object) -> list[IncomingStatus]:
    response = client.get(_path("getIncomingStatuses"), params=params)
    assert response.status_code == 200, response.text
    return msgspec.json.decode(response.content, type=list[IncomingStatus])


def _valid_body(client: TestClient, operation_id: str) -> dict[str, object] | None:
    """A body the operation answers 200 to: the spec's example; for deleteStatus, a status posted first."""
    if operation_id not in WRITE_IDS:
        return None
    if operation_id == "deleteStatus":
        posted = client.post(_path("sendTextStatus"), json=example_body("sendTextStatus"))
        assert posted.status_code == 200, posted.text
        return {"idMessage": posted.json()["idMessage"]}
    return example_body(operation_id)


def _call(client: TestClient, operation_id: str, **path: object) -> httpx.Response:
    """A valid request of ``operation_id`` with its own method (the path's token/instance overridable)."""
    method = operations()[operation_id].method
    body = _valid_body(client, operation_id)
    params = NO_PARAMS.get(operation_id, {})
    return client.request(method, _path(operation_id, **path), params=params, json=body)  # type: ignore[arg-type]


def test_every_operation_of_the_spec_has_a_handler() -> None:
    assert set(HANDLERS) == set(operations())


@pytest.mark.parametrize("operation_id", OPERATION_IDS)
def test_every_operation_answers_200_and_the_gateway_codes(client: TestClient, operation_id: str) -> None:
    assert _call(client, operation_id).status_code == 200
    assert _call(client, operation_id, instance="x1").status_code == 400
    assert _call(client, operation_id, instance=DEMO_ID_INSTANCE + 1).status_code == 403
    for token in ["wrong", "a%2Fb", "a%0Ab", ""]:
        assert _call(client, operation_id, token=token).status_code == 401, token
    params = NO_PARAMS.get(operation_id, {})
    if operation_id in READ_IDS:
        response = client.request("POST", _path(operation_id), params=params)
        assert (response.status_code, response.headers["allow"]) == (405, "GET, HEAD")
        assert client.request("HEAD", _path(operation_id), params=params).status_code == 200
    else:
        for method in ("GET", "HEAD", "PUT", "DELETE"):
            response = client.request(method, _path(operation_id))
            assert (response.status_code, response.headers["allow"]) == (405, "POST"), method


@pytest.mark.parametrize("operation_id", ["getOutgoingStatuses", "getIncomingStatuses"])
@pytest.mark.parametrize("value", ["0", "43201", "abc", "1.5", "", "9" * 5000])
def test_minutes_out_of_the_spec_is_400_naming_it(client: TestClient, operation_id: str, value: str) -> None:
    bounds = parameter(operation_id, "minutes").bounds
    assert bounds is not None
    response = client.get(_path(operation_id) + f"?minutes={value}")
    assert response.status_code == 400
    message = msgspec.json.decode(response.content, type=Error).message
    assert message == f"minutes: must be an integer from {bounds[0]} to {bounds[1]}"
    assert client.get(_path(operation_id) + "?minutes=1&minutes=2").status_code == 400


def test_rate_limit_is_per_operation(clock: FakeClock) -> None:
    """Green API limits each method on its own: polling one never makes another answer 429."""
    with TestClient(create_app(MockSettings(clock=clock))) as client:
        assert (
            client.get(_path("getStatusStatistic"), params=NO_PARAMS["getStatusStatistic"]).status_code == 200
        )
        assert client.get(_path("getOutgoingStatuses")).status_code == 200
        assert client.get(_path("getIncomingStatuses")).status_code == 200
        limited = client.get(_path("getOutgoingStatuses"))
        assert (limited.status_code, limited.headers["retry-after"]) == (429, "1")
        clock.advance(1.0)
        assert client.get(_path("getOutgoingStatuses")).status_code == 200


@pytest.mark.parametrize("operation_id", OPERATION_IDS)
def test_quota_body_names_the_operation(clock: FakeClock, operation_id: str) -> None:
    with TestClient(create_app(MockSettings(quota_exceeded=True, clock=clock))) as client:
        method = operations()[operation_id].method
        body = (
            {"idMessage": "BAE5F4886F6F2D05"}
            if operation_id == "deleteStatus"
            else _valid_body(client, operation_id)
        )
        response = client.request(
            method, _path(operation_id), params=NO_PARAMS.get(operation_id, {}), json=body
        )
    assert response.status_code == 466
    assert msgspec.json.decode(response.content, type=QuotaExceeded).invoke_status.method == operation_id


def test_outgoing_lists_the_demo_statuses_consistent_with_their_statistics(client: TestClient) -> None:
    items = {item.id_message: item for item in _outgoing(client)}
    live = {key for key, message in DEMO_MESSAGES.items() if message.recipients > 0}
    assert set(items) & set(DEMO_MESSAGES) == live  # the expired one is past the 30-day retention
    kind = {id_message[:-8]: id_message for id_message in live}  # a re-post: the leading digits, its number
    assert all(id_message[:-8] in kind for id_message in items)
    order = ["pending", "sent", "delivered", "read"]
    for id_message, item in items.items():
        demo = kind[id_message[:-8]]  # the demo status it is (a re-post of)
        response = client.get(_path("getStatusStatistic"), params={"idMessage": id_message})
        statistics = msgspec.json.decode(response.content, type=list[StatusStatistic])
        assert item.type_.value == "outgoing"
        assert item.send_by_api is True  # delivered states show for statuses sent through the API
        assert item.type_message.value == DEMO_MESSAGES[demo].type_message
        assert item.timestamp == max(s.timestamp for s in statistics)  # the last action on it
        assert item.status_message.value == max((s.status.value for s in statistics), key=order.index)
        if demo == BIG:
            assert item.participants == []  # posted to all contacts
        else:
            assert item.participants == [s.participant for s in statistics]
        if item.type_message.value == "extendedTextMessage":
            assert isinstance(item.extended_text_message, ExtendedTextMessage)
            assert item.text_message == item.extended_text_message.text
        else:
            assert all((item.download_url, item.file_name, item.mime_type))


def test_outgoing_honours_minutes(client: TestClient, clock: FakeClock) -> None:
    everything = _outgoing(client, minutes=43_200)
    for minutes in (1, 5, 60):
        recent = _outgoing(client, minutes=minutes)
        assert [i.id_message for i in recent] == [
            i.id_message for i in everything if i.timestamp >= clock.now - minutes * 60
        ]
    assert _outgoing(client) == _outgoing(client, minutes=1440)


def test_incoming_lists_seeded_contacts_of_every_kind_within_minutes(
    client: TestClient, clock: FakeClock
) -> None:
    month = _incoming(client, minutes=43_200)
    assert {item.type_message.value for item in month} == {
        "extendedTextMessage",
        "imageMessage",
        "videoMessage",
        "audioMessage",
    }
    assert len({item.chat_id for item in month}) == CONTACTS
    assert any(item.chat_id.endswith("@lid") for item in month)
    assert any(item.chat_id.endswith("@c.us") for item in month)
    assert all(clock.now - RETENTION <= item.timestamp <= clock.now for item in month)
    assert len({item.id_message for item in month}) == len(month)
    day = _incoming(client)
    assert day == _incoming(client, minutes=1440)
    assert day == [item for item in month if item.timestamp >= clock.now - 1440 * 60]
    assert 0 < len(day) < len(month)
    for item in month:
        assert item.type_.value == "incoming"
        assert item.sender_id == item.chat_id
        if item.type_message.value == "extendedTextMessage":
            assert item.text_message
            assert isinstance(item.extended_text_message, ExtendedTextMessage)
        else:
            assert all((item.download_url, item.file_name, item.mime_type))


def test_journals_move_with_the_clock(client: TestClient, clock: FakeClock) -> None:
    before = _incoming(client, minutes=43_200)
    clock.advance(9 * 3600)  # every contact posts at least every 8 hours
    after = _incoming(client, minutes=43_200)
    assert {i.id_message for i in after} - {i.id_message for i in before}
    assert max(i.timestamp for i in after) > max(i.timestamp for i in before)


def _canonical(client: TestClient, made: float, operation_id: str, params: dict[str, str]) -> bytes:
    """An answer with each documented id replaced by the re-post it names in this mock (started at
    ``made``): the one thing that depends on when a mock started."""
    content = client.get(_path(operation_id), params=params).content
    store = get_state(client.app).store
    for id_message in DEMO_MESSAGES:
        content = content.replace(id_message.encode(), store.repost_id(id_message, made).encode())
    return content


def _without(journal: bytes, ids: set[str]) -> list[Any]:
    """The journal's items but those of ``ids`` (the re-posts a documented id names in either mock: one
    mock keeps it for ever, the other only while it is among the last re-posts)."""
    items = msgspec.json.decode(journal)
    assert isinstance(items, list)
    return [item for item in items if item["idMessage"] not in ids]


@pytest.mark.parametrize("operation_id", READ_IDS)
def test_two_mocks_started_apart_answer_alike(operation_id: str) -> None:
    """What a re-post id answers is a function of ``--seed`` and the clock, not of when the process
    started; the documented ids name the newest re-post when each mock started."""
    first_clock, second_clock = FakeClock(1_700_000_000.0), FakeClock(1_700_000_000.0 + 5_000.0)
    first = TestClient(create_app(MockSettings(seed=11, rate_limit=0, clock=first_clock)))
    first.get(_path(operation_id), params=NO_PARAMS.get(operation_id, {}))  # the first one has history
    second = TestClient(create_app(MockSettings(seed=11, rate_limit=0, clock=second_clock)))
    made = (first_clock.now, second_clock.now)
    first_clock.now = second_clock.now
    for step in (0.0, 61.0, 3600.0):
        first_clock.advance(step)
        second_clock.advance(step)
        store = get_state(second.app).store
        params = NO_PARAMS.get(operation_id, {})
        if operation_id == "getStatusStatistic":  # the newest re-post now: its own id in both
            params = {"idMessage": store.repost_id(MIXED, second_clock.now)}
        elif operation_id == "getOutgoingStatuses":
            params = {"minutes": "60"}  # within the re-posts both mocks keep
        answers = [
            _canonical(c, at, operation_id, params) for c, at in zip((first, second), made, strict=True)
        ]
        if operation_id == "getOutgoingStatuses":
            aliases = {store.repost_id(id_message, at) for id_message in DEMO_MESSAGES for at in made}
            assert _without(answers[0], aliases) == _without(answers[1], aliases)
            assert _without(answers[1], aliases)
        else:
            assert answers[0] == answers[1]
        assert answers[1] != b"[]"
    other = TestClient(create_app(MockSettings(seed=12, rate_limit=0, clock=second_clock)))
    # Chosen by shape: a read that answers a list of seeded data (a journal) answers another seed otherwise.
    if operation_id != "getStatusStatistic" and operations()[operation_id].returns_array:
        assert other.get(_path(operation_id)).content != answers[1]


def test_counters_see_every_operation(client: TestClient) -> None:
    for operation_id in OPERATION_IDS:
        assert _call(client, operation_id).status_code == 200
    # deleteStatus posts the status it deletes first: one more 200
    assert get_state(client.app).stats.by_status == {200: len(OPERATION_IDS) + 1}


def test_big_status_in_the_outgoing_journal_without_rendering_it(clock: FakeClock) -> None:
    """Listing the 100k status takes its furthest state and last action from the schedule, not a body."""
    app = create_app(MockSettings(rate_limit=0, clock=clock))
    with TestClient(app) as client:
        assert BIG in {item.id_message for item in _outgoing(client)}
    assert get_state(app).store.renders == 0
