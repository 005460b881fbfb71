"""What ``run_contract_test`` refuses before sending anything: bad arguments and an unreachable URL, each in
one line (:class:`ContractUsageError`), never the token."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from urllib.parse import urlsplit

import requests

from greenstat_ext import _spec as spec
from greenstat_ext._loopback import MOCK_HINT, is_loopback_url
from greenstat_ext._redact import redact

from ._bounded import BoundedAdapter, Limits
from ._defaults import REACHABILITY_TIMEOUT, SUPPLIED_ARGUMENTS
from ._errors import ContractUsageError
from ._spec import load_operations

__all__ = [
    "check_reachable",
    "validate_credentials",
    "validate_seconds",
    "validate_supplied",
    "validate_url",
]


def validate_seconds(flag: str, value: float) -> None:
    # None, NaN and infinity are refused like zero: each would mean "no bound", the hang this prevents.
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < math.inf:
        raise ContractUsageError(f"{flag} must be a positive, finite number of seconds, got {value!r}")


def validate_url(url: str) -> str:
    shown = redact(url)  # a user may paste a full API URL, token included
    try:
        parts = urlsplit(url.strip())
        _ = parts.port  # parses the port: ValueError when it is not a number in 0..65535
        hostname = parts.hostname
    except ValueError as exc:  # e.g. "Invalid IPv6 URL" for http://[::1
        raise ContractUsageError(f"url is not a valid URL ({exc}): {shown!r}") from None
    if parts.scheme not in ("http", "https") or not hostname:
        raise ContractUsageError(f"url must be an http(s) URL such as http://127.0.0.1:8080, got {shown!r}")
    if any(ord(char) < 0x21 or ord(char) == 0x7F for char in url.strip()):
        raise ContractUsageError(f"url must not contain spaces or control characters, got {shown!r}")
    if parts.query or parts.fragment:
        raise ContractUsageError("url must not carry a query or a fragment")
    return url.strip().rstrip("/")


def validate_credentials(id_instance: int, token: str) -> None:
    """Credentials as the spec declares them: idInstance's range, the token's pattern and lengths."""
    low, high = spec.id_instance_range()
    if not low <= id_instance <= high:
        raise ContractUsageError(f"id_instance must be an integer from {low} to {high}")
    limits = spec.token_limits()
    if not limits.matches(token):
        # Never echo the value: it may be a real token with a typo.
        raise ContractUsageError(
            f"token must be {limits.min_length} to {limits.max_length} characters matching {limits.pattern}"
        )


def validate_supplied(supplied: Mapping[str, str]) -> None:
    """Each user-given value must be valid for the parameter of that name, as every operation declares it."""
    for name, value in supplied.items():
        for operation in load_operations():
            for param in operation.query:
                if param.name == name and not _fits(param, value):
                    low = param.min_length or 0
                    top = "" if param.max_length is None else f" to {param.max_length}"
                    pattern = "" if param.pattern is None else f" matching {param.pattern}"
                    raise ContractUsageError(
                        f"{SUPPLIED_ARGUMENTS[name]} must be {low}{top} characters{pattern}"
                    )


def _fits(param: spec.ParameterSpec, value: str) -> bool:
    """Whether ``value`` meets the declared lengths and pattern of the string parameter ``param``."""
    if param.min_length is not None and len(value) < param.min_length:
        return False
    if param.max_length is not None and len(value) > param.max_length:
        return False
    return param.pattern is None or re.search(param.pattern, value) is not None


def check_reachable(base_url: str, max_bytes: int) -> None:
    """Fail fast, in one line, when nothing answers at ``base_url`` (any HTTP head counts as reachable).

    Bounded like every other request: a head dripped byte by byte, or ``100 Continue`` forever, is "no answer
    within 3 s", not a hang. The body is not read.
    """
    with requests.Session() as session:
        adapter = BoundedAdapter(Limits(REACHABILITY_TIMEOUT, max_bytes), read_body=False)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        try:
            session.get(base_url + "/", allow_redirects=False)
        except requests.Timeout:  # NoAnswerInTime included
            raise ContractUsageError(
                f"cannot reach {redact(base_url)}: no answer within {REACHABILITY_TIMEOUT:g} s"
            ) from None
        except requests.RequestException as exc:
            hint = f" - {MOCK_HINT}" if is_loopback_url(base_url) else ""
            raise ContractUsageError(
                f"cannot reach {redact(base_url)}: {_no_answer_reason(exc)}{hint}"
            ) from None


def _no_answer_reason(exc: requests.RequestException) -> str:
    """What went wrong, in a few words: "connection refused" only when it was (a server that answers with a
    70 KB header line is reachable, just broken). requests and urllib3 wrap the socket error in ``args``
    or ``__context__``: a few links are followed, no more (a chain may loop)."""
    cause: object = exc
    for _ in range(8):
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if not isinstance(cause, BaseException):
            break
        wrapped = next((arg for arg in cause.args if isinstance(arg, BaseException)), None)
        cause = cause.__cause__ or wrapped or cause.__context__
    return f"{type(exc).__name__}: {redact(str(exc))[:200]}"
