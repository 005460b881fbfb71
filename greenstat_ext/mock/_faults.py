"""Fault injection: a seeded share of requests fails the way Green API's gateway fails in the wild.

Why seeded and ordered: a retry test must fail the same way on every run, so the injector draws from its
own ``random.Random(seed)`` once per request, in arrival order. A sequential client therefore sees the same
faults at the same requests every time. Why per kind weights: a test of "499 is retried with a longer
timeout" wants only 499s; a soak test wants a mix.

Why a fault may strike after a write acted: on a real gateway a 500, a 499, a 502 or a dropped connection can
come after the status was posted or deleted (the backend acted, the answer was lost), and a client that
assumes "an error means nothing happened" posts twice. So for an operation that acts (a write), each fault
that can happen late (everything but 429, which promises the request was not served) strikes *after* the
handler with probability ``after``, drawn from a second seeded generator (so the reads' fault sequence is
the same with or without writes in between, and both timings are reproducible). A late ``delay`` answers
late after acting: a client that times out meanwhile does not know the status exists.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

__all__ = ["LATE_KINDS", "ConnectionDropped", "FaultInjector", "FaultKind", "FaultSettings"]


class FaultKind(StrEnum):
    """What an injected fault does. The HTTP ones answer the status documented in ``openapi.yaml``."""

    TOO_MANY_REQUESTS = "429"
    """429 with a ``Retry-After`` header of ``retry_after`` seconds."""
    CLIENT_CLOSED = "499"
    """499 Client Closed Request (nginx's code for a request that took too long)."""
    INTERNAL_ERROR = "500"
    """500 Internal Server Error."""
    BAD_GATEWAY = "502"
    """502 Bad Gateway."""
    DROP = "drop"
    """The connection is closed after the status line and headers, before the body (over real HTTP only)."""
    DELAY = "delay"
    """The normal answer, ``delay`` seconds late."""


class ConnectionDropped(Exception):
    """Raised by the app to make uvicorn close the connection mid-response (the ``drop`` fault)."""


def _normalise(
    kinds: Mapping[FaultKind | str, float] | Collection[FaultKind | str],
) -> tuple[tuple[FaultKind, float], ...]:
    weights = dict(kinds) if isinstance(kinds, Mapping) else dict.fromkeys(kinds, 1.0)
    result: list[tuple[FaultKind, float]] = []
    for raw, weight in weights.items():
        try:
            kind = FaultKind(raw)
        except ValueError:
            allowed = ", ".join(k.value for k in FaultKind)
            raise ValueError(f"unknown fault kind {raw!r}; expected one of {allowed}") from None
        if not (weight >= 0 and weight != float("inf")):
            raise ValueError(f"fault kind {kind.value}: weight must be a finite number >= 0, got {weight!r}")
        if weight > 0:
            result.append((kind, float(weight)))
    return tuple(result)


@dataclass(frozen=True, kw_only=True)
class FaultSettings:
    """Which share of requests fails, how, and how long a 429 asks to wait or a delay lasts.

    ``kinds`` is either a collection of kinds (equal weights) or a mapping kind → weight.
    """

    rate: float = 0.0
    seed: int = 0
    kinds: Mapping[FaultKind | str, float] | Collection[FaultKind | str] = field(
        default_factory=lambda: tuple(FaultKind)
    )
    retry_after: int = 1
    delay: float = 0.5
    after: float = 0.5
    """Of the faults that strike a write and can come late, the share that strikes after it acted."""
    regress_statistic_at: int | None = None
    """A temporal defect, once: the n-th non-empty answer of ``getStatusStatistic`` for an ``idMessage``
    (counted per id, from 1) shows its furthest recipient one state back. Every answer is valid on its own;
    only the sequence is broken (what the contract kit's ``recipient_state_monotonic`` must catch)."""

    def __post_init__(self) -> None:
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError(f"fault rate must be between 0 and 1, got {self.rate!r}")
        if not 0.0 <= self.after <= 1.0:
            raise ValueError(f"fault 'after' share must be between 0 and 1, got {self.after!r}")
        if self.retry_after < 0:
            raise ValueError(f"retry_after must be >= 0 seconds, got {self.retry_after!r}")
        if self.regress_statistic_at is not None and not (
            isinstance(self.regress_statistic_at, int) and self.regress_statistic_at >= 1
        ):
            raise ValueError(
                f"regress_statistic_at must be an answer number >= 1, got {self.regress_statistic_at!r}"
            )
        if not 0.0 <= self.delay <= 60.0:
            raise ValueError(f"fault delay must be between 0 and 60 seconds, got {self.delay!r}")
        weighted = _normalise(self.kinds)
        if self.rate > 0 and not weighted:
            raise ValueError("fault rate > 0 needs at least one fault kind with a weight > 0")
        object.__setattr__(self, "kinds", MappingProxyType(dict(weighted)))

    @property
    def weights(self) -> tuple[tuple[FaultKind, float], ...]:
        """The enabled kinds and their weights, in a stable order."""
        return _normalise(self.kinds)


LATE_KINDS = frozenset(set(FaultKind) - {FaultKind.TOO_MANY_REQUESTS})
"""The kinds that may strike after a write acted (not 429: a 429 says the request was not served)."""


# Statuses whose answers ``regress_statistic_at`` counts at most: a client asking for endless made-up ids
# cannot grow the mock's memory (an id beyond it is never regressed).
_MAX_COUNTED = 4096


class FaultInjector:
    """Decides, per request and in arrival order, whether and how it fails (and for a write, when)."""

    def __init__(self, settings: FaultSettings) -> None:
        self.settings = settings
        self._rng = random.Random(settings.seed)  # noqa: S311 - reproducible test faults, not security
        self._timing = random.Random(f"{settings.seed}:after")  # noqa: S311 - reproducible test faults
        self._kinds = [kind for kind, _ in settings.weights]
        self._weights = [weight for _, weight in settings.weights]
        self._lock = threading.Lock()
        self._statistic_answers: dict[str, int] = {}  # idMessage -> non-empty answers so far (bounded)

    def regresses(self, id_message: str) -> bool:
        """Whether this non-empty statistics answer for ``id_message`` is the one that goes back in time."""
        at = self.settings.regress_statistic_at
        if at is None:
            return False
        with self._lock:
            count = self._statistic_answers.get(id_message, 0) + 1
            if count <= at and (
                id_message in self._statistic_answers or len(self._statistic_answers) < _MAX_COUNTED
            ):
                self._statistic_answers[id_message] = count
            return count == at

    def draw(self) -> FaultKind | None:
        """The fault for the next request, or None. Always consumes the same randomness per call."""
        if self.settings.rate <= 0:
            return None
        with self._lock:
            hit = self._rng.random() < self.settings.rate
            kind = self._rng.choices(self._kinds, weights=self._weights)[0]
        return kind if hit else None

    def strikes_after(self, kind: FaultKind) -> bool:
        """For a write struck by ``kind``: whether the fault comes after the handler acted (see the module
        docstring). Consumes randomness only for the kinds that can be late."""
        if kind not in LATE_KINDS:
            return False
        with self._lock:
            return self._timing.random() < self.settings.after
