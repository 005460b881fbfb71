"""How a write ends when something goes wrong around it: found by an adversarial review, each test states
the expected behaviour (definite refusals stay definite, requests never written are plain errors, a 200
whose answer is lost says it was done, arguments are checked as sent)."""

from __future__ import annotations

import collections
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import anyio
import httpx
import pytest

from greenstat_ext import (
    APITimeoutError,
    AsyncGreenStat,
    BadRequestError,
    GreenStat,
    InvalidRequestError,
    OutcomeUnknownError,
    ResponseTooLargeError,
    ResponseValidationError,
)

from ._helpers import API_URL, ID_INSTANCE, TOKEN, Recorder, json_response, make_sync

POSTED = {"idMessage": "BAE5F4886F6F2D05"}


# --- 1. a 200 to a send: done, but the three ways of losing its id disagree ------------------------------


def _error_of(response: httpx.Response, **kwargs: object) -> Exception:
    with make_sync(Recorder(response), **kwargs) as client:  # type: ignore[arg-type]
        try:
            client.send_text_status("hi")
        except Exception as exc:
            return exc
    raise AssertionError("no error")


def test_a_200_whose_id_is_lost_is_reported_one_way() -> None:
    """All three answers are 200s: the status WAS posted. The caller should get one error that says so."""
    invalid = _error_of(json_response(200, {"idMessage": 5}))
    not_json = _error_of(
        httpx.Response(200, content=b'{"idMessage":"X"}', headers={"Content-Type": "text/html"})
    )
    too_large = _error_of(json_response(200, {"idMessage": "X" * 200}), max_response_size=100)
    kinds = {type(invalid).__name__, type(not_json).__name__, type(too_large).__name__}
    assert len(kinds) == 1, kinds
    assert isinstance(invalid, ResponseValidationError)
    assert "posted" in str(invalid) or "done" in str(invalid), str(invalid)


# --- 2. definite refusals reported as "outcome unknown" ----------------------------------------------------


def test_a_400_with_a_large_body_is_not_an_unknown_outcome() -> None:
    big = {"statusCode": 400, "message": "ID message notfound " + "x" * 500}
    with (
        make_sync(Recorder(json_response(400, big)), max_response_size=100) as client,
        pytest.raises(ResponseTooLargeError) as info,
    ):
        client.delete_status("NOPE")
    assert not isinstance(info.value, OutcomeUnknownError), info.value  # a 400: nothing was done


def test_a_429_with_a_large_body_is_a_definite_refusal_not_an_unknown_outcome() -> None:
    # A 429 proves nothing was done; its oversized body is refused like any other (never retried: the same
    # request gets the same body), as the definite error it is.
    recorder = Recorder(json_response(429, {"message": "x" * 500}), json_response(200, POSTED))
    with make_sync(recorder, max_response_size=100) as client, pytest.raises(ResponseTooLargeError) as info:
        client.send_text_status("hi")
    assert not isinstance(info.value, OutcomeUnknownError)
    assert info.value.status_code == 429


def test_a_caller_raise_for_status_hook_turns_a_400_into_an_unknown_outcome() -> None:
    def hook(response: httpx.Response) -> None:
        response.raise_for_status()

    recorder = Recorder(json_response(400, {"statusCode": 400, "message": "ID message notfound"}))
    http = httpx.Client(transport=httpx.MockTransport(recorder), event_hooks={"response": [hook]})
    client = GreenStat(
        id_instance=ID_INSTANCE, api_token=TOKEN, api_url=API_URL, rate_limit=0, http_client=http
    )
    with pytest.raises(BadRequestError) as info:
        client.delete_status("NOPE")
    assert not isinstance(info.value, OutcomeUnknownError), repr(info.value)


# --- 3. the async deadline (caller's http_client) fires before the request was written ------------------


class _Blocked(httpx.AsyncBaseTransport):
    """Stands for a pool with no free connection / a connect that hangs: nothing is ever written."""

    def __init__(self) -> None:
        self.written = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await anyio.sleep(5)  # waiting for a connection
        self.written += 1
        return httpx.Response(200, json=POSTED)


@pytest.mark.anyio
async def test_a_deadline_through_a_transport_that_cannot_tell_is_an_unknown_outcome() -> None:
    # A caller's custom transport reports nothing about what it wrote: a deadline that passes inside it may
    # have passed mid-send, so the careful answer is "unknown" (through httpx's own transport the trace
    # tells: the next test).
    inner = _Blocked()
    client = AsyncGreenStat(
        id_instance=ID_INSTANCE,
        api_token=TOKEN,
        api_url=API_URL,
        rate_limit=0,
        timeout=0.2,
        http_client=httpx.AsyncClient(transport=inner),
    )
    with pytest.raises(OutcomeUnknownError) as info:
        await client.send_text_status("hi")
    assert inner.written == 0
    assert info.value.cause == "APITimeoutError"


@pytest.mark.anyio
async def test_real_pool_wait_past_the_deadline_is_not_an_unknown_outcome() -> None:
    """Real loopback: the caller's pool has one connection, held by a slow read; the send never gets it."""
    with _raw_server(delay=2.0) as (url, seen):
        http = httpx.AsyncClient(limits=httpx.Limits(max_connections=1))
        reader = AsyncGreenStat(
            id_instance=ID_INSTANCE, api_token=TOKEN, api_url=url, rate_limit=0, http_client=http
        )
        writer = reader.with_options(timeout=0.3)
        async with anyio.create_task_group() as tg:
            tg.start_soon(reader.get_outgoing_statuses)
            # The read holds the one connection once the server has it (not "after 0.1 s": a busy machine
            # may be slower), and holds it for 2 s, far past the send's 0.3 s deadline.
            for _ in range(6000):  # up to 60 s: a guard against a hang, the server thread appends to seen
                if "GET" in seen:
                    break
                await anyio.sleep(0.01)
            with pytest.raises(APITimeoutError) as info:
                await writer.send_text_status("hi")
        await http.aclose()
    assert [m for m in seen if m == "POST"] == []  # the send was never written
    assert not isinstance(info.value, OutcomeUnknownError), repr(info.value)


# --- 4. keep-alive: a pooled connection the server closes after reading the POST -------------------------


@contextmanager
def _raw_server(*, delay: float = 0.0, drop_second: bool = False) -> Iterator[tuple[str, list[str]]]:
    """HTTP/1.1 on loopback: answers GET with [] (after ``delay``), POST with an id; ``drop_second``: the
    second request on a connection is read whole, then the connection is closed without an answer."""
    seen: list[str] = []
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    stop = threading.Event()

    def handle(conn: socket.socket) -> None:
        buffer = b""
        count = 0
        with conn:
            while not stop.is_set():
                while b"\r\n\r\n" not in buffer:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    buffer += chunk
                head, _, buffer = buffer.partition(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                while len(buffer) < length:
                    buffer += conn.recv(65536)
                buffer = buffer[length:]
                method = head.split(b" ", 1)[0].decode()
                seen.append(method)
                count += 1
                if drop_second and count == 2:
                    return  # read whole, then closed: the server may have acted
                time.sleep(delay if method == "GET" else 0)
                body = b"[]" if method == "GET" else json.dumps(POSTED).encode()
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                    + str(len(body)).encode()
                    + b"\r\n\r\n"
                    + body
                )

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}", seen
    finally:
        stop.set()
        thread.join()
        listener.close()


def test_a_pooled_connection_closed_after_the_post_is_never_resent() -> None:
    with _raw_server(drop_second=True) as (url, seen):
        client = GreenStat(id_instance=ID_INSTANCE, api_token=TOKEN, api_url=url, rate_limit=0)
        client.get_outgoing_statuses()  # opens the keep-alive connection
        with pytest.raises(OutcomeUnknownError):
            client.send_text_status("hi")
        client.close()
    assert seen.count("POST") == 1


# --- 5. arguments that pass the check but break the request -----------------------------------------------


@pytest.mark.parametrize(
    "participants",
    [collections.deque(["79001234567@c.us"]), collections.UserList(["79001234567@c.us"])],
    ids=["deque", "UserList"],
)
def test_a_sequence_that_passes_the_check_is_sent_or_refused_clearly(participants: object) -> None:
    recorder = Recorder(json_response(200, POSTED))
    with make_sync(recorder) as client:
        try:
            client.send_text_status("hi", participants=participants)  # type: ignore[arg-type]
        except InvalidRequestError:
            return
        except Exception as exc:
            pytest.fail(f"raw {type(exc).__name__} from deep in a library: {exc}")
    assert json.loads(recorder.requests[0].content)["participants"] == ["79001234567@c.us"]


def test_a_str_subclass_cannot_lie_past_the_length_check() -> None:
    class Short(str):
        def __len__(self) -> int:
            return 1

    recorder = Recorder(json_response(200, POSTED))
    with make_sync(recorder) as client, pytest.raises(InvalidRequestError):
        client.send_text_status(Short("x" * 10_000))


# --- 6. default transports: a pool wait past retry_policy.deadline, then a write clamped before any byte ----


def test_default_pool_wait_past_the_deadline_is_not_an_unknown_outcome(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A full pool (here 1 connection; 100 in-flight reads by default) holds the send past the policy's
    deadline; the pool wait is not clamped, then the first write is refused by the clamp before any byte."""
    from greenstat_ext import _bounds

    settings = _bounds._pool_settings

    def one_connection() -> dict[str, object]:
        return {**settings(), "max_connections": 1}

    monkeypatch.setattr(_bounds, "_pool_settings", one_connection)
    with _raw_server(delay=1.0) as (url, seen):
        client = GreenStat(id_instance=ID_INSTANCE, api_token=TOKEN, api_url=url, rate_limit=0)
        writer = client.with_options(retry_policy=client.retry_policy.replace(deadline=0.3))
        reader = threading.Thread(target=client.get_outgoing_statuses)
        reader.start()
        time.sleep(0.1)
        started = time.monotonic()
        with pytest.raises(APITimeoutError) as info:
            writer.send_text_status("hi")
        took = time.monotonic() - started
        reader.join()
        client.close()
    print(f"took {took:.2f}s for a 0.3 s deadline; {info.value!r}")
    assert "POST" not in seen  # never written
    assert took < 0.5
    assert not isinstance(info.value, OutcomeUnknownError), repr(info.value)


# --- 7. a delete "succeeds" on any 200, e.g. a proxy's HTML page -------------------------------------------


def test_a_200_html_page_is_not_a_successful_delete() -> None:
    page = httpx.Response(
        200,
        content=b"<html><body>Access denied by proxy</body></html>",
        headers={"Content-Type": "text/html"},
    )
    with make_sync(Recorder(page)) as client, pytest.raises(ResponseValidationError):
        client.delete_status("BAE5F4886F6F2D05")


def test_a_plain_str_subclass_is_refused_or_sent_not_a_raw_typeerror() -> None:
    class Id(str):
        """Any str subclass: numpy.str_, a typed id, markupsafe.Markup..."""

    recorder = Recorder(httpx.Response(200))
    with make_sync(recorder) as client:
        try:
            client.delete_status(Id("BAE5F4886F6F2D05"))
        except InvalidRequestError:
            return
        except Exception as exc:
            pytest.fail(f"raw {type(exc).__name__}: {exc}")


@pytest.mark.anyio
async def test_async_pooled_connection_closed_after_the_post_is_never_resent() -> None:
    with _raw_server(drop_second=True) as (url, seen):
        client = AsyncGreenStat(id_instance=ID_INSTANCE, api_token=TOKEN, api_url=url, rate_limit=0)
        await client.get_outgoing_statuses()
        with pytest.raises(OutcomeUnknownError):
            await client.send_text_status("hi")
        await client.close()
    assert seen.count("POST") == 1
