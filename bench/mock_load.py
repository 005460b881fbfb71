"""Concurrent load on the mock over loopback: requests/s, status codes, and RSS before/after.

Why this shape: the mock backs the client's integration tests and the benchmarks, so it must hold a steady
load with no 5xx and no memory growth (counters, caches and the limiter are all bounded). It prints
figures and never asserts on time. Faults and the rate limit are off; loopback only.

    .venv/bin/python bench/mock_load.py --seconds 30 --connections 16
"""

from __future__ import annotations

import argparse
import asyncio
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx

from greenstat_ext.mock import DEMO_ID_INSTANCE, DEMO_MESSAGES, DEMO_TOKEN

SMALL = [mid for mid, spec in DEMO_MESSAGES.items() if spec.recipients < 1000]


def rss_mb(pid: int) -> float:
    """Resident set size of the server process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/PID/status")


def start_server() -> tuple[subprocess.Popen[str], str]:
    """``greenstat mock`` in its own process (its own GIL), on a free loopback port, quiet."""
    command = [sys.executable, "-c", "from greenstat_ext.cli import main; main()", "mock", "--port", "0",
               "--rate-limit", "0", "--no-access-log"]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)  # noqa: S603
    assert process.stdout is not None
    match = re.search(r"serving on (http://\S+)", process.stdout.readline())
    if match is None:
        process.kill()
        raise RuntimeError("greenstat mock did not start")
    for _ in range(200):
        try:
            httpx.get(match.group(1))
            break
        except httpx.ConnectError:
            time.sleep(0.05)
    return process, match.group(1)


async def worker(
    client: httpx.AsyncClient, url: str, deadline: float, index: int, codes: Counter[int]
) -> None:
    n = index
    while time.monotonic() < deadline:
        id_message = SMALL[n % len(SMALL)] if n % 10 else f"UNKNOWN{n % 1000}"
        response = await client.get(url, params={"idMessage": id_message})
        codes[response.status_code] += 1
        n += 1


async def load(base_url: str, seconds: float, connections: int) -> Counter[int]:
    url = f"{base_url}/waInstance{DEMO_ID_INSTANCE}/getStatusStatistic/{DEMO_TOKEN}"
    codes: Counter[int] = Counter()
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(limits=limits, timeout=10) as client:
        deadline = time.monotonic() + seconds
        await asyncio.gather(*(worker(client, url, deadline, i, codes) for i in range(connections)))
    return codes


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    seconds = min(max(args.seconds, 1.0), 300.0)
    connections = min(max(args.connections, 1), 256)

    process, base_url = start_server()
    try:
        asyncio.run(load(base_url, 2.0, connections))  # warm-up: caches, generated data, allocator
        before = rss_mb(process.pid)
        started = time.perf_counter()
        codes = asyncio.run(load(base_url, seconds, connections))
        elapsed = time.perf_counter() - started
        after = rss_mb(process.pid)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=15)
    total = sum(codes.values())
    server_errors = sum(n for code, n in codes.items() if code >= 500)
    rate = total / elapsed
    print(f"mock load: {connections} connections for {elapsed:.1f} s: {total} requests, {rate:.0f} req/s")
    print(f"  statuses {dict(sorted(codes.items()))}; 5xx: {server_errors}")
    print(f"  server RSS before {before:.1f} MB, after {after:.1f} MB, growth {after - before:+.1f} MB")


if __name__ == "__main__":
    main()
