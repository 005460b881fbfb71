from collections.abc import Mapping
from typing import Any, TypeVar

import msgspec

from ..models.correspondents_quota_status import CorrespondentsQuotaStatus
from ..models.invoke_quota_status import InvokeQuotaStatus

T = TypeVar("T", bound="QuotaExceeded")


class QuotaExceeded(msgspec.Struct, kw_only=True, gc=False, omit_defaults=True):
    """Body of a 466 answer. `used`/`total` are integers (the published table says strings, its examples integers)."""

    invoke_status: InvokeQuotaStatus = msgspec.field(name="invokeStatus")

    correspondents_status: CorrespondentsQuotaStatus = msgspec.field(name="correspondentsStatus")

    def to_dict(self) -> dict[str, Any]:
        """This object as JSON-ready builtins, with the wire (camelCase) member names."""
        result: dict[str, Any] = msgspec.to_builtins(self)
        return result

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        """Build and validate from decoded JSON; raises ``msgspec.ValidationError`` naming the bad member."""
        return msgspec.convert(src_dict, type=cls, strict=True)
