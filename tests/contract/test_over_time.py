"""Kit v2: the verdict weighs evidence, and rules that only show across calls or under load are checked.

Each broken server breaks one rule that no single answer shows (a state going back, a recipient vanishing,
an unknown id answering recipients, a 429 with a malformed Retry-After, no rate limit at all): the kit must
exit 1 naming that check. A rate-limited run without pacing must be INCONCLUSIVE (exit 3), never PASSED;
rejected credentials must be said first, alone. Runs are kept short: only the checks under test, a few
polls 50 ms apart.
"""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from greenstat_ext.contract import (
    ALL_CHECKS,
    TEMPORAL_CHECKS,
    ContractReport,
    ProgressEvent,
    run_contract_test,
)
from greenstat_ext.contract._cli import contract_test
from greenstat_ext.contract._results import Verdict
from greenstat_ext.contract._temporal import History, polled_schema
from greenstat_ext.mock import DEMO_ID_INSTANCE, DEMO_TOKEN, FaultSettings, MockServer, MockSettings
from tests._servers import mid_cycle_clock, serve
from tests.contract.broken_servers import (
    BROKEN_OVER_TIME,
    ID_INSTANCE,
    ID_MESSAGE,
    ID_PARAMETER,
    OPERATIONS,
    POLLED,
    TOKEN,
    WITH_QUERY,
    app_for,
    rate_limited,
    reference,
    reference_answer,
)

app = typer.Typer()
app.command("contract-test")(contract_test)
app.command("noop")(lambda: None)
runner = CliRunner()

RATE_CHECKS = ("rate_limit_enforced", "retry_after_conformance")
# Every check but the two that need a rate-limited implementation (the reference fixture has no limit).
UNLIMITED_CHECKS = [name for name in ALL_CHECKS if name not in RATE_CHECKS]
QUICK = ("--polls", "3", "--poll-interval", "0.05", "--min-ok", "1")


def _args(url: str, *extra: str) -> list[str]:
    base = ["contract-test", "--url", url, "--id-instance", str(ID_INSTANCE), "--token", TOKEN]
    return [*base, "--id-message", ID_MESSAGE, *QUICK, *extra]


def _checks_for(check: str) -> list[str]:
    """The checks a broken server's test runs: its own, and its partner (the rate limit's pair is paced)."""
    return list(RATE_CHECKS) if check in RATE_CHECKS else [check]


@pytest.mark.parametrize("name", sorted(BROKEN_OVER_TIME))
def test_each_server_broken_over_time_exits_1_naming_its_check(name: str, tmp_path: Path) -> None:
    check, factory = BROKEN_OVER_TIME[name]
    junit = tmp_path / "contract.xml"
    pace = ("--rate-limit", "1") if check in RATE_CHECKS else ()
    with serve(app_for(factory())) as url:
        result = runner.invoke(
            app, _args(url, "--checks", ",".join(_checks_for(check)), *pace, "--junit", str(junit))
        )

    assert result.exit_code == 1, result.output
    assert "FAILED" in result.stdout
    # the heading of its failure panel ("1. check: title", or "1. check" over a long title)
    assert re.search(rf"─ \d+\. {check}[: ]", result.stdout), result.stdout
    assert TOKEN not in result.output
    failed = {
        case.get("name")
        for case in ET.parse(junit).getroot().iter("testcase")  # noqa: S314 - our own file
        if case.find("failure") is not None
    }
    assert failed == {check}


def test_the_reference_passes_every_check_but_the_rate_limit_ones(reference_url: str) -> None:
    report = run_contract_test(
        reference_url,
        ID_INSTANCE,
        TOKEN,
        id_message=ID_MESSAGE,
        max_examples=3,
        seed=4,
        checks=UNLIMITED_CHECKS,
        polls=3,
        poll_interval=0.05,
    )

    assert report.verdict is Verdict.PASSED, (report.violations, report.inconclusive)
    assert report.polls >= 3
    for check in ("recipient_state_monotonic", "recipient_timestamp_monotonic", "recipient_retained"):
        assert report.check_runs[check] >= 3
    assert report.check_runs["unknown_id_answers_empty"] == 1  # only the polled read takes an id
    assert report.phases["coverage"] > 0  # schemathesis' coverage phase generated the boundary cases
    for name in WITH_QUERY:  # each read with a parameter got invalid values of it
        assert report.check_runs_by_operation[(name, "invalid_parameter_rejected")] > 0, name


def test_a_rate_limited_reference_passes_the_rate_limit_checks_when_paced() -> None:
    with serve(app_for(rate_limited(reference))) as url:
        report = run_contract_test(
            url, ID_INSTANCE, TOKEN, id_message=ID_MESSAGE, checks=list(RATE_CHECKS), rate_limit=1, min_ok=1
        )

    assert report.verdict is Verdict.PASSED, (report.violations, report.inconclusive)
    _assert_bursts_judged(report)
    assert report.check_runs["retry_after_conformance"] >= report.check_runs["rate_limit_enforced"]


def test_a_rate_limited_run_without_pacing_is_inconclusive_not_passed(
    tmp_path: Path, retry_waits: list[float]
) -> None:
    junit = tmp_path / "contract.xml"
    with serve(app_for(rate_limited(reference))) as url:
        result = runner.invoke(app, _args(url, "--max-examples", "5", "--seed", "2", "--junit", str(junit)))

    assert result.exit_code == 3, result.output
    assert "PASSED" not in result.stdout
    assert "INCONCLUSIVE" in result.stdout
    assert "were 429" in result.stdout
    assert "--rate-limit 1" in result.stdout  # the fix
    verdict = ET.parse(junit).getroot().find("testsuite/properties/property[@name='verdict']")  # noqa: S314
    assert verdict is not None
    assert verdict.get("value") == "INCONCLUSIVE"


def test_rejected_credentials_are_reported_first_and_alone(tmp_path: Path) -> None:
    junit = tmp_path / "contract.xml"
    with serve(app_for(reference)) as url:
        args = ["contract-test", "--url", url, "--id-instance", str(ID_INSTANCE), "--token", "0" * len(TOKEN)]
        result = runner.invoke(app, [*args, "--junit", str(junit)])

    assert result.exit_code == 3, result.output
    assert "credentials were rejected: 401" in result.stdout
    assert "Checks" not in result.stdout  # no table of derived failures
    assert "FAILED" not in result.stdout
    cases = list(ET.parse(junit).getroot().iter("testcase"))  # noqa: S314 - our own file
    assert cases
    assert all(case.find("skipped") is not None for case in cases)  # nothing claims a pass


def test_the_kit_passes_the_reference_mock() -> None:
    with MockServer(MockSettings(rate_limit=0, clock=mid_cycle_clock(ID_MESSAGE))) as mock:
        report = run_contract_test(
            mock.base_url,
            DEMO_ID_INSTANCE,
            DEMO_TOKEN,
            id_message=ID_MESSAGE,
            max_examples=3,
            seed=5,
            checks=UNLIMITED_CHECKS,
            polls=3,
            poll_interval=0.05,
        )

    assert report.verdict is Verdict.PASSED, (report.violations, report.inconclusive)


def test_the_kit_passes_the_rate_limit_of_the_reference_mock_when_paced() -> None:
    with MockServer(MockSettings()) as mock:  # each operation at its spec rate, as Green API
        report = run_contract_test(
            mock.base_url, DEMO_ID_INSTANCE, DEMO_TOKEN, checks=list(RATE_CHECKS), rate_limit=1, min_ok=1
        )

    assert report.verdict is Verdict.PASSED, (report.violations, report.inconclusive)
    _assert_bursts_judged(report)


def _assert_bursts_judged(report: ContractReport) -> None:
    """One burst per operation; one slowed past the period by a loaded machine is unjudged, not failed."""
    runs, unjudged = report.check_runs["rate_limit_enforced"], report.unjudged["rate_limit_enforced"]
    assert runs + unjudged == len(OPERATIONS)
    assert runs >= 1


def test_history_judges_state_order_from_the_spec() -> None:
    schema = polled_schema(POLLED)
    assert schema is not None
    history = History(schema)
    items = reference_answer(POLLED, **{ID_PARAMETER: ID_MESSAGE})  # the known status's recipients
    assert history.add(items, 0) == []
    furthest = max(items, key=lambda item: schema.states.index(item["status"]))
    rank = schema.states.index(furthest["status"])
    assert rank > 0  # a third into its cycle, some recipients moved on
    back = [item if item is not furthest else {**item, "status": schema.states[rank - 1]} for item in items]
    assert [finding.check for finding in history.add(back, 0)] == ["recipient_state_monotonic"]
    # the other reads' answers are not recipients with states (a status of the journal has its own states)
    assert [name for name in OPERATIONS if polled_schema(name) is not None] == [POLLED]


def test_progress_is_reported_after_every_answer(reference_url: str) -> None:
    events: list[ProgressEvent] = []
    report = run_contract_test(
        reference_url,
        ID_INSTANCE,
        TOKEN,
        max_examples=1,
        seed=6,
        checks=UNLIMITED_CHECKS,
        progress=events.append,
    )

    answers = [event for event in events if event.kind == "answer"]
    assert len(answers) == report.cases
    assert [event.sent for event in answers] == list(range(1, report.cases + 1))
    assert {event.operation for event in answers} == set(report.operations)
    assert {"credentials", "coverage", "probe", "poll"} <= {event.phase for event in answers}
    assert answers[-1].ok == report.statuses[200]
    assert all(event.planned >= event.sent for event in answers)
    # each operation's share starts and finishes once, the finish counting that operation's requests
    shares = [(event.operation, event.kind) for event in events if event.kind != "answer"]
    assert sorted(shares) == sorted(
        (name, kind) for name in report.operations for kind in ("started", "finished")
    )


def test_a_ci_log_is_wrapped_at_110_columns_and_shows_progress_lines() -> None:
    """Piped (CliRunner is not a terminal): the report wraps at 110 columns whatever COLUMNS says, and
    stderr gets one line per operation's share and phase, started and finished, with counts."""
    check, factory = BROKEN_OVER_TIME["state_moves_backward"]
    with serve(app_for(factory())) as url:
        result = runner.invoke(app, _args(url, "--checks", check), env={"COLUMNS": "80"})

    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 110
    assert max(len(line) for line in lines) > 80  # not the 80 columns COLUMNS asked for
    flat = " ".join(" ".join(line.strip(" │╭╮╰╯─").split()) for line in lines)
    assert "states move only forward: pending -> sent -> delivered -> read" in flat
    progress = result.stderr.splitlines()
    for operation in OPERATIONS:  # every read of the spec
        assert any(re.search(rf"\] {operation}: started: \d+ cases planned$", line) for line in progress)
        assert any(
            re.search(rf"\] {operation}: finished: \d+ requests \(200: \d+, 429: \d+\)$", line)
            for line in progress
        )
    assert any(
        # the credentials are checked on the first read of the spec, whichever it is
        re.search(rf"\] {OPERATIONS[0]}: credentials finished: 1 requests", line)
        for line in progress
    )
    assert TOKEN not in result.stderr


def test_a_mock_that_regresses_once_before_the_first_poll_fails_naming_the_phases() -> None:
    """The reference mock with one fault: its 2nd answer for the status (the first poll, or the answer after
    the credentials check when the polled read is the first of the spec) shows a recipient one state back.
    Every poll agrees with the previous poll, so a kit judging only its polls passed it; every answer
    counts, so it fails, naming both answers' phases."""
    faults = FaultSettings(regress_statistic_at=2)
    settings = MockSettings(rate_limit=0, clock=mid_cycle_clock(ID_MESSAGE), faults=faults)
    with MockServer(settings) as mock:
        report = run_contract_test(
            mock.base_url,
            DEMO_ID_INSTANCE,
            DEMO_TOKEN,
            id_message=ID_MESSAGE,
            max_examples=1,
            seed=5,
            checks=["recipient_state_monotonic"],
            polls=3,
            poll_interval=0.05,
        )

    assert report.verdict is Verdict.FAILED, report.inconclusive
    assert report.failed_checks == ("recipient_state_monotonic",)
    [violation] = report.violations
    # Which answer the kit numbers first depends on which of its threads (the polls, the polled read's own
    # cases and probes, the credentials check on the first read of the spec) gets its answer first: the
    # message names two consecutive answers, each with its phase, the later one a state back.
    found = re.search(
        r"answer (\d+) \(([a-z ]+)\): (\w+); answer (\d+) \(([a-z ]+)\): (\w+)", violation.message
    )
    assert found, violation.message
    first, _, before, then, _, after = found.groups()  # (each phase is named: the regex requires it)
    assert int(then) == int(first) + 1
    schema = polled_schema(POLLED)
    assert schema is not None
    assert schema.states.index(after) == schema.states.index(before) - 1, violation.message
    assert report.polls >= 3


def test_the_same_mock_without_the_fault_passes_the_same_run() -> None:
    with MockServer(MockSettings(rate_limit=0, clock=mid_cycle_clock(ID_MESSAGE))) as mock:
        report = run_contract_test(
            mock.base_url, DEMO_ID_INSTANCE, DEMO_TOKEN, id_message=ID_MESSAGE, max_examples=1, seed=5,
            checks=["recipient_state_monotonic"], polls=3, poll_interval=0.05,
        )  # fmt: skip

    assert report.violations == []  # (INCONCLUSIVE: the other operations got no 200 in so short a run)
    assert report.check_runs["recipient_state_monotonic"] >= 4  # 3 polls and the polled read's valid probe


def test_the_mock_passes_a_run_that_spans_a_repost_of_the_polled_status() -> None:
    """The mock re-posts each demo status every ``period`` seconds; a re-post is a new status, so the
    documented id never starts over. Kit v2 failed the mock on this after 26 minutes ("read then
    pending"); here the mock's clock runs 200 times faster, so ~6 s of polls span 20 minutes of it."""
    origin, start = time.monotonic(), mid_cycle_clock(ID_MESSAGE)()

    def fast() -> float:
        return start + 200 * (time.monotonic() - origin)

    with MockServer(MockSettings(rate_limit=0, clock=fast)) as mock:
        store = mock.state.store
        first = store.repost_id(ID_MESSAGE, fast())
        report = run_contract_test(
            mock.base_url, DEMO_ID_INSTANCE, DEMO_TOKEN, id_message=ID_MESSAGE, max_examples=1, seed=5,
            checks=list(TEMPORAL_CHECKS), polls=20, poll_interval=0.3,
        )  # fmt: skip
        last = store.repost_id(ID_MESSAGE, fast())

    assert first != last  # the demo status was re-posted during the run
    assert report.violations == []
    assert report.polls >= 20
    assert report.check_runs["recipient_state_monotonic"] >= 20
