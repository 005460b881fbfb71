from __future__ import annotations

import logging
import socket

import httpx
import pytest

from greenstat_ext.mock import DEMO_TOKEN, MockServer, MockSettings, TokenMaskingFilter, mask_path, mask_token
from greenstat_ext.mock._faults import ConnectionDropped


def test_mask_path_hides_the_token_segment_only() -> None:
    path = f"/waInstance1101000001/getStatusStatistic/{DEMO_TOKEN}?idMessage=BAE5"
    assert mask_path(path) == "/waInstance1101000001/getStatusStatistic/***?idMessage=BAE5"
    assert (
        mask_path("GET https://h/waInstance1/sendMessage/abc/x y")
        == "GET https://h/waInstance1/sendMessage/***/*** y"
    )
    assert mask_path("/healthz") == "/healthz"


FOREIGN = "f0e1d2c3b4a5968778695a4b3c2d1e0f"


@pytest.mark.parametrize(
    ("path", "masked"),
    [
        (f"/waInstance1/getStatusStatistic//{FOREIGN}", "/waInstance1/getStatusStatistic//***"),
        (f"/wainstance1/getStatusStatistic/{FOREIGN}?a=b", "/wainstance1/getStatusStatistic/***?a=b"),
        (f"//WAINSTANCE1//getStatusStatistic///{FOREIGN}/x", "//WAINSTANCE1//getStatusStatistic///***/***"),
        (f"/waInstance1/getStatusStatistic%2F{FOREIGN}", "/waInstance1/***"),
        (f"/waInstance1%2FgetStatusStatistic%2F{FOREIGN}", "/waInstance1***"),
        (f"/waInstance1/{FOREIGN}", "/waInstance1/***"),  # no method: a token-like segment is masked
        (f"b'/waInstance1/m/{FOREIGN}'", "b'/waInstance1/m/***'"),
    ],
)
def test_mask_path_masks_any_segment_after_the_method_whatever_the_shape(path: str, masked: str) -> None:
    assert mask_path(path) == masked


def test_mask_token_keeps_only_the_tail() -> None:
    assert mask_token(DEMO_TOKEN) == "***2345 (50 chars)"
    assert mask_token("short") == "*** (5 chars)"


def test_filter_masks_message_and_args_and_literal_tokens() -> None:
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "got %s and %s", ("/waInstance1/m/SECRET", b"SECRET2"), None
    )
    assert TokenMaskingFilter(["SECRET2"]).filter(record)
    assert record.getMessage() == "got /waInstance1/m/*** and ***"


def test_filter_swallows_the_drop_fault_traceback() -> None:
    try:
        raise ConnectionDropped("on purpose")
    except ConnectionDropped as exc:
        record = logging.LogRecord(
            "uvicorn.error", logging.ERROR, __file__, 1, "boom", (), (type(exc), exc, None)
        )
    assert not TokenMaskingFilter().filter(record)


def test_uvicorn_access_log_shows_the_path_with_the_token_masked(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="httpx")  # the test's own client logs full URLs at INFO
    caplog.set_level(logging.INFO)  # after: set_level also sets the capture handler's level
    with MockServer(MockSettings(rate_limit=0), log_level="info", access_log=True) as server:
        url = f"{server.base_url}/waInstance1101000001/getStatusStatistic/{DEMO_TOKEN}"
        assert httpx.get(url, params={"idMessage": "BAE5F4886F6F2D05"}).status_code == 200
        assert httpx.get(url.replace(DEMO_TOKEN, "WrongToken123")).status_code == 401
    access = [r.getMessage() for r in caplog.records if r.name == "uvicorn.access"]
    assert any("/waInstance1101000001/getStatusStatistic/***?idMessage=BAE5F4886F6F2D05" in m for m in access)
    assert any("/getStatusStatistic/***" in m and "401" in m for m in access)
    assert DEMO_TOKEN not in caplog.text
    assert "WrongToken123" not in caplog.text


def test_access_log_masks_a_foreign_token_in_odd_paths(caplog: pytest.LogCaptureFixture) -> None:
    """Raw requests, so that no client normalises the path before the server logs it."""
    caplog.set_level(logging.INFO)
    paths = [
        f"/waInstance1101000001/getStatusStatistic//{FOREIGN}",
        f"/wainstance1101000001/getStatusStatistic/{FOREIGN}",
        f"/waInstance1101000001/GETSTATUSSTATISTIC/{FOREIGN}/",
        f"/waInstance1101000001/getStatusStatistic%2F{FOREIGN}",
    ]
    with MockServer(MockSettings(rate_limit=0), log_level="info", access_log=True) as server:
        for path in paths:
            with socket.create_connection(("127.0.0.1", server.port), timeout=10) as conn:
                conn.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
                assert conn.recv(100).startswith(b"HTTP/1.1 ")
                while conn.recv(65536):
                    pass
    access = [r.getMessage() for r in caplog.records if r.name == "uvicorn.access"]
    assert len(access) == len(paths)
    assert FOREIGN not in caplog.text


def test_filter_masks_tokens_inside_any_argument_type() -> None:
    """uvicorn's trace log passes the ASGI scope (a dict with bytes inside): the formatted text is masked."""
    scope = {"path": f"/waInstance1/getStatusStatistic/{DEMO_TOKEN}", "raw_path": f"/x/{DEMO_TOKEN}".encode()}
    record = logging.LogRecord(
        "uvicorn.error", 5, __file__, 1, "ASGI [%d] Started scope=%s", (1, scope), None
    )

    assert TokenMaskingFilter([DEMO_TOKEN]).filter(record)

    message = record.getMessage()
    assert DEMO_TOKEN not in message
    assert "'path': '/waInstance1/getStatusStatistic/***'" in message
    assert "'raw_path': b'/x/***'" in message


def test_filter_masks_exception_text_and_stack() -> None:
    try:
        raise RuntimeError(f"failed on /waInstance1/getStatusStatistic/{DEMO_TOKEN}")
    except RuntimeError as exc:
        record = logging.LogRecord(
            "uvicorn.error", logging.ERROR, __file__, 1, "boom", (), (type(exc), exc, exc.__traceback__)
        )
    record.stack_info = f"stack holding {DEMO_TOKEN}"

    assert TokenMaskingFilter([DEMO_TOKEN]).filter(record)

    assert record.exc_text is not None
    assert "getStatusStatistic/***" in record.exc_text
    assert DEMO_TOKEN not in record.exc_text + record.stack_info


def test_uvicorn_trace_log_never_shows_the_token(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="httpx")
    caplog.set_level(5)  # uvicorn's TRACE level: every ASGI message, the scope included
    with MockServer(MockSettings(rate_limit=0), log_level="trace", access_log=True) as server:
        url = f"{server.base_url}/waInstance1101000001/getStatusStatistic/{DEMO_TOKEN}"
        assert httpx.get(url, params={"idMessage": "BAE5F4886F6F2D05"}).status_code == 200
    scopes = [r.getMessage() for r in caplog.records if "scope=" in r.getMessage()]
    assert scopes  # the trace records were produced (and then masked)
    assert any("'raw_path': b'/waInstance1101000001/getStatusStatistic/***'" in m for m in scopes)
    assert DEMO_TOKEN not in caplog.text
