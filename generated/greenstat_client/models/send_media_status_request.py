from typing import Annotated

import msgspec

from ..types import UNSET, Model, Unset


class SendMediaStatusRequest(Model, kw_only=True):
    url_file: str = msgspec.field(name="urlFile")
    """ A direct link to the file (http or https): a download link served as `application/octet-stream` is
    answered 200 but never posted. The 8192-character bound is ours (nginx's default request-line limit).
     """

    file_name: Annotated[
        str,
        msgspec.Meta(
            min_length=3,
            max_length=255,
            pattern="^[^/\\\\\\x00-\\x1f\\x7f]*[^/\\\\.\\x00-\\x1f\\x7f][.][A-Za-z0-9]+$",
        ),
    ] = msgspec.field(name="fileName")
    """ The file's name with its extension (e.g. `horse.png`), which tells its kind; no path separator or control
    character. """

    caption: Annotated[str, msgspec.Meta(max_length=1024)] | Unset = msgspec.field(default=UNSET)
    """ The caption under the image or video, at most 1024 characters. """

    participants: list[str] | Unset = msgspec.field(default=UNSET)
    """ The chat ids allowed to see the status. Empty or absent: every contact. Ids that are not contacts
    are skipped silently. At most 1024: older pages say a status reaches only the first 1024 contacts
    (the newest pages drop the sentence: UNCONFIRMED), so a longer list cannot be served.
     """
