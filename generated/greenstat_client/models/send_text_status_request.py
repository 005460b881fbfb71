from typing import Annotated

import msgspec

from ..models.status_font import StatusFont
from ..types import UNSET, Model, Unset


class SendTextStatusRequest(Model, kw_only=True):
    message: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
    """ The text of the status, at most 500 characters (UTF-8, emoji allowed). """

    background_color: str | Unset = msgspec.field(name="backgroundColor", default=UNSET)
    """ The background colour, `#RRGGBB`. Optional; the default is disputed between the pages (`#FFFFFF`
    or `#000000`). The text is drawn in white, so white is a poor choice.
     """

    font: StatusFont | Unset = msgspec.field(default=UNSET)
    """ The font of a text status. `NORICAN_REGULAR` draws Latin letters only. The default is not
    documented.
     """

    participants: list[str] | Unset = msgspec.field(default=UNSET)
    """ The chat ids allowed to see the status. Empty or absent: every contact. Ids that are not contacts
    are skipped silently. At most 1024: older pages say a status reaches only the first 1024 contacts
    (the newest pages drop the sentence: UNCONFIRMED), so a longer list cannot be served.
     """
