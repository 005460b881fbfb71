"""``make demo``: the reference mock, then the things a new user runs against it, as real commands.

Why in-process mocks and subprocess commands: the mock needs a free port and a clean stop whatever happens
(``MockServer`` gives both), while the commands are run exactly as a user would type them, so the demo
proves the installed ``greenstat`` script works. Two mocks: stats and ``--watch`` meet Green API's real
1 request/s limit; the contract test (hundreds of generated requests) runs against one with the limit off.
Seed 14621 makes every recipient of the progressing demo status reach ``delivered`` about 20 s after its
re-post, and the first status posted to three recipients read by all three about 18 s after it is posted
(the mock's schedules are a function of the seed and the post's rank: ``greenstat_ext/mock/_posted.py``), so
the user's own loop -- post, watch it until read, delete it, report -- fits in the demo's minute.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

from greenstat_ext.mock import (
    DEMO_ID_INSTANCE,
    DEMO_TOKEN,
    MockServer,
    MockSettings,
)
from greenstat_ext.mock._state import mid_cycle_clock

WATCH_SEED = 14621
PARTICIPANTS = ("79001234567@c.us", "79001234568@c.us", "79001234569@c.us")
MIXED = "BAE5F4886F6F2D05"
PROGRESSING = "F7AEC1B7086ECDC7E6E45923F5EDB825"
UNLIMITED_SKIPS = ("rate_limit_enforced", "retry_after_conformance")
GREENSTAT = str(Path(sys.executable).with_name("greenstat"))


def run(*args: str, env: dict[str, str]) -> int:
    """Run ``greenstat ARGS`` in the foreground, echoing the command line first."""
    time.sleep(1.0)  # each command is a new process with its own limiter: keep to the mock's 1 request/s
    print(f"\n$ greenstat {shlex.join(args)}", flush=True)
    return subprocess.run([GREENSTAT, *args], env=env, check=False).returncode  # noqa: S603


def run_for_id(*args: str, env: dict[str, str]) -> tuple[int, str]:
    """Run ``greenstat post ...`` like :func:`run`, showing its output as it comes; return its first line too
    (the new ``idMessage``, which ``post`` prints, and flushes, first). stderr shares the pipe, so the lines
    keep the order the command wrote them in."""
    time.sleep(1.0)
    print(f"\n$ greenstat {shlex.join(args)}", flush=True)
    lines: list[str] = []
    with subprocess.Popen(  # noqa: S603 - our own script and arguments
        [GREENSTAT, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            print(line, end="", flush=True)
            lines.append(line.strip())
    return process.returncode, (lines[0] if lines else "")


def main() -> int:
    started = time.monotonic()
    failures: list[str] = []
    with (
        MockServer(MockSettings(seed=WATCH_SEED, rate_limit=1.0)) as mock,
        # A third into the demo status's 15-minute cycle: the documented id names a re-post whose recipients
        # are part way (some moved on, some about to), the same in every run of the demo.
        MockServer(MockSettings(rate_limit=0, clock=mid_cycle_clock(MIXED))) as unlimited,
    ):
        env = {
            **os.environ,
            "GREEN_API_URL": mock.base_url,
            "GREEN_API_ID_INSTANCE": str(DEMO_ID_INSTANCE),
            "GREEN_API_TOKEN": DEMO_TOKEN,
        }
        print(
            f"Reference mock on {mock.base_url} (1 request/s, like Green API) and {unlimited.base_url} "
            "(no rate limit, for the contract test).\n"
            "Credentials come from GREEN_API_URL, GREEN_API_ID_INSTANCE, GREEN_API_TOKEN (the demo instance)."
        )
        if run("stats", MIXED, env=env) != 0:
            failures.append("stats")
        if run("report", "--minutes", "30", env=env) != 0:  # the demo statuses re-posted lately
            failures.append("report")
        if run("stats", PROGRESSING, "--watch", "--until", "delivered", "--interval", "1",
               "--timeout", "40", env=env) != 0:  # fmt: skip
            failures.append("stats --watch")
        # The user's own loop: post a status, follow it until its recipients read it, delete it, report.
        participants = [arg for participant in PARTICIPANTS for arg in ("--participant", participant)]
        watch = ["--watch", "--until", "read", "--interval", "1", "--timeout", "45"]
        code, id_message = run_for_id(
            "post", "text", "Good morning from the demo!", *participants, *watch, env=env
        )
        if code != 0 or not id_message:
            failures.append("post text --watch")
        if id_message and run("delete", id_message, env=env) != 0:
            failures.append("delete")
        if run("report", "--minutes", "5", env=env) != 0:
            failures.append("report after delete")
        contract_env = {**env, "GREEN_API_URL": unlimited.base_url}
        # The mock without its limit cannot pass the two rate-limit checks (a paced run against the limited
        # one does, but takes minutes): every other check.
        skipped = ",".join(UNLIMITED_SKIPS)
        args = ("contract-test", "--id-message", MIXED, "--max-examples", "10", "--skip-checks", skipped)
        if run(*args, env=contract_env) != 0:
            failures.append("contract-test")
    elapsed = time.monotonic() - started
    if failures:
        print(f"\nDemo FAILED ({', '.join(failures)}) after {elapsed:.1f} s.", file=sys.stderr)
        return 1
    print(f"\nDemo done in {elapsed:.1f} s; both mocks stopped. Next: README 'See who viewed a status'.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
