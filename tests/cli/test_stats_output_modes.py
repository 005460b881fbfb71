"""``greenstat stats`` output modes: a page on a terminal, every row with ``--all``, plain rows to a pipe."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from greenstat_client.models import StatusStatistic, StatusValue
from greenstat_ext._cli import stats as stats_command
from greenstat_ext.cli import app
from greenstat_ext.mock import DEMO_ID_INSTANCE, DEMO_TOKEN, MockServer, MockSettings

ROWS = 60
MANY = [
    StatusStatistic(
        participant=f"7900000{index:04d}@c.us",
        timestamp=1_700_000_000 + index,
        status=StatusValue.READ if index % 2 else StatusValue.DELIVERED,
    )
    for index in range(ROWS)
]
TAB = [StatusStatistic(participant="a\tb@c.us", timestamp=1_700_000_000, status=StatusValue.READ)]
runner = CliRunner()
TERMINAL = {"TTY_COMPATIBLE": "1", "NO_COLOR": "1", "LINES": "25", "COLUMNS": "120"}


@pytest.fixture(autouse=True)
def no_pacing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stats_command, "_rate_limit", 0)


@pytest.fixture(scope="module")
def mock() -> Iterator[MockServer]:
    with MockServer(MockSettings(rate_limit=0, data={"MANY": MANY, "TAB": TAB})) as server:
        yield server


def _env(server: MockServer, **extra: str) -> dict[str, str]:
    base = {
        "GREEN_API_URL": server.base_url,
        "GREEN_API_ID_INSTANCE": str(DEMO_ID_INSTANCE),
        "GREEN_API_TOKEN": DEMO_TOKEN,
    }
    return {**base, **extra}


def test_a_pipe_gets_every_row_as_tab_separated_text(mock: MockServer) -> None:
    result = runner.invoke(app, ["stats", "MANY"], env=_env(mock, TTY_COMPATIBLE="0"))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "participant\tstatus\ttime_utc\ttimestamp"
    rows = [line.split("\t") for line in lines[1:-1]]
    assert len(rows) == ROWS
    assert rows[0] == ["79000000000@c.us", "delivered", "2023-11-14T22:13:20Z", "1700000000"]
    assert rows[-1][0] == f"7900000{ROWS - 1:04d}@c.us"
    assert lines[-1] == f"# {ROWS} recipient(s): pending 0, sent 0, delivered 30, read 30; read rate 50%"
    assert "\u2501" not in result.stdout  # no table rules


def test_a_tab_in_a_participant_cannot_shift_the_columns(mock: MockServer) -> None:
    result = runner.invoke(app, ["stats", "TAB"], env=_env(mock, TTY_COMPATIBLE="0"))
    assert result.stdout.splitlines()[1].split("\t")[0] == "a\\tb@c.us"


def test_a_terminal_gets_the_summary_and_one_page(mock: MockServer) -> None:
    result = runner.invoke(app, ["stats", "MANY"], env=_env(mock, **TERMINAL))
    assert result.exit_code == 0, result.output
    shown = [
        f"7900000{index:04d}@c.us" for index in range(ROWS) if f"7900000{index:04d}@c.us" in result.stdout
    ]
    assert 5 <= len(shown) <= 25 - 9  # a page of a 25-line terminal
    latest = [f"7900000{index:04d}@c.us" for index in range(ROWS - len(shown), ROWS)]
    assert shown == latest  # the latest changes, in time order: at post time the first rows are all pending
    assert result.stdout.index(latest[0]) < result.stdout.index(latest[-1])
    earlier = ROWS - len(shown)
    assert f"The latest {len(shown)} changes; {earlier} earlier: --all shows every row" in result.stdout
    assert len(result.stdout.splitlines()) <= 25 - 1  # with the prompt, one screen
    assert f"{ROWS} recipient(s): pending 0, sent 0, delivered 30, read 30; read rate 50%" in result.stdout


def test_all_on_a_terminal_prints_every_row(mock: MockServer) -> None:
    result = runner.invoke(app, ["stats", "MANY", "--all"], env=_env(mock, **TERMINAL))
    assert result.exit_code == 0, result.output
    for index in range(ROWS):
        assert f"7900000{index:04d}@c.us" in result.stdout
    assert "earlier: --all" not in result.stdout
    assert result.stdout.rstrip().endswith("read 30; read rate 50%")
