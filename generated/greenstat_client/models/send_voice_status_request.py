from typing import Annotated

import msgspec

from ..types import UNSET, Model, Unset


class SendVoiceStatusRequest(Model, kw_only=True):
    url_file: str = msgspec.field(name="urlFile")
    """ A direct link to the file (http or https): a download link served as `application/octet-stream` is
    answered 200 but never posted. The 8192-character bound is ours (nginx's default request-line limit).
     """

    file_name: Annotated[
        str,
        msgspec.Meta(
            min_length=5,
            max_length=255,
            pattern="^[^/\\\\\\x00-\\x1f\\x7f]*[^/\\\\.\\x00-\\x1f\\x7f][.]([mM][pP]3|[wW][aA][vV])$",
        ),
    ] = msgspec.field(name="fileName")
    """ The audio file's name with its extension, `.mp3` or `.wav`; no path separator or control character. """

    background_color: str | Unset = msgspec.field(name="backgroundColor", default=UNSET)
    """ The background colour, `#RRGGBB`. Optional; the default is disputed between the pages (`#FFFFFF`
    or `#000000`). The text is drawn in white, so white is a poor choice.
     """

    participants: list[str] | Unset = msgspec.field(default=UNSET)
    """ The chat ids allowed to see the status. Empty or absent: every contact. Ids that are not contacts
    are skipped silently. At most 1024: older pages say a status reaches only the first 1024 contacts
    (the newest pages drop the sentence: UNCONFIRMED), so a longer list cannot be served.
     """
