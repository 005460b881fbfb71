from enum import StrEnum
from typing import Any


class StatusValue(StrEnum):
    DELIVERED = "delivered"
    PENDING = "pending"
    READ = "read"
    SENT = "sent"

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if not isinstance(value, str):
            return None
        cache: dict[str, Any] = cls.__dict__.get("_greenstat_unknown_", {})
        member = cache.get(value)
        if member is None:
            member = str.__new__(cls, value)
            member._name_ = "UNKNOWN"
            member._value_ = value
            cache[value] = member
            type.__setattr__(cls, "_greenstat_unknown_", cache)
        return member

    @property
    def is_known(self) -> bool:
        """False for a value this client was not generated with (a newer API)."""
        return self._name_ != "UNKNOWN"

    def __str__(self) -> str:
        return str(self.value)
