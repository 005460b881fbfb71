"""Credentials: bound once, validated before any request, and impossible to print by accident.

The token is held in :class:`ApiToken`, whose ``str``/``repr``/``format`` are masked: a client, a
dataclass or an f-string that embeds it shows ``'**********'``. The raw value is only reachable through
:meth:`ApiToken.get_secret_value`, which the client calls once per request to build the path.
"""

from __future__ import annotations

import hmac
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

import httpx

from ._environment import DEFAULT_API_URL, ENV_API_URL, ENV_ID_INSTANCE, ENV_TOKEN
from ._errors import ConfigurationError
from ._redact import redact, register_secret
from ._spec import id_instance_range, token_limits

ID_INSTANCE_MIN, ID_INSTANCE_MAX = id_instance_range()
TOKEN_MIN_LEN, TOKEN_MAX_LEN = token_limits().min_length, token_limits().max_length
_TOKEN_RE = token_limits().regex
_MASKED = "**********"
#: A ``waInstance{id}`` path segment, any case (``_redact`` masks such paths the same way).
_INSTANCE_SEGMENT = re.compile(r"wainstance", re.IGNORECASE)


class ApiToken:
    """The instance token. Compares in constant time; never shows its value in ``str``/``repr``."""

    __slots__ = ("_secret",)

    def __init__(self, secret: str) -> None:
        if not isinstance(secret, str):
            raise ConfigurationError("api_token", f"must be a string, got {type(secret).__name__}")
        if not secret:
            raise ConfigurationError("api_token", "must not be empty")
        if not TOKEN_MIN_LEN <= len(secret) <= TOKEN_MAX_LEN or not _TOKEN_RE.fullmatch(secret):
            others = sum(1 for c in secret if not (c.isascii() and c.isalnum()))
            raise ConfigurationError(
                "api_token",
                f"must be {TOKEN_MIN_LEN} to {TOKEN_MAX_LEN} ASCII letters and digits "
                f"(got {len(secret)} characters, {others} of them other characters)",
            )
        self._secret = secret
        register_secret(secret)

    def get_secret_value(self) -> str:
        """The raw token. Call it only to build the request path."""
        return self._secret

    def __repr__(self) -> str:
        return f"ApiToken('{_MASKED}')"

    def __str__(self) -> str:
        return _MASKED

    def __format__(self, format_spec: str) -> str:
        return format(_MASKED, format_spec)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ApiToken):
            return NotImplemented
        return hmac.compare_digest(self._secret.encode(), other._secret.encode())

    def __hash__(self) -> int:
        return hash(("ApiToken", self._secret))

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("ApiToken cannot be pickled: that would write the token to disk or a pipe")


def _validate_id_instance(value: object) -> int:
    if isinstance(value, bool):
        raise ConfigurationError("id_instance", "must be an integer, got bool")
    if isinstance(value, str):
        text = value.strip()
        if not text.isascii() or not text.isdigit():
            # The shape, never the value: a token pasted into the wrong variable must not be printed.
            others = sum(1 for c in text if not (c.isascii() and c.isdigit()))
            raise ConfigurationError(
                "id_instance",
                f"must be digits only (got {len(text)} characters, {others} of them not digits)",
            )
        value = int(text)
    if not isinstance(value, int):
        raise ConfigurationError("id_instance", f"must be an integer, got {type(value).__name__}")
    if not ID_INSTANCE_MIN <= value <= ID_INSTANCE_MAX:
        # A token may be all digits: a number longer than any idInstance is described, not shown.
        digits = len(str(abs(value)))
        got = str(value) if digits <= len(str(ID_INSTANCE_MAX)) else f"a number of {digits} digits"
        raise ConfigurationError(
            "id_instance", f"must be from {ID_INSTANCE_MIN} to {ID_INSTANCE_MAX} (got {got})"
        )
    return value


def _validate_api_url(value: object) -> str:
    if not isinstance(value, str):
        raise ConfigurationError("api_url", f"must be a string, got {type(value).__name__}")
    try:
        url = httpx.URL(value.strip())
    except httpx.InvalidURL as exc:
        # httpx quotes the offending part after a colon ("Invalid port: '...'"): it may be a password or a
        # token given in the wrong place, so only what precedes it is kept.
        detail = str(exc).partition(":")[0].strip()
        raise ConfigurationError(
            "api_url", "is not a valid URL" + (f" ({detail})" if detail else "")
        ) from None
    if url.userinfo:
        # Green API never authenticates by URL userinfo, and a password there would be printed in every
        # retry warning and error: refuse it, without echoing the value.
        raise ConfigurationError(
            "api_url",
            "must not contain a user name or password (user:password@host); Green API never uses one",
        )
    if url.scheme not in ("http", "https") or not url.host:
        # What is wrong, never the value: a token given as the URL must not be printed back.
        if not url.scheme:
            problem = "no scheme"
        elif url.scheme not in ("http", "https"):
            problem = "a scheme other than http or https"
        else:
            problem = "no host"
        raise ConfigurationError(
            "api_url", f"must be an http(s) URL with a host (got {len(value)} characters with {problem})"
        )
    if url.port is not None and not 1 <= url.port <= 65_535:  # httpx parses 99999; no socket can use it
        raise ConfigurationError("api_url", "has a port outside 1 to 65535")
    if url.query or url.fragment:
        raise ConfigurationError("api_url", "must not have a query or fragment")
    if any(_INSTANCE_SEGMENT.match(segment) for segment in url.path.split("/")):
        # A full method URL (…/waInstance{id}/{method}/{token}) pasted as the base: the client adds those
        # parts itself, and the token in it would be shown wherever the base URL is.
        raise ConfigurationError(
            "api_url",
            "must be the API's base URL only, without the waInstance part and what follows it (the client "
            "adds the instance, the method and the token itself)",
        )
    return str(url).rstrip("/")


@dataclass(frozen=True, slots=True, repr=False)
class Credentials:
    """Where and as whom to call: validated on construction, safe to print.

    Safe to print also when ``api_url`` itself holds the token (a gateway URL such as ``https://gw/<token>``):
    :attr:`shown_url` masks it, and ``repr`` shows that.
    """

    id_instance: int
    api_token: ApiToken
    api_url: str = DEFAULT_API_URL

    def __post_init__(self) -> None:
        object.__setattr__(self, "id_instance", _validate_id_instance(self.id_instance))
        token: object = self.api_token
        if isinstance(token, str):
            token = ApiToken(token)
        if not isinstance(token, ApiToken):
            raise ConfigurationError("api_token", f"must be a string, got {type(token).__name__}")
        object.__setattr__(self, "api_token", token)
        object.__setattr__(self, "api_url", _validate_api_url(self.api_url))

    @property
    def shown_url(self) -> str:
        """``api_url`` with the token masked wherever it appears in it (a gateway URL may carry it)."""
        return redact(self.api_url, secrets=(self.api_token.get_secret_value(),), inside_words=True)

    def __repr__(self) -> str:
        return (
            f"Credentials(id_instance={self.id_instance!r}, api_token={self.api_token!r}, "
            f"api_url={self.shown_url!r})"
        )

    @classmethod
    def resolve(
        cls,
        id_instance: int | str | None = None,
        api_token: str | ApiToken | None = None,
        api_url: str | None = None,
        *,
        environ: Mapping[str, str] | None = None,
    ) -> Credentials:
        """Arguments first, then ``GREEN_API_ID_INSTANCE``/``GREEN_API_TOKEN``/``GREEN_API_URL``."""
        env = os.environ if environ is None else environ
        if id_instance is None:
            id_instance = env.get(ENV_ID_INSTANCE)
            if not id_instance:
                raise ConfigurationError(
                    "id_instance", f"missing: pass id_instance=... or set {ENV_ID_INSTANCE}"
                )
        if api_token is None:
            api_token = env.get(ENV_TOKEN)
            if not api_token:
                raise ConfigurationError("api_token", f"missing: pass api_token=... or set {ENV_TOKEN}")
        if api_url is None:
            api_url = env.get(ENV_API_URL) or DEFAULT_API_URL
        token = api_token if isinstance(api_token, ApiToken) else ApiToken(api_token)
        return cls(id_instance=_validate_id_instance(id_instance), api_token=token, api_url=api_url)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Credentials:
        """Credentials from the environment only."""
        return cls.resolve(environ=environ)
