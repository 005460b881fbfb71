"""A plugin registered the documented way gets the documented events, never the token, and changes nothing.

The answers come from ``httpx.MockTransport`` scripts (``Recorder``) and time from the fake clock, so every
number in an event (waits, durations) is exact; the OpenTelemetry and Sentry checks use real sockets
(test_otel_leak.py, test_sentry_leak.py).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import pickle
import threading
import traceback
from collections.abc import Iterator, Mapping
from types import FrameType
from typing import Any

import httpx
import pytest

from greenstat_ext import (
    APIConnectionError,
    AuthenticationError,
    ConfigurationError,
    GreenStat,
    OutcomeUnknownError,
    RateLimiter,
)
from greenstat_ext import _client_base as client_base
from greenstat_ext.plugins import (
    AttemptFinished,
    AttemptStarted,
    CallFinished,
    CallStarted,
    Event,
    OperationInfo,
    Plugin,
    RetryScheduled,
)
from tests.client._helpers import (
    BODY,
    ID_MESSAGE,
    TOKEN,
    FakeClock,
    Recorder,
    assert_no_token,
    fast_policy,
    json_response,
    make_async,
    make_sync,
)
from tests.plugins._recording import Recording

TWO_RETRIES = (json_response(503, {}), json_response(503, {}), json_response(200, BODY))
GET_STATUS_STATISTIC = OperationInfo(
    operation_id="getStatusStatistic",
    name="get_status_statistic",
    method="GET",
    url_template="/waInstance{idInstance}/getStatusStatistic/{apiTokenInstance}",
    is_write=False,
)
EXPECTED_KINDS = [
    "CallStarted",
    *["AttemptStarted", "AttemptFinished", "RetryScheduled"] * 2,
    "AttemptStarted",
    "AttemptFinished",
    "CallFinished",
]


def _token_forms(token: str) -> list[str]:
    encoded = "".join(f"%{byte:02X}" for byte in token.encode())
    return [token, encoded, encoded.lower()]


def assert_token_free(events: list[Event]) -> None:
    """Nothing reachable from an event shows the token: its repr, its pickle, its fields."""
    for event in events:
        for shown in (repr(event), pickle.dumps(event), dataclasses.asdict(event), dir(event)):
            for form in _token_forms(TOKEN):
                assert_no_token(form, shown, f"{type(event).__name__}")
        assert not hasattr(event, "request")
        assert not hasattr(event, "response")


def _check_two_retries(recording: Recording, clock: FakeClock) -> None:
    events = recording.events
    assert recording.kinds() == EXPECTED_KINDS
    assert all(event.operation == GET_STATUS_STATISTIC for event in events)
    assert len({event.call_id for event in events}) == 1
    started = events[0]
    assert isinstance(started, CallStarted)
    assert (
        started.url
        == f"https://api.example.test/waInstance1101000001/getStatusStatistic/***?idMessage={ID_MESSAGE}"
    )
    assert (started.server_address, started.server_port) == ("api.example.test", 443)
    attempts = [e for e in events if isinstance(e, AttemptStarted)]
    assert [a.attempt for a in attempts] == [1, 2, 3]
    assert [a.rate_limit_wait for a in attempts] == [0.0, 0.0, 0.0]  # no limiter
    finished = [e for e in events if isinstance(e, AttemptFinished)]
    assert [(f.attempt, f.status_code, f.error_type) for f in finished] == [
        (1, 503, None),
        (2, 503, None),
        (3, 200, None),
    ]
    assert [f.body_size for f in finished] == [2, 2, len(json.dumps(BODY).encode())]
    assert [f.duration for f in finished] == [0.0, 0.0, 0.0]  # the fake clock moves only when sleeping
    retries = [e for e in events if isinstance(e, RetryScheduled)]
    assert [(r.attempt, r.cause, r.status_code) for r in retries] == [
        (1, "HTTP 503", 503),
        (2, "HTTP 503", 503),
    ]
    assert [r.wait for r in retries] == clock.sleeps  # exactly the waits the policy slept
    end = events[-1]
    assert isinstance(end, CallFinished)
    assert (end.outcome, end.status_code, end.error_type, end.error_message) == ("result", 200, None, None)
    assert (end.attempts, end.retries, end.rate_limit_wait) == (3, 2, 0.0)
    assert end.body_size == len(json.dumps(BODY).encode())
    assert end.duration == pytest.approx(sum(clock.sleeps))
    assert end.url == started.url
    assert_token_free(events)


def test_a_sync_call_with_two_retries_emits_the_documented_events() -> None:
    recording, clock = Recording(), FakeClock()
    with make_sync(Recorder(*TWO_RETRIES), policy=fast_policy(clock), plugins=[recording]) as client:
        assert client.plugins == (recording,)
        assert len(client.get_status_statistic(ID_MESSAGE)) == len(BODY)
    _check_two_retries(recording, clock)


def test_an_async_call_with_two_retries_emits_the_same_events() -> None:
    recording, clock = Recording(), FakeClock()

    async def main() -> None:
        async with make_async(
            Recorder(*TWO_RETRIES), policy=fast_policy(clock), plugins=[recording]
        ) as client:
            assert len(await client.get_status_statistic(ID_MESSAGE)) == len(BODY)

    asyncio.run(main())
    _check_two_retries(recording, clock)


def test_errors_refusals_and_writes_say_their_outcome() -> None:
    recording = Recording()
    recorder = Recorder(json_response(401, {"message": f"bad token {TOKEN}"}))
    with make_sync(recorder, plugins=[recording]) as client, pytest.raises(AuthenticationError):
        client.get_status_statistic(ID_MESSAGE)
    end = recording.events[-1]
    assert isinstance(end, CallFinished)
    assert (end.outcome, end.status_code, end.error_type) == ("error", 401, "AuthenticationError")
    assert end.error_message is not None
    assert "401" in end.error_message

    recording = Recording()
    client = make_sync(Recorder(httpx.ConnectError("refused")), plugins=[recording], max_retries=1)
    with client, pytest.raises(APIConnectionError):
        client.get_status_statistic(ID_MESSAGE)
    finished = [e for e in recording.events if isinstance(e, AttemptFinished)]
    assert [(f.status_code, f.error_type, f.body_size) for f in finished] == [
        (None, "ConnectError", None)
    ] * 2
    retry = next(e for e in recording.events if isinstance(e, RetryScheduled))
    assert (retry.cause, retry.status_code) == ("ConnectError", None)
    end = recording.events[-1]
    assert isinstance(end, CallFinished)
    assert (end.outcome, end.status_code, end.error_type) == ("error", None, "APIConnectionError")

    recording = Recording()
    client = make_sync(Recorder(json_response(503, {})), plugins=[recording])
    with client, pytest.raises(OutcomeUnknownError):
        client.send_text_status("Hello")
    end = recording.events[-1]
    assert isinstance(end, CallFinished)
    assert end.operation.is_write
    assert end.operation.method == "POST"
    assert (end.outcome, end.attempts, end.status_code) == ("outcome_unknown", 1, 503)
    assert_token_free(recording.events)


def test_the_rate_limit_wait_is_reported_per_attempt_and_per_call() -> None:
    clock = FakeClock()
    limiter = RateLimiter(1.0, margin=0.0, clock=clock.clock, sleep=clock.sleep)
    recording = Recording()
    recorder = Recorder(json_response(200, BODY))
    with make_sync(recorder, policy=fast_policy(clock), rate_limit=limiter, plugins=[recording]) as client:
        client.get_status_statistic(ID_MESSAGE)
        client.get_status_statistic(ID_MESSAGE)
    waits = [e.rate_limit_wait for e in recording.events if isinstance(e, AttemptStarted)]
    assert waits == [0.0, 1.0]
    ends = [e for e in recording.events if isinstance(e, CallFinished)]
    assert [e.rate_limit_wait for e in ends] == [0.0, 1.0]


def test_an_exception_greenstat_does_not_map_still_ends_the_call_for_the_plugins() -> None:
    def hook(request: httpx.Request) -> None:
        raise RuntimeError("the caller's hook")

    recording = Recording()
    http_client = httpx.Client(
        transport=httpx.MockTransport(lambda r: json_response(200, BODY)), event_hooks={"request": [hook]}
    )
    client = GreenStat(
        id_instance=1101000001,
        api_token=TOKEN,
        api_url="https://api.example.test",
        rate_limit=0,
        http_client=http_client,
        plugins=[recording],
    )
    with client, pytest.raises(RuntimeError):
        client.get_status_statistic(ID_MESSAGE)
    end = recording.events[-1]
    assert isinstance(end, CallFinished)
    assert (end.outcome, end.error_type) == ("error", "RuntimeError")


def test_a_defect_in_reading_the_answer_still_ends_the_call_for_the_plugins(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Should deciding the outcome ever raise (a defect of ours), the plugins still hear the call ended:
    the OpenTelemetry plugin's span ends instead of staying open in its table for the process's life."""

    def broken(*args: object) -> None:
        raise LookupError("a defect")

    monkeypatch.setattr(client_base, "_outcome", broken)
    recording = Recording()
    client = make_sync(Recorder(json_response(200, BODY)), plugins=[recording])
    with client, pytest.raises(LookupError):
        client.get_status_statistic(ID_MESSAGE)
    assert recording.kinds()[0] == "CallStarted"
    end = recording.events[-1]
    assert isinstance(end, CallFinished)
    assert (end.outcome, end.error_type) == ("error", "LookupError")


def test_a_plugin_adds_headers_but_never_replaces_greenstats() -> None:
    recording = Recording(headers={"X-Request-Id": "abc-1", "User-Agent": "evil/1.0"})
    recorder = Snapshots(*TWO_RETRIES)
    with make_sync(recorder, plugins=[recording]) as client:
        client.get_status_statistic(ID_MESSAGE)
    assert len(recorder.sent) == 3
    for _, _, headers, _ in recorder.sent:
        assert ("x-request-id", "abc-1") in headers
        assert dict(headers)["user-agent"].startswith("greenstat/")


class Raising(Plugin):
    """Fails in every hook, with the token in its message (as if it had found it somewhere)."""

    def __init__(self, headers: object = None) -> None:
        self.calls = 0
        self.headers = headers

    def on_event(self, event: Event) -> None:
        self.calls += 1
        raise RuntimeError(f"plugin bug near /waInstance1/getStatusStatistic/{TOKEN}")

    def request_headers(self, event: AttemptStarted) -> Any:
        if self.headers is not None:
            return self.headers
        raise ValueError("no headers today")


class Snapshots(Recorder):
    """A ``Recorder`` that copies each request as it arrives (the attempts of a call share one request)."""

    def __init__(self, *responses: httpx.Response | Exception) -> None:
        super().__init__(*responses)
        self.sent: list[tuple[str, str, list[tuple[str, str]], bytes]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.sent.append((request.method, str(request.url), sorted(request.headers.items()), request.content))
        return super().__call__(request)


@pytest.mark.parametrize(
    "plugin",
    [
        Raising(),
        Raising(headers={"Host": "elsewhere.example"}),
        Raising(headers={"X-Bad": "line\r\nbreak"}),
        Raising(headers=["not", "a", "mapping"]),
        Raising(headers={f"X-{i}": "v" for i in range(100)}),
    ],
    ids=["raises", "reserved-header", "bad-value", "not-a-mapping", "too-many"],
)
def test_a_raising_plugin_changes_nothing_and_is_logged_once_redacted(
    plugin: Raising, caplog: pytest.LogCaptureFixture
) -> None:
    plain, observed = Snapshots(*TWO_RETRIES), Snapshots(*TWO_RETRIES)
    plain_clock, observed_clock = FakeClock(), FakeClock()
    with make_sync(plain, policy=fast_policy(plain_clock, wait_jitter=0)) as client:
        expected = [client.get_status_statistic(ID_MESSAGE), client.get_status_statistic("second")]
    caplog.set_level(logging.ERROR, logger="greenstat.plugins")
    with make_sync(observed, policy=fast_policy(observed_clock, wait_jitter=0), plugins=[plugin]) as client:
        got = [client.get_status_statistic(ID_MESSAGE), client.get_status_statistic("second")]
    assert got == expected
    assert observed.sent == plain.sent  # same requests, same headers, same retries
    assert len(plain.sent) == 4
    assert observed_clock.sleeps == plain_clock.sleeps
    assert plugin.calls == len(EXPECTED_KINDS) + 4  # every event still delivered (the second call: 1 attempt)
    logged = [r for r in caplog.records if r.name == "greenstat.plugins"]
    assert len(logged) == 1
    assert "Raising" in logged[0].getMessage()
    for form in _token_forms(TOKEN):
        assert_no_token(form, logged[0].getMessage(), "the plugin failure's log")


def test_a_raising_plugin_changes_nothing_in_an_async_call(caplog: pytest.LogCaptureFixture) -> None:
    plugin, recording, clock = Raising(), Recording(), FakeClock()
    caplog.set_level(logging.ERROR, logger="greenstat.plugins")

    async def main() -> list[Any]:
        async with make_async(
            Recorder(*TWO_RETRIES), policy=fast_policy(clock), plugins=[plugin, recording]
        ) as client:
            return await client.get_status_statistic(ID_MESSAGE)

    assert len(asyncio.run(main())) == len(BODY)
    _check_two_retries(recording, clock)  # the plugin after the raising one got every event, in order
    assert plugin.calls == len(EXPECTED_KINDS)
    assert [r.name for r in caplog.records] == ["greenstat.plugins"]


class StackWithLocals(Plugin):
    """Renders the whole stack with every frame's local variables at each event, as Sentry's
    ``attach_stacktrace`` or ``TracebackException(capture_locals=True)`` would from a plugin's log call."""

    def __init__(self) -> None:
        self.stacks: list[str] = []

    def on_event(self, event: Event) -> None:
        stack = traceback.StackSummary.extract(
            _up_to_the_test(traceback.walk_stack(None)), capture_locals=True
        )
        self.stacks.append("".join(stack.format()))


def _up_to_the_test(frames: Iterator[tuple[FrameType, int]]) -> Iterator[tuple[FrameType, int]]:
    """The frames from the hook up to the test function: the test runner's own frames above it hold its
    collected items, whose ids (other modules' parametrized tests) may spell the test token themselves."""
    for frame, line in frames:
        yield frame, line
        if frame.f_code.co_name.startswith("test_"):
            return


def _echoing_401() -> httpx.Response:
    return json_response(401, {"message": f"bad token /waInstance1/getStatusStatistic/{TOKEN}"})


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_no_frame_on_the_stack_shows_the_token_when_a_plugin_runs(kind: str) -> None:
    """While a call runs, the transport's frames hold the request as sent: its ``repr`` masks the token;
    the answer (which may echo the token) is gone from the client's frames before the plugins hear the
    outcome; no frame holds the token as a string."""
    plugin = StackWithLocals()
    answers = (*TWO_RETRIES, _echoing_401())
    if kind == "sync":
        with make_sync(Recorder(*answers), plugins=[plugin]) as client:
            client.get_status_statistic(ID_MESSAGE)
            with pytest.raises(AuthenticationError):
                client.get_status_statistic(ID_MESSAGE)
    else:

        async def main() -> None:
            async with make_async(Recorder(*answers), plugins=[plugin]) as client:
                await client.get_status_statistic(ID_MESSAGE)
                with pytest.raises(AuthenticationError):
                    await client.get_status_statistic(ID_MESSAGE)

        asyncio.run(main())
    assert len(plugin.stacks) == len(EXPECTED_KINDS) + 4
    shown = "\n".join(plugin.stacks)
    assert (
        "wire = <WireRequest('GET', 'https://api.example.test/waInstance1101000001/getStatusStatistic/***?"
        in shown
    )
    for form in _token_forms(TOKEN):
        assert_no_token(form, shown, "the stack's locals while a plugin runs")


def test_the_stack_check_sees_a_token_in_a_local() -> None:
    plugin = StackWithLocals()
    url = f"/waInstance1/getStatusStatistic/{TOKEN}"
    plugin.on_event(None)  # type: ignore[arg-type]
    assert url in plugin.stacks[0]


class AsyncHook:
    """``async def on_event``: its body would never run (hooks are called synchronously)."""

    async def on_event(self, event: Event) -> None:  # pragma: no cover - never awaited, by design
        raise AssertionError("never awaited")

    def request_headers(self, event: AttemptStarted) -> None:
        return None


def test_an_async_on_event_is_reported_not_silently_dropped(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="greenstat.plugins")
    plugin: Any = AsyncHook()
    with make_sync(Recorder(*TWO_RETRIES), plugins=[plugin]) as client:
        assert len(client.get_status_statistic(ID_MESSAGE)) == len(BODY)
    (record,) = [r for r in caplog.records if r.name == "greenstat.plugins"]
    assert "on_event is a coroutine function" in record.getMessage()


class CallsTheClient(Plugin):
    """Calls the client from a hook: the sync way in the same thread, or the async way as a task."""

    def __init__(self) -> None:
        self.client: Any = None
        self.errors: list[Exception] = []
        self.tasks: list[asyncio.Task[Any]] = []

    def on_event(self, event: Event) -> None:
        if not isinstance(event, AttemptStarted) or self.errors or self.tasks:
            return
        if isinstance(self.client, GreenStat):
            try:
                self.client.get_status_statistic(ID_MESSAGE)
            except Exception as exc:
                self.errors.append(exc)
                raise
        else:
            self.tasks.append(
                asyncio.get_running_loop().create_task(self.client.get_status_statistic("later"))
            )


def test_a_call_from_inside_a_hook_is_refused_not_hung(caplog: pytest.LogCaptureFixture) -> None:
    """The hook runs while the attempt holds its turn in the rate-limit bucket: a call from it, in the same
    thread, would wait for that turn forever. It is refused; the outer call goes on."""
    plugin = CallsTheClient()
    caplog.set_level(logging.ERROR, logger="greenstat.plugins")
    results: list[Any] = []
    recorder = Recorder(json_response(200, BODY))
    with make_sync(recorder, rate_limit=RateLimiter(1.0), plugins=[plugin]) as client:
        plugin.client = client
        # In a thread, so that a regression shows as a failure rather than as a suite that never ends.
        outer = threading.Thread(
            target=lambda: results.append(client.get_status_statistic(ID_MESSAGE)), daemon=True
        )
        outer.start()
        outer.join(timeout=120)
        assert not outer.is_alive(), "the call from the hook deadlocked"
    assert len(results[0]) == len(BODY)
    (error,) = plugin.errors
    assert "from inside a plugin hook is refused" in str(error)
    assert [r.name for r in caplog.records] == ["greenstat.plugins"]


def test_a_call_an_async_hook_schedules_runs_after_it() -> None:
    plugin = CallsTheClient()

    async def main() -> Any:
        async with make_async(Recorder(json_response(200, BODY)), plugins=[plugin]) as client:
            plugin.client = client
            await client.get_status_statistic(ID_MESSAGE)
            (task,) = plugin.tasks
            return await task

    assert len(asyncio.run(main())) == len(BODY)


def test_with_options_replaces_or_removes_the_plugins() -> None:
    first, second = Recording(), Recording()
    with make_sync(Recorder(json_response(200, BODY)), plugins=[first]) as client:
        other = client.with_options(plugins=[second])
        none = client.with_options(plugins=[])
        kept = client.with_options(max_retries=1)
        assert (client.plugins, other.plugins, none.plugins, kept.plugins) == (
            (first,),
            (second,),
            (),
            (first,),
        )
        other.get_status_statistic(ID_MESSAGE)
        none.get_status_statistic(ID_MESSAGE)
    assert first.events == []
    assert len(second.events) == 4


class _OnlyEvents:
    def on_event(self, event: Event) -> None:
        pass


@pytest.mark.parametrize("plugins", ["otel", [object()], [_OnlyEvents()], None])
def test_plugins_that_are_not_plugins_are_refused_at_once(plugins: Any) -> None:
    with pytest.raises(ConfigurationError, match="plugins"):
        GreenStat(id_instance=1, api_token="abc123def", rate_limit=0, plugins=plugins)


def test_events_are_immutable() -> None:
    recording = Recording()
    with make_sync(Recorder(json_response(200, BODY)), plugins=[recording]) as client:
        client.get_status_statistic(ID_MESSAGE)
    for event in recording.events:
        with pytest.raises(dataclasses.FrozenInstanceError):
            event.call_id = 0  # type: ignore[misc]


def test_headers_hook_sees_each_attempt() -> None:
    seen: list[int] = []

    class Numbered(Plugin):
        def request_headers(self, event: AttemptStarted) -> Mapping[str, str]:
            seen.append(event.attempt)
            return {"X-Attempt": str(event.attempt)}

    recorder = Snapshots(*TWO_RETRIES)
    with make_sync(recorder, plugins=[Numbered()]) as client:
        client.get_status_statistic(ID_MESSAGE)
    assert seen == [1, 2, 3]
    assert [dict(headers)["x-attempt"] for _, _, headers, _ in recorder.sent] == ["1", "2", "3"]
