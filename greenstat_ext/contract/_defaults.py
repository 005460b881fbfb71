"""The kit's defaults and bounds, and what a progress callback receives: shared by the runner's modules and
the CLI (one place for each number, with why it is what it is)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = [
    "DEFAULT_MAX_429_SHARE",
    "DEFAULT_MAX_EXAMPLES",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_MIN_OK",
    "DEFAULT_POLLS",
    "DEFAULT_POLL_INTERVAL",
    "DEFAULT_REQUEST_TIMEOUT",
    "DEFAULT_RUN_TIMEOUT",
    "DEFAULT_WRITE_WAIT",
    "ProgressEvent",
]

# Each operation's share of a paced run is about its coverage cases (~40) + its probes + 5 generated phases of
# this many, one request per second against Green API (x-rate-limit: 1/s for the reads), the operations at
# once: 40 makes a default paced run ~4-5 minutes (docs/contract.md has the measured run); --max-examples
# trades time for depth (the random phases), the boundary cases come first whatever it is.
DEFAULT_MAX_EXAMPLES: Final = 40
MAX_MAX_EXAMPLES: Final = 10_000
DEFAULT_REQUEST_TIMEOUT: Final = 10.0
# Far above any real answer (1,024 recipients, Green API's audience limit, is ~100 KB; the mock's 100,000-
# recipient demo status ~8 MB), far below what hurts: a gzip bomb or an endless body stops here.
DEFAULT_MAX_RESPONSE_BYTES: Final = 32 * 1024 * 1024
# A default paced run takes ~5 minutes (the operations at once); --max-examples 1000 paced at 1 request/s
# ~85 minutes: an hour covers every default with room, a deeper run raises it.
DEFAULT_RUN_TIMEOUT: Final = 3600.0
REACHABILITY_TIMEOUT: Final = 3.0
# A server that let this many requests in a row time out is not answering: the rest would only add waits.
MAX_SILENT_IN_A_ROW: Final = 3
# The values a caller supplies, by the spec's parameter name -> the argument of run_contract_test: the one
# value no spec can give (a status the implementation under test really knows). Messages name arguments
# (`token must be ...`); the CLI turns a leading argument name into its flag (`--token must be ...`).
SUPPLIED_ARGUMENTS: Final = {"idMessage": "id_message"}
EXCERPT: Final = 200
# Bytes of a body decoded and redacted for its excerpt: far more than the excerpt, so that redacting (which
# shortens a token to "***") never pulls unredacted text into it, without decoding a 7 MB body per answer.
BODY_WINDOW: Final = 64 * 1024
MAX_DISTINCT_PER_CHECK: Final = 5
RATE_LIMIT_ATTEMPTS: Final = 3
MAX_RETRY_AFTER: Final = 5.0
# Evidence: fewer answers of 200 than this for an operation, or a larger share of unasked-for 429s than this,
# and the run is INCONCLUSIVE instead of PASSED (it checked too little to say the contract holds).
DEFAULT_MIN_OK: Final = 3
DEFAULT_MAX_429_SHARE: Final = 0.2
# The polled status is read at the start and after each operation (spread over the run at no cost in time);
# --polls N reads it until N answers, the extra ones at the end this far apart.
DEFAULT_POLLS: Final = None
DEFAULT_POLL_INTERVAL: Final = 2.0
# With --allow-writes: how long a posted status may take to show in the journal and its statistics (and a
# deleted one to leave them), read every --poll-interval. Green API queues a send until it is posted.
DEFAULT_WRITE_WAIT: Final = 60.0
# The RFC 7240 preference a mock server (Stoplight Prism) honours to answer a documented status on request:
# the only way to see the 429 of an implementation that never rate limits, so its Retry-After is judged too.
PREFER_429: Final = {"Prefer": "code=429"}
# After this many answers, a share of 429s above --max-429-share stops the run (INCONCLUSIVE): enough to
# tell a rate-limited run from a few 429s of a busy server.
RATE_LIMITED_AFTER: Final = 30


@dataclass(frozen=True, slots=True)
class ProgressEvent:
    """Where a run is: the operation and phase of the request just answered, and the counts so far."""

    operation: str
    phase: str
    sent: int
    planned: int
    ok: int  # answers of 200
    rate_limited: int  # answers of 429
    status: int | None = None  # the status of the answer just received (None: no usable answer)
    # "answer" after every answer; "started"/"finished" when an operation's share begins and ends (then
    # ``phase`` is "operation" and ``sent`` counts that operation's requests so far)
    kind: str = "answer"
