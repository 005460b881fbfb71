"""``greenstat monitor``'s own surface: usage errors, the one-writer lock as a clear message, and the
``dead-letters``/``replay`` commands on a real store file. No API is called: every case here ends before
the first request (the URL is a closed loopback port)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from greenstat_ext.cli import app
from greenstat_ext.mock import DEMO_ID_INSTANCE, DEMO_TOKEN
from greenstat_ext.monitor import Event, Observation, Store

from ._receiver import SECRET
from .conftest import free_port

NOW = 1_800_000_000.0
runner = CliRunner()


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GREEN_API_URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("GREEN_API_ID_INSTANCE", str(DEMO_ID_INSTANCE))
    monkeypatch.setenv("GREEN_API_TOKEN", DEMO_TOKEN)
    monkeypatch.delenv("GREENSTAT_WEBHOOK_SECRET", raising=False)


def _dead(db: Path, n: int) -> None:
    with Store(db) as store:
        obs = Observation.empty()
        obs.events.extend(
            Event(
                "recipient.read",
                DEMO_ID_INSTANCE,
                "BAE5000000000001",
                1_799_999_000,
                NOW,
                participant=f"p{i}",
            )
            for i in range(n)
        )
        store.commit(obs, ["webhook:http://127.0.0.1:9/hook"], NOW)
        ids = [event.id for event in obs.events]
        store.dead("webhook:http://127.0.0.1:9/hook", ids, error="HTTP 410 (not retried)", now=NOW)


def test_dead_letters_are_listed_then_replayed(tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    _dead(db, 2)
    listed = runner.invoke(app, ["monitor", "dead-letters", "--db", str(db)])
    assert listed.exit_code == 0, listed.output
    lines = listed.stdout.splitlines()
    assert len(lines) == 2
    assert all(
        "\trecipient.read\t1\tevt_" in line and line.endswith("HTTP 410 (not retried)") for line in lines
    )
    assert "2 dead letter(s)" in listed.stderr
    replayed = runner.invoke(app, ["monitor", "replay", "--db", str(db)])
    assert replayed.exit_code == 0, replayed.output
    assert "2 dead letter(s) queued again" in replayed.stdout
    with Store(db) as store:
        assert store.dead_letters() == []
        assert store.pending() == 2


def test_a_second_monitor_on_the_same_store_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    with Store(db):  # the first writer holds the lock
        result = runner.invoke(app, ["monitor", "--db", str(db), "--jsonl", "-"])
    assert result.exit_code == 2
    assert "in use by process" in result.stderr
    assert "one monitor per store file" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--final-after", "soon"], "--final-after: expected a duration"),
        (["--discover-every", "0s"], "--discover-every: must be more than 0 seconds"),
        (["--webhook", "http://127.0.0.1:9/hook"], "--webhook needs --webhook-secret"),
        (["--webhook", "ftp://127.0.0.1/x", "--webhook-secret", SECRET], "webhook URL must be"),
        (["--webhook", "http://127.0.0.1:9/hook", "--webhook-secret", "plain"], "whsec_"),
    ],
)
def test_usage_errors_are_clear_and_hold_no_token(tmp_path: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["monitor", "--db", str(tmp_path / "m.db"), *args])
    assert result.exit_code == 2
    assert message in result.stderr
    assert DEMO_TOKEN not in result.output
    assert not (tmp_path / "m.db").exists()  # refused before the store is created


def test_dead_letters_of_a_missing_store_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["monitor", "dead-letters", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 2
    assert "no store at" in result.stderr


@pytest.mark.parametrize(
    ("hidden", "args"),
    [
        ("standardwebhooks", ["--webhook", "http://127.0.0.1:9/hook", "--webhook-secret", SECRET]),
        ("platformdirs", ["--jsonl", "-"]),  # no --db: the default path needs platformdirs
    ],
)
def test_a_missing_monitor_extra_is_a_one_line_usage_error(
    hidden: str, args: list[str], tmp_path: Path
) -> None:
    program = (
        "import sys\nsys.modules[sys.argv[1]] = None\nsys.argv = ['greenstat', *sys.argv[2:]]\n"
        "from greenstat_ext.cli import main\nmain()\n"
    )
    db = [] if hidden == "platformdirs" else ["--db", str(tmp_path / "m.db")]
    result = subprocess.run(  # noqa: S603 - our own interpreter and program
        [sys.executable, "-c", program, hidden, "monitor", *db, *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"greenstat monitor: error: {hidden} is not installed; run: pip install 'greenstat[monitor]'"
    )


def test_malformed_credentials_are_a_usage_error_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GREEN_API_ID_INSTANCE", "abc")
    result = runner.invoke(app, ["monitor", "--db", str(tmp_path / "m.db"), "--jsonl", "-"])
    assert result.exit_code == 2
    assert "must be digits only" in result.stderr
    assert "Traceback" not in result.output
    assert DEMO_TOKEN not in result.output
    assert not (tmp_path / "m.db").exists()


def test_replay_refuses_a_missing_store_and_an_unknown_sink(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["monitor", "replay", "--db", str(tmp_path / "none.db")])
    assert missing.exit_code == 2
    assert "no store at" in missing.stderr
    assert not (tmp_path / "none.db").exists()  # not made by a typo
    db = tmp_path / "m.db"
    _dead(db, 1)
    unknown = runner.invoke(app, ["monitor", "replay", "--db", str(db), "--sink", "webhook:http://other/"])
    assert unknown.exit_code == 2
    assert "--sink: no dead letter of that sink" in unknown.stderr
    with Store(db) as store:
        assert len(store.dead_letters()) == 1  # nothing replayed


#: The group's options whose value, the token by mistake, gives a usage error (the others -- --db, --jsonl,
#: --webhook-secret, --token -- would start a monitor: tests/cli/test_token_never_printed.py covers the
#: subcommands, this the group).
GROUP_OPTIONS = ["--final-after", "--discover-every", "--keep-days", "--max-attempts", "--instances",
                 "--id-instance", "--api-url", "--webhook"]  # fmt: skip


@pytest.mark.parametrize("option", GROUP_OPTIONS)
def test_the_token_given_to_a_monitor_option_is_never_printed(option: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["monitor", "--db", str(tmp_path / "m.db"), option, DEMO_TOKEN])
    assert result.exit_code != 0
    assert DEMO_TOKEN[:12] not in result.stdout + result.stderr
    assert not (tmp_path / "m.db").exists()
