"""``make bench-monitor-soak``: a real ``greenstat monitor`` process for ``--minutes`` (default 10) against
the reference mock, and what it does to memory.

The mock runs on loopback on the real clock (the monitor's: a mock ahead of it would make statuses look
deleted or never final), with ``--faults`` of its answers failing (default 5%: 429s with Retry-After, 5xx,
dropped connections, delays); its posted statuses' recipients step every 20 s on average. 30 statuses are
posted at the start and one more every 12 s, each final after 6 min (``--final-after 6m``), so about 30
are live at any moment. Events go to a JSON lines file and to a webhook receiver on loopback that
verifies every signature (``standardwebhooks``) and answers 503 to half of the requests (seeded). Every
``--every`` seconds the monitor's RSS (``/proc/PID/status``) is sampled beside its last cycle line. At the
end: SIGTERM, and the time the process took to exit. Prints the figures; asserts nothing. Linux only.

    .venv/bin/python bench/monitor_soak.py [--minutes 10] [--faults 0.05]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from greenstat_ext import GreenStat
from greenstat_ext.mock import (
    DEMO_ID_INSTANCE,
    DEMO_MESSAGES,
    DEMO_TOKEN,
    FaultSettings,
    MockServer,
    MockSettings,
)

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"  # noqa: S105 - the benchmark's own receiver
AUDIENCE = [f"7966{n:07d}@c.us" for n in range(400)]
_CYCLE = re.compile(r"cycle: (instance=\d+ .*)$", re.M)


class Receiver:
    """A loopback receiver: verifies every request, answers 503 to a seeded half of them."""

    def __init__(self, fail_share: float, seed: int) -> None:
        self.accepted = self.refused = self.forged = 0
        self.ids: set[str] = set()
        rng = random.Random(seed)
        verifier = Webhook(SECRET)
        lock = threading.Lock()
        state = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                with lock:
                    try:
                        payload = verifier.verify(body, dict(self.headers.items()))
                    except WebhookVerificationError:
                        state.forged += 1
                        code = 401
                    else:
                        code = 503 if rng.random() < fail_share else 200
                        if code == 200:
                            state.accepted += 1
                            state.ids.update(event["id"] for event in payload["data"]["events"])
                        else:
                            state.refused += 1
                self.send_response(code)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return float(line.split()[1]) / 1024
    return float("nan")


def post(server: MockServer, rng: random.Random) -> None:
    client = GreenStat(
        id_instance=DEMO_ID_INSTANCE, api_token=DEMO_TOKEN, api_url=server.base_url, max_retries=0
    )
    with client, contextlib.suppress(Exception):  # an injected fault: this status is simply not posted
        client.send_text_status("soak", participants=rng.sample(AUDIENCE, rng.randint(12, 400)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--faults", type=float, default=0.05)
    parser.add_argument("--every", type=float, default=30.0, help="seconds between two RSS samples")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    settings = MockSettings(data={i: [] for i in DEMO_MESSAGES},
                            faults=FaultSettings(rate=args.faults, seed=args.seed))  # fmt: skip
    receiver = Receiver(0.5, args.seed)
    with tempfile.TemporaryDirectory() as tmp, MockServer(settings, log_level="warning") as server:
        for _ in range(30):
            post(server, rng)
        log = Path(tmp) / "monitor.log"
        env = {**os.environ, "GREEN_API_URL": server.base_url, "GREEN_API_ID_INSTANCE": str(DEMO_ID_INSTANCE),
               "GREEN_API_TOKEN": DEMO_TOKEN, "GREENSTAT_WEBHOOK_SECRET": SECRET}  # fmt: skip
        command = [sys.executable, "-c", "from greenstat_ext.cli import main; main()", "monitor",
                   "--db", str(Path(tmp) / "m.db"), "--jsonl", str(Path(tmp) / "events.jsonl"),
                   "--webhook", receiver.url, "--final-after", "6m", "--discover-every", "10s"]  # fmt: skip
        with log.open("wb") as err:
            process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=err)  # noqa: S603
        print(f"greenstat monitor soak: {args.minutes:g} min, mock with {args.faults:.0%} "
              f"faults, receiver failing half the requests, ~30 live statuses")  # fmt: skip
        print(f"{'t (s)':>6} {'RSS (MB)':>9}  last cycle line")
        samples: list[float] = []
        started = time.monotonic()
        next_post = started + 12
        next_sample = started + 5
        while (now := time.monotonic()) - started < args.minutes * 60:
            if now >= next_post:
                post(server, rng)
                next_post += 12
            if now >= next_sample:
                samples.append(rss_mb(process.pid))
                cycles = _CYCLE.findall(log.read_text(errors="replace"))
                last = cycles[-1] if cycles else "(no cycle yet)"
                print(f"{now - started:6.0f} {samples[-1]:9.1f}  {last}", flush=True)
                next_sample += args.every
            time.sleep(0.2)
        stop_sent = time.monotonic()
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=60)
        stopped = time.monotonic() - stop_sent
        errors = log.read_text(errors="replace").count("a step failed")
    first, peak, last_rss = samples[1] if len(samples) > 1 else samples[0], max(samples), samples[-1]
    print(
        f"RSS: {first:.1f} MB after the first sample period, {last_rss:.1f} MB at the end, peak {peak:.1f} MB"
    )
    print(f"receiver: {receiver.accepted} batches accepted, {receiver.refused} refused (503), "
          f"{receiver.forged} forged; {len(receiver.ids)} distinct events received")  # fmt: skip
    print(f"API steps that failed (logged): {errors}; SIGTERM to exit: {stopped:.2f} s, exit code {code}")


if __name__ == "__main__":
    main()
