"""greenstat: a typed client for Green API's Statuses methods, over the generated ``greenstat_client``.

Everything public is re-exported here; the underscored modules are private and may change. ``RawResponse`` is
the generated package's Protocol (what the generated facade's ``with_raw_response`` methods are typed with);
``_response.RawResponse`` is the class that implements it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from greenstat_client.models import SendStatusResult, StatusFont
    from greenstat_client.types import RawResponse

    from ._client import AsyncGreenStat, GreenStat
    from ._client_base import DEFAULT_TIMEOUT
    from ._credentials import ApiToken, Credentials
    from ._environment import DEFAULT_API_URL, ENV_API_URL, ENV_ID_INSTANCE, ENV_TOKEN
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

#: Where each public name lives. Why lazy (PEP 562): ``import greenstat_ext.cli`` (every ``greenstat``
#: command, ``--help`` included) runs this file; importing the client here made each of them load httpx and
#: the generated package first. A name is imported on first use and then cached in this module.
_HOME: dict[str, str] = {
    "RawResponse": "greenstat_client.types",
    "SendStatusResult": "greenstat_client.models",
    "StatusFont": "greenstat_client.models",
    "DEFAULT_TIMEOUT": "._client_base",
    "AsyncGreenStat": "._client",
    "GreenStat": "._client",
    "DEFAULT_API_URL": "._environment",
    "ENV_API_URL": "._environment",
    "ENV_ID_INSTANCE": "._environment",
    "ENV_TOKEN": "._environment",
    "ApiToken": "._credentials",
    "Credentials": "._credentials",
    "APIConnectionError": "._errors",
    "APIError": "._errors",
    "APIStatusError": "._errors",
    "APITimeoutError": "._errors",
    "AuthenticationError": "._errors",
    "BadRequestError": "._errors",
    "ClientClosedRequestError": "._errors",
    "ConfigurationError": "._errors",
    "GreenStatError": "._errors",
    "InvalidRequestError": "._errors",
    "OutcomeUnknownError": "._errors",
    "PermissionDeniedError": "._errors",
    "QuotaExceededError": "._errors",
    "RateLimitError": "._errors",
    "ResponseTooLargeError": "._errors",
    "ResponseValidationError": "._errors",
    "ServerError": "._errors",
    "UnexpectedStatusError": "._errors",
    "LimiterBackend": "._ratelimit",
    "RateLimiter": "._ratelimit",
    "ENV_RATE_LIMIT_STORE": "._ratelimit_redis",
    "RedisRateLimiter": "._ratelimit_redis",
    "RedactingFilter": "._redact",
    "install_log_redaction": "._redact",
    "redact": "._redact",
    "RETRYABLE_STATUSES": "._retry",
    "RetryPolicy": "._retry",
    "parse_retry_after": "._retry",
    "StatusSummary": "._summary",
    "summarize": "._summary",
    "__version__": "._version",
}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


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
    "LimiterBackend",
    "OutcomeUnknownError",
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
