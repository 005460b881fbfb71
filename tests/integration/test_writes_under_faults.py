"""Issue 10's acceptance: 300 sends against the mock with 30 % drop/500/499/502 faults, some of which strike
after the status was created. The client never posts twice: what the mock created is what the calls
returned an id for, plus those whose answer said "done" (a 200 whose body was lost), plus at most those that
raised ``OutcomeUnknownError``; and no id is listed twice by ``get_outgoing_statuses``.

Over real loopback HTTP (drops are real closed connections), with both rate limits off so it takes seconds;
the mock's counters are what it actually did (``MockStats.created``), not what it answered.
"""

from __future__ import annotations

from collections import Counter

from greenstat_ext import GreenStat, GreenStatError, OutcomeUnknownError, ResponseValidationError, RetryPolicy
from greenstat_ext.mock import (
    DEMO_ID_INSTANCE,
    DEMO_TOKEN,
    FaultSettings,
    MockServer,
    MockSettings,
)
from tests._figures import record

CALLS = 300
FAST = RetryPolicy(wait_initial=0.001, wait_max=0.01, wait_jitter=0)
PARTICIPANTS = ["79001234567@c.us", "79001234568@c.us"]


def test_300_sends_under_30_percent_faults_never_post_twice() -> None:
    faults = FaultSettings(rate=0.3, seed=10, kinds=["drop", "500", "499", "502"], retry_after=0)
    outcomes: Counter[str] = Counter()
    ids: list[str] = []
    with MockServer(MockSettings(rate_limit=0, faults=faults)) as server:
        options = {
            "api_url": server.base_url,
            "id_instance": DEMO_ID_INSTANCE,
            "api_token": DEMO_TOKEN,
            "rate_limit": 0,
        }
        with GreenStat(**options, retry_policy=FAST) as client:  # type: ignore[arg-type]
            for n in range(CALLS):
                try:
                    ids.append(client.send_text_status(f"status {n}", participants=PARTICIPANTS).id_message)
                    outcomes["id returned"] += 1
                except OutcomeUnknownError:
                    outcomes["outcome unknown"] += 1
                except ResponseValidationError as error:  # a 200 whose body was lost: done, no id
                    outcomes["done, answer lost" if "HTTP 200" in str(error) else "invalid answer"] += 1
                except GreenStatError as error:  # a definite refusal: nothing was done
                    outcomes[f"refused: {type(error).__name__}"] += 1
        # The journal is a GET: retried through the same faults until it gets an answer.
        with GreenStat(**options, retry_policy=FAST.replace(max_retries=20)) as reader:  # type: ignore[arg-type]
            journal = reader.get_outgoing_statuses(minutes=60)
        demo = server.state.store  # the demo statuses and their re-posts
        listed = [s.id_message for s in journal if s.send_by_api and s.id_message not in demo]
        created = server.state.stats.created["sendTextStatus"]
        faults_after = dict(server.state.stats.faults_after)

    counts = dict(sorted(outcomes.items()))
    record(
        "issue 10 acceptance",
        f"{CALLS} send_text_status under 30 % drop/500/499/502 faults: {counts}; "
        f"the mock created {created}; faults after acting {faults_after}; "
        f"{len(listed)} listed, {len(listed) - len(set(listed))} listed twice",
    )
    print(counts, "created", created, "faults after acting", faults_after)
    assert sum(outcomes.values()) == CALLS
    assert outcomes["outcome unknown"] > 0  # the faults did strike after requests were sent
    assert outcomes["invalid answer"] == 0
    done = outcomes["id returned"] + outcomes["done, answer lost"]
    # Every call that said "done" created exactly one status; the rest created at most one per unknown call.
    assert done <= created <= done + outcomes["outcome unknown"]
    assert len(listed) == len(set(listed)) == created  # no id twice; every created status listed once
    assert set(ids) <= set(listed)
