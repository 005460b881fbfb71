"""The write side of the mock: sends create statuses that progress, deleteStatus removes them, bodies are
validated against the spec before the rate limit, faults may strike after a write acted, counters tell."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator

import httpx
import msgspec
import pytest

from greenstat_client.models import Error, ExtendedTextMessage, OutgoingStatus, QuotaExceeded, StatusStatistic
from greenstat_ext._spec import operation, operations
from greenstat_ext.mock import (
    DEMO_MESSAGES,
    DEMO_TOKEN,
    FaultSettings,
    MockServer,
    MockSettings,
    create_app,
    get_state,
)
from greenstat_ext.mock._body import body_limit
from greenstat_ext.mock._faults import FaultInjector
from greenstat_ext.mock._journal import contacts
from greenstat_ext.mock._posted import PostedStatuses
from greenstat_ext.mock._state import RETENTION

from .conftest import HANG_GUARD, FakeClock, TestClient, example_body, op_path

SENDS = [op.operation_id for op in operations().values() if op.creates == "status"]  # the spec's x-creates
WRITES = [op.operation_id for op in operations().values() if op.is_write]
ORDER = ["pending", "sent", "delivered", "read"]
ID_SHAPE = re.compile(r"BAE5[0-9A-F]{12}")
PARTICIPANTS_MAX = operation("sendTextStatus").parameter("participants").max_items or 0


def _error(response: httpx.Response) -> Error:
    return msgspec.json.decode(response.content, type=Error)


def _outgoing(client: TestClient | httpx.Client) -> list[OutgoingStatus]:
    response = client.get(op_path("getOutgoingStatuses"), params={"minutes": 43_200})
    assert response.status_code == 200, response.text
    return msgspec.json.decode(response.content, type=list[OutgoingStatus])


def _statistics(client: TestClient | httpx.Client, id_message: str) -> list[StatusStatistic]:
    response = client.get(op_path("getStatusStatistic"), params={"idMessage": id_message})
    assert response.status_code == 200, response.text
    return msgspec.json.decode(response.content, type=list[StatusStatistic])


def _send(client: TestClient | httpx.Client, operation_id: str, body: object) -> str:
    response = client.post(op_path(operation_id), json=body)
    assert response.status_code == 200, response.text
    id_message: str = response.json()["idMessage"]
    return id_message


@pytest.fixture
def server(clock: FakeClock) -> Iterator[MockServer]:
    with MockServer(MockSettings(rate_limit=0, clock=clock)) as running:
        yield running


@pytest.fixture
def http(server: MockServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=HANG_GUARD) as client:
        yield client


# --- happy paths, over real HTTP on loopback ---------------------------------------------------------------


@pytest.mark.parametrize("operation_id", SENDS)
def test_a_send_creates_a_status_listed_once_all_pending(
    server: MockServer, http: httpx.Client, operation_id: str
) -> None:
    body = example_body(operation_id)
    id_message = _send(http, operation_id, body)
    assert ID_SHAPE.fullmatch(id_message)
    listed = [item for item in _outgoing(http) if item.id_message == id_message]
    assert len(listed) == 1
    item = listed[0]
    assert (item.type_.value, item.send_by_api, item.status_message.value) == ("outgoing", True, "pending")
    assert item.participants == body["participants"]
    statistics = _statistics(http, id_message)
    assert [s.participant for s in statistics] == body["participants"]
    assert {s.status.value for s in statistics} == {"pending"}
    assert server.stats.created == {operation_id: 1}


def test_text_status_fields(client: TestClient) -> None:
    body = example_body("sendTextStatus")
    id_message = _send(client, "sendTextStatus", body)
    (item,) = [item for item in _outgoing(client) if item.id_message == id_message]
    assert item.type_message.value == "extendedTextMessage"
    assert item.text_message == body["message"]
    assert isinstance(item.extended_text_message, ExtendedTextMessage)
    assert item.extended_text_message.text == body["message"]
    assert item.extended_text_message.background_color == body["backgroundColor"]
    assert item.extended_text_message.font == body["font"]


def test_voice_status_fields(client: TestClient) -> None:
    body = example_body("sendVoiceStatus")
    id_message = _send(client, "sendVoiceStatus", body)
    (item,) = [item for item in _outgoing(client) if item.id_message == id_message]
    assert item.type_message.value == "audioMessage"
    assert (item.download_url, item.file_name, item.mime_type) == (
        body["urlFile"],
        body["fileName"],
        "audio/mpeg",
    )


@pytest.mark.parametrize(
    ("file_name", "type_message", "mime_type"),
    [
        ("horse.png", "imageMessage", "image/png"),
        ("photo.JPG", "imageMessage", "image/jpeg"),
        ("clip.mp4", "videoMessage", "video/mp4"),
        ("notes.qqq", "imageMessage", "application/octet-stream"),
    ],
)
def test_media_status_kind_follows_the_extension(
    client: TestClient, file_name: str, type_message: str, mime_type: str
) -> None:
    body = {**example_body("sendMediaStatus"), "fileName": file_name, "caption": "a caption"}
    id_message = _send(client, "sendMediaStatus", body)
    (item,) = [item for item in _outgoing(client) if item.id_message == id_message]
    assert (item.type_message.value, item.mime_type, item.file_name) == (type_message, mime_type, file_name)
    assert (item.caption, item.download_url) == ("a caption", body["urlFile"])


def test_without_participants_every_seeded_contact_receives_it(client: TestClient) -> None:
    id_message = _send(client, "sendTextStatus", {"message": "to everyone"})
    recipients = [s.participant for s in _statistics(client, id_message)]
    assert recipients == [contact.chat_id for contact in contacts(0)][:PARTICIPANTS_MAX]
    (item,) = [item for item in _outgoing(client) if item.id_message == id_message]
    assert item.participants == []  # posted to all contacts


def test_duplicate_participants_are_one_recipient(client: TestClient) -> None:
    one, two = "79001234567@c.us", "79001234568@c.us"
    id_message = _send(client, "sendTextStatus", {"message": "hi", "participants": [one, two, one]})
    assert [s.participant for s in _statistics(client, id_message)] == [one, two]


def test_unknown_members_are_ignored(client: TestClient) -> None:
    id_message = _send(client, "sendTextStatus", {"message": "hi", "linkPreview": True, "extra": [1, {}]})
    assert id_message in {item.id_message for item in _outgoing(client)}


# --- progression ----------------------------------------------------------------------------------------


def test_statistics_start_pending_and_only_move_forward(client: TestClient, clock: FakeClock) -> None:
    participants = [f"7900{index:07d}@c.us" for index in range(40)]
    id_message = _send(client, "sendTextStatus", {"message": "watch me", "participants": participants})
    previous = {s.participant: s for s in _statistics(client, id_message)}
    assert {s.status.value for s in previous.values()} == {"pending"}
    seen: set[str] = set()
    for _ in range(60):
        clock.advance(15)
        now = {s.participant: s for s in _statistics(client, id_message)}
        assert now.keys() == previous.keys()
        for participant, state in now.items():
            before = previous[participant]
            assert ORDER.index(state.status.value) >= ORDER.index(before.status.value)
            assert state.timestamp >= before.timestamp
        (item,) = [item for item in _outgoing(client) if item.id_message == id_message]
        furthest = max((s.status.value for s in now.values()), key=ORDER.index)
        assert item.status_message.value == furthest  # statusMessage follows its recipients
        assert item.timestamp == max(s.timestamp for s in now.values())
        seen |= {s.status.value for s in now.values()}
        previous = now
    assert seen == set(ORDER)
    assert sum(s.status.value == "read" for s in previous.values()) > len(participants) // 2


def test_a_posted_status_expires_with_the_retention(client: TestClient, clock: FakeClock) -> None:
    id_message = _send(client, "sendTextStatus", {"message": "old news"})
    clock.advance(RETENTION + 60)
    assert _statistics(client, id_message) == []
    assert id_message not in {item.id_message for item in _outgoing(client)}
    assert client.post(op_path("deleteStatus"), json={"idMessage": id_message}).status_code == 400


# --- delete ---------------------------------------------------------------------------------------------


def test_delete_removes_it_and_a_second_delete_is_400(server: MockServer, http: httpx.Client) -> None:
    id_message = _send(http, "sendMediaStatus", example_body("sendMediaStatus"))
    response = http.post(op_path("deleteStatus"), json={"idMessage": id_message})
    assert (response.status_code, response.content) == (200, b"")
    assert "content-type" not in response.headers
    assert id_message not in {item.id_message for item in _outgoing(http)}
    assert _statistics(http, id_message) == []
    again = http.post(op_path("deleteStatus"), json={"idMessage": id_message})
    assert again.status_code == 400
    assert _error(again) == Error(message="ID message notfound", status_code=400)
    assert server.stats.created == {"sendMediaStatus": 1}
    assert server.stats.deleted == {"sendMediaStatus": 1}
    assert server.stats.count(id_message=id_message, status=400) == 1  # the body's idMessage is counted


@pytest.mark.parametrize("id_message", [*DEMO_MESSAGES, "NEVERPOSTED0001"])
def test_demo_and_unknown_statuses_cannot_be_deleted(client: TestClient, id_message: str) -> None:
    before = _statistics(client, id_message)
    response = client.post(op_path("deleteStatus"), json={"idMessage": id_message})
    assert (response.status_code, _error(response).message) == (400, "ID message notfound")
    assert _statistics(client, id_message) == before  # demo statuses are the seed's: untouched


# --- ids --------------------------------------------------------------------------------------------------


def test_ids_are_unique_and_reproducible_from_seed_and_order(clock: FakeClock) -> None:
    def ids(seed: int, count: int) -> list[str]:
        with TestClient(create_app(MockSettings(seed=seed, rate_limit=0, clock=clock))) as client:
            return [_send(client, "sendTextStatus", {"message": f"#{n}"}) for n in range(count)]

    first = ids(3, 20)
    assert ids(3, 20) == first
    assert ids(4, 20) != first
    assert len(set(first)) == len(first)
    assert all(ID_SHAPE.fullmatch(id_message) for id_message in first)
    assert not set(first) & set(DEMO_MESSAGES)


def test_concurrent_posts_get_distinct_ids(clock: FakeClock) -> None:
    store = PostedStatuses(seed=1, clock=clock, contacts=["79000000001@c.us"])
    made: list[str] = []
    lock = threading.Lock()

    def post() -> None:
        mine = [store.post("sendTextStatus", "extendedTextMessage", [], {}).id_message for _ in range(250)]
        with lock:
            made.extend(mine)

    threads = [threading.Thread(target=post) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(made) == len(set(made)) == len(store) == 2000


def test_the_store_is_bounded_and_evicts_the_oldest(clock: FakeClock) -> None:
    store = PostedStatuses(seed=0, clock=clock, contacts=["79000000001@c.us"], max_statuses=3,
                           max_recipients=10)  # fmt: skip
    first = [store.post("sendTextStatus", "extendedTextMessage", [], {}).id_message for _ in range(5)]
    assert (len(store), store.evicted) == (3, 2)
    assert [o.id_message for o in store.outgoing()] == first[2:]
    wide = [f"7900000{index:04d}@c.us" for index in range(9)]
    big = store.post("sendTextStatus", "extendedTextMessage", wide, {}).id_message
    assert [o.id_message for o in store.outgoing()] == [first[4], big]  # 1 + 9 recipients fit, no more
    assert store.recipients == 10
    assert store.body(first[0]) is None


# --- validation ---------------------------------------------------------------------------------------------


LONG = "x" * (operation("sendTextStatus").parameter("message").max_length or 0)
CAPTION = "c" * (operation("sendMediaStatus").parameter("caption").max_length or 0)
TOO_MANY = [f"7900{index:07d}@c.us" for index in range(PARTICIPANTS_MAX + 1)]


@pytest.mark.parametrize(
    ("operation_id", "body", "field"),
    [
        ("sendTextStatus", {"message": "hi", "backgroundColor": "green"}, "backgroundColor"),
        ("sendTextStatus", {"message": "hi", "backgroundColor": "#12345"}, "backgroundColor"),
        ("sendTextStatus", {"message": "hi", "font": "COMIC_SANS"}, "font"),
        ("sendTextStatus", {"message": LONG + "x"}, "message"),
        ("sendTextStatus", {"message": ""}, "message"),
        ("sendTextStatus", {"message": 5}, "message"),
        ("sendTextStatus", {"message": "hi", "font": None}, "font"),
        ("sendTextStatus", {"font": "SERIF"}, "message"),
        ("sendTextStatus", {"message": "hi", "participants": TOO_MANY}, "participants"),
        ("sendTextStatus", {"message": "hi", "participants": ["79001234567@g.us"]}, "participants[0]"),
        ("sendTextStatus", {"message": "hi", "participants": "79001234567@c.us"}, "participants"),
        ("sendVoiceStatus", {**example_body("sendVoiceStatus"), "fileName": "voice.ogg"}, "fileName"),
        ("sendVoiceStatus", {**example_body("sendVoiceStatus"), "urlFile": "ftp://x/y.mp3"}, "urlFile"),
        ("sendVoiceStatus", {"backgroundColor": "#000000"}, "urlFile, fileName"),
        ("sendMediaStatus", {**example_body("sendMediaStatus"), "caption": CAPTION + "c"}, "caption"),
        ("sendMediaStatus", {**example_body("sendMediaStatus"), "fileName": "noextension"}, "fileName"),
        ("deleteStatus", {}, "idMessage"),
        ("deleteStatus", {"idMessage": ""}, "idMessage"),
        ("deleteStatus", {"idMessage": "x" * 257}, "idMessage"),
    ],
)
def test_a_bad_member_is_400_naming_it_and_creates_nothing(
    client: TestClient, operation_id: str, body: dict[str, object], field: str
) -> None:
    response = client.post(op_path(operation_id), json=body)
    assert response.status_code == 400
    error = _error(response)
    assert error.status_code == 400
    assert error.message.startswith(f"{field}: "), error.message
    for value in body.values():  # the message names the field, never repeats the value
        assert not (isinstance(value, str) and len(value) > 8 and value in error.message)
    assert get_state(client.app).stats.created == {}


def test_the_limits_themselves_are_accepted(client: TestClient) -> None:
    _send(client, "sendTextStatus", {"message": LONG, "participants": TOO_MANY[:-1]})
    _send(client, "sendMediaStatus", {**example_body("sendMediaStatus"), "caption": CAPTION})
    _send(client, "sendTextStatus", {"message": "😀" * len(LONG)})  # code points, as JSON Schema counts


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "request body: missing; a JSON object is required"),
        (b"{bad json", "request body: not valid JSON"),
        (b'{"message": "hi"} trailing', "request body: not valid JSON"),
        (b'{"message": "\xff\xfe"}', "request body: not valid UTF-8"),
        (b'["message"]', "request body: must be a JSON object, got an array"),
        (b'"hi"', "request body: must be a JSON object, got a string"),
        (b"[" * 100_000, "request body: not valid JSON"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_400(client: TestClient, content: bytes, message: str) -> None:
    response = client.post(op_path("sendTextStatus"), content=content)
    assert response.status_code == 400
    assert _error(response).message.startswith(message), _error(response).message


@pytest.mark.parametrize("operation_id", WRITES)
def test_an_oversized_body_is_400_and_not_read_past_the_limit(http: httpx.Client, operation_id: str) -> None:
    limit = body_limit(operation(operation_id))
    padded = b'{"pad": "' + b"x" * limit + b'"}'
    response = http.post(op_path(operation_id), content=padded)
    assert response.status_code == 400
    assert _error(response).message == (
        f"request body: longer than {limit} bytes, the most this operation accepts"
    )

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit holds on the bytes themselves
        yield b'{"pad": "'
        for _ in range(limit // 65_536 + 2):
            yield b"x" * 65_536
        yield b'"}'

    streamed = http.post(op_path(operation_id), content=chunks())
    assert streamed.status_code == 400
    assert "longer than" in _error(streamed).message


def test_the_largest_valid_body_fits_the_limit() -> None:
    """The limit is derived from the spec: a body of every member at its longest, escaped, still fits."""
    escaped = "\\u0037" * 64  # a 64-character recipient written as escapes
    message = "\\ud83d\\ude00" * len(LONG)
    participants = ", ".join(f'"{escaped}"' for _ in range(PARTICIPANTS_MAX))
    body = (
        f'{{"message": "{message}", "font": "OSWALD_HEAVY", "backgroundColor": "#000000", '
        f'"participants": [{participants}]}}'
    )
    assert msgspec.json.decode(body)["participants"][0] == "7" * 64
    assert len(body.encode()) <= body_limit(operation("sendTextStatus"))


# --- gateway order, rate limits, quota ---------------------------------------------------------------------


def test_an_invalid_request_is_400_before_the_rate_limit(clock: FakeClock) -> None:
    """The README's curl block pasted at once: the third line (no idMessage) says 400, not 429."""
    with TestClient(create_app(MockSettings(clock=clock))) as client:
        path = op_path("getStatusStatistic")
        assert client.get(path, params={"idMessage": "BAE5F4886F6F2D05"}).status_code == 200
        assert (
            client.get(op_path("getStatusStatistic", token="wrong"), params={"idMessage": "x"}).status_code
            == 401
        )
        assert client.get(path).status_code == 400
        burst = operation("sendTextStatus").rate_limit.requests
        for _ in range(burst * 3):  # invalid sends use up nothing
            assert client.post(op_path("sendTextStatus"), json={"message": ""}).status_code == 400
        codes = [
            client.post(op_path("sendTextStatus"), json={"message": "hi"}).status_code for _ in range(burst)
        ]
        assert codes == [200] * burst


@pytest.mark.parametrize("operation_id", WRITES)
def test_each_write_has_its_own_rate_limit_from_the_spec(clock: FakeClock, operation_id: str) -> None:
    limit = operation(operation_id).rate_limit
    with TestClient(create_app(MockSettings(clock=clock))) as client:

        def call() -> httpx.Response:
            if operation_id == "deleteStatus":
                return client.post(op_path(operation_id), json={"idMessage": "NEVERPOSTED0001"})
            return client.post(op_path(operation_id), json=example_body(operation_id))

        codes = [call().status_code for _ in range(limit.requests)]
        assert 429 not in codes
        limited = call()
        assert (limited.status_code, limited.headers["retry-after"]) == (429, "1")
        others = [op for op in WRITES if op != operation_id and op != "deleteStatus"]
        assert (
            client.post(op_path(others[0]), json=example_body(others[0])).status_code == 200
        )  # its own bucket
        clock.advance(0.5 * limit.per_seconds)  # all `requests` still in the window (x-rate-limit's meaning)
        assert call().status_code == 429
        clock.advance(0.51 * limit.per_seconds)  # they left it together (0.51: float time at 1.7e9)
        assert call().status_code != 429


@pytest.mark.parametrize("operation_id", SENDS)
def test_quota_exceeded_sends_are_466_and_create_nothing(clock: FakeClock, operation_id: str) -> None:
    app = create_app(MockSettings(quota_exceeded=True, rate_limit=0, clock=clock))
    with TestClient(app) as client:
        response = client.post(op_path(operation_id), json=example_body(operation_id))
        assert response.status_code == 466
        assert msgspec.json.decode(response.content, type=QuotaExceeded).invoke_status.method == operation_id
        assert client.post(op_path(operation_id), json={}).status_code == 400  # an invalid one says why first
    assert get_state(app).stats.created == {}
    assert len(get_state(app).posted) == 0


# --- faults and counters ---------------------------------------------------------------------------------


def test_faults_strike_before_and_after_a_send_acted(clock: FakeClock) -> None:
    """Every request faulted (seeded): some sends created nothing, some created a status and still got a
    5xx/499. The counters say which, and the journal lists exactly what was created."""
    faults = FaultSettings(rate=1.0, seed=7, kinds={"500": 1, "499": 1, "502": 1})
    app = create_app(MockSettings(rate_limit=0, clock=clock, faults=faults))
    with TestClient(app) as client:
        codes = [
            client.post(op_path("sendTextStatus"), json={"message": f"#{n}"}).status_code for n in range(60)
        ]
    stats = get_state(app).stats
    assert set(codes) <= {499, 500, 502}
    created = stats.created["sendTextStatus"]
    assert created == sum(stats.faults_after.values())
    assert 0 < created < 60  # both timings happen
    listed = [o.id_message for o in get_state(app).posted.outgoing()]
    assert len(listed) == len(set(listed)) == created


def test_a_429_fault_never_strikes_after_acting(clock: FakeClock) -> None:
    faults = FaultSettings(rate=1.0, seed=3, kinds={"429": 1})
    app = create_app(MockSettings(rate_limit=0, clock=clock, faults=faults))
    with TestClient(app) as client:
        for _ in range(20):
            assert client.post(op_path("sendTextStatus"), json={"message": "hi"}).status_code == 429
    assert get_state(app).stats.created == {}


def test_same_fault_seed_same_timings(clock: FakeClock) -> None:
    def run() -> tuple[list[int], int]:
        faults = FaultSettings(rate=0.5, seed=11, kinds={"500": 1})
        app = create_app(MockSettings(rate_limit=0, clock=clock, faults=faults))
        with TestClient(app) as client:
            codes = [
                client.post(op_path("sendTextStatus"), json={"message": "hi"}).status_code for _ in range(40)
            ]
        return codes, get_state(app).stats.created["sendTextStatus"]

    assert run() == run()


def test_a_dropped_connection_after_acting_leaves_the_status(clock: FakeClock) -> None:
    faults = FaultSettings(rate=1.0, seed=5, kinds={"drop": 1})
    with MockServer(MockSettings(rate_limit=0, clock=clock, faults=faults)) as server:
        with httpx.Client(base_url=server.base_url, timeout=HANG_GUARD) as http:
            for n in range(20):
                with pytest.raises(httpx.HTTPError):
                    http.post(op_path("sendTextStatus"), json={"message": f"#{n}"})
        stats = server.stats
        assert stats.dropped == 20
        assert stats.created["sendTextStatus"] == stats.faults_after["drop"]
        assert 0 < stats.created["sendTextStatus"] < 20
        assert len(server.state.posted) == stats.created["sendTextStatus"]


def test_counters_count_creations_and_deletions_per_operation(client: TestClient) -> None:
    stats = get_state(client.app).stats
    ids = [_send(client, op, example_body(op)) for op in SENDS for _ in range(2)]
    for id_message in ids[::2]:
        assert client.post(op_path("deleteStatus"), json={"idMessage": id_message}).status_code == 200
    assert stats.created == dict.fromkeys(SENDS, 2)
    assert stats.deleted == dict.fromkeys(SENDS, 1)
    stats.reset()
    assert (stats.created, stats.deleted) == ({}, {})


# --- logs -------------------------------------------------------------------------------------------------


def test_logs_name_the_status_never_the_token_nor_the_text(caplog: pytest.LogCaptureFixture) -> None:
    secret_text = "my very private status text 4711"
    caplog.set_level(logging.WARNING, logger="httpx")  # the test's own client logs full URLs at INFO
    caplog.set_level(logging.DEBUG)
    server = MockServer(MockSettings(rate_limit=0), log_level="debug", access_log=True)
    with server, httpx.Client(base_url=server.base_url, timeout=HANG_GUARD) as http:
        id_message = _send(http, "sendTextStatus", {"message": secret_text})
        assert http.post(op_path("deleteStatus"), json={"idMessage": id_message}).status_code == 200
        http.post(op_path("sendTextStatus"), json={"message": secret_text, "font": "NOPE"})
    mock_records = [r for r in caplog.records if r.name.startswith(("greenstat.mock", "uvicorn"))]
    logged = "\n".join(record.getMessage() for record in mock_records)
    assert id_message in logged
    assert "/sendTextStatus/***" in logged  # the access log is among them, its token masked
    assert DEMO_TOKEN not in caplog.text
    assert secret_text not in caplog.text


def test_the_timing_draw_leaves_the_fault_sequence_alone() -> None:
    """Writes in between do not shift which requests the reads' faults strike (a second generator)."""
    settings = FaultSettings(rate=0.4, seed=9)
    plain, mixed = FaultInjector(settings), FaultInjector(settings)
    sequence = [plain.draw() for _ in range(200)]
    drawn = []
    for _ in range(200):
        kind = mixed.draw()
        if kind is not None:
            mixed.strikes_after(kind)
        drawn.append(kind)
    assert drawn == sequence


@pytest.mark.parametrize("after", [0.0, 1.0])
def test_the_after_share_is_honoured_and_a_late_delay_still_answers(clock: FakeClock, after: float) -> None:
    faults = FaultSettings(rate=1.0, seed=2, kinds={"delay": 1, "500": 1}, delay=0.01, after=after)
    app = create_app(MockSettings(rate_limit=0, clock=clock, faults=faults))
    with TestClient(app) as client:
        codes = [
            client.post(op_path("sendTextStatus"), json={"message": "hi"}).status_code for _ in range(20)
        ]
    stats = get_state(app).stats
    assert set(codes) == {200, 500}
    if after:  # every fault struck after acting: every send created its status, the delayed ones said so
        assert stats.created["sendTextStatus"] == 20
        assert stats.faults_after == stats.faults
    else:  # before: a delayed send still acts (then answers 200), a 500 never does
        assert stats.created["sendTextStatus"] == codes.count(200)
        assert stats.faults_after == {}


def test_a_lone_surrogate_escape_is_named_not_called_truncated() -> None:
    from greenstat_ext._spec import operation
    from greenstat_ext.mock._body import BodyRefused, body_members

    with pytest.raises(BodyRefused, match="surrogate pair"):
        body_members(operation("sendTextStatus"), b'{"message": "\\ud800"}')
    assert body_members(operation("sendTextStatus"), b'{"message": "\\ud83d\\ude00"}') == {
        "message": "\U0001f600"
    }
