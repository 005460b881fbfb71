from typing import Annotated

import msgspec

from ..types import Model


class InvokeQuotaStatus(Model, kw_only=True):
    method: str
    """ The method whose quota was checked. """

    used: Annotated[int, msgspec.Meta(ge=0)]

    total: Annotated[int, msgspec.Meta(ge=0)]

    status: str
    """ `QUOTE_EXCEEDED` or `QUOTE_ALLOWED` (open set: the docs also spell it `QUOTA_...`). """

    description: str
