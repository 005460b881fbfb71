"""Exception objects hold only redacted material: ``str``, ``repr``, ``__dict__`` and the pickle of what a
client raises never contain its token, whatever its length, however a server echoes it.

A short token cannot be checked as a bare substring ("a" is in every text), so each check looks for the
token *in the context the server put it in* (``=abc12;``, ``%3D%61%62%63%31%32%3B``...): that exact text
is in the answer, so the check fails if it survives into the exception, and it cannot match by chance.
"""

from __future__ import annotations

import json
import pickle
import string
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from greenstat_ext import APIConnectionError, GreenStatError, QuotaExceededError
from greenstat_ext._redact import MASK, redact

from ._helpers import ID_INSTANCE, TOKEN, Recorder, assert_no_token, fast_policy, make_sync
from .test_properties import spec
from .test_redaction import captured_logs

_TOKEN_SCHEMA = spec()["components"]["parameters"]["ApiTokenInstance"]["schema"]
#: Any token the spec allows, 1 to 128 characters: short ones are the interesting ones here.
TOKENS = st.from_regex(_TOKEN_SCHEMA["pattern"], fullmatch=True).filter(
    lambda token: _TOKEN_SCHEMA["minLength"] <= len(token) <= _TOKEN_SCHEMA["maxLength"]
)


def percent_encoded(text: str, *, lower: bool = False) -> str:
    """Every character as ``%XX``: what an over-eager encoder makes of a token."""
    encoded = "".join(f"%{ord(char):02X}" for char in text)
    return encoded.lower() if lower else encoded


def echoes(token: str) -> list[str]:
    """The token in each form a server may echo it, with the characters around it."""
    return [
        f"={token};",  # plain, standing alone
        f"%3D{token}%26",  # next to a percent escape (a query string): "D" precedes it
        f"%3D{percent_encoded(token)}%26",  # every character encoded
        f"%3d{percent_encoded(token, lower=True)}%26",  # lower-case hex
        f"/getStatusStatistic/{token}?",  # the request URL
        f"\\n{token}\\n",  # after an escape in raw JSON text
    ]


def echoed_text(token: str) -> str:
    return " ".join(echoes(token))


def quota_body(token: str) -> dict[str, Any]:
    text = echoed_text(token)
    return {
        "invokeStatus": {
            "method": "getStatusStatistic",
            "used": 3,
            "total": 3,
            "status": "QUOTE_EXCEEDED",
            "description": f"quota spent for {text}",
        },
        "correspondentsStatus": {
            "used": 1,
            "total": 3,
            "status": "CORRESPONDENTS_QUOTE_ALLOWED",
            "description": text,
        },
    }


def hostile(status: int, token: str) -> httpx.Response:
    """An answer that echoes the token in every form, in its body and in its headers."""
    text = echoed_text(token)
    body = quota_body(token) if status == 466 else {"message": f"bad token {text} and \n{token}\n"}
    headers = [
        ("X-Echo", text),
        ("Location", f"https://h/waInstance{ID_INSTANCE}/getStatusStatistic/{token}?idMessage=x"),
    ]
    return httpx.Response(status, content=json.dumps(body).encode(), headers=headers)


def exception_views(error: BaseException) -> Iterator[tuple[str, str]]:
    yield "str", str(error)
    yield "repr", repr(error)
    yield "__dict__", repr(vars(error))
    yield "pickle", pickle.dumps(error).decode("latin-1")
    yield "args", repr(error.args)
    if isinstance(error, QuotaExceededError):
        yield "repr(quota)", repr(error.quota)


def assert_no_echo(token: str, text: str, where: str) -> None:
    for form in echoes(token):
        assert_no_token(form, text, f"{where} ({form!r})")
    assert_no_token(f"\n{token}\n", text, f"{where} (after a newline)")


def raise_from(answers: list[httpx.Response | Exception], token: str) -> GreenStatError:
    with (
        make_sync(Recorder(*answers), token=token, policy=fast_policy(max_retries=1)) as client,
        pytest.raises(GreenStatError) as info,
    ):
        client.get_status_statistic("x")
    return info.value


@pytest.mark.parametrize("token", [TOKEN, "abc12", "Zz9", "a"])
def test_a_466s_quota_holds_only_redacted_strings(token: str) -> None:
    error = raise_from([hostile(466, token)], token)
    assert isinstance(error, QuotaExceededError)
    assert error.quota is not None
    # The numbers and statuses are intact; only the strings that quoted the token are masked.
    assert (error.quota.invoke_status.used, error.quota.invoke_status.total) == (3, 3)
    assert error.quota.correspondents_status.status == "CORRESPONDENTS_QUOTE_ALLOWED"
    assert f"={MASK};" in error.quota.correspondents_status.description
    for where, text in exception_views(error):
        assert_no_echo(token, text, where)
    restored = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own pickle
    assert isinstance(restored, QuotaExceededError)
    assert restored.quota == error.quota


def test_the_check_sees_a_leak_in_a_raw_quota() -> None:
    """Without the fix, ``quota`` was the parsed body as sent: the checks above would have failed."""
    from greenstat_client.models import QuotaExceeded

    raw = QuotaExceeded.from_dict(quota_body("abc12"))
    with pytest.raises(AssertionError):
        assert_no_echo("abc12", repr(raw), "a raw quota")


@pytest.mark.parametrize("token", ["abc12", "a", TOKEN])
def test_short_tokens_next_to_percent_escapes_are_masked(token: str) -> None:
    text = (
        f"token%3D{token}%26x and %3D{percent_encoded(token)}%26 and %3d{percent_encoded(token, lower=True)}"
    )
    masked = redact(text, secrets=(token,))
    assert masked == f"token%3D{MASK}%26x and %3D{MASK}%26 and %3d{MASK}"
    inside = f"x{token}y x{percent_encoded(token)}y"
    if len(token) < 6:  # a short one only as a whole word: not inside another word, encoded or not
        assert redact(inside, secrets=(token,)) == inside
    else:
        assert redact(inside, secrets=(token,)) == f"x{MASK}y x{MASK}y"


def test_the_retry_warning_masks_a_short_token_echoed_by_the_server() -> None:
    """A protocol error that quotes the server's garbled status line is logged before the retry."""
    token = "abc12"
    garbled = httpx.RemoteProtocolError(f"illegal status line: bytearray(b'HTTP/1.1 500 %3D{token}%26')")
    with captured_logs() as logs:
        error = raise_from([garbled], token)
    assert isinstance(error, APIConnectionError)
    warnings = [line for line in logs if line.startswith("greenstat.retry WARNING")]
    assert warnings, "no retry warning captured: the check would be vacuous"
    for line in warnings:
        assert_no_token(f"%3D{token}%26", line, "greenstat.retry WARNING")
        assert f"%3D{MASK}%26" in line
    assert_no_token(f"%3D{token}%26", str(error), "str(APIConnectionError)")


@pytest.mark.parametrize("status", [401, 466, 500])
@settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(token=TOKENS)
def test_no_exception_view_holds_an_echoed_token(status: int, token: str) -> None:
    """Any token the spec allows, echoed raw, percent-encoded, in the body, the headers, a 466's quota
    (and a 500 retried once, so the retry warning is checked too)."""
    with captured_logs() as logs:
        error = raise_from([hostile(status, token)], token)
    assert getattr(error, "status_code", None) == status
    for where, text in exception_views(error):
        assert_no_echo(token, text, where)
    if status == 500:
        retry_lines = [line for line in logs if "greenstat.retry" in line]
        assert retry_lines
        assert_no_echo(token, "\n".join(retry_lines), "retry warning")


@pytest.mark.parametrize("char", [*string.digits, *string.ascii_letters])
def test_every_token_character_is_recognised_percent_encoded(char: str) -> None:
    """Exhaustive over the spec's alphabet: the fast path must not skip an encoded letter or digit."""
    for escaped in (f"%{ord(char):02X}", f"%{ord(char):02x}"):
        assert redact(f"={escaped};", secrets=(char,)) == f"={MASK};"
        assert redact(f"={escaped * 6};", secrets=(char * 6,)) == f"={MASK};"
