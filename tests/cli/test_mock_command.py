from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from greenstat_ext.cli import app
from greenstat_ext.mock import DEMO_TOKEN
from tests.cli._interruptible import INTERRUPTIBLE_MAIN

runner = CliRunner()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--host", "0.0.0.0"], "not a loopback address"),  # noqa: S104 - refused, which is the point
        (["--port", "70000"], "'--port'"),  # typer's message: 70000 quoted before 0.29, 65535 from 0.29
        (["--faults", "2"], "--faults"),
        (["--faults", "0.5", "--fault-kind", "418"], "unknown fault kind '418'"),
        (["--rate-limit", "-1"], "--rate-limit"),
        (["--id-instance", "0"], "--id-instance"),
    ],
)
def test_bad_flags_exit_2_with_a_message(args: list[str], expected: str) -> None:
    result = runner.invoke(app, ["mock", *args])
    assert result.exit_code == 2
    assert expected in result.output
    assert "Traceback" not in result.output


def test_bad_token_is_refused_without_being_echoed() -> None:
    result = runner.invoke(app, ["mock", "--token", "my-secret-token"])
    assert result.exit_code == 2
    assert "token must be 1 to 128 ASCII letters and digits" in result.output
    assert "my-secret-token" not in result.output


def test_bad_data_file_names_the_entry(tmp_path: Path) -> None:
    path = tmp_path / "data.json"
    path.write_text(json.dumps({"M1": [{"participant": "1@c.us", "timestamp": "soon", "status": "read"}]}))
    result = runner.invoke(app, ["mock", "--data", str(path)])
    assert result.exit_code == 2
    assert '"M1"[0]: Expected `int`, got `str` - at `$.timestamp`' in result.output
    assert "Traceback" not in result.output


def test_undecodable_data_file_is_a_usage_error_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes(b'{"M": [{"participant": "Jos\xe9@c.us", "timestamp": 1, "status": "read"}]}')
    result = runner.invoke(app, ["mock", "--data", str(path)])
    assert result.exit_code == 2
    assert "not valid UTF-8" in result.output
    assert "Traceback" not in result.output


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_data_on_a_fifo_exits_2_instead_of_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "data.fifo"
    os.mkfifo(fifo)
    command = [sys.executable, "-c", "from greenstat_ext.cli import main; main()", "mock", "--port", "0",
               "--data", str(fifo)]  # fmt: skip
    # Generous bound: the bug was a hang on open(), so any exit at all within 30 s proves the fix.
    result = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)  # noqa: S603
    assert result.returncode == 2
    assert "not a regular file" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("sig", "returncode"), [(signal.SIGTERM, -signal.SIGTERM), (signal.SIGINT, 130)])
def test_greenstat_mock_serves_masks_the_token_and_stops_on_signal(
    tmp_path: Path, sig: signal.Signals, returncode: int
) -> None:
    data = tmp_path / "data.json"
    data.write_text(json.dumps({"MINE": [{"participant": "1@c.us", "timestamp": 7, "status": "sent"}]}))
    command = [sys.executable, "-c", INTERRUPTIBLE_MAIN, "mock", "--port", "0",
               "--rate-limit", "0", "--data", str(data)]  # fmt: skip
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)  # noqa: S603
    assert process.stdout is not None
    try:
        first = process.stdout.readline()
        match = re.search(r"serving on (http://127\.0\.0\.1:\d+)", first)
        assert match, first
        url = f"{match.group(1)}/waInstance1101000001/getStatusStatistic/{DEMO_TOKEN}"
        # The banner is printed just before uvicorn starts accepting: retry refused connections, for as long
        # as a busy machine needs (a guard against a hang, not a speed requirement).
        deadline = time.monotonic() + 60
        while True:
            try:
                response = httpx.get(url, params={"idMessage": "MINE"}, timeout=60)
                break
            except httpx.ConnectError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        assert response.json() == [{"participant": "1@c.us", "timestamp": 7, "status": "sent"}]
        assert httpx.get(url, params={"idMessage": "DEADBEEFDEADBEEF"}, timeout=60).json() == []
    finally:
        process.send_signal(sig)
        process.wait(timeout=60)
        output = first + process.stdout.read()  # not communicate(): it would skip readline()'s buffer
    assert process.returncode == returncode  # after a graceful shutdown:
    assert "Finished server process" in output
    # The public demo token is in the banner (its curl line pastes as is), and nowhere else: the access
    # log masks every token.
    assert f"apiTokenInstance {DEMO_TOKEN}  (the public demo token)" in output
    curl = next(line for line in output.splitlines() if "try: curl" in line)
    assert f"/getStatusStatistic/{DEMO_TOKEN}?idMessage=" in curl
    assert DEMO_TOKEN not in output.replace(curl, "").replace(f"apiTokenInstance {DEMO_TOKEN}", "")
    assert "/getStatusStatistic/***?idMessage=MINE" in output
    assert "Traceback" not in output


def test_the_banner_gives_a_runnable_curl_with_show_token_and_counts_newer_statuses() -> None:
    from pathlib import Path as _Path

    from greenstat_client.models import StatusStatistic, StatusValue
    from greenstat_ext._cli._mock_banner import banner
    from greenstat_ext.mock import MockSettings

    loaded = {"MINE": [StatusStatistic(participant="1@c.us", timestamp=7, status=StatusValue("played"))]}
    settings = MockSettings(data=loaded)
    base = "http://127.0.0.1:8080"
    shown = banner(settings, base, show_token=True, data=_Path("d.json"), loaded=loaded)
    curl = next(line for line in shown.splitlines() if "curl" in line)
    assert f"'{base}/waInstance{settings.id_instance}/getStatusStatistic/{DEMO_TOKEN}?idMessage=" in curl
    assert "1 recipient(s) with a status outside the spec's enum" in shown
    demo = banner(settings, base, show_token=False, data=None, loaded=None)
    assert f"/getStatusStatistic/{DEMO_TOKEN}?idMessage=" in demo  # the public demo token: pastes as is
    own = MockSettings(token="MyOwnSecret123")
    masked = banner(own, base, show_token=False, data=None, loaded=None)
    assert "MyOwnSecret123" not in masked  # a token of the user's own stays off the screen
    assert "<token: --show-token prints it>" in masked


def test_a_busy_port_is_one_greenstat_style_line() -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(app, ["mock", "--port", str(port)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"greenstat mock: error: cannot listen on 127.0.0.1:{port}: Address already in use "
        "(another mock? --port 0 picks a free port)\n"
    )
