from typing import Annotated

import msgspec

from ..types import UNSET, Model, Unset


class SendMediaStatusRequest(Model, kw_only=True):
    url_file: str = msgspec.field(name="urlFile")
    """ A direct link to the file (http or https): a download link served as `application/octet-stream` is
    answered 200 but never posted. The 2048-character bound is ours (a common URL limit).
     """

    file_name: Annotated[
        str,
        msgspec.Meta(
            min_length=3,
            max_length=255,
            pattern="\u003copenapi_python_client.schema.untrusted_string.UntrustedString object at 0x7fee1259f6d0\u003e",
        ),
    ] = msgspec.field(name="fileName")
    """ The file's name with its extension (e.g. `horse.png`), which tells its kind. """

    caption: Annotated[str, msgspec.Meta(max_length=1024)] | Unset = msgspec.field(default=UNSET)
    """ The caption under the image or video, at most 1024 characters. """

    participants: list[str] | Unset = msgspec.field(default=UNSET)
    """ The chat ids allowed to see the status. Empty or absent: every contact. Ids that are not contacts
    are skipped silently. At most 1024: older pages say a status reaches only the first 1024 contacts
    (the newest pages drop the sentence: UNCONFIRMED), so a longer list cannot be served.
     """
