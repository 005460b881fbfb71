"""``make bench``: typed greenstat results against untyped JSON, and the mock against Stoplight Prism.

What it does (loopback only; every loop bounded in count and time; prints figures, asserts nothing):

1. serves fixed 12 / 1k / 10k / 100k-recipient statuses from the mock (``MockServer``, rate limit and
   faults off) in its own process;
2. times each client path ALTERNATELY in this process (order rotated every round), several rounds (many
   more at the small sizes, where a call takes well under a millisecond), and reports medians and ratios
   against the floor (``httpx`` + ``json.loads``) of the same run. Paths: the
   floor, ``GreenStat``, ``AsyncGreenStat``, the untemplated openapi-python-client output (generated into a
   temporary folder), and the official SDK in its own venv (``bench/.venv-official``, driven over a pipe);
3. measures the peak memory growth of one 100k fetch per path, each in a fresh process (tracemalloc);
4. measures requests/s of the mock and of Prism (npm, ``bench/.prism``) at 16 connections, and the mock's
   100k-recipient response time;
5. profiles one 100k ``GreenStat`` call and a batch of 12-recipient calls (cProfile), prints the tables
   and writes ``docs/performance.md`` from ``bench/performance.md.tmpl`` (the prose lives in the template;
   this file only fills in numbers).

    .venv/bin/python bench/run.py [--rounds 9] [--small-rounds 301] [--load-seconds 10] [--no-prism]
                                  [--no-official]
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
from string import Template

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
TEMPLATE = HERE / "performance.md.tmpl"
#: Sizes at which a call takes well under a millisecond: timed ``--small-rounds`` times, not ``--rounds``.
SMALL_SIZES = tuple(size for size in SIZES if size <= 1_000)
#: How many 12-recipient calls the small profile covers.
PROFILE_SMALL_CALLS = 200


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
    profile_small: str = ""
    import_ms: dict[str, float] = field(default_factory=dict)
    load_start: float = 0.0
    load_end: float = 0.0

    def median(self, path: str, size: int) -> float | None:
        samples = self.times.get((path, size))
        return statistics.median(samples) if samples else None


def time_paths(
    base_url: str,
    raw_dir: str | None,
    official: Official | None,
    rounds: int,
    small_rounds: int,
    res: Results,
) -> None:
    paths = [p for p in IN_PROCESS if not (p == "raw_generated" and raw_dir is None)]
    fetchers = {name: build(name, base_url, raw_dir) for name in paths}
    order: list[str] = [*paths, *(["official"] if official else [])]
    try:
        for size in SIZES:
            id_message = id_message_for(size)
            size_rounds = small_rounds if size in SMALL_SIZES else rounds
            for round_number in range(size_rounds + 1):  # round 0 warms up and is discarded
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
            log(f"timed {size:,} recipients: {size_rounds} rounds x {len(order)} paths")
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
    res.profile = "\n".join(_short_paths(line) for line in lines[start:])


def _short_paths(line: str) -> str:
    return line.replace(str(ROOT) + "/", "").replace(sys.prefix + "/", "")


def profile_small(base_url: str, res: Results) -> None:
    """cProfile over many 12-recipient calls, greenstat's and the generated layer's frames only."""
    fetch, close = build("greenstat_sync", base_url)
    id_message = id_message_for(SIZES[0])
    for _ in range(20):
        fetch(id_message)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(PROFILE_SMALL_CALLS):
        fetch(id_message)
    profiler.disable()
    close()
    rows = []
    for (filename, line, function), (_, calls, own, cumulative, _) in pstats.Stats(profiler).stats.items():  # type: ignore[attr-defined]
        where = _short_paths(f"{filename}:{line}({function})")
        if where.startswith(("greenstat_ext/", "generated/")):
            rows.append((cumulative, own, calls, where))
    rows.sort(reverse=True)
    per_call = 1e6 / PROFILE_SMALL_CALLS
    lines = ["   cum µs   own µs  calls  (per call)"]
    lines += [
        f"{cumulative * per_call:9.1f} {own * per_call:8.1f} {calls / PROFILE_SMALL_CALLS:6.1f}  {where}"
        for cumulative, own, calls, where in rows[:25]
    ]
    res.profile_small = "\n".join(lines)


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


def size_label(size: int) -> str:
    return f"{size // 1000}k" if size >= 1000 else str(size)


Goal = tuple[str, str, str, bool | None]


def client_table(res: Results) -> str:
    """Median per path and size, with the ratio to the floor (and, for async greenstat, the async floor)."""
    header = "| path | " + " | ".join(size_label(s) for s in SIZES) + " | peak memory growth at 100k |"
    rows = [header, "|---|" + "---|" * (len(SIZES) + 1)]
    for name in [*IN_PROCESS, "official"]:
        cells = []
        for size in SIZES:
            median, floor = res.median(name, size), res.median("floor", size)
            if median is None:
                cells.append(res.notes.get(name, "—"))
            elif name == "floor" or not floor:
                cells.append(fmt_ms(median))
            else:
                ratios = f"{median / floor:.2f}x"
                async_floor = res.median("floor_async", size)
                if name == "greenstat_async" and async_floor:
                    ratios += f"; {median / async_floor:.2f}x async"
                cells.append(f"{fmt_ms(median)} ({ratios})")
        memory = res.memory.get(name)
        floor_memory = res.memory.get("floor")
        if isinstance(memory, float) and isinstance(floor_memory, float):
            memory_cell = f"{memory:.1f} MiB" + (
                "" if name == "floor" else f" ({memory / floor_memory:.2f}x)"
            )
        else:
            memory_cell = str(memory or res.notes.get(name, "—"))
        rows.append(f"| {PATH_LABELS[name]} | " + " | ".join(cells) + f" | {memory_cell} |")
    return "\n".join(rows)


def mock_table(res: Results) -> str:
    prism = res.prism_rps
    return "\n".join(
        [
            "| server | requests/s (16 connections) | statuses |",
            "|---|---|---|",
            f"| greenstat mock (uvicorn, 1 process) | {res.mock_rps:,.0f} | {res.mock_codes} |",
            "| Stoplight Prism 5 (`prism mock openapi.yaml -v error`) | "
            + (f"{prism:,.0f}" if isinstance(prism, float) else prism)
            + f" | {res.prism_codes or '—'} |",
        ]
    )


def goals(res: Results) -> list[Goal]:
    """Each goal: what, target, measured, holds (None: not measured)."""

    def ratio(path: str, size: int, base: str = "floor") -> float | None:
        median, floor = res.median(path, size), res.median(base, size)
        return None if median is None or not floor else median / floor

    def below(value: float | None, limit: float) -> bool | None:
        return None if value is None else value <= limit

    def show(value: float | None) -> str:
        return "—" if value is None else f"{value:.2f}x"

    tiny, small, big = SIZES[0], 1_000, SIZES[-1]
    sync, aio, floor_async = "greenstat_sync", "greenstat_async", "floor_async"
    mem, floor_mem = res.memory.get("greenstat_sync"), res.memory.get("floor")
    mem_ratio = mem / floor_mem if isinstance(mem, float) and isinstance(floor_mem, float) else None
    prism = res.prism_rps
    prism_ratio = res.mock_rps / prism if isinstance(prism, float) and prism else None
    rows: list[Goal] = []
    for label, path, base, size, limit in [
        ("9: `GreenStat` at 12, median vs the floor", sync, "floor", tiny, 1.0),
        ("9: `GreenStat` at 1k, median vs the floor", sync, "floor", small, 0.8),
        ("9: `AsyncGreenStat` at 12, median vs the async floor", aio, floor_async, tiny, 1.0),
        ("9: `AsyncGreenStat` at 1k, median vs the async floor", aio, floor_async, small, 0.8),
        ("6: `GreenStat` at 100k, median vs the floor", sync, "floor", big, 0.6),
        ("6: `GreenStat` at 1k, median vs the floor", sync, "floor", small, 1.1),
        ("6: `AsyncGreenStat` at 100k, median vs the floor", aio, "floor", big, 0.6),
        ("6: `AsyncGreenStat` at 1k, median vs the floor", aio, "floor", small, 1.1),
    ]:  # fmt: skip
        value = ratio(path, size, base)
        rows.append((label, f"≤ {limit:.2f}x", show(value), below(value, limit)))
    rows += [
        ("6: `GreenStat` peak memory growth at 100k vs `json.loads`", "≤ 0.50x", show(mem_ratio),
         below(mem_ratio, 0.5)),
        ("6: mock requests/s vs Prism's", "≥ 2x", show(prism_ratio),
         None if prism_ratio is None else prism_ratio >= 2.0),
        ("6: mock, 100k-recipient response (warm cache)", "well under 1 s", fmt_ms(res.large_warm),
         res.large_warm < 0.5),
    ]  # fmt: skip
    return rows


def write_docs(res: Results, info: dict[str, str], args: argparse.Namespace, total: float) -> str:
    """``docs/performance.md``: the template's prose with this run's numbers (``string.Template``)."""
    goal_rows = "\n".join(
        f"| {goal} | {target} | {value} | {'yes' if ok else 'NO' if ok is False else '—'} |"
        for goal, target, value, ok in goals(res)
    )
    official = res.notes.get("official", "")
    return Template(TEMPLATE.read_text()).substitute(
        info,
        total=f"{total:.0f}",
        load_start=f"{res.load_start:.2f}",
        load_end=f"{res.load_end:.2f}",
        sizes=", ".join(size_label(s) for s in SIZES[:-1]) + f" and {size_label(SIZES[-1])}",
        small_sizes=" and ".join(size_label(s) for s in SMALL_SIZES),
        body_mib=f"{_body_mib():.1f}",
        rounds=args.rounds,
        small_rounds=args.small_rounds,
        raw_package=RAW_PACKAGE,
        official_note=f"\n  {official}" if official else "",
        table=client_table(res),
        load_seconds=f"{args.load_seconds:.0f}",
        small_demo=SMALL_DEMO,
        mock_table=mock_table(res),
        large_demo=LARGE_DEMO,
        large_cold=fmt_ms(res.large_cold),
        large_warm=fmt_ms(res.large_warm),
        demo_mib=f"{_demo_mib():.1f}",
        goal_rows=goal_rows,
        profile=res.profile,
        profile_small_calls=PROFILE_SMALL_CALLS,
        profile_small=res.profile_small,
        import_lines="\n".join(f"- `{label}`: {ms:.0f} ms" for label, ms in res.import_ms.items()),
    )


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
    parser.add_argument("--small-rounds", type=int, default=301, help="rounds at 12 and 1k recipients")
    parser.add_argument("--load-seconds", type=float, default=10.0)
    parser.add_argument("--no-prism", action="store_true")
    parser.add_argument("--no-official", action="store_true")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "performance.md")
    args = parser.parse_args()
    args.rounds = min(max(args.rounds, 1), 50)
    args.small_rounds = min(max(args.small_rounds, 1), 2001)
    args.load_seconds = min(max(args.load_seconds, 1.0), 60.0)
    started = time.monotonic()
    info = machine()
    res = Results(load_start=os.getloadavg()[0])

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
                time_paths(base_url, raw_dir, official, args.rounds, args.small_rounds, res)
            finally:
                if official:
                    official.close()
            measure_memory(base_url, raw_dir, official_py, res)
            profile_greenstat(base_url, res)
            profile_small(base_url, res)
            measure_mock(base_url, args.load_seconds, res)
        measure_imports(res)
        if args.no_prism:
            res.prism_rps = "not run (--no-prism)"
        else:
            measure_prism(args.load_seconds, res)

    res.load_end = os.getloadavg()[0]
    document = write_docs(res, info, args, time.monotonic() - started)
    args.output.write_text(document)
    print(f"\n{info['nproc']} CPU ({info['cpu']}), Python {info['python']}, load {res.load_start:.2f}"
          f" -> {res.load_end:.2f}\n")  # fmt: skip
    print(client_table(res), "\n")
    print(mock_table(res), "\n")
    for goal, target, value, ok in goals(res):
        print(f"  {'ok  ' if ok else 'MISS' if ok is False else 'info'} {goal}: {value} (target {target})")
    print(
        f"\nwritten to {args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output}"
    )


if __name__ == "__main__":
    main()
