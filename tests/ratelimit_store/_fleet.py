"""Several processes calling one instance, as a fleet of web workers would: the runner and its worker.

``run_fleet`` starts ``processes`` copies of this module (``python -m tests.ratelimit_store._fleet``), each
making ``calls`` sequential ``getStatusStatistic`` calls through its own client (sync or async), all starting
at one wall-clock instant; each prints one JSON line of what it saw. The credentials travel in the
environment (``GREEN_API_*``), as a deployed worker's would, never on a command line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import anyio

from greenstat_ext import AsyncGreenStat, GreenStat, GreenStatError

ROOT = Path(__file__).resolve().parents[2]
#: A well-known demo status (any valid id works: the counters are read by status code).
ID_MESSAGE = "BAE5F4886F6F2D05"
#: Seconds between spawning the workers and their common start (interpreter start and imports fit in it).
START_DELAY = 4.0


@dataclass(frozen=True)
class WorkerResult:
    starts: list[float]
    ends: list[float]
    errors: list[str]


@dataclass(frozen=True)
class FleetResult:
    workers: list[WorkerResult]

    @property
    def span(self) -> float:
        """Wall-clock seconds from the first call's start to the last call's end."""
        starts = [t for w in self.workers for t in w.starts]
        ends = [t for w in self.workers for t in w.ends]
        return max(ends) - min(starts)

    @property
    def calls(self) -> int:
        return sum(len(w.ends) for w in self.workers)

    @property
    def errors(self) -> list[str]:
        return [e for w in self.workers for e in w.errors]


def run_fleet(
    api_url: str,
    id_instance: int,
    token: str,
    *,
    store: str | None,
    processes: int,
    calls: int,
    async_workers: int = 0,
    timeout: float = 300.0,
) -> FleetResult:
    """Run the fleet (the last ``async_workers`` processes use ``AsyncGreenStat``) and collect its results."""
    env = dict(os.environ)
    env.update(GREEN_API_URL=api_url, GREEN_API_ID_INSTANCE=str(id_instance), GREEN_API_TOKEN=token)
    env.pop("GREEN_API_RATE_LIMIT_STORE", None)
    if store is not None:
        env["GREEN_API_RATE_LIMIT_STORE"] = store
    start_at = time.time() + START_DELAY
    children = []
    for index in range(processes):
        kind = "async" if index >= processes - async_workers else "sync"
        command = [sys.executable, "-m", "tests.ratelimit_store._fleet", kind, str(calls), repr(start_at)]
        children.append(
            subprocess.Popen(  # noqa: S603 - this interpreter, this module, fixed arguments
                command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
        )
    workers = []
    try:
        for child in children:
            out, err = child.communicate(timeout=timeout)
            if child.returncode != 0:
                raise RuntimeError(f"a fleet worker exited with {child.returncode}: {err.decode()[-2000:]}")
            workers.append(WorkerResult(**json.loads(out.decode().strip().splitlines()[-1])))
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait()
    return FleetResult(workers)


def _sync_worker(calls: int, start_at: float) -> WorkerResult:
    starts, ends, errors = [], [], []
    with GreenStat() as client:  # credentials and the store from the environment
        time.sleep(max(0.0, start_at - time.time()))
        for _ in range(calls):
            starts.append(time.time())
            try:
                client.get_status_statistic(ID_MESSAGE)
            except GreenStatError as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
            ends.append(time.time())
    return WorkerResult(starts, ends, errors)


async def _async_worker(calls: int, start_at: float) -> WorkerResult:
    starts, ends, errors = [], [], []
    async with AsyncGreenStat() as client:
        await anyio.sleep(max(0.0, start_at - time.time()))
        for _ in range(calls):
            starts.append(time.time())
            try:
                await client.get_status_statistic(ID_MESSAGE)
            except GreenStatError as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
            ends.append(time.time())
    return WorkerResult(starts, ends, errors)


def main(argv: list[str]) -> None:
    kind, calls, start_at = argv[0], int(argv[1]), float(argv[2])
    result = anyio.run(_async_worker, calls, start_at) if kind == "async" else _sync_worker(calls, start_at)
    print(json.dumps({"starts": result.starts, "ends": result.ends, "errors": result.errors}))


if __name__ == "__main__":
    main(sys.argv[1:])
