from enum import StrEnum
from functools import lru_cache
from typing import Any

#: How many distinct unknown values keep a shared pseudo-member (older ones are rebuilt on demand).
UNKNOWN_CACHE_SIZE = 256


class StatusFont(StrEnum):
    BRYNDAN_WRITE = "BRYNDAN_WRITE"
    NORICAN_REGULAR = "NORICAN_REGULAR"
    OSWALD_HEAVY = "OSWALD_HEAVY"
    SANS_SERIF = "SANS_SERIF"
    SERIF = "SERIF"

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if not isinstance(value, str):
            return None
        # An exact ``str`` as the cache key: a str subclass could carry state (or a custom hash).
        return _unknown(str.__str__(value))

    @property
    def is_known(self) -> bool:
        """False for a value this client was not generated with (a newer API)."""
        return self._name_ != "UNKNOWN"

    def __str__(self) -> str:
        return str(self.value)


@lru_cache(maxsize=UNKNOWN_CACHE_SIZE)
def _unknown(value: str) -> StatusFont:
    """The pseudo-member for a value the enum does not know (see ``UNKNOWN_CACHE_SIZE``)."""
    member = str.__new__(StatusFont, value)
    member._name_ = "UNKNOWN"
    member._value_ = value
    return member
