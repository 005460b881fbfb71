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
from greenstat_ext._spec import id_instance_range, token_limits

from ._faults import FaultSettings
from ._state import DEMO_ID_INSTANCE, DEMO_TOKEN, Clock

__all__ = ["ID_INSTANCE_MAX", "MockSettings"]

ID_INSTANCE_MAX: int = id_instance_range()[1]
"""The spec's largest ``idInstance``."""


@dataclass(frozen=True, kw_only=True)
class MockSettings:
    """The mock's instance, its data and its switches.

    - ``rate_limit``: ``None`` (default) limits each operation per instance at its spec ``x-rate-limit``;
      a number sets that many requests per second per instance and operation instead; ``0`` turns it off.
    - ``quota_exceeded``: every authorised request gets 466 with the documented quota body.
    - ``beta_access``: False makes the instance answer 403 (no access to the beta Statuses methods).
    - ``data``: statuses to serve as given (``idMessage`` → recipients), on top of the demo statuses.
    - ``clock``: UNIX time source for progression and the rate limit (tests pass a fake one).
    """

    id_instance: int = DEMO_ID_INSTANCE
    token: str = field(default=DEMO_TOKEN, repr=False)
    seed: int = 0
    rate_limit: float | None = None
    faults: FaultSettings = field(default_factory=FaultSettings)
    quota_exceeded: bool = False
    beta_access: bool = True
    data: Mapping[str, Sequence[StatusStatistic]] | None = None
    clock: Clock | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        low, high = id_instance_range()
        if isinstance(self.id_instance, bool) or not low <= self.id_instance <= high:
            raise ValueError(f"id_instance must be an integer from {low} to {high}, got {self.id_instance!r}")
        token = token_limits()
        if not isinstance(self.token, str) or not token.matches(self.token):
            # Never echo the token itself: it is a secret even when it is malformed.
            raise ValueError(
                f"token must be {token.min_length} to {token.max_length} ASCII letters and digits "
                f"(openapi.yaml apiTokenInstance: {token.pattern})"
            )
        if self.rate_limit is not None and not (self.rate_limit >= 0 and math.isfinite(self.rate_limit)):
            raise ValueError(f"rate_limit must be a finite number >= 0 requests/s, got {self.rate_limit!r}")
