"""``make bench-monitor`` (also run by ``make bench``), second half: ``greenstat report`` with and without the
monitor's store, against the reference mock on loopback.

The mock (its clock moved by this script) gets ``--statuses`` posted statuses (default 20); the monitor
library watches them to their end (``status.final``) in simulated time, then ``--live`` more (default 3) are
posted and seen once, still live. Then the real ``greenstat report --json`` command runs twice, paced as a
user's would be (the spec's 1 request/s per method): without ``--db`` it polls every status; with ``--db`` it
reads the final ones from the store and polls only the live ones. Prints both wall times, the ratio, and
what the ideal would be (requests at 1/s). Asserts nothing.

    .venv/bin/python bench/monitor_report.py [--statuses 20] [--live 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from greenstat_ext import AsyncGreenStat, GreenStat
from greenstat_ext.mock import DEMO_ID_INSTANCE, DEMO_MESSAGES, DEMO_TOKEN, MockServer, MockSettings
from greenstat_ext.monitor import Monitor, MonitorSettings, Store

AUDIENCE = [f"7933{n:07d}@c.us" for n in range(200)]


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def _post(server: MockServer, rng: random.Random, n: int) -> list[str]:
    with GreenStat(id_instance=DEMO_ID_INSTANCE, api_token=DEMO_TOKEN, api_url=server.base_url,
                   rate_limit=0) as client:  # fmt: skip
        return [
            client.send_text_status(
                "bench", participants=rng.sample(AUDIENCE, rng.randint(12, 200))
            ).id_message
            for _ in range(n)
        ]


async def _feed(server: MockServer, clock: Clock, db: Path, statuses: int, live: int) -> None:
    rng = random.Random(1)
    settings = MonitorSettings(final_after=600, discover_every=30, max_interval=60)
    _post(server, rng, statuses)
    with Store(db) as store:
        async with AsyncGreenStat(id_instance=DEMO_ID_INSTANCE, api_token=DEMO_TOKEN, api_url=server.base_url,
                                  rate_limit=0) as client:  # fmt: skip
            monitor = Monitor(client, store, settings=settings, clock=clock)
            for _ in range(100 * statuses):
                await monitor.step()
                clock.now += 5
                if len(store.statuses()) == statuses and not monitor.live:
                    break
            _post(server, rng, live)
            clock.now += 31
            for _ in range(live + 1):  # a discovery, then one poll of each new status
                await monitor.step()
                clock.now += 1
        final = sum(row.final_at is not None for row in store.statuses())
        print(f"store: {final} final statuses, {monitor.live} live")


def _report(server: MockServer, db: Path | None) -> tuple[float, int]:
    greenstat = Path(sys.executable).with_name("greenstat")
    env = {**os.environ, "GREEN_API_URL": server.base_url, "GREEN_API_ID_INSTANCE": str(DEMO_ID_INSTANCE),
           "GREEN_API_TOKEN": DEMO_TOKEN}  # fmt: skip
    args = [str(greenstat), "report", "--json", *(["--db", str(db)] if db else [])]
    started = time.perf_counter()
    out = subprocess.run(args, env=env, capture_output=True, text=True, check=True, timeout=600).stdout  # noqa: S603
    return time.perf_counter() - started, len(json.loads(out)["statuses"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--statuses", type=int, default=20, help="statuses watched to their end")
    parser.add_argument("--live", type=int, default=3, help="statuses still live")
    args = parser.parse_args()
    clock = Clock()
    settings = MockSettings(rate_limit=0, clock=clock, data={id_message: [] for id_message in DEMO_MESSAGES})
    with tempfile.TemporaryDirectory() as tmp, MockServer(settings, log_level="warning") as server:
        db = Path(tmp) / "monitor.db"
        asyncio.run(_feed(server, clock, db, args.statuses, args.live))
        without, n_without = _report(server, None)
        with_db, n_with = _report(server, db)
    print(
        f"greenstat report --json, {n_without} statuses in the window, {args.live} of them live, 1 request/s:"
    )
    print(f"  without --db  {without:6.1f} s   (every status polled: {n_without + 1} requests)")
    print(
        f"  with --db     {with_db:6.1f} s   (live ones polled: {args.live + 1} requests; {n_with} statuses)"
    )
    print(f"  ratio         {with_db / without:6.2f}     (requests: {(args.live + 1) / (n_without + 1):.2f})")


if __name__ == "__main__":
    main()
