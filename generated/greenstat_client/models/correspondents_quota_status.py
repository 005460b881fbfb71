from collections.abc import Mapping
from typing import Any, TypeVar

import msgspec

T = TypeVar("T", bound="CorrespondentsQuotaStatus")


class CorrespondentsQuotaStatus(msgspec.Struct, kw_only=True, gc=False, omit_defaults=True):
    used: int

    total: int

    status: str
    """ `CORRESPONDENTS_QUOTE_EXCEEDED` or `CORRESPONDENTS_QUOTE_ALLOWED` (open set). """

    description: str

    def to_dict(self) -> dict[str, Any]:
        """This object as JSON-ready builtins, with the wire (camelCase) member names."""
        result: dict[str, Any] = msgspec.to_builtins(self)
        return result

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        """Build and validate from decoded JSON; raises ``msgspec.ValidationError`` naming the bad member."""
        return msgspec.convert(src_dict, type=cls, strict=True)
