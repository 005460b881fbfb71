"""Contains all the data models used in inputs/outputs"""

from .correspondents_quota_status import CorrespondentsQuotaStatus
from .error import Error
from .invoke_quota_status import InvokeQuotaStatus
from .quota_exceeded import QuotaExceeded
from .status_statistic import StatusStatistic
from .status_value import StatusValue

__all__ = (
    "CorrespondentsQuotaStatus",
    "Error",
    "InvokeQuotaStatus",
    "QuotaExceeded",
    "StatusStatistic",
    "StatusValue",
)
