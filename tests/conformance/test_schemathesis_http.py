"""The mock served by uvicorn over real HTTP conforms to openapi.yaml (every check, positive and negative)."""

from __future__ import annotations

from greenstat_ext.mock import MockServer, MockSettings

from ._harness import assert_every_operation, run_schemathesis

HTTP_EXAMPLES = 15
HTTP_MIN_OK = 20
"""Why fewer than the in-process run (tests/conformance/test_schemathesis_asgi.py): that run holds the volume
(>= 50 answers of 200 per operation); this one proves the same app conforms through uvicorn's sockets,
headers and framing, which the coverage phase's fixed ~440 cases (every method, missing and oversized
parameters) plus a few fuzzed ones per operation exercise. 120 examples cost ~20 s of CPU for no new path.
``make fuzz`` raises the bound."""


def test_all_checks_pass_over_http() -> None:
    with MockServer(MockSettings(rate_limit=0)) as server:
        result = run_schemathesis(base_url=server.base_url, pinned=True, max_examples=HTTP_EXAMPLES)
        total = server.stats.total
    print("\n" + result.summary("schemathesis HTTP, credentials pinned"))
    assert result.failures == []
    assert result.errors == []
    assert result.cases >= 300
    assert_every_operation(result, min_ok=HTTP_MIN_OK)  # each operation answered 200, no failure
    assert total >= result.cases  # every case reached the app (plus schemathesis's start-up probes)
