from collections.abc import Mapping
from typing import Any, TypeVar

import msgspec

from ..types import UNSET, Unset

T = TypeVar("T", bound="Error")


class Error(msgspec.Struct, kw_only=True, gc=False, omit_defaults=True):
    """Error body. Green API does not document error bodies for most codes; this shape (the one its
    gateway returns for JSON errors) is what the reference mock sends. Clients must not rely on more
    than the status code.

    """

    message: str
    """ A human-readable explanation. """

    status_code: int | Unset = msgspec.field(name="statusCode", default=UNSET)
    """ The HTTP status code, repeated. """

    def to_dict(self) -> dict[str, Any]:
        """This object as JSON-ready builtins, with the wire (camelCase) member names."""
        result: dict[str, Any] = msgspec.to_builtins(self)
        return result

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        """Build and validate from decoded JSON; raises ``msgspec.ValidationError`` naming the bad member."""
        return msgspec.convert(src_dict, type=cls, strict=True)
