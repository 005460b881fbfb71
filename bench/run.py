"""``make bench``: typed greenstat results against untyped JSON, and the mock against Stoplight Prism.

What it does (loopback only; every loop bounded in count and time; prints figures, asserts nothing):

1. serves fixed 1k / 10k / 100k-recipient statuses from the mock (``MockServer``, rate limit and faults
   off) in its own process;
2. times each client path ALTERNATELY in this process (order rotated every round), several rounds, and
   reports medians and ratios against the floor (``httpx`` + ``json.loads``) of the same run. Paths: the
   floor, ``GreenStat``, ``AsyncGreenStat``, the untemplated openapi-python-client output (generated into a
   temporary folder), and the official SDK in its own venv (``bench/.venv-official``, driven over a pipe);
3. measures the peak memory growth of one 100k fetch per path, each in a fresh process (tracemalloc);
4. measures requests/s of the mock and of Prism (npm, ``bench/.prism``) at 16 connections, and the mock's
   100k-recipient response time;
5. profiles one 100k ``GreenStat`` call (cProfile), prints a table and writes ``docs/performance.md``.

    .venv/bin/python bench/run.py [--rounds 9] [--load-seconds 10] [--no-prism] [--no-official]
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import os
import platform
import pstats
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import httpx  # noqa: E402
from _data import SIZES, id_message_for  # noqa: E402
from _load import requests_per_second  # noqa: E402
from _paths import IN_PROCESS, PATH_LABELS, RAW_PACKAGE, build  # noqa: E402

from greenstat_ext.mock import DEMO_ID_INSTANCE, DEMO_TOKEN  # noqa: E402

BIN = Path(sys.executable).parent
OFFICIAL_VENV = HERE / ".venv-official"
OFFICIAL_SPEC = "whatsapp-api-client-python==0.0.55"
PRISM_DIR = HERE / ".prism"
PRISM_SPEC = "@stoplight/prism-cli@5"
SMALL_DEMO = "BAE5F4886F6F2D05"
LARGE_DEMO = "3EB0C767D097B7C7C030"
OPERATION = f"/waInstance{DEMO_ID_INSTANCE}/getStatusStatistic/{DEMO_TOKEN}"
MIB = 1024 * 1024


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def run(command: list[str], *, timeout: float, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)  # noqa: S603


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until_up(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.TransportError):
            httpx.get(url, timeout=2.0)
            return
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


@contextlib.contextmanager
def mock_process() -> Iterator[str]:
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
        yield match.group(1)
    finally:
        assert process.stdin is not None
        process.stdin.close()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def generate_raw_client(folder: Path) -> str | None:
    """The untemplated openapi-python-client output (no ``--custom-template-path``), or an error text."""
    result = run(
        [str(BIN / "openapi-python-client"), "generate", "--path", "openapi.yaml", "--meta", "none",
         "--output-path", str(folder / RAW_PACKAGE)],
        timeout=300,
    )  # fmt: skip
    return None if result.returncode == 0 else (result.stdout + result.stderr)[-500:]


def official_python() -> tuple[Path | None, str]:
    """The official SDK's venv python, installing it once; ``(None, why)`` when it cannot be installed."""
    python = OFFICIAL_VENV / "bin" / "python"
    if not python.exists():
        log(f"installing {OFFICIAL_SPEC} into {OFFICIAL_VENV.relative_to(ROOT)}")
        made = run([sys.executable, "-m", "venv", str(OFFICIAL_VENV)], timeout=120)
        if made.returncode != 0:
            return None, f"venv failed: {made.stderr.strip()[-200:]}"
    check = run([str(python), "-c", "import whatsapp_api_client_python.API"], timeout=60)
    if check.returncode != 0:
        pip = run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", OFFICIAL_SPEC],
                  timeout=600)  # fmt: skip
        if pip.returncode != 0:
            return None, f"pip install {OFFICIAL_SPEC} failed: {pip.stderr.strip()[-300:]}"
    return python, "installed"


def prism_binary() -> tuple[Path | None, str]:
    binary = PRISM_DIR / "node_modules" / ".bin" / "prism"
    if binary.exists():
        return binary, "installed"
    npm = shutil.which("npm")
    if npm is None:
        return None, "npm not found"
    log(f"installing {PRISM_SPEC} into {PRISM_DIR.relative_to(ROOT)}")
    result = run(
        [npm, "install", "--prefix", str(PRISM_DIR), "--no-audit", "--no-fund", PRISM_SPEC], timeout=600
    )
    if result.returncode != 0 or not binary.exists():
        return None, f"npm install failed: {result.stderr.strip()[-300:]}"
    return binary, "installed"


class Official:
    """The official SDK in its own venv, driven over a pipe; each fetch is timed inside that process."""

    def __init__(self, python: Path, base_url: str) -> None:
        self._process = subprocess.Popen(  # noqa: S603
            [str(python), str(HERE / "_official.py"), "serve", base_url],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip

    def fetch_timed(self, id_message: str) -> tuple[float, int]:
        assert self._process.stdin is not None
        assert self._process.stdout is not None
        self._process.stdin.write(id_message + "\n")
        self._process.stdin.flush()
        line = self._process.stdout.readline()
        if not line:
            raise RuntimeError("the official SDK process died")
        elapsed_ns, items = line.split()
        return int(elapsed_ns) / 1e9, int(items)

    def close(self) -> None:
        assert self._process.stdin is not None
        self._process.stdin.close()
        try:
            self._process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self._process.kill()


@dataclass
class Results:
    times: dict[tuple[str, int], list[float]] = field(default_factory=dict)
    memory: dict[str, float | str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    mock_rps: float = 0.0
    mock_codes: dict[int, int] = field(default_factory=dict)
    prism_rps: float | str = "not run"
    prism_codes: dict[int, int] = field(default_factory=dict)
    large_cold: float = 0.0
    large_warm: float = 0.0
    profile: str = ""
    import_ms: dict[str, float] = field(default_factory=dict)

    def median(self, path: str, size: int) -> float | None:
        samples = self.times.get((path, size))
        return statistics.median(samples) if samples else None


def _note(res: Results, key: str) -> str:
    """An optional note for the bullet above it (nothing at all, not a blank line, when there is none)."""
    note: str = res.notes.get(key, "")
    return f"\n  {note}" if note else ""


def time_paths(
    base_url: str, raw_dir: str | None, official: Official | None, rounds: int, res: Results
) -> None:
    paths = [p for p in IN_PROCESS if not (p == "raw_generated" and raw_dir is None)]
    fetchers = {name: build(name, base_url, raw_dir) for name in paths}
    order: list[str] = [*paths, *(["official"] if official else [])]
    try:
        for size in SIZES:
            id_message = id_message_for(size)
            for round_number in range(rounds + 1):  # round 0 warms up and is discarded
                shift = round_number % len(order)
                for name in order[shift:] + order[:shift]:
                    if name == "official":
                        assert official is not None
                        elapsed, items = official.fetch_timed(id_message)
                    else:
                        fetch = fetchers[name][0]
                        started = time.perf_counter()
                        items = len(fetch(id_message))
                        elapsed = time.perf_counter() - started
                    if items != size:
                        raise RuntimeError(f"{name} returned {items} items, expected {size}")
                    if round_number:
                        res.times.setdefault((name, size), []).append(elapsed)
            log(f"timed {size:,} recipients: {rounds} rounds x {len(order)} paths")
    finally:
        for _, close in fetchers.values():
            close()


def measure_memory(base_url: str, raw_dir: str | None, official_py: Path | None, res: Results) -> None:
    large, warm = id_message_for(SIZES[-1]), id_message_for(SIZES[0])
    for name in IN_PROCESS:
        if name == "raw_generated" and raw_dir is None:
            continue
        command = [
            sys.executable,
            str(HERE / "_memory.py"),
            name,
            base_url,
            large,
            warm,
            *([raw_dir] if raw_dir else []),
        ]
        result = run(command, timeout=300)
        res.memory[name] = json.loads(result.stdout)["peak"] / MIB if result.returncode == 0 else "failed"
    if official_py is not None:
        result = run(
            [str(official_py), str(HERE / "_official.py"), "memory", base_url, large, warm], timeout=300
        )
        res.memory["official"] = (
            json.loads(result.stdout)["peak"] / MIB if result.returncode == 0 else "failed"
        )
    log("memory measured")


def measure_mock(base_url: str, seconds: float, res: Results) -> None:
    port = int(base_url.rsplit(":", 1)[1])
    path = f"{OPERATION}?idMessage={SMALL_DEMO}"
    requests_per_second("127.0.0.1", port, path, seconds=1.0, connections=16)  # warm-up
    res.mock_rps, codes = requests_per_second("127.0.0.1", port, path, seconds=seconds, connections=16)
    res.mock_codes = dict(codes)
    with httpx.Client(base_url=base_url, timeout=60.0) as client:
        started = time.perf_counter()
        client.get(OPERATION, params={"idMessage": LARGE_DEMO}).raise_for_status()
        res.large_cold = time.perf_counter() - started
        warm = []
        for _ in range(5):
            started = time.perf_counter()
            client.get(OPERATION, params={"idMessage": LARGE_DEMO}).raise_for_status()
            warm.append(time.perf_counter() - started)
        res.large_warm = statistics.median(warm)
    log(f"mock: {res.mock_rps:,.0f} req/s")


def measure_prism(seconds: float, res: Results) -> None:
    binary, status = prism_binary()
    if binary is None:
        res.prism_rps = f"not run: {status}"
        return
    port = free_port()
    process = subprocess.Popen(  # noqa: S603
        [str(binary), "mock", "openapi.yaml", "-h", "127.0.0.1", "-p", str(port), "-v", "error"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_until_up(f"http://127.0.0.1:{port}{OPERATION}?idMessage={SMALL_DEMO}", 60.0)
        path = f"{OPERATION}?idMessage={SMALL_DEMO}"
        requests_per_second("127.0.0.1", port, path, seconds=1.0, connections=16)  # warm-up
        res.prism_rps, codes = requests_per_second("127.0.0.1", port, path, seconds=seconds, connections=16)
        res.prism_codes = dict(codes)
        log(f"prism: {res.prism_rps:,.0f} req/s")
    except RuntimeError as exc:
        res.prism_rps = f"not run: {exc}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def profile_greenstat(base_url: str, res: Results) -> None:
    fetch, close = build("greenstat_sync", base_url)
    id_message = id_message_for(SIZES[-1])
    fetch(id_message)
    profiler = cProfile.Profile()
    profiler.enable()
    fetch(id_message)
    profiler.disable()
    close()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(12)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if "function calls" in line)
    res.profile = "\n".join(
        line.replace(str(ROOT) + "/", "").replace(sys.prefix + "/", "") for line in lines[start:]
    )


IMPORT_PROBES = {
    "import greenstat_ext": "",
    "import greenstat_ext, with click made unimportable": "import sys; sys.modules['click'] = None; ",
    "import httpx": "",
}


def measure_imports(res: Results, repeats: int = 5) -> None:
    """Median wall time of an import in a fresh interpreter (``python -X importtime`` tells where it goes)."""
    for label, prelude in IMPORT_PROBES.items():
        statement = label.split(",")[0]
        code = f"{prelude}import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
        samples = [float(run([sys.executable, "-c", code], timeout=60).stdout) for _ in range(repeats)]
        res.import_ms[label] = statistics.median(samples) * 1000


def machine() -> dict[str, str]:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "python": platform.python_version(),
        "os": platform.platform(),
        "httpx": _version("httpx"),
        "msgspec": _version("msgspec"),
        "uvicorn": _version("uvicorn"),
    }


def _version(name: str) -> str:
    from importlib.metadata import version

    return version(name)


def fmt_ms(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds * 1000:.2f} ms"


def render(
    res: Results, info: dict[str, str], args: argparse.Namespace
) -> tuple[str, str, list[tuple[str, str, str, bool | None]]]:
    order = [*IN_PROCESS, "official"]
    header = "| path | " + " | ".join(f"{s // 1000}k" for s in SIZES) + " | peak memory growth at 100k |"
    rows = [header, "|---|" + "---|" * (len(SIZES) + 1)]
    for name in order:
        cells = []
        for size in SIZES:
            median, floor = res.median(name, size), res.median("floor", size)
            if median is None:
                cells.append(res.notes.get(name, "—"))
            elif name == "floor":
                cells.append(fmt_ms(median))
            else:
                cells.append(f"{fmt_ms(median)} ({median / floor:.2f}x)" if floor else fmt_ms(median))
        memory = res.memory.get(name)
        floor_memory = res.memory.get("floor")
        if isinstance(memory, float) and isinstance(floor_memory, float):
            memory_cell = f"{memory:.1f} MiB" + (
                "" if name == "floor" else f" ({memory / floor_memory:.2f}x)"
            )
        else:
            memory_cell = str(memory or res.notes.get(name, "—"))
        rows.append(f"| {PATH_LABELS[name]} | " + " | ".join(cells) + f" | {memory_cell} |")
    table = "\n".join(rows)

    prism = res.prism_rps
    mock_rows = [
        "| server | requests/s (16 connections) | statuses |",
        "|---|---|---|",
        f"| greenstat mock (uvicorn, 1 process) | {res.mock_rps:,.0f} | {res.mock_codes} |",
        "| Stoplight Prism 5 (`prism mock openapi.yaml -v error`) | "
        + (f"{prism:,.0f}" if isinstance(prism, float) else prism)
        + f" | {res.prism_codes or '—'} |",
    ]
    mock_table = "\n".join(mock_rows)

    def ratio(path: str, size: int) -> float | None:
        median, floor = res.median(path, size), res.median("floor", size)
        return None if median is None or not floor else median / floor

    def ratio_to(path: str, base: str, size: int) -> float | None:
        median, floor = res.median(path, size), res.median(base, size)
        return None if median is None or not floor else median / floor

    big, small = SIZES[-1], SIZES[0]
    sync_big, sync_small = ratio("greenstat_sync", big), ratio("greenstat_sync", small)
    async_big, async_small = ratio("greenstat_async", big), ratio("greenstat_async", small)
    mem = res.memory.get("greenstat_sync")
    floor_mem = res.memory.get("floor")
    mem_ratio = mem / floor_mem if isinstance(mem, float) and isinstance(floor_mem, float) else None
    prism_ratio = res.mock_rps / prism if isinstance(prism, float) and prism else None

    def holds(value: float | None, limit: float, below: bool = True) -> bool | None:
        if value is None:
            return None
        return value <= limit if below else value >= limit

    def show(value: float | None) -> str:
        return "—" if value is None else f"{value:.2f}x"

    goals: list[tuple[str, str, str, bool | None]] = [
        ("`GreenStat` at 100k, median vs the floor", "≤ 0.60x", show(sync_big), holds(sync_big, 0.6)),
        ("`GreenStat` peak memory growth at 100k vs `json.loads`", "≤ 0.50x", show(mem_ratio),
         holds(mem_ratio, 0.5)),
        ("`GreenStat` at 1k, median vs the floor", "≤ 1.10x", show(sync_small), holds(sync_small, 1.1)),
        ("`AsyncGreenStat` at 100k, median vs the floor", "≤ 0.60x", show(async_big), holds(async_big, 0.6)),
        ("`AsyncGreenStat` at 1k, median vs the floor", "≤ 1.10x", show(async_small),
         holds(async_small, 1.1)),
        ("`AsyncGreenStat` at 1k, median vs the async floor (`httpx.AsyncClient`)", "(same speed)",
         show(ratio_to("greenstat_async", "floor_async", small)), None),
        ("mock requests/s vs Prism's", "≥ 2x", show(prism_ratio), holds(prism_ratio, 2.0, below=False)),
        ("mock, 100k-recipient response (warm cache)", "well under 1 s", fmt_ms(res.large_warm),
         res.large_warm < 0.5),
    ]  # fmt: skip
    return table, mock_table, goals


def write_docs(res: Results, info: dict[str, str], args: argparse.Namespace, total: float) -> str:
    table, mock_table, goals = render(res, info, args)
    goal_rows = "\n".join(
        f"| {goal} | {target} | {value} | {'yes' if ok else 'NO' if ok is False else '—'} |"
        for goal, target, value, ok in goals
    )
    return f"""# Performance

Written by `make bench` (`bench/run.py`); every figure below comes from one run of it, on this machine:
{info["nproc"]} CPU ({info["cpu"]}), Python {info["python"]}, {info["os"]}; httpx {info["httpx"]},
msgspec {info["msgspec"]}, uvicorn {info["uvicorn"]}. The run took {total:.0f} s. Re-run it to get your own:

    make bench                      # = .venv/bin/python bench/run.py
    make bench BENCH_ARGS="--rounds 15 --load-seconds 20 --no-prism --no-official"

## What is compared, and how

- The mock (`MockServer`: uvicorn on 127.0.0.1, rate limit and faults off) serves fixed statuses of 1k, 10k
  and 100k recipients (`bench/_data.py`; 100k is a {_body_mib():.1f} MiB body) from its own process, so it
  does not share the measured client's GIL.
- Each path fetches the same status over a keep-alive connection; the paths run ALTERNATELY in one process,
  the order rotated every round, {args.rounds} rounds after one discarded warm-up round; medians, and in
  brackets the ratio to the floor's median of the same run.
- The floor is `httpx.Client.get` + `json.loads(response.content)` on one persistent client: untyped,
  unvalidated dicts. The async floor is the same with `httpx.AsyncClient`, to tell httpx's async overhead
  from greenstat's.
- greenstat: `GreenStat(rate_limit=0)` / `AsyncGreenStat(rate_limit=0)`, retries on, as shipped: the whole
  client with its retrying transport, redaction and typed errors. Async paths run on one event loop entered
  with `run_until_complete` per call.
- "openapi-python-client output, untemplated": `openapi-python-client generate --meta none` without our
  templates, into a temporary folder, imported as `{RAW_PACKAGE}`.
- The official SDK runs in its own venv (`bench/.venv-official`), driven over a pipe; each call is timed in
  that process (requests, `Connection: close` on every request, as the SDK does).{_note(res, "official")}
- Peak memory growth: one 100k fetch per path, each in a FRESH process, after a 1k warm-up call (imports,
  connection): `tracemalloc` peak minus the traced size before the call (Python allocations: the body,
  its copies and the decoded objects; not RSS).

## Client paths (median time per call; peak memory growth of one 100k call)

{table}

## Mock server

Requests/s over {args.load_seconds:.0f} s at 16 concurrent keep-alive connections (`bench/_load.py`, raw
asyncio streams, so the load generator is not the bottleneck), the 12-recipient demo status
`{SMALL_DEMO}`, both servers on loopback in the same run, each in one process.

{mock_table}

The mock's 100,000-recipient demo status (`{LARGE_DEMO}`, body generated and encoded on the first request,
then cached): first answer {fmt_ms(res.large_cold)}, later answers {fmt_ms(res.large_warm)} (median of 5,
including the client receiving {_demo_mib():.1f} MiB).

## Goals of issue 6

| goal | target | measured | holds |
|---|---|---|---|
{goal_rows}

## Where the time goes: one 100k `GreenStat` call (cProfile, sorted by own time)

```
{res.profile}
```

## Import time

Median of 5 fresh interpreters:

{chr(10).join(f"- `{label}`: {ms:.0f} ms" for label, ms in res.import_ms.items())}

Most of `import greenstat_ext` is `import httpx`, and most of that is httpx's own command line
(`httpx/__init__.py` imports `httpx._main`, which imports click, rich and pygments whenever click is
importable; it is, because typer is a core dependency of greenstat for the `greenstat` CLI). Moving typer and
rich to a `cli` extra would make that import fail fast for library-only installs and save the difference
shown above; it is a packaging decision, left to the CLI's owner. greenstat's own modules import tenacity at
the first request, not at import time (~12 ms).

## Why it is fast, and what keeps it fast

- The generated endpoint decodes a 200 body with one module-level
  `msgspec.json.Decoder(list[StatusStatistic])` straight from the response bytes: no intermediate dicts,
  validation while parsing, and `gc=False` Structs (100k tracked objects would otherwise make the cyclic
  GC walk them repeatedly during decoding).
- The transport under it (rate limit, retries, redaction) does constant work per request: it never reads,
  copies, logs or redacts a successful body. Body excerpts are built only for errors. `RawResponse.content`
  is the same bytes object the decoder read.
- `sniffio` is a dependency: httpcore runs `import sniffio` on every async request and, when it is missing,
  pays a failed import (a `sys.path` scan, ~0.1 ms per request in the profile) and assumes asyncio even
  under trio.
- The mock's `mock` extra installs httptools and uvloop (uvicorn uses them automatically): with uvicorn's
  pure-Python h11 parser the mock served ~8,800 requests/s, about Prism's rate, with its CPU at 86 %
  (measured once while choosing, not part of this run).
- Forward compatibility (unknown `status` values) costs nothing on the known path: the enum's `_missing_`
  runs only for a value that is not a member.
- Equivalence of the fast path with the slow one (`json.loads` + `StatusStatistic.from_dict` per item) is
  proven on hypothesis-generated bodies in `tests/client/test_fast_path.py` (`make test`).
"""


def _body_mib() -> float:
    import msgspec
    from _data import statuses

    return len(msgspec.json.encode(statuses(SIZES[-1]))) / MIB


def _demo_mib() -> float:
    return 7.6 * 1_000_000 / MIB


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--load-seconds", type=float, default=10.0)
    parser.add_argument("--no-prism", action="store_true")
    parser.add_argument("--no-official", action="store_true")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "performance.md")
    args = parser.parse_args()
    args.rounds = min(max(args.rounds, 1), 50)
    args.load_seconds = min(max(args.load_seconds, 1.0), 60.0)
    started = time.monotonic()
    info = machine()
    res = Results()

    with tempfile.TemporaryDirectory(prefix="greenstat-bench-") as tmp:
        error = generate_raw_client(Path(tmp))
        raw_dir = None if error else tmp
        if error:
            res.notes["raw_generated"] = "generation failed"
            log(f"raw client generation failed: {error}")
        official_py: Path | None = None
        if args.no_official:
            res.notes["official"] = "not run (--no-official)"
        else:
            official_py, status = official_python()
            if official_py is None:
                res.notes["official"] = f"could not be installed: {status}"
                log(res.notes["official"])
        with mock_process() as base_url:
            official = Official(official_py, base_url) if official_py else None
            try:
                time_paths(base_url, raw_dir, official, args.rounds, res)
            finally:
                if official:
                    official.close()
            measure_memory(base_url, raw_dir, official_py, res)
            profile_greenstat(base_url, res)
            measure_mock(base_url, args.load_seconds, res)
        measure_imports(res)
        if args.no_prism:
            res.prism_rps = "not run (--no-prism)"
        else:
            measure_prism(args.load_seconds, res)

    document = write_docs(res, info, args, time.monotonic() - started)
    args.output.write_text(document)
    table, mock_table, goals = render(res, info, args)
    print(f"\n{info['nproc']} CPU ({info['cpu']}), Python {info['python']}\n")
    print(table, "\n")
    print(mock_table, "\n")
    for goal, target, value, ok in goals:
        print(f"  {'ok  ' if ok else 'MISS' if ok is False else 'info'} {goal}: {value} (target {target})")
    print(
        f"\nwritten to {args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output}"
    )


if __name__ == "__main__":
    main()
