"""The posted statuses are bounded in bytes too: ``getOutgoingStatuses`` stays readable by the SDK's defaults.

Why these tests: a client controls what a posted status's journal item carries (an 8,192-character
``urlFile``, a caption of control characters that JSON writes as 6-byte escapes, 1,024 participants), and
before the byte bound 4,096 such statuses made a 76 MB answer that the SDK's own default
``max_response_size`` refused. The store's memory claim (its docstring, docs/mock.md) is measured here too.
"""

from __future__ import annotations

import re
import threading
import time
import tracemalloc
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import msgspec
import pytest

from greenstat_client.models import ExtendedTextMessage, OutgoingStatus
from greenstat_ext import GreenStat
from greenstat_ext._bounds import DEFAULT_MAX_RESPONSE_SIZE
from greenstat_ext._spec import operation
from greenstat_ext.mock import DEMO_ID_INSTANCE, DEMO_TOKEN, MockServer, MockSettings, _handlers
from greenstat_ext.mock._journal import outgoing_items
from greenstat_ext.mock._posted import MAX_POSTED_BYTES, MAX_POSTED_RECIPIENTS, PostedStatuses

from .conftest import HANG_GUARD, FakeClock, op_path

_MEDIA = operation("sendMediaStatus")
_URL_PREFIX = "https://media.example.com/"
_RECIPIENT = _MEDIA.parameter("participants").items
assert _RECIPIENT is not None
_RECIPIENT_MAX = _RECIPIENT.max_length or 0
_RECIPIENT_PATTERN = _RECIPIENT.pattern or ""
PARTICIPANTS_MAX = _MEDIA.parameter("participants").max_items or 0
CAPTION = "\x01" * (_MEDIA.parameter("caption").max_length or 0)  # each written as \u0001: 6 bytes
FILE_NAME = "\x02" * ((_MEDIA.parameter("fileName").max_length or 0) - 4) + ".jpg"
DEMO_JOURNAL_MAX = 64 * 1024
"""What the demo statuses' items may add to the journal (measured: ~2 KB; asserted below)."""


def _url(n: int) -> str:
    """A ``urlFile`` at the spec's maxLength, unique per ``n``."""
    longest = _MEDIA.parameter("urlFile").max_length or 0
    tail = f"/{n}"
    return _URL_PREFIX + "x" * (longest - len(_URL_PREFIX) - len(tail)) + tail


def _worst_content(n: int) -> dict[str, str]:
    """Media fields at their bounds; fresh strings per status, as each decoded request body makes."""
    caption, file_name = CAPTION[:-1] + "\x03", "\x03" + FILE_NAME[1:]
    return {"download_url": _url(n), "file_name": file_name, "mime_type": "image/jpeg", "caption": caption}


def _participants(n: int) -> list[str]:
    """1,024 distinct recipients of the longest valid shape (digits@c.us, 36 characters)."""
    digits = _RECIPIENT_MAX - len("@c.us")
    return [f"{n * PARTICIPANTS_MAX + index:0{digits}d}@c.us" for index in range(PARTICIPANTS_MAX)]


def _post_worst(store: PostedStatuses, n: int, *, listed: bool) -> str:
    participants = _participants(n) if listed else []
    return store.post("sendMediaStatus", "imageMessage", participants, _worst_content(n)).id_message


def _journal(store: PostedStatuses, clock: FakeClock) -> bytes:
    return msgspec.json.encode(outgoing_items(0, clock(), 43_200, store.outgoing()))


def test_the_worst_case_values_are_valid_sends() -> None:
    """The statuses posted below are ones a client can post: every value at the spec's bound."""
    recipient = _participants(7)[-1]
    assert len(recipient) == _RECIPIENT_MAX > 0
    assert re.fullmatch(_RECIPIENT_PATTERN, recipient)
    assert PARTICIPANTS_MAX > 0
    assert len(_url(12345)) == _MEDIA.parameter("urlFile").max_length
    assert re.fullmatch(_MEDIA.parameter("urlFile").pattern or "", _url(12345))
    assert len(FILE_NAME) == _MEDIA.parameter("fileName").max_length
    assert len(msgspec.json.encode(CAPTION)) == 6 * len(CAPTION) + 2


def test_the_budget_keeps_the_journal_well_under_the_clients_limit(clock: FakeClock) -> None:
    """The worst answer (the posted statuses at the budget plus the demo statuses) is at most half the
    SDK's default ``max_response_size`` (the mock cannot import it; this test holds both)."""
    with (
        MockServer(MockSettings(rate_limit=0, clock=clock)) as server,
        httpx.Client(base_url=server.base_url, timeout=HANG_GUARD) as http,
    ):
        demo = http.get(op_path("getOutgoingStatuses"), params={"minutes": 43_200})
    assert demo.status_code == 200
    assert len(demo.content) <= DEMO_JOURNAL_MAX
    assert MAX_POSTED_BYTES + DEMO_JOURNAL_MAX <= DEFAULT_MAX_RESPONSE_SIZE // 2


def test_the_measured_size_bounds_the_item_at_any_time(clock: FakeClock) -> None:
    """A status's size, measured once at post time, is never below its journal item's bytes later (any
    state, any timestamp), whatever its text: escapes, emoji, participants."""
    store = PostedStatuses(seed=0, clock=clock, contacts=["79000000001@c.us"])
    emoji = "😀" * (operation("sendTextStatus").parameter("message").max_length or 0)
    text = {"text_message": emoji, "extended_text_message": ExtendedTextMessage(text=emoji, font="SERIF")}
    posted = [
        store.post("sendTextStatus", "extendedTextMessage", _participants(0), text),
        store.post("sendMediaStatus", "imageMessage", [], _worst_content(1)),
        store.post("sendVoiceStatus", "audioMessage", ["79000000002@c.us"], _worst_content(2)),
    ]
    for _ in range(4):  # pending, then moving forward to read
        sizes = {item.id_message: len(msgspec.json.encode(item)) for item in _outgoing(store, clock)}
        for status in posted:
            assert sizes[status.id_message] + 1 <= status.size < sizes[status.id_message] + 40
        clock.advance(600)
    assert store.size == sum(status.size for status in posted)


def _outgoing(store: PostedStatuses, clock: FakeClock) -> list[OutgoingStatus]:
    return outgoing_items(0, clock(), 43_200, store.outgoing())


def test_worst_case_statuses_evict_the_oldest_at_the_byte_bound(clock: FakeClock) -> None:
    """1,024-recipient statuses at every bound: the byte bound evicts the oldest (counted), and the journal
    of what is kept never passes it."""
    budget = 1024 * 1024
    store = PostedStatuses(seed=0, clock=clock, contacts=["79000000001@c.us"], max_bytes=budget,
                           max_recipients=10 * MAX_POSTED_RECIPIENTS)  # fmt: skip
    made = [_post_worst(store, n, listed=True) for n in range(40)]
    kept = [o.id_message for o in store.outgoing()]
    assert store.evicted == len(made) - len(kept) > 0
    assert kept == made[-len(kept) :]  # the oldest went first
    assert store.recipients == len(kept) * PARTICIPANTS_MAX  # recipients were not the bound here
    assert store.size <= budget
    journal = _journal(store, clock)
    assert len(journal) <= store.size + 1  # n items, n - 1 commas, 2 brackets
    assert len(journal) > budget - 2 * (budget // len(kept))  # the bound was reached, not merely respected


def test_the_sdk_reads_the_fullest_journal_with_its_default_limits(clock: FakeClock) -> None:
    """A default mock filled past its byte bound with the worst statuses (1,024 participants, the longest
    ``urlFile``, captions and file names of control characters): its journal stays within the budget and
    ``GreenStat.get_outgoing_statuses`` reads it with the default ``max_response_size``."""
    with MockServer(MockSettings(rate_limit=0, clock=clock)) as server:
        store = server.state.posted
        made = [_post_worst(store, n, listed=True) for n in range(8)]
        made += [_post_worst(store, n, listed=False) for n in range(8, 1400)]
        assert store.evicted == len(made) - len(store) > 0
        assert store.size <= MAX_POSTED_BYTES
        with GreenStat(id_instance=DEMO_ID_INSTANCE, api_token=DEMO_TOKEN, api_url=server.base_url,
                       rate_limit=0) as client:  # fmt: skip
            assert client.max_response_size == DEFAULT_MAX_RESPONSE_SIZE
            raw = client.with_raw_response.get_outgoing_statuses(minutes=43_200)
            listed = client.get_outgoing_statuses(minutes=43_200)
    size = len(raw.content)
    assert MAX_POSTED_BYTES - 64 * 1024 < size <= MAX_POSTED_BYTES + DEMO_JOURNAL_MAX
    ever_posted = set(made)
    posted = [item.id_message for item in listed if item.id_message in ever_posted]
    assert sorted(posted) == sorted(made[-len(store) :])  # every kept status, no evicted one


def test_the_store_memory_claim_holds(clock: FakeClock) -> None:
    """The docstring's "under 100 MB at worst": 1/8 of the worst store (statuses of 1,024 recipients of the
    longest shape, the longest ``urlFile``, every statistics body rendered and cached), traced, times 8.
    (The whole worst store, 256 such statuses, traced 89 MB when measured the same way.)"""
    eighth = MAX_POSTED_RECIPIENTS // PARTICIPANTS_MAX // 8
    tracemalloc.start()
    try:
        store = PostedStatuses(seed=0, clock=clock, contacts=["79000000001@c.us"])
        for n in range(eighth):
            store.body(_post_worst(store, n, listed=True))
        traced, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert store.evicted == 0
    assert store.recipients == MAX_POSTED_RECIPIENTS // 8
    assert 8 * traced < 100 * 1024 * 1024


def test_journal_answers_are_built_at_most_two_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A burst of ``getOutgoingStatuses`` requests builds at most ``JOURNAL_BUILDS`` answers at once (each
    may be ~16 MiB), and every request is still answered.

    No timing: the builds hold until all six requests have reached the mock's limiter (counted by a wrapper
    around its own semaphore) and two builds are under way; a sleep "long enough for the burst to arrive"
    was not, on a busy machine."""
    active, peak, arrived, lock = 0, 0, 0, threading.Lock()
    release = threading.Event()
    real = outgoing_items  # what _handlers calls (imported from _journal)
    semaphore = _handlers._journal_builds

    class CountingSemaphore:
        def __enter__(self) -> None:
            nonlocal arrived
            with lock:
                arrived += 1
            semaphore.acquire()

        def __exit__(self, *exc_info: object) -> None:
            semaphore.release()

    def held_items(*args: Any) -> list[OutgoingStatus]:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        release.wait(HANG_GUARD)
        with lock:
            active -= 1
        return real(*args)

    def burst_is_queued() -> bool:
        with lock:
            return arrived == 6 and active >= 2

    monkeypatch.setattr(_handlers, "_journal_builds", CountingSemaphore())
    monkeypatch.setattr(_handlers, "outgoing_items", held_items)
    with MockServer(MockSettings(rate_limit=0)) as server, httpx.Client(base_url=server.base_url) as http:
        url = op_path("getOutgoingStatuses")
        with ThreadPoolExecutor(max_workers=6) as pool:
            futures = [pool.submit(http.get, url, timeout=HANG_GUARD) for _ in range(6)]
            deadline = time.monotonic() + HANG_GUARD
            while not burst_is_queued() and time.monotonic() < deadline:
                time.sleep(0.01)
            release.set()
            answers = [future.result().status_code for future in futures]
    assert arrived == 6
    assert answers == [200] * 6
    assert peak == _handlers.JOURNAL_BUILDS == 2
