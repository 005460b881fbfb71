"""Delivering the outbox: JSON lines and Standard Webhooks, with retries, backoff and dead letters.

Why at-least-once from an outbox: an event is removed from the outbox only after its sink acknowledged it
(a 2xx, or the line written and flushed). A kill -9 between the two sends it again, with the same id.

Why these retry rules: 5xx, 429, timeouts and connection errors say "try later"; any other 4xx says the
request itself is refused, and sending it again cannot help, so it goes straight to the dead letters. The
wait is capped exponential backoff with equal jitter (half fixed, half random: many monitors behind one
receiver must not retry in step), or the receiver's ``Retry-After`` when it gives one (capped too: a
hostile header must not park the outbox for a year). After ``max_attempts`` an event is a dead letter:
``greenstat monitor replay``.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Final, Protocol
from urllib.parse import urlsplit, urlunsplit

import httpx
import msgspec

from .._retry import parse_retry_after
from ._store import OutboxItem, Store

__all__ = [
    "DEFAULT_BATCH",
    "DEFAULT_MAX_ATTEMPTS",
    "Backoff",
    "Deliverer",
    "JsonLinesSink",
    "SendResult",
    "Sink",
    "WebhookSink",
]

DEFAULT_BATCH: Final = 100
DEFAULT_MAX_ATTEMPTS: Final = 24
"""With the default backoff (1 s doubling, capped at 10 min, equal jitter) the 23 waits between 24 attempts
add up to at least 73 minutes (1.8 h on average): a receiver down for an hour sends nothing to the dead
letters."""
_MAX_RETRY_AFTER: Final = 3600.0


@dataclass(frozen=True, slots=True)
class SendResult:
    """``ok``; else ``retry`` (with the receiver's ``retry_after``, if any) or a refusal; ``error``: why."""

    ok: bool
    retry: bool = False
    retry_after: float | None = None
    error: str = ""


class Sink(Protocol):
    name: str

    async def send(self, items: Sequence[OutboxItem]) -> SendResult: ...

    async def aclose(self) -> None: ...


@dataclass(frozen=True, slots=True)
class Backoff:
    """Capped exponential backoff with equal jitter: after ``n`` failed attempts, a wait drawn uniformly
    between half of and all of ``min(cap, base * 2**n)``; the lower half keeps a bound on how soon an
    event dies (see :data:`DEFAULT_MAX_ATTEMPTS`), the upper half spreads monitors apart."""

    base: float = 1.0
    cap: float = 600.0

    def delay(self, attempts: int, rng: random.Random, retry_after: float | None = None) -> float:
        if retry_after is not None:
            return min(max(retry_after, 0.0), _MAX_RETRY_AFTER)
        ceiling = min(self.cap, self.base * 2.0 ** min(attempts, 62))
        return ceiling / 2 + rng.random() * ceiling / 2


class JsonLinesSink:
    """One JSON object per line, to a file (appended, flushed and fsynced per batch) or ``-`` (stdout)."""

    def __init__(self, target: str) -> None:
        self.name = "jsonl:-" if target == "-" else f"jsonl:{os.path.abspath(target)}"
        self._target = target
        self._file: IO[bytes] | None = None

    def _open(self) -> IO[bytes]:
        if self._file is None:
            self._file = sys.stdout.buffer if self._target == "-" else open(self._target, "ab")  # noqa: SIM115
        return self._file

    async def send(self, items: Sequence[OutboxItem]) -> SendResult:
        try:
            out = self._open()
            out.write(b"".join(item.payload + b"\n" for item in items))
            out.flush()
            if self._target != "-":
                os.fsync(out.fileno())
        except OSError as exc:
            return SendResult(ok=False, retry=True, error=f"write failed: {exc.strerror or exc}")
        return SendResult(ok=True)

    async def aclose(self) -> None:
        if self._file is not None and self._target != "-":
            self._file.close()
        self._file = None


def _display_url(url: str) -> str:
    """The URL without user info (a password must not land in the store or a log line)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, parts.query, ""))


class WebhookSink:
    """POST batches of events to ``url``, signed as Standard Webhooks (``standardwebhooks``).

    The body is ``{"type": "greenstat.events", "timestamp": ..., "data": {"events": [...]}}``; the
    ``webhook-id`` is derived from the events' ids, so a retried batch carries the same id. Receivers
    deduplicate by each event's ``id``.
    """

    def __init__(
        self, url: str, secret: str, *, timeout: float = 10.0, http: httpx.AsyncClient | None = None
    ) -> None:
        from .._extras import extra_imports

        with extra_imports("the monitor's webhooks", "monitor"):
            from standardwebhooks.webhooks import Webhook  # the monitor extra

        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"webhook URL must be http:// or https:// with a host: {_display_url(url)!r}")
        if not secret.startswith("whsec_"):
            raise ValueError("the webhook secret must be in the whsec_ form (whsec_ and base64)")
        try:
            self._signer = Webhook(secret)
        except Exception:
            raise ValueError("the webhook secret is not valid base64 after whsec_") from None
        self.name = f"webhook:{_display_url(url)}"
        self._url = url
        self._http = http or httpx.AsyncClient(timeout=timeout, follow_redirects=False)
        self._owns_http = http is None

    def signed(self, items: Sequence[OutboxItem], now: _dt.datetime) -> tuple[bytes, dict[str, str]]:
        events = b",".join(item.payload for item in items)
        stamp = msgspec.json.encode(now.isoformat().replace("+00:00", "Z"))
        body = b'{"type":"greenstat.events","timestamp":' + stamp + b',"data":{"events":[' + events + b"]}}"
        digest = hashlib.sha256("\x00".join(item.event_id for item in items).encode()).hexdigest()
        msg_id = "msg_" + digest[:32]
        headers = {
            "content-type": "application/json",
            "webhook-id": msg_id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": self._signer.sign(msg_id, now, body),
        }
        return body, headers

    async def send(self, items: Sequence[OutboxItem]) -> SendResult:
        body, headers = self.signed(items, _dt.datetime.now(_dt.UTC))
        try:
            response = await self._http.post(self._url, content=body, headers=headers)
        except httpx.TimeoutException:
            return SendResult(ok=False, retry=True, error="timeout")
        except httpx.TransportError as exc:
            return SendResult(ok=False, retry=True, error=f"connection error: {type(exc).__name__}")
        code = response.status_code
        if 200 <= code < 300:
            return SendResult(ok=True)
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        if code == 429 or code >= 500:
            return SendResult(ok=False, retry=True, retry_after=retry_after, error=f"HTTP {code}")
        return SendResult(ok=False, error=f"HTTP {code} (not retried)")

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()


class Deliverer:
    """Drains the outbox to every sink: batches due events, counts failures, buries the hopeless."""

    def __init__(
        self,
        store: Store,
        sinks: Sequence[Sink],
        *,
        batch: int = DEFAULT_BATCH,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        backoff: Backoff | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.store = store
        self.sinks = list(sinks)
        self.batch = batch
        self.max_attempts = max_attempts
        self.backoff = backoff or Backoff()
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not security
        self.delivered = 0
        self.died = 0
        self._busy = False

    async def deliver(self, now: float, *, rounds: int = 10) -> int:
        """Send what is due now, at most ``rounds`` batches per sink; returns the events acknowledged.

        Several monitors (one per instance) share one deliverer: while one of them is delivering, a call
        from another returns at once (0), or both would read the same due events and send them twice."""
        if self._busy:
            return 0
        self._busy = True
        try:
            return await self._deliver(now, rounds)
        finally:
            self._busy = False

    async def _deliver(self, now: float, rounds: int) -> int:
        done = 0
        for sink in self.sinks:
            for _ in range(rounds):
                items = self.store.due(sink.name, now, self.batch)
                if not items:
                    break
                result = await sink.send(items)
                ids = [item.event_id for item in items]
                if result.ok:
                    self.store.delivered(sink.name, ids)
                    done += len(items)
                    continue
                if result.retry:
                    attempts = max(item.attempts for item in items)
                    wait = self.backoff.delay(attempts, self._rng, result.retry_after)
                    self.died += self.store.retry_later(
                        sink.name, ids, at=now + wait, error=result.error, max_attempts=self.max_attempts,
                        now=now,
                    )  # fmt: skip
                else:
                    self.died += self.store.dead(sink.name, ids, error=result.error, now=now)
                break
        self.delivered += done
        return done

    async def aclose(self) -> None:
        for sink in self.sinks:
            await sink.aclose()
