"""``make bench-monitor-capacity``: how many instances one ``greenstat monitor --instances`` process serves
before it falls behind its budget.

For each count K (default 1, 10, 30, 60, 100), K reference mocks (one instance each, its own id and token)
run in this process on loopback, on a clock 10 times real time, each with 3 posted statuses of 50 to 300
recipients. One real ``greenstat monitor --instances FILE`` process watches all K for ``--seconds``
(default 40), discovering every 10 s. Each instance's budget is 1 ``getStatusStatistic`` per second (its
own limiter); the figure is the polls per second per instance the process achieved, from its own cycle log
lines after a warm-up, and the process's CPU use. "Falls behind" is when that drops well under the K = 1
figure measured in the same run. Prints the table; asserts nothing. Linux only (reads /proc).

    .venv/bin/python bench/monitor_capacity.py [--counts 1,10,30,60,100] [--seconds 40]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from greenstat_client.models import StatusStatistic
from greenstat_ext import GreenStat
from greenstat_ext.mock import DEMO_MESSAGES, MockServer, MockSettings

SPEED = 10.0
_CYCLE = re.compile(
    r"^(\S+ \S+) greenstat monitor: cycle: instance=(\d+) live=\d+ final=\d+ polls=(\d+)", re.M
)


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(count: int, seconds: float, rng: random.Random) -> tuple[float, float]:
    wall0, mono0 = time.time(), time.monotonic()

    def clock() -> float:
        return wall0 + SPEED * (time.monotonic() - mono0)

    blank: dict[str, list[StatusStatistic]] = {i: [] for i in DEMO_MESSAGES}
    audience = [f"7977{n:07d}@c.us" for n in range(300)]
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        lines = []
        for k in range(count):
            id_instance, token = 1102000000 + k, f"{k:04d}" + "c" * 46
            settings = MockSettings(
                id_instance=id_instance, token=token, rate_limit=0, clock=clock, data=blank
            )
            server = stack.enter_context(MockServer(settings, log_level="warning"))
            with GreenStat(
                id_instance=id_instance, api_token=token, api_url=server.base_url, rate_limit=0
            ) as c:
                for _ in range(3):
                    c.send_text_status("cap", participants=rng.sample(audience, rng.randint(50, 300)))
            lines.append(f"{id_instance} {token} {server.base_url}")
        listing = Path(tmp) / "instances.txt"
        listing.write_text("\n".join(lines) + "\n")
        log = Path(tmp) / "monitor.log"
        command = [sys.executable, "-c", "from greenstat_ext.cli import main; main()", "monitor",
                   "--instances", str(listing), "--db", str(Path(tmp) / "m.db"),
                   "--jsonl", os.devnull, "--discover-every", "10s"]  # fmt: skip
        env = {k: v for k, v in os.environ.items() if not k.startswith("GREEN_API_")}
        with log.open("wb") as err:
            process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=err)  # noqa: S603
        warm = 12.0
        time.sleep(warm)
        cpu0, t0 = _cpu_seconds(process.pid), time.monotonic()
        time.sleep(seconds)
        cpu = (_cpu_seconds(process.pid) - cpu0) / (time.monotonic() - t0)
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
        text = log.read_text(errors="replace")
    # Per instance: the polls of its cycles after the first (which includes the start-up), over the time
    # between the first and the last of its cycle lines (a cycle is not exactly 10 s when the loop lags).
    rates: list[float] = []
    per_instance: dict[str, list[tuple[float, int]]] = {}
    for stamp, instance, polls in _CYCLE.findall(text):
        at = datetime.datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S,%f").timestamp()
        per_instance.setdefault(instance, []).append((at, int(polls)))
    for cycles in per_instance.values():
        if len(cycles) >= 3:
            rates.append(sum(p for _, p in cycles[2:]) / (cycles[-1][0] - cycles[1][0]))
    return (sum(rates) / len(rates) if rates else 0.0), cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--counts", default="1,10,30,60,100")
    parser.add_argument("--seconds", type=float, default=40.0)
    args = parser.parse_args()
    rng = random.Random(1)
    print(
        f"greenstat monitor --instances: polls/s per instance (budget 1/s each), {args.seconds:g} s per count"
    )
    print(f"{'instances':>9} {'polls/s/instance':>17} {'vs 1 instance':>14} {'CPU (cores)':>12}")
    base = None
    for count in (int(c) for c in args.counts.split(",")):
        rate, cpu = measure(count, args.seconds, rng)
        base = base or rate
        print(f"{count:9d} {rate:17.2f} {rate / base if base else 0:14.2f} {cpu:12.2f}", flush=True)


if __name__ == "__main__":
    main()
