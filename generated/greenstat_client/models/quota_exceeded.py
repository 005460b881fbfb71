import msgspec

from ..models.correspondents_quota_status import CorrespondentsQuotaStatus
from ..models.invoke_quota_status import InvokeQuotaStatus
from ..types import Model


class QuotaExceeded(Model, kw_only=True):
    """Body of a 466 answer. `used`/`total` are integers (the published table says strings, its examples integers)."""

    invoke_status: InvokeQuotaStatus = msgspec.field(name="invokeStatus")

    correspondents_status: CorrespondentsQuotaStatus = msgspec.field(name="correspondentsStatus")
