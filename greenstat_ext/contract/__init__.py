"""greenstat's contract-test kit: does an implementation honour ``openapi.yaml``, every operation of it?

Use :func:`run_contract_test` from Python, or ``greenstat contract-test`` from a shell. See
``docs/contract.md`` for what is checked and why.
"""

from __future__ import annotations

from .._extras import extra_imports

# The kit's libraries come with the `contract` extra: without it, an error that names it (as the mock's
# does), not a bare ModuleNotFoundError from schemathesis; any other import failure names module and version.
with extra_imports("greenstat_ext.contract", "contract"):
    import schemathesis  # noqa: F401

    from ._checks import ALL_CHECKS, KIT_CHECKS, SCHEMATHESIS_CHECKS, TEMPORAL_CHECKS
    from ._errors import ContractInterrupted, ContractUsageError
    from ._junit import write_junit
    from ._report import render_report
    from ._results import ContractReport, Exchange, Inconclusive, Verdict, Violation
    from ._runner import DEFAULT_MAX_EXAMPLES, ProgressEvent, run_contract_test

__all__ = [
    "ALL_CHECKS",
    "DEFAULT_MAX_EXAMPLES",
    "KIT_CHECKS",
    "SCHEMATHESIS_CHECKS",
    "TEMPORAL_CHECKS",
    "ContractInterrupted",
    "ContractReport",
    "ContractUsageError",
    "Exchange",
    "Inconclusive",
    "ProgressEvent",
    "Verdict",
    "Violation",
    "render_report",
    "run_contract_test",
    "write_junit",
]
