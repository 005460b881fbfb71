from collections.abc import Mapping
from typing import Any, TypeVar

import msgspec

from ..models.status_value import StatusValue

T = TypeVar("T", bound="StatusStatistic")


class StatusStatistic(msgspec.Struct, kw_only=True, gc=False, omit_defaults=True):
    """One recipient of the status and its state.

    `additionalProperties` is deliberately left open (not `false`): Green API may add fields to this
    object without notice (the method is beta), and a client that rejected them would break on a
    harmless change. Every declared field is still required and strictly typed, so the contract stays
    strict where it matters; clients ignore (and may surface) unknown fields.

    """

    participant: str
    """ The recipient's chat id, e.g. `11001234567@c.us`. (The published page says "array": an erratum.)
     """

    timestamp: int
    """ UNIX time (seconds) of the last action on the status for this recipient. """

    status: StatusValue
    """ `pending`: being sent; `sent`: sent; `delivered`: delivered; `read`: read, viewed or listened to.
    States only move forward, in this order. Clients should tolerate values added in the future.
     """

    def to_dict(self) -> dict[str, Any]:
        """This object as JSON-ready builtins, with the wire (camelCase) member names."""
        result: dict[str, Any] = msgspec.to_builtins(self)
        return result

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        """Build and validate from decoded JSON; raises ``msgspec.ValidationError`` naming the bad member."""
        return msgspec.convert(src_dict, type=cls, strict=True)
