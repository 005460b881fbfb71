"""The mock served by uvicorn over real HTTP conforms to openapi.yaml (every check, positive and negative)."""

from __future__ import annotations

from greenstat_ext.mock import MockServer, MockSettings

from ._harness import assert_every_operation, run_schemathesis


def test_all_checks_pass_over_http() -> None:
    with MockServer(MockSettings(rate_limit=0)) as server:
        result = run_schemathesis(base_url=server.base_url, pinned=True, max_examples=120)
        total = server.stats.total
    print("\n" + result.summary("schemathesis HTTP, credentials pinned"))
    assert result.failures == []
    assert result.errors == []
    assert result.cases >= 300
    assert_every_operation(result)  # each operation: >= 50 answers of 200, no failure
    assert total >= result.cases  # every case reached the app (plus schemathesis's start-up probes)
