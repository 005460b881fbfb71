"""The contract kit against the real reference mock: the mock conforms, every operation of it, API and CLI."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from greenstat_ext import _spec as spec
from greenstat_ext.cli import app
from greenstat_ext.contract import ALL_CHECKS, KIT_CHECKS, TEMPORAL_CHECKS, run_contract_test
from greenstat_ext.mock import DEMO_ID_INSTANCE, DEMO_MESSAGES, DEMO_TOKEN, MockServer, MockSettings
from tests._servers import mid_cycle_clock

ID_MESSAGE = next(iter(DEMO_MESSAGES))
# The mock here has no rate limit (hundreds of requests in seconds): the two rate-limit checks are run against
# the mock at its spec rates, paced, in tests/contract/test_over_time.py.
RATE_CHECKS = ("rate_limit_enforced", "retry_after_conformance")
CHECKS = [name for name in ALL_CHECKS if name not in RATE_CHECKS]
# Judged only on the operation that takes an id (getStatusStatistic).
ID_CHECKS = (*TEMPORAL_CHECKS, "unknown_id_answers_empty")


@pytest.fixture(scope="module")
def mock() -> Iterator[MockServer]:
    with MockServer(MockSettings(rate_limit=0, clock=mid_cycle_clock(ID_MESSAGE))) as server:
        yield server


def test_the_mock_passes_the_contract_test(mock: MockServer) -> None:
    report = run_contract_test(
        mock.base_url,
        DEMO_ID_INSTANCE,
        DEMO_TOKEN,
        id_message=ID_MESSAGE,
        max_examples=10,
        seed=1,
        checks=CHECKS,
    )
    assert report.ok, (report.violations, report.inconclusive)
    assert mock.stats.count(id_message=ID_MESSAGE, status=200) >= 1
    # Every read of the spec was checked, each answered 200 and got its probes; the writes were not sent
    # (no --allow-writes) and the report names them.
    reads = tuple(op for op, facts in spec.operations().items() if facts.method == "GET")
    assert report.operations == reads
    assert report.skipped_operations == tuple(op for op in spec.operations() if op not in reads)
    for operation in report.operations:
        assert report.statuses_by_operation[(operation, 200)] >= 1, operation
        for check in KIT_CHECKS:
            if check in CHECKS and (check not in ID_CHECKS or operation == "getStatusStatistic"):
                assert report.check_runs_by_operation[(operation, check)] >= 1, (operation, check)


def test_greenstat_contract_test_exits_0_against_the_mock(mock: MockServer) -> None:
    result = CliRunner().invoke(
        app,
        [
            "contract-test",
            "--url",
            mock.base_url,
            "--id-instance",
            str(DEMO_ID_INSTANCE),
            "--id-message",
            ID_MESSAGE,
            "--max-examples",
            "5",
            "--seed",
            "89448462",  # once found Starlette's 404 for a token with %0A (see tests/mock/test_app.py)
            "--checks",
            ",".join(CHECKS),
        ],
        env={"GREEN_API_TOKEN": DEMO_TOKEN},
    )
    assert result.exit_code == 0, result.output
    assert "PASSED" in result.output
    for operation in spec.operations():
        assert operation in result.output  # the operations table
    assert DEMO_TOKEN not in result.output
