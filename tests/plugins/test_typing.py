"""``mypy --strict`` accepts a user's plugin module (tests/typing/user_plugin.py) and refuses a wrong one."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOOD = ROOT / "tests" / "typing" / "user_plugin.py"
WRONG = """
from greenstat_ext import GreenStat
from greenstat_ext.plugins import Event, CallFinished

class Wrong:
    def on_event(self, event: int) -> None:  # not an Event
        return None

    def request_headers(self, event: int) -> dict[str, int]:  # values must be str
        return {}

GreenStat(id_instance=1, api_token="abc123def", plugins=[Wrong()])  # line 12

def tamper(event: CallFinished) -> None:
    event.outcome = "result"  # line 15: events are frozen
"""


def test_mypy_strict_accepts_a_user_plugin_and_refuses_a_wrong_one(tmp_path: Path) -> None:
    wrong = tmp_path / "wrong_plugin.py"
    wrong.write_text(WRONG, encoding="utf-8")
    result = subprocess.run(  # noqa: S603 - our own interpreter and mypy
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--config-file",
            str(ROOT / "pyproject.toml"),
            str(GOOD),
            str(wrong),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        cwd=ROOT,
    )
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert not [line for line in errors if "user_plugin.py" in line], result.stdout
    wrong_lines = {int(m.group(1)) for line in errors if (m := re.search(r"wrong_plugin\.py:(\d+):", line))}
    assert wrong_lines == {12, 15}, result.stdout
