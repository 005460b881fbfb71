from typing import Annotated

import msgspec

from ..types import Model


class CorrespondentsQuotaStatus(Model, kw_only=True):
    used: Annotated[int, msgspec.Meta(ge=0)]

    total: Annotated[int, msgspec.Meta(ge=0)]

    status: str
    """ `CORRESPONDENTS_QUOTE_EXCEEDED` or `CORRESPONDENTS_QUOTE_ALLOWED` (open set). """

    description: str
