from typing import Annotated

import msgspec

from ..models.status_value import StatusValue
from ..types import Model


class StatusStatistic(Model, kw_only=True):
    """One recipient of the status and its state.

    `additionalProperties` is deliberately left open (not `false`): Green API may add fields to this
    object without notice (the method is beta), and a client that rejected them would break on a
    harmless change. Every declared field is still required and strictly typed, so the contract stays
    strict where it matters; clients ignore (and may surface) unknown fields.

    """

    participant: Annotated[str, msgspec.Meta(min_length=1)]
    """ The recipient's chat id, e.g. `11001234567@c.us`. (The published page says "array": an erratum.)
     """

    timestamp: Annotated[int, msgspec.Meta(ge=0, le=9223372036854775807)]
    """ UNIX time (seconds) of the last action on the status for this recipient. """

    status: StatusValue
    """ `pending`: being sent; `sent`: sent; `delivered`: delivered; `read`: read, viewed or listened to.
    States only move forward, in this order. Clients should tolerate values added in the future.
     """
