"""What one mock instance accepts and how it behaves; validated once, so the app never meets a bad value.

Why a frozen dataclass: the settings are shared by the app, the server thread and the test that built
them; freezing them means what a test configured is what the server does. The token is kept out of
``repr`` so that printing the settings (a test failure, a debugger) never shows it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from greenstat_client.models import StatusStatistic
from greenstat_ext._spec import id_instance_range, slowest_rate, token_limits

from ._faults import FaultSettings
from ._state import DEMO_ID_INSTANCE, DEMO_TOKEN, Clock

__all__ = ["ID_INSTANCE_MAX", "TOKEN_PATTERN", "MockSettings"]

ID_INSTANCE_MAX = id_instance_range()[1]
TOKEN_PATTERN = token_limits().bounded_regex
"""The spec's ``apiTokenInstance`` (alphabet and lengths read from the spec), for ``fullmatch``."""


@dataclass(frozen=True, kw_only=True)
class MockSettings:
    """The mock's instance, its data and its switches.

    - ``rate_limit``: requests per second per instance (Green API: 1); ``0`` turns the limit off.
    - ``quota_exceeded``: every authorised request gets 466 with the documented quota body.
    - ``beta_access``: False makes the instance answer 403 (no access to the beta Statuses methods).
    - ``data``: statuses to serve as given (``idMessage`` → recipients), on top of the demo statuses.
    - ``clock``: UNIX time source for progression and the rate limit (tests pass a fake one).
    """

    id_instance: int = DEMO_ID_INSTANCE
    token: str = field(default=DEMO_TOKEN, repr=False)
    seed: int = 0
    rate_limit: float = slowest_rate()
    faults: FaultSettings = field(default_factory=FaultSettings)
    quota_exceeded: bool = False
    beta_access: bool = True
    data: Mapping[str, Sequence[StatusStatistic]] | None = None
    clock: Clock | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if isinstance(self.id_instance, bool) or not 1 <= self.id_instance <= ID_INSTANCE_MAX:
            raise ValueError(
                f"id_instance must be an integer from 1 to {ID_INSTANCE_MAX}, got {self.id_instance!r}"
            )
        if not isinstance(self.token, str) or TOKEN_PATTERN.fullmatch(self.token) is None:
            # Never echo the token itself: it is a secret even when it is malformed.
            raise ValueError(
                f"token must be {token_limits().min_length} to {token_limits().max_length} ASCII letters and "
                "digits (openapi.yaml apiTokenInstance)"
            )
        if not (self.rate_limit >= 0 and math.isfinite(self.rate_limit)):
            raise ValueError(f"rate_limit must be a finite number >= 0 requests/s, got {self.rate_limit!r}")
