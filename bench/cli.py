"""``make bench-cli`` (and ``make bench``): the CLI's start-up and output times, as ratios to baselines
measured in the same run (the goals: docs/performance-cli.md). Prints a table and writes
``docs/performance-cli.md`` from ``bench/performance-cli.md.tmpl``; asserts nothing.

1. Start-up: ``greenstat --help`` and a 12-recipient ``greenstat stats`` (plain rows to a pipe) against
   ``python -c "import httpx"`` -- goals <= 1.5x and <= 2x.
2. Big statuses: ``greenstat stats`` of the mock's 100,000-recipient demo status in every output mode
   (plain rows to a pipe, a terminal page, ``--all`` on a terminal) against ``--json`` -- goal <= 3x each.
   A "terminal" is Rich's ``TTY_COMPATIBLE=1`` with stdout to /dev/null: the rendering is timed, not a
   terminal emulator's drawing.

Every command is a fresh process (wall time, interpreter start included), the commands run ALTERNATELY,
the order rotated each round, after one discarded warm-up round; medians.

    .venv/bin/python bench/cli.py [--rounds 7]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from string import Template

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent
TEMPLATE = HERE / "performance-cli.md.tmpl"
OUTPUT = ROOT / "docs" / "performance-cli.md"
SMALL = "BAE5F4886F6F2D05"  # the mock's 12-recipient demo status
LARGE = "3EB0C767D097B7C7C030"  # the mock's 100,000-recipient demo status
GREENSTAT = str(BIN / "greenstat")


def log(message: str) -> None:
    print(f"[bench-cli] {message}", file=sys.stderr, flush=True)


def commands(base_url: str) -> dict[str, tuple[list[str], dict[str, str]]]:
    from greenstat_ext.mock import DEMO_ID_INSTANCE, DEMO_TOKEN

    env = {
        **os.environ,
        "GREEN_API_URL": base_url,
        "GREEN_API_ID_INSTANCE": str(DEMO_ID_INSTANCE),
        "GREEN_API_TOKEN": DEMO_TOKEN,
        "TTY_COMPATIBLE": "0",
    }
    terminal = {**env, "TTY_COMPATIBLE": "1", "COLUMNS": "120", "LINES": "40"}
    return {
        "import httpx": ([sys.executable, "-c", "import httpx"], env),
        "greenstat --help": ([GREENSTAT, "--help"], env),
        "stats (12, pipe)": ([GREENSTAT, "stats", SMALL], env),
        "stats 100k --json": ([GREENSTAT, "stats", LARGE, "--json"], env),
        "stats 100k, pipe": ([GREENSTAT, "stats", LARGE], env),
        "stats 100k, terminal page": ([GREENSTAT, "stats", LARGE], terminal),
        "stats 100k --all, terminal": ([GREENSTAT, "stats", LARGE, "--all"], terminal),
    }


def time_once(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(  # noqa: S603 - our own commands
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        timeout=300,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"{command[1:]} exited {result.returncode}: {result.stderr.strip()[-300:]}")
    return elapsed


def compile_sources() -> None:
    """Write the bytecode of greenstat's own packages before timing anything.

    Why: they are an editable install, which ``uv pip install --compile-bytecode`` does not compile, and
    when ``PYTHONDONTWRITEBYTECODE`` is set (as on the shared development machine) the warm-up round cannot
    write it either, so every timed run compiled ~60 modules from source (~60 ms, a third of ``import
    httpx``). What is timed is a run with bytecode, as every run after the first is for a user (pip
    compiles a regular install).
    """
    import compileall

    for package in ("greenstat_ext", "generated/greenstat_client"):
        if not compileall.compile_dir(ROOT / package, quiet=1):
            raise RuntimeError(f"compileall failed for {package}")


def measure(base_url: str, rounds: int) -> dict[str, float]:
    table = commands(base_url)
    names = list(table)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(rounds + 1):
        order = names[round_ % len(names) :] + names[: round_ % len(names)]
        for name in order:
            elapsed = time_once(*table[name])
            if round_:  # round 0 warms the caches (bytecode, page cache, the mock's 100k body)
                samples[name].append(elapsed)
        log(f"round {round_}/{rounds}")
    return {name: statistics.median(values) for name, values in samples.items()}


GOALS = (
    ("greenstat --help", "import httpx", 1.5),
    ("stats (12, pipe)", "import httpx", 2.0),
    ("stats 100k, pipe", "stats 100k --json", 3.0),
    ("stats 100k, terminal page", "stats 100k --json", 3.0),
    ("stats 100k --all, terminal", "stats 100k --json", 3.0),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    load_start = os.getloadavg()[0]
    started = time.monotonic()
    compile_sources()
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, str(HERE / "_serve_mock.py")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        match = re.search(r"serving on (http://\S+)", process.stdout.readline())
        if match is None:
            raise RuntimeError("the mock did not start")
        medians = measure(match.group(1), args.rounds)
    finally:
        assert process.stdin is not None
        process.stdin.close()
        process.wait(timeout=15)
    timing_rows = [f"| {name} | {seconds * 1000:.0f} ms |" for name, seconds in medians.items()]
    goal_rows = []
    for name, baseline, target in GOALS:
        ratio = medians[name] / medians[baseline]
        holds = "yes" if ratio <= target else "**no**"
        goal_rows.append(f"| {name} / {baseline} | <= {target:g}x | {ratio:.2f}x | {holds} |")
    for row in (*timing_rows, *goal_rows):
        print(row)
    text = Template(TEMPLATE.read_text(encoding="utf-8")).substitute(
        rounds=args.rounds,
        nproc=os.cpu_count(),
        python=platform.python_version(),
        total=f"{time.monotonic() - started:.0f}",
        load_start=f"{load_start:.2f}",
        load_end=f"{os.getloadavg()[0]:.2f}",
        timing_table="\n".join(["| command | median wall time |", "|---|---|", *timing_rows]),
        goal_table="\n".join(["| ratio | goal | measured | holds |", "|---|---|---|---|", *goal_rows]),
    )
    OUTPUT.write_text(text, encoding="utf-8")
    log(f"wrote {OUTPUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
