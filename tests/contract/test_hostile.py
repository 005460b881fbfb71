"""The kit against hostile servers: it ends with a report, in bounded time and memory, and checks int64."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from greenstat_ext.contract import ContractReport, ContractUsageError, run_contract_test
from greenstat_ext.contract._cli import contract_test
from greenstat_ext.contract._runner import DEFAULT_MAX_RESPONSE_BYTES
from greenstat_ext.contract._spec import enforce_integer_formats
from greenstat_ext.mock import DEMO_ID_INSTANCE, DEMO_MESSAGES, DEMO_TOKEN, MockServer, MockSettings
from tests._hostile import (
    Handler,
    HostileServer,
    answer,
    drip,
    drip_headers,
    endless_chunked,
    endless_continue,
)
from tests._servers import free_port
from tests.contract.broken_servers import (
    ID_INSTANCE,
    LISTINGS,
    TOKEN,
    answer_schema,
    reference_answer,
    resolve,
)


def _int64_member(name: str) -> str | None:
    properties = answer_schema(name).get("properties", {})
    return next((m for m, schema in properties.items() if resolve(schema).get("format") == "int64"), None)


# A read that lists objects with an int64 member (a timestamp), by shape: the one whose verdict is judged.
INT64_READ, INT64_MEMBER = next((name, m) for name in LISTINGS if (m := _int64_member(name)) is not None)


def _status(timestamp: int) -> bytes:
    """A list of one object as the reference answers ``INT64_READ``, its int64 member set to ``timestamp``."""
    item = {**reference_answer(INT64_READ)[0], INT64_MEMBER: timestamp}
    return json.dumps([item]).encode()


def test_integer_formats_get_the_bounds_their_name_implies() -> None:
    spec = {
        "a": {"type": "integer", "format": "int64", "minimum": 0},
        "b": [{"type": ["integer", "null"], "format": "int32", "maximum": 10}],
        "c": {"type": "string", "format": "int64"},  # not an integer: a format of another kind
        "d": {"type": "integer", "format": "int64", "minimum": 1, "maximum": 9_999_999_999},
    }
    assert enforce_integer_formats(spec) == {
        "a": {"type": "integer", "format": "int64", "minimum": 0, "maximum": 2**63 - 1},
        "b": [{"type": ["integer", "null"], "format": "int32", "minimum": -(2**31), "maximum": 10}],
        "c": {"type": "string", "format": "int64"},
        "d": {"type": "integer", "format": "int64", "minimum": 1, "maximum": 9_999_999_999},
    }


@pytest.mark.parametrize(("timestamp", "conforms"), [(2**63 - 1, True), (2**63, False), (2**100, False)])
def test_a_timestamp_beyond_int64_fails_the_schema_check(timestamp: int, conforms: bool) -> None:
    with HostileServer(answer(200, _status(timestamp))) as server:
        report = run_contract_test(
            server.base_url,
            ID_INSTANCE,
            TOKEN,
            max_examples=1,
            seed=1,
            checks=["response_schema_conformance"],
        )
    # The server sends the same list to every operation: only INT64_READ's verdict is about int64.
    failed = [
        v for v in report.violations if v.check == "response_schema_conformance" and v.operation == INT64_READ
    ]
    assert report.check_runs_by_operation[(INT64_READ, "response_schema_conformance")] > 0
    assert bool(failed) is not conforms
    if not conforms:
        # Not the value itself: the redaction registry is process-wide, and another test's token of zeros
        # may mask part of a long number.
        assert f"greater than the maximum of {2**63 - 1}" in failed[0].message


# --- bounded answers -------------------------------------------------------------------------------------


def _by_method(get: Handler, other: Handler) -> Handler:
    """GET (the generated cases, the reachability check) to ``get``; POST, PUT, PATCH, DELETE to ``other``.

    Peeks at the request line without consuming it, so the chosen handler reads the request as usual.
    """

    def handler(conn: socket.socket, stop: threading.Event) -> None:
        conn.settimeout(10)
        first = conn.recv(8, socket.MSG_PEEK)
        (get if first.startswith(b"GET ") else other)(conn, stop)

    return handler


# Connection: close, so that a probe never reuses a connection the GET handler serves.
_FAST_GET = answer(200, b"[]", {"Connection": "close"})


def _limit_failures(report: ContractReport) -> list[str]:
    return [v.title for v in report.violations if v.check == "answer_within_limits"]


def _assert_no_token(report: ContractReport) -> None:
    for violation in report.violations:
        exchange = violation.exchange
        shown = (violation.title, violation.message, exchange.path, exchange.query, exchange.body_excerpt)
        assert all(TOKEN not in text for text in shown)


_BOMB_SCRIPT = """
import json, resource, sys, time
from greenstat_ext.contract import run_contract_test
from tests._hostile import HostileServer, answer, gzip_bomb
from tests.contract.broken_servers import ID_INSTANCE, TOKEN

bomb = gzip_bomb(1 << 30)
with HostileServer(answer(200, bomb, {"Content-Encoding": "gzip"})) as server:
    start = time.monotonic()
    # One check that needs no generated case: the credentials request and the unknown-id probe meet the
    # bomb, which is all the adapter's bound needs (every request goes through it).
    report = run_contract_test(
        server.base_url, ID_INSTANCE, TOKEN, max_examples=1, seed=1, checks=["unknown_id_answers_empty"]
    )
    seconds = time.monotonic() - start
json.dump({
    "wire": len(bomb),
    "seconds": seconds,
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "failed": report.failed_checks,
    "titles": [v.title for v in report.violations],
    "messages": [v.message for v in report.violations],
}, sys.stdout)
"""


def test_a_gzip_bomb_of_1_gb_ends_with_a_report_under_500_mb() -> None:
    """Acceptance: 1 MB on the wire inflating to 1 GB, default limits; measured in a fresh process."""
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", _BOMB_SCRIPT],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    print(
        f"gzip bomb: {result['wire']:,} bytes on the wire, report in {result['seconds']:.1f} s, "
        f"peak RSS {result['peak_mb']:.0f} MB"
    )
    assert result["wire"] < 2_000_000
    assert "answer_within_limits" in result["failed"]
    assert f"Answer larger than {DEFAULT_MAX_RESPONSE_BYTES:,} bytes" in result["titles"]
    assert result["peak_mb"] < 500
    assert all(TOKEN not in message for message in result["messages"])


@pytest.mark.parametrize("status", [200, 401, 500])
def test_an_endless_chunked_body_stops_at_the_cap_whatever_the_status(status: int) -> None:
    with HostileServer(endless_chunked(status)) as server:
        report = run_contract_test(
            server.base_url, ID_INSTANCE, TOKEN, max_examples=1, seed=1, max_response_bytes=200_000
        )
    assert "answer_within_limits" in report.failed_checks
    assert "Answer larger than 200,000 bytes" in _limit_failures(report)
    violation = next(v for v in report.violations if v.check == "answer_within_limits")
    assert violation.exchange.status_code == status
    assert violation.exchange.content_type == "application/json"
    assert "credentials request" in violation.message  # names the request (the first one of a run)
    assert "the connection was closed" in violation.message
    _assert_no_token(report)


def test_a_content_length_beyond_the_cap_is_refused_before_the_body_is_read() -> None:
    with HostileServer(answer(200, b" " * 300_000)) as server:
        report = run_contract_test(
            server.base_url, ID_INSTANCE, TOKEN, max_examples=1, seed=1, max_response_bytes=100_000
        )
    messages = [v.message for v in report.violations if v.check == "answer_within_limits"]
    assert any("Content-Length announces 300,000 bytes" in message for message in messages)


def test_an_answer_just_under_the_cap_is_accepted() -> None:
    body = _status(1_700_000_000)
    with HostileServer(answer(200, body)) as server:
        report = run_contract_test(
            server.base_url, ID_INSTANCE, TOKEN, max_examples=1, seed=1, max_response_bytes=len(body)
        )
    assert "answer_within_limits" not in report.failed_checks
    assert report.statuses[200] == report.cases


def test_the_mocks_100k_status_is_checkable_with_the_default_cap() -> None:
    """The largest real-world-like answer (~8 MB) passes; a 1 MB cap proves it really is that large."""
    big = next(key for key, message in DEMO_MESSAGES.items() if message.recipients == 100_000)
    checks = ["response_schema_conformance", "valid_request_accepted"]
    with MockServer(MockSettings(rate_limit=0)) as mock:
        report = run_contract_test(
            mock.base_url, DEMO_ID_INSTANCE, DEMO_TOKEN, id_message=big, max_examples=1, seed=2, checks=checks
        )
        small = run_contract_test(
            mock.base_url,
            DEMO_ID_INSTANCE,
            DEMO_TOKEN,
            id_message=big,
            max_examples=1,
            seed=2,
            checks=checks,
            max_response_bytes=1_000_000,
        )
    assert report.ok, report.violations
    assert "answer_within_limits" in small.failed_checks


# --- bounded time ------------------------------------------------------------------------------------------


def test_a_body_dripped_at_1_byte_per_second_ends_with_a_report() -> None:
    """Acceptance: a 1 byte/s body and a 5 s request timeout; the run stops after 3 silent answers.

    A few examples per phase are plenty (the run stops at its 3rd request): the planned requests the stopped
    run does not send are still generated, one by one, to be counted, and at the default 100 per phase of
    each of the spec's three operations that alone took ~8 s.
    """
    with HostileServer(drip(200, b"[]" * 1000, interval=1.0)) as server:
        start = time.monotonic()
        report = run_contract_test(
            server.base_url, ID_INSTANCE, TOKEN, max_examples=5, seed=1, request_timeout=5
        )
        seconds = time.monotonic() - start
    print(f"1 byte/s body: report in {seconds:.1f} s")
    assert seconds < 60  # 3 x 5 s, generously
    assert "No answer within 5 s" in _limit_failures(report)
    assert "run_completed" in report.failed_checks
    # The credentials, the first poll, then one request per operation (they run at once, so the ones in
    # flight when the third silence stops the run are answered, or time out, too).
    assert 3 <= report.cases <= 2 + len(report.operations)
    assert report.not_sent > 0
    stopped = next(v for v in report.violations if v.check == "run_completed")
    assert f"planned requests not sent: {report.not_sent}." in stopped.message
    _assert_no_token(report)


@pytest.mark.parametrize(
    "hostile",
    [
        pytest.param(lambda: drip(405, b"{}" * 100, interval=1.0), id="dripped-body"),
        pytest.param(lambda: drip_headers(interval=0.1), id="dripped-head"),
        pytest.param(lambda: endless_continue(interval=0.1), id="endless-100-continue"),
    ],
)
def test_each_hostile_probe_answer_is_a_finding_naming_the_probe(hostile: Callable[[], Handler]) -> None:
    with HostileServer(_by_method(_FAST_GET, hostile())) as server:
        start = time.monotonic()
        report = run_contract_test(
            server.base_url, ID_INSTANCE, TOKEN, max_examples=1, seed=1, request_timeout=0.5
        )
        seconds = time.monotonic() - start
    print(f"hostile probes: report in {seconds:.1f} s")
    assert seconds < 30
    assert "No answer within 0.5 s" in _limit_failures(report)
    messages = [v.message for v in report.violations if v.check == "answer_within_limits"]
    # The other methods come from schemathesis' coverage phase (DELETE first), judged by the kit's check.
    assert any("coverage request (unsupported_method_rejected (DELETE))" in message for message in messages)
    # Three methods stayed silent: the rest was not sent, and the report says so.
    assert report.not_sent >= 1
    assert "run_completed" in report.failed_checks
    _assert_no_token(report)


@pytest.mark.parametrize(
    "hostile", [drip_headers, endless_continue], ids=["dripped-head", "endless-100-continue"]
)
def test_the_reachability_check_gives_up_after_3_s(hostile: Callable[..., Handler]) -> None:
    with HostileServer(hostile(interval=0.1)) as server:
        start = time.monotonic()
        with pytest.raises(ContractUsageError, match=r"cannot reach .*: no answer within 3 s"):
            run_contract_test(server.base_url, ID_INSTANCE, TOKEN)
        seconds = time.monotonic() - start
    assert seconds < 15


def test_the_run_timeout_stops_the_run_and_counts_what_was_not_sent() -> None:
    with HostileServer(answer(200, b"[]")) as server:
        report = run_contract_test(
            server.base_url, ID_INSTANCE, TOKEN, max_examples=100, seed=1, run_timeout=0.2
        )
    assert "run_completed" in report.failed_checks
    stopped = next(v for v in report.violations if v.check == "run_completed")
    assert "the run timeout (0.2 s) was reached" in stopped.message
    assert report.not_sent > 0


@pytest.mark.parametrize(
    ("kwargs", "flag"),
    [
        ({"max_response_bytes": None}, "max_response_bytes"),
        ({"max_response_bytes": 0}, "max_response_bytes"),
        ({"max_response_bytes": -1}, "max_response_bytes"),
        ({"max_response_bytes": True}, "max_response_bytes"),
        ({"max_response_bytes": 1.5}, "max_response_bytes"),
        ({"request_timeout": None}, "request_timeout"),
        ({"request_timeout": 0}, "request_timeout"),
        ({"request_timeout": float("nan")}, "request_timeout"),
        ({"request_timeout": float("inf")}, "request_timeout"),
        ({"run_timeout": None}, "run_timeout"),
        ({"run_timeout": -5}, "run_timeout"),
    ],
)
def test_unbounded_or_bad_limits_are_usage_errors(kwargs: dict[str, object], flag: str) -> None:
    with pytest.raises(ContractUsageError, match=flag):
        run_contract_test(f"http://127.0.0.1:{free_port()}", ID_INSTANCE, TOKEN, **kwargs)  # type: ignore[arg-type]


def test_the_cli_reports_hostile_answers_without_the_token(tmp_path: Path) -> None:
    junit = tmp_path / "contract.xml"
    app = typer.Typer()
    app.command("contract-test")(contract_test)
    app.command("noop")(lambda: None)
    handler = _by_method(endless_chunked(), drip_headers(interval=0.1))
    with HostileServer(handler) as server:
        args = [
            "contract-test",
            "--url",
            server.base_url,
            "--id-instance",
            str(ID_INSTANCE),
            "--token",
            TOKEN,
            "--max-examples",
            "1",
            "--request-timeout",
            "0.5",
            "--max-response-bytes",
            "100000",
            "--junit",
            str(junit),
        ]
        result = CliRunner().invoke(app, args)
    assert result.exit_code == 1, result.output
    assert "Answer larger than 100,000 bytes" in result.stdout
    assert "No answer within 0.5 s" in result.stdout
    assert "run_completed" in result.stdout
    xml_text = junit.read_text(encoding="utf-8")
    assert 'name="answer_within_limits"' in xml_text
    assert TOKEN not in result.output
    assert TOKEN not in xml_text


@pytest.mark.parametrize(
    ("status", "body", "headers"),
    [
        pytest.param(200, b"[" * 200_000 + b"]" * 200_000, {}, id="deep-nesting"),
        pytest.param(401, b"[" * 200_000 + b"]" * 200_000, {}, id="deep-nesting-401"),
        pytest.param(
            200, b'[{"participant": "\xff\xfe", "timestamp": 1, "status": "read"}]', {}, id="not-utf-8"
        ),
        pytest.param(200, b"[]", {"X-Name": "caf\xe9"}, id="non-ascii-header"),
    ],
)
def test_malformed_answers_are_findings_not_exceptions(
    status: int, body: bytes, headers: dict[str, str]
) -> None:
    """Issue 13 item 5, kit side: what broke the client (RecursionError, bad UTF-8, ...) is judged."""
    with HostileServer(answer(status, body, headers)) as server:
        report = run_contract_test(server.base_url, ID_INSTANCE, TOKEN, max_examples=1, seed=1)
    assert report.cases > 0
    assert report.statuses[status] == report.cases
    if status == 401:  # rejected credentials: said up front, the run stops there (nothing else is derived)
        assert report.credentials_rejected is not None
        assert report.cases == 1
    elif body != b"[]":
        assert "response_schema_conformance" in report.failed_checks


@pytest.mark.parametrize(
    ("length", "oversized"),
    [("\u00b2", False), ("9" * 5_000, True), ("1" * 21, True)],
    ids=["superscript-two", "5000-digits", "21-digits"],
)
def test_a_malformed_content_length_is_judged_not_a_crash(length: str, oversized: bool) -> None:
    """``"²".isdigit()`` is True but ``int("²")`` raises, and ``int()`` refuses 5,000 digits: once an escaping
    ValueError, which hypothesis answered with a curl line holding the token."""
    with HostileServer(answer(200, b"[]", {"Content-Length": length})) as server:
        # Without a usable length the body runs to the connection's end, which keep-alive never gives.
        report = run_contract_test(
            server.base_url, ID_INSTANCE, TOKEN, max_examples=1, seed=1, request_timeout=1
        )
    assert report.cases > 0
    announced = [v for v in report.violations if "Content-Length announces" in v.message]
    assert bool(announced) is oversized
    _assert_no_token(report)
