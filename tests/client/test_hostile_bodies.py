"""Hostile bodies and headers from a server: each one a typed error (or a normal result), never a bare
``UnicodeDecodeError``, ``RecursionError`` or ``UnicodeEncodeError``, and no memory kept once results go.

Bodies are served through ``httpx.MockTransport`` (sockets add nothing to decoding); the non-ASCII header
case also runs over a real socket (``tests/_hostile.py``), where httpx decodes the raw bytes itself.
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys

import httpx
import pytest

from greenstat_client.models import StatusValue
from greenstat_client.models.status_value import UNKNOWN_CACHE_SIZE
from greenstat_ext import (
    AuthenticationError,
    GreenStat,
    GreenStatError,
    QuotaExceededError,
    ResponseValidationError,
    ServerError,
)
from tests._figures import record
from tests._hostile import HostileServer, answer

from ._helpers import API_URL, BODY, ID_INSTANCE, TOKEN, Recorder, fast_policy, make_async, make_sync

INT64_MAX = 2**63 - 1
ITEM = b'{"participant":"1@c.us","timestamp":1,"status":"read"}'
#: Deeper than any recursion limit msgspec's parser allows (it checks depth also inside skipped members).
DEEP = b"[" * 100_000 + b"]" * 100_000


def _raise(answer: httpx.Response) -> GreenStatError:
    with (
        make_sync(Recorder(answer), policy=fast_policy(max_retries=0)) as client,
        pytest.raises(GreenStatError) as info,
    ):
        client.get_status_statistic("x")
    error = info.value
    # Typed and unchained: the library error (whose ``object`` is the body's bytes) is not dragged along.
    assert error.__cause__ is None
    assert error.__context__ is None
    return error


@pytest.mark.parametrize(
    ("body", "path"),
    [
        (b'[{"participant":"1@c.us\xff","timestamp":1,"status":"read"}]', "$[0].participant"),
        (b"[" + ITEM + b',{"participant":"2@c.us","timestamp":1,"status":"re\xc3ad"}]', "$[1].status"),
        # An escape in the string: its place cannot be found by search, the error is still typed.
        (b'[{"participant":"1@c.us\\n\xff","timestamp":1,"status":"read"}]', None),
    ],
)
def test_invalid_utf8_in_a_200_is_a_validation_error_with_its_path(body: bytes, path: str | None) -> None:
    error = _raise(httpx.Response(200, content=body))
    assert isinstance(error, ResponseValidationError)
    assert error.path == path
    assert "Invalid UTF-8 in a JSON string" in str(error)
    assert "\ufffd" in error.body  # the excerpt shows where, with the bad byte replaced


def test_invalid_utf8_in_an_ignored_member_is_not_an_error() -> None:
    """msgspec skips unknown members without decoding their strings: forward compatibility is kept."""
    body = b'[{"participant":"1@c.us","timestamp":1,"status":"read","note":"\xff"}]'
    with make_sync(Recorder(httpx.Response(200, content=body))) as client:
        [item] = client.get_status_statistic("x")
    assert item.participant == "1@c.us"


@pytest.mark.parametrize(
    ("status", "cls"), [(401, AuthenticationError), (466, QuotaExceededError), (500, ServerError)]
)
def test_invalid_utf8_in_an_error_body_is_the_statuss_typed_error(
    status: int, cls: type[GreenStatError]
) -> None:
    error = _raise(httpx.Response(status, content=b'{"message":"bad \xff token"}'))
    assert type(error) is cls
    assert isinstance(error, AuthenticationError | QuotaExceededError | ServerError)
    assert error.body == '{"message":"bad \ufffd token"}'
    if isinstance(error, QuotaExceededError):
        assert error.quota is None


@pytest.mark.parametrize(
    "body",
    [
        b'[{"participant":"1@c.us","timestamp":1,"status":"read","extra":' + DEEP + b"}]",
        DEEP,
        b"[" + ITEM + b"," + b"{" * 50_000 + b"}" * 50_000 + b"]",
    ],
    ids=["in-an-unknown-member", "whole-body", "objects"],
)
def test_deep_nesting_in_a_200_is_a_validation_error(body: bytes) -> None:
    error = _raise(httpx.Response(200, content=body))
    # A whole-body nest fails the schema at `$[0]` before it gets deep; the others reach the limit.
    assert isinstance(error, ResponseValidationError)
    assert str(error).startswith("200 response body")


def test_deep_nesting_in_a_200_names_the_limit() -> None:
    body = b'[{"participant":"1@c.us","timestamp":1,"status":"read","extra":' + DEEP + b"}]"
    error = _raise(httpx.Response(200, content=body))
    assert isinstance(error, ResponseValidationError)
    assert "JSON nested deeper than the decoder's limit" in str(error)
    assert error.path is None


@pytest.mark.parametrize("status", [401, 466, 502])
def test_deep_nesting_in_an_error_body_is_the_statuss_typed_error(status: int) -> None:
    error = _raise(httpx.Response(status, content=b'{"message":"x","extra":' + DEEP + b"}"))
    assert isinstance(error, AuthenticationError | QuotaExceededError | ServerError)
    assert error.status_code == status
    assert len(error.body) <= 500


@pytest.mark.parametrize("timestamp", [INT64_MAX + 1, 2**64 + 5, 10**30])
def test_timestamps_above_int64_are_refused(timestamp: int) -> None:
    body = json.dumps([BODY[0], {**BODY[1], "timestamp": timestamp}]).encode()
    error = _raise(httpx.Response(200, content=body))
    assert isinstance(error, ResponseValidationError)
    assert error.path == "$[1].timestamp"
    assert str(INT64_MAX) in str(error)


def test_the_largest_int64_timestamp_is_accepted() -> None:
    body = json.dumps([{**BODY[0], "timestamp": INT64_MAX}]).encode()
    with make_sync(Recorder(httpx.Response(200, content=body))) as client:
        [item] = client.get_status_statistic("x")
    assert item.timestamp == INT64_MAX


NON_ASCII_HEADERS = [(b"server", b"caf\xe9"), (b"x-note", "ünïcode".encode()), (b"x-echo", TOKEN.encode())]


def test_non_ascii_headers_on_a_valid_200() -> None:
    answer = httpx.Response(200, content=b"[" + ITEM + b"]", headers=NON_ASCII_HEADERS)
    with make_sync(Recorder(answer)) as client:
        raw = client.with_raw_response.get_status_statistic("x")
    assert raw.headers["x-echo"] == "***"
    assert raw.headers.raw[0] == (b"server", b"caf\xe9")  # bytes kept as sent, only tokens masked
    assert raw.headers["x-note"] == httpx.Headers(NON_ASCII_HEADERS)["x-note"]


@pytest.mark.anyio
async def test_non_ascii_headers_on_an_error_async() -> None:
    answer = httpx.Response(401, content=b'{"message":"no"}', headers=NON_ASCII_HEADERS)
    async with make_async(Recorder(answer)) as client:
        with pytest.raises(AuthenticationError) as info:
            await client.get_status_statistic("x")
    assert info.value.headers["server"] == "café"
    assert info.value.headers["x-echo"] == "***"


@pytest.mark.parametrize("status", [200, 401])
def test_non_ascii_headers_over_a_socket(status: int) -> None:
    body = b"[" + ITEM + b"]" if status == 200 else b'{"message":"no"}'
    # head() sends values as Latin-1: "é" is one byte 0xE9, "Ã©" the two UTF-8 bytes of "é".
    headers = {"Server": "café", "X-Note": "Ã©t\u00e9", "X-Echo": TOKEN}
    with HostileServer(answer(status, body, headers)) as server:
        client = GreenStat(
            id_instance=ID_INSTANCE, api_token=TOKEN, api_url=server.base_url, rate_limit=0, max_retries=0
        )
        with client:
            if status == 200:
                raw = client.with_raw_response.get_status_statistic("x")
                result_headers = raw.headers
            else:
                with pytest.raises(AuthenticationError) as info:
                    client.get_status_statistic("x")
                result_headers = info.value.headers
    assert result_headers["x-echo"] == "***"
    assert result_headers["server"] == "café"
    assert dict(result_headers.raw)[b"server"] == b"caf\xe9"  # the bytes as sent (keys lower-cased)
    assert dict(result_headers.raw)[b"x-note"] == "Ã©t\u00e9".encode("latin-1")


def _live_unknown_statuses() -> int:
    gc.collect()
    return sum(1 for obj in gc.get_objects() if type(obj) is StatusValue and not obj.is_known)


def test_unknown_statuses_are_not_kept_once_the_results_are_dropped() -> None:
    """10 answers of 10,000 distinct unknown statuses: afterwards at most the LRU's entries stay alive.

    The old ``_missing_`` kept every distinct value in a dict on the class (100,000 here, forever).
    """
    calls, per_call = 10, 10_000
    answers = [
        httpx.Response(
            200,
            content=json.dumps(
                [
                    {"participant": f"{n}@c.us", "timestamp": n, "status": f"new-{call}-{n}"}
                    for n in range(per_call)
                ]
            ).encode(),
        )
        for call in range(calls)
    ]
    before = _live_unknown_statuses()
    with make_sync(Recorder(*answers, answers[-1])) as client:
        for call in range(calls):
            stats = client.get_status_statistic("x")
            assert len(stats) == per_call
            assert not stats[0].status.is_known
            assert stats[-1].status == f"new-{call}-{per_call - 1}"
            del stats
    after = _live_unknown_statuses()
    record(
        "unknown statuses",
        f"{calls * per_call:,} distinct unknown statuses decoded and dropped: "
        f"{after - before} pseudo-members alive (LRU bound {UNKNOWN_CACHE_SIZE})",
    )
    assert after - before <= UNKNOWN_CACHE_SIZE


def test_a_repeated_unknown_status_is_one_shared_pseudo_member() -> None:
    """Forward compatibility is intact: the value is surfaced; 1,000 recipients in a new state share it."""
    items = [{"participant": f"{n}@c.us", "timestamp": n, "status": "played"} for n in range(1_000)]
    with make_sync(Recorder(httpx.Response(200, content=json.dumps(items).encode()))) as client:
        stats = client.get_status_statistic("x")
    assert {id(item.status) for item in stats} == {id(StatusValue("played"))}
    assert stats[0].status.value == "played"
    assert stats[0].status.name == "UNKNOWN"


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("status", "body", "cls"),
    [
        (200, b'[{"participant":"1@c.us","timestamp":1,"status":"\xffread"}]', ResponseValidationError),
        (200, b"[" + ITEM[:-1] + b',"x":' + DEEP + b"}]", ResponseValidationError),
        (200, json.dumps([{**BODY[0], "timestamp": INT64_MAX + 1}]).encode(), ResponseValidationError),
        (401, b'{"message":"x","extra":' + DEEP + b"}", AuthenticationError),
        (401, b'{"message":"\xff"}', AuthenticationError),
    ],
    ids=["utf8", "nesting", "int64", "nesting-401", "utf8-401"],
)
async def test_async_client_types_hostile_bodies(status: int, body: bytes, cls: type[GreenStatError]) -> None:
    async with make_async(Recorder(httpx.Response(status, content=body))) as client:
        with pytest.raises(GreenStatError) as info:
            await client.get_status_statistic("x")
    assert type(info.value) is cls
    assert info.value.__context__ is None


_RAISED_LIMIT_SCRIPT = """
import sys
import httpx
sys.setrecursionlimit(1_000_000)
from greenstat_ext import GreenStat, GreenStatError, ResponseValidationError
deep = b"[" * 1_000_000 + b"]" * 1_000_000
body = b'[{"participant":"1@c.us","timestamp":1,"status":"read","x":' + deep + b"}]"
ok = b'[{"participant":"1@c.us","timestamp":1,"status":"read","x":"[[[[","y":[[[1]]]}]'
answers = iter([body, ok])
JSON = {"Content-Type": "application/json"}
transport = httpx.MockTransport(lambda request: httpx.Response(200, content=next(answers), headers=JSON))
client = GreenStat(
    id_instance=1101000001, api_token="abc12", api_url="https://api.example.test", rate_limit=0,
    http_client=httpx.Client(transport=transport),
)
try:
    client.get_status_statistic("x")
except ResponseValidationError as exc:
    print("typed:", exc)
print("then:", client.get_status_statistic("x")[0].participant)
"""


def test_a_raised_recursion_limit_does_not_let_deep_nesting_crash_the_process() -> None:
    """With the limit at 1,000,000, msgspec's own check let a 1,000,000-deep body overflow the C stack
    (a segfault); the nesting is then measured first. Run in a child process: a crash must fail the test,
    not end the run."""
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", _RAISED_LIMIT_SCRIPT], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "typed: 200 response body is not valid JSON: JSON nested deeper than 1000 levels" in result.stdout
    assert "then: 1@c.us" in result.stdout  # brackets in strings and shallow nesting still decode


def _read_then_raise(response: httpx.Response) -> None:
    response.read()
    response.raise_for_status()


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (466, b'{"invokeStatus":{"method":"\xff"}}'),
        (401, b'{"message":"x","extra":' + DEEP + b"}"),
        (466, json.dumps({"invokeStatus": {"method": "m", "used": 1, "total": 2, "status": "s"}}).encode()),
    ],
    ids=["utf8-466", "nesting-401", "incomplete-466"],
)
def test_hostile_bodies_through_a_callers_raise_for_status_hook(status: int, body: bytes) -> None:
    """A hook's ``HTTPStatusError`` is mapped by ``_response`` itself; it decodes the same way."""
    http = httpx.Client(
        transport=httpx.MockTransport(lambda request: httpx.Response(status, content=body)),
        event_hooks={"response": [_read_then_raise]},
    )
    client = GreenStat(
        id_instance=ID_INSTANCE, api_token=TOKEN, api_url=API_URL, rate_limit=0, http_client=http
    )
    with client, pytest.raises((AuthenticationError, QuotaExceededError)) as info:
        client.get_status_statistic("x")
    assert info.value.status_code == status
    assert info.value.__context__ is None
    if isinstance(info.value, QuotaExceededError):
        assert info.value.quota is None
