"""The contract kit against the real reference mock: the mock conforms, every operation of it, API and CLI.

Without --allow-writes, ``report.operations`` holds the operations checked (the reads) and
``report.skipped_operations`` the writes, named as not checked; with it, every operation is checked and the
statuses the kit posts are followed (``posted_status_lifecycle``) and deleted at the end.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from greenstat_ext import _spec as spec
from greenstat_ext.cli import app
from greenstat_ext.contract import ALL_CHECKS, KIT_CHECKS, TEMPORAL_CHECKS, run_contract_test
from greenstat_ext.contract._checks import WRITE_CHECKS
from greenstat_ext.mock import DEMO_ID_INSTANCE, DEMO_MESSAGES, DEMO_TOKEN, MockServer, MockSettings
from tests._servers import mid_cycle_clock

ID_MESSAGE = next(iter(DEMO_MESSAGES))
# The mock here has no rate limit (hundreds of requests in seconds): the two rate-limit checks are run against
# the mock at its spec rates, paced, in tests/contract/test_over_time.py.
RATE_CHECKS = ("rate_limit_enforced", "retry_after_conformance")
CHECKS = [name for name in ALL_CHECKS if name not in RATE_CHECKS]
# By shape (x-idempotent, x-creates, x-deletes, the method): the reads are checked; the writes the kit could
# clean up after are named as not checked; one that creates what no operation deletes is never sent at all.
READS = tuple(name for name, operation in spec.operations().items() if not operation.is_write)
_DELETED = {operation.deletes for operation in spec.operations().values() if operation.deletes}
NEVER_SENT = tuple(
    name for name, operation in spec.operations().items() if operation.creates not in (None, *_DELETED)
)
WRITES = tuple(name for name in spec.operations() if name not in READS and name not in NEVER_SENT)
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
    # Every read of the spec was checked, each answered 200 and got its probes; the writes are named as not
    # checked (they post real statuses), and none was sent.
    assert report.operations == READS
    assert report.skipped_operations == WRITES
    assert report.uncleanable_operations == NEVER_SENT
    assert report.posted == 0
    assert not mock.stats.created
    for operation in report.operations:
        assert report.statuses_by_operation[(operation, 200)] >= 1, operation
        for check in KIT_CHECKS:
            if check in WRITE_CHECKS:
                continue
            if check == "invalid_parameter_rejected" and not spec.operation(operation).query_parameters:
                continue  # a read that takes only the credentials has no parameter to make invalid
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
    for operation in READS:
        assert operation in result.output  # the operations table
    assert "Not checked (writes, they post real statuses; --allow-writes checks them)" in result.output
    assert DEMO_TOKEN not in result.output


def test_greenstat_contract_test_allow_writes_exits_0_against_the_rate_limited_mock() -> None:
    """The write side against the mock at its spec rates, paced (--rate-limit 1): posted statuses are listed,
    counted, deleted and gone, and the run deletes every one it posted. Selected checks keep it short (the
    full run's writes are paced at 5/s: docs/contract.md has a measured one); --min-ok 1 because each send
    posts once here."""
    with MockServer(MockSettings(clock=mid_cycle_clock(ID_MESSAGE))) as limited:
        result = CliRunner().invoke(
            app,
            [
                "contract-test",
                "--url",
                limited.base_url,
                "--id-instance",
                str(DEMO_ID_INSTANCE),
                "--id-message",
                ID_MESSAGE,
                "--allow-writes",
                "--rate-limit",
                "1",
                "--min-ok",
                "1",
                "--checks",
                "posted_status_lifecycle,rate_limit_enforced,retry_after_conformance",
                "--write-wait",
                "3",
                "--poll-interval",
                "0.5",
                "--seed",
                "1",
            ],
            env={"GREEN_API_TOKEN": DEMO_TOKEN},
        )
        created, deleted = limited.stats.created, limited.stats.deleted

    assert result.exit_code == 0, result.output
    assert "PASSED" in result.output
    assert "posted_status_lifecycle" in result.output
    assert "Statuses posted: 3" in result.output
    assert sum(created.values()) == 3
    assert deleted == created
    assert DEMO_TOKEN not in result.output
