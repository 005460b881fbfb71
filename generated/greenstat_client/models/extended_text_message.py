import msgspec

from ..types import UNSET, Model, Unset


class ExtendedTextMessage(Model, kw_only=True):
    """The text of a text status and how it is drawn. Only seen in the published examples and in Green
    API's TypeScript SDK (the docs' table rows for it are not visible: UNCONFIRMED), so only `text` is
    required. One published outgoing example nests `participants` here instead of at the top level:
    accepted in both places. Open to new fields.

    """

    text: str
    """ The text of the status (at most 500 characters when sent through the API). """

    background_color: str | Unset = msgspec.field(name="backgroundColor", default=UNSET)
    """ The background colour, `#RRGGBB` (no pattern: the format is shown only by examples). """

    font: str | Unset = msgspec.field(default=UNSET)
    """ The font: `SERIF`, `SANS_SERIF`, `NORICAN_REGULAR`, `BRYNDAN_WRITE` or `OSWALD_HEAVY` (an open
    set, kept a plain string).
     """

    participants: list[str] | Unset = msgspec.field(default=UNSET)
    """ The audience, where one published outgoing example puts it (see `OutgoingStatus`). """
