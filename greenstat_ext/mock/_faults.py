"""Fault injection: a seeded share of requests fails the way Green API's gateway fails in the wild.

Why seeded and ordered: a retry test must fail the same way on every run, so the injector draws from its
own ``random.Random(seed)`` once per request, in arrival order. A sequential client therefore sees the same
faults at the same requests every time. Why per kind weights: a test of "499 is retried with a longer
timeout" wants only 499s; a soak test wants a mix.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

__all__ = ["ConnectionDropped", "FaultInjector", "FaultKind", "FaultSettings"]


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

    def __post_init__(self) -> None:
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError(f"fault rate must be between 0 and 1, got {self.rate!r}")
        if self.retry_after < 0:
            raise ValueError(f"retry_after must be >= 0 seconds, got {self.retry_after!r}")
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


class FaultInjector:
    """Decides, per request and in arrival order, whether and how it fails."""

    def __init__(self, settings: FaultSettings) -> None:
        self.settings = settings
        self._rng = random.Random(settings.seed)  # noqa: S311 - reproducible test faults, not security
        self._kinds = [kind for kind, _ in settings.weights]
        self._weights = [weight for _, weight in settings.weights]
        self._lock = threading.Lock()

    def draw(self) -> FaultKind | None:
        """The fault for the next request, or None. Always consumes the same randomness per call."""
        if self.settings.rate <= 0:
            return None
        with self._lock:
            hit = self._rng.random() < self.settings.rate
            kind = self._rng.choices(self._kinds, weights=self._weights)[0]
        return kind if hit else None
