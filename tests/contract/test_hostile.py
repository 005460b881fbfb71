"""The kit against hostile servers: it ends with a report, in bounded time and memory, and checks int64."""

from __future__ import annotations

import json

import pytest

from greenstat_ext.contract import run_contract_test
from greenstat_ext.contract._spec import enforce_integer_formats
from tests._hostile import HostileServer, answer
from tests.contract.broken_servers import ID_INSTANCE, TOKEN


def _status(timestamp: int) -> bytes:
    item = {"participant": "79001234567@c.us", "timestamp": timestamp, "status": "read"}
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


@pytest.mark.parametrize(("timestamp", "conforms"), [(2**63 - 1, True), (2**63, False), (10**30, False)])
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
    failed = [v for v in report.violations if v.check == "response_schema_conformance"]
    assert report.check_runs["response_schema_conformance"] > 0
    assert bool(failed) is not conforms
    if not conforms:
        assert "maximum" in failed[0].message
        assert str(timestamp) in failed[0].message
