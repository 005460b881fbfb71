"""``make bench-monitor`` (also run by ``make bench``): the monitor's scheduler against round-robin, in
simulated time against the mock's schedules.

30 live statuses of 12 to 1,024 recipients (log-spaced), posted at staggered times over the 3 hours before
the run, each with its own pace (the mean seconds between two steps of a recipient, log-uniform 2 min to
1 h). Each is a demo status of the reference mock (:class:`greenstat_ext.mock.MessageStore`), whose schedule
is the ground truth of when each recipient reached ``delivered`` and ``read``. Both schedulers get the same
budget, one ``getStatusStatistic`` per simulated second, for 2 simulated hours; every poll reads the mock's
answer at that moment and goes through the monitor's own diff (:func:`greenstat_ext.monitor.diff_recipients`).

The delay of a transition is the time from the recipient's step (the schedule) to the first poll that saw
it (or the end of the run, if none did: a starved status counts against its scheduler). Transitions of the
first 105 minutes are measured. Prints median and p95 for both and their ratios per seed (each seed a
new world) and pooled, all from this one run. Asserts nothing.

    .venv/bin/python bench/monitor_scheduler.py [--seed 1] [--seeds 3] [--hours 2]
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from greenstat_ext.mock import DemoMessage, MessageStore
from greenstat_ext.monitor import RoundRobin, Scheduler, diff_recipients

STATUSES = 30
PERIOD = 10_000_000  # one cycle outlasts the run: no re-post inside it


@dataclass
class Status:
    id_message: str
    posted: float  # simulated time of posting
    store: MessageStore
    start: int  # the mock's cycle start that maps to ``posted``
    delivered: dict[str, float]  # participant -> simulated time (inf = never)
    read: dict[str, float]


def build(seed: int, sim: list[float]) -> list[Status]:
    rng = random.Random(seed)
    out = []
    for i in range(STATUSES):
        recipients = round(12 * (1024 / 12) ** (i / (STATUSES - 1)))
        pace = math.exp(rng.uniform(math.log(300), math.log(7200)))
        posted = -rng.uniform(0, 3 * 3600)
        id_message = f"BENCH{i:04d}"
        spec = DemoMessage("bench", recipients=recipients, age=0.0, pace=pace, period=PERIOD)
        probe = MessageStore(seed=seed, clock=lambda: 0.0, demo={id_message: spec})
        start = probe.cycle_start(id_message, 2_000_000_000.0)

        def clock(start: int = start, posted: float = posted) -> float:
            return start + (sim[0] - posted)

        store = MessageStore(seed=seed, clock=clock, demo={id_message: spec})
        schedule = store._schedule(id_message)  # the ground truth (the mock's own draw)
        delivered = {p: posted + t for p, t in zip(schedule.participants, schedule.delivered, strict=True)}
        read = {p: posted + t for p, t in zip(schedule.participants, schedule.read, strict=True)}
        out.append(Status(id_message, posted, store, start, delivered, read))
    return out


def simulate(make: Callable[[], Scheduler[str] | RoundRobin[str]], seed: int, hours: float) -> list[float]:
    sim = [0.0]
    statuses = {s.id_message: s for s in build(seed, sim)}
    scheduler = make()
    known: dict[str, dict[str, tuple[str, int]]] = {i: {} for i in statuses}
    seen_delivered: dict[tuple[str, str], float] = {}
    seen_read: dict[tuple[str, str], float] = {}
    for id_message in statuses:
        scheduler.add(id_message)
    end = hours * 3600
    while sim[0] < end:
        now = sim[0]
        picked = scheduler.next(now)
        assert picked is not None
        id_message = picked
        status = statuses[id_message]
        answer = [(r.participant, str(r.status), r.timestamp) for r in status.store.snapshot(id_message)]
        changes, _ = diff_recipients(1, id_message, known[id_message], answer, now)
        for _, _, participant, state, api_ts, _ in changes:
            known[id_message][participant] = (state, api_ts)
            if state in ("delivered", "read"):
                seen_delivered.setdefault((id_message, participant), now)
            if state == "read":
                seen_read.setdefault((id_message, participant), now)
        open_ = sum(1 for state, _ in known[id_message].values() if state != "read")
        scheduler.observe(id_message, now, changes=len(changes), open_recipients=open_)
        sim[0] += 1.0
    window = end - 15 * 60
    delays = []
    for status in statuses.values():
        for participant in status.read:
            for truth, seen in ((status.delivered, seen_delivered), (status.read, seen_read)):
                t = truth[participant]
                if 0 <= t < window:
                    delays.append(seen.get((status.id_message, participant), end) - t)
    return delays


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1, help="the first seed")
    parser.add_argument("--seeds", type=int, default=3, help="how many seeds, one world each")
    parser.add_argument("--hours", type=float, default=2.0)
    args = parser.parse_args()
    print(
        f"monitor scheduler vs round-robin: {STATUSES} statuses, 12-1,024 recipients, 1 poll/s, "
        f"{args.hours:g} simulated hours per seed"
    )
    pooled: dict[str, list[float]] = {"round-robin": [], "scheduler": []}
    for seed in range(args.seed, args.seed + args.seeds):
        started = time.perf_counter()
        ours = simulate(Scheduler, seed, args.hours)
        baseline = simulate(RoundRobin, seed, args.hours)
        took = time.perf_counter() - started
        pooled["scheduler"] += ours
        pooled["round-robin"] += baseline
        print(f"seed {seed}: {len(ours)} transitions ({took:.1f} s)")
        report(baseline, ours)
    if args.seeds > 1:
        print(f"all {args.seeds} seeds pooled: {len(pooled['scheduler'])} transitions")
        report(pooled["round-robin"], pooled["scheduler"])


def report(baseline: list[float], ours: list[float]) -> None:
    for name, delays in (("round-robin", baseline), ("scheduler", ours)):
        print(f"  {name:12} median {statistics.median(delays):7.1f} s   p95 {p95(delays):7.1f} s")
    print(
        f"  ratio        median {statistics.median(ours) / statistics.median(baseline):7.2f}     "
        f"p95 {p95(ours) / p95(baseline):7.2f}     (goal: median <= 0.5, p95 <= 1.0)"
    )


if __name__ == "__main__":
    main()
