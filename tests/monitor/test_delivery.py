"""Webhook delivery to a real loopback receiver that verifies Standard Webhooks signatures: batching,
retries (5xx, 429 + Retry-After, connection errors), no retry on other 4xx, dead letters and replay.
Time is the test's: the deliverer is given ``now``, and the outbox's next attempt is read back."""

from __future__ import annotations

import random
from pathlib import Path

import anyio
import pytest

from greenstat_ext.monitor import Backoff, Deliverer, Event, Observation, Store, WebhookSink

from ._receiver import SECRET, receiver
from .conftest import free_port

NOW = 1_800_000_000.0


def _events(store: Store, sinks: list[str], n: int) -> list[Event]:
    events = [
        Event(
            "recipient.read", 1101000001, "BAE5000000000001", 1_799_999_000 + i, NOW, participant=f"p{i}@c.us"
        )
        for i in range(n)
    ]
    obs = Observation.empty()
    obs.events.extend(events)
    store.commit(obs, sinks, NOW)
    return events


def test_batches_are_signed_and_verified(tmp_path: Path) -> None:
    with receiver() as hook, Store(tmp_path / "s.db") as store:
        sink = WebhookSink(hook.url, SECRET)
        events = _events(store, [sink.name], 250)
        deliverer = Deliverer(store, [sink], batch=100)
        assert anyio.run(deliverer.deliver, NOW) == 250
        anyio.run(deliverer.aclose)
        assert hook.requests == 3
        assert hook.bad_signatures == 0
        assert [e["id"] for e in hook.events] == [e.id for e in events]
        assert store.pending() == 0


def test_a_wrong_secret_is_refused_by_the_receiver_and_never_retried(tmp_path: Path) -> None:
    with receiver() as hook, Store(tmp_path / "s.db") as store:
        sink = WebhookSink(hook.url, "whsec_" + "A" * 32)
        _events(store, [sink.name], 2)
        deliverer = Deliverer(store, [sink])
        anyio.run(deliverer.deliver, NOW)
        assert hook.bad_signatures == 1
        assert hook.events == []
        assert [d.last_error for d in store.dead_letters()] == ["HTTP 401 (not retried)"] * 2


def test_5xx_and_429_are_retried_with_backoff_and_retry_after(tmp_path: Path) -> None:
    script = [(503, {}), (429, {"Retry-After": "7"}), (200, {})]
    with receiver(script) as hook, Store(tmp_path / "s.db") as store:
        sink = WebhookSink(hook.url, SECRET)
        _events(store, [sink.name], 3)
        deliverer = Deliverer(store, [sink], backoff=Backoff(base=2, cap=60), rng=random.Random(0))
        anyio.run(deliverer.deliver, NOW)
        first = store.next_due(sink.name)
        assert first is not None
        assert NOW + 1 <= first <= NOW + 2
        anyio.run(deliverer.deliver, first)
        assert store.next_due(sink.name) == first + 7  # the receiver's Retry-After
        anyio.run(deliverer.deliver, first + 7)
        assert hook.requests == 3
        assert len(hook.events) == 3
        assert store.pending() == 0
        assert len(set(hook.webhook_ids)) == 1  # the same batch kept its webhook-id


def test_connection_errors_retry_until_dead_letter_then_replay(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as store:
        down = WebhookSink(f"http://127.0.0.1:{free_port()}/hook", SECRET, timeout=2)
        _events(store, [down.name], 2)
        deliverer = Deliverer(store, [down], max_attempts=3, backoff=Backoff(base=1, cap=4))
        now = NOW
        for _ in range(3):
            anyio.run(deliverer.deliver, now)
            now += 10
        anyio.run(down.aclose)
        dead = store.dead_letters()
        assert [(d.attempts, d.type) for d in dead] == [(3, "recipient.read")] * 2
        assert "connection error" in dead[0].last_error
        assert store.pending() == 0
        with receiver() as hook:
            store.replay(now, sink=down.name)
            up = WebhookSink(hook.url, SECRET)
            up.name = down.name  # the same sink, now reachable
            assert anyio.run(Deliverer(store, [up]).deliver, now) == 2
            anyio.run(up.aclose)
        assert store.dead_letters() == []
        assert len(hook.events) == 2


def test_other_4xx_go_straight_to_dead_letters(tmp_path: Path) -> None:
    with receiver([(404, {})]) as hook, Store(tmp_path / "s.db") as store:
        sink = WebhookSink(hook.url, SECRET)
        _events(store, [sink.name], 1)
        anyio.run(Deliverer(store, [sink]).deliver, NOW)
        anyio.run(sink.aclose)
        assert hook.requests == 1
        assert [d.attempts for d in store.dead_letters()] == [1]


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/x", "127.0.0.1:80", "http:///nohost"])
def test_bad_webhook_urls_are_refused(url: str) -> None:
    with pytest.raises(ValueError, match="webhook URL"):
        WebhookSink(url, SECRET)


@pytest.mark.parametrize("secret", ["MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_", "whsec_!!!!"])
def test_bad_secrets_are_refused(secret: str) -> None:
    with pytest.raises(ValueError, match="secret"):
        WebhookSink("http://127.0.0.1:9/x", secret)


def test_user_info_never_reaches_the_sink_name() -> None:
    assert "hunter2" not in WebhookSink("http://user:hunter2@127.0.0.1:9/x", SECRET).name
