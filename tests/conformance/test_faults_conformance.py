"""With faults on, every injected answer (429 + Retry-After, 499, 500, 502, delay) still matches the spec.

Only the response checks run here: ``not_a_server_error`` and ``positive_data_acceptance`` would flag the
injected 5xx/499 on purpose, which is the point of injecting them. ``drop`` sends no answer to check; its
behaviour is tested over HTTP in tests/mock/test_server.py.
"""

from __future__ import annotations

from greenstat_ext.mock import FaultSettings, MockSettings, create_app, get_state

from ._harness import RESPONSE_CHECKS, run_schemathesis


def test_injected_faults_match_the_spec() -> None:
    faults = FaultSettings(rate=0.5, seed=3, kinds=["429", "499", "500", "502", "delay"], delay=0.001)
    app = create_app(MockSettings(rate_limit=0, faults=faults))
    result = run_schemathesis(app=app, pinned=True, max_examples=15, checks=RESPONSE_CHECKS)
    injected = get_state(app).stats.faults
    print("\n" + result.summary("schemathesis ASGI, faults on") + f"; injected {dict(injected)}")
    assert result.failures == []
    assert result.errors == []
    assert set(injected) == {"429", "499", "500", "502", "delay"}
    assert {429, 499, 500, 502, 200} <= set(result.statuses)
    assert set(result.checks_run) == set(RESPONSE_CHECKS)


def test_the_harness_reports_a_spec_violation() -> None:
    """A control: the same harness run on a broken app must fail, or the green runs above prove nothing."""
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def broken(_request: object) -> JSONResponse:
        return JSONResponse([{"participant": ["erratum"], "timestamp": "soon", "status": "played"}])

    app = Starlette(routes=[Route("/waInstance{i}/getStatusStatistic/{t}", broken)])
    result = run_schemathesis(app=app, pinned=True, max_examples=10, checks=RESPONSE_CHECKS)
    assert any(f.startswith("response_schema_conformance") for f in result.failures)
