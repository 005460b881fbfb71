"""Contains all the data models used in inputs/outputs"""

from .correspondents_quota_status import CorrespondentsQuotaStatus
from .delete_status_request import DeleteStatusRequest
from .error import Error
from .extended_text_message import ExtendedTextMessage
from .incoming_status import IncomingStatus
from .invoke_quota_status import InvokeQuotaStatus
from .outgoing_status import OutgoingStatus
from .outgoing_status_state import OutgoingStatusState
from .quota_exceeded import QuotaExceeded
from .send_media_status_request import SendMediaStatusRequest
from .send_status_result import SendStatusResult
from .send_text_status_request import SendTextStatusRequest
from .send_voice_status_request import SendVoiceStatusRequest
from .status_direction import StatusDirection
from .status_font import StatusFont
from .status_message_type import StatusMessageType
from .status_statistic import StatusStatistic
from .status_value import StatusValue

__all__ = (
    "CorrespondentsQuotaStatus",
    "DeleteStatusRequest",
    "Error",
    "ExtendedTextMessage",
    "IncomingStatus",
    "InvokeQuotaStatus",
    "OutgoingStatus",
    "OutgoingStatusState",
    "QuotaExceeded",
    "SendMediaStatusRequest",
    "SendStatusResult",
    "SendTextStatusRequest",
    "SendVoiceStatusRequest",
    "StatusDirection",
    "StatusFont",
    "StatusMessageType",
    "StatusStatistic",
    "StatusValue",
)
