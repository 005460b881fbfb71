"""Contains all the data models used in inputs/outputs"""

from .correspondents_quota_status import CorrespondentsQuotaStatus
from .error import Error
from .extended_text_message import ExtendedTextMessage
from .incoming_status import IncomingStatus
from .invoke_quota_status import InvokeQuotaStatus
from .outgoing_status import OutgoingStatus
from .outgoing_status_state import OutgoingStatusState
from .quota_exceeded import QuotaExceeded
from .status_direction import StatusDirection
from .status_message_type import StatusMessageType
from .status_statistic import StatusStatistic
from .status_value import StatusValue

__all__ = (
    "CorrespondentsQuotaStatus",
    "Error",
    "ExtendedTextMessage",
    "IncomingStatus",
    "InvokeQuotaStatus",
    "OutgoingStatus",
    "OutgoingStatusState",
    "QuotaExceeded",
    "StatusDirection",
    "StatusMessageType",
    "StatusStatistic",
    "StatusValue",
)
