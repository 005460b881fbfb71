"""greenstat: a typed client for Green API's Statuses methods, over the generated ``greenstat_client``.

Everything public is re-exported here; the underscored modules are private and may change. ``RawResponse`` is
the generated package's Protocol (what the generated facade's ``with_raw_response`` methods are typed with);
``_response.RawResponse`` is the class that implements it.
"""

from greenstat_client.models import SendStatusResult, StatusFont
from greenstat_client.types import RawResponse

from ._client import DEFAULT_TIMEOUT, AsyncGreenStat, GreenStat
from ._credentials import (
    DEFAULT_API_URL,
    ENV_API_URL,
    ENV_ID_INSTANCE,
    ENV_TOKEN,
    ApiToken,
    Credentials,
)
from ._errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClientClosedRequestError,
    ConfigurationError,
    GreenStatError,
    InvalidRequestError,
    OutcomeUnknownError,
    PermissionDeniedError,
    QuotaExceededError,
    RateLimitError,
    ResponseTooLargeError,
    ResponseValidationError,
    ServerError,
    UnexpectedStatusError,
)
from ._ratelimit import LimiterBackend, RateLimiter
from ._ratelimit_redis import ENV_RATE_LIMIT_STORE, RedisRateLimiter
from ._redact import RedactingFilter, install_log_redaction, redact
from ._retry import RETRYABLE_STATUSES, RetryPolicy, parse_retry_after
from ._summary import StatusSummary, summarize
from ._version import __version__

__all__ = [
    "DEFAULT_API_URL",
    "DEFAULT_TIMEOUT",
    "ENV_API_URL",
    "ENV_ID_INSTANCE",
    "ENV_RATE_LIMIT_STORE",
    "ENV_TOKEN",
    "RETRYABLE_STATUSES",
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "ApiToken",
    "AsyncGreenStat",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedRequestError",
    "ConfigurationError",
    "Credentials",
    "GreenStat",
    "GreenStatError",
    "InvalidRequestError",
    "OutcomeUnknownError",
    "LimiterBackend",
    "PermissionDeniedError",
    "QuotaExceededError",
    "RateLimitError",
    "RateLimiter",
    "RawResponse",
    "RedactingFilter",
    "RedisRateLimiter",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "RetryPolicy",
    "SendStatusResult",
    "ServerError",
    "StatusFont",
    "StatusSummary",
    "UnexpectedStatusError",
    "__version__",
    "install_log_redaction",
    "parse_retry_after",
    "redact",
    "summarize",
]
