"""Runs schemathesis's own engine (what ``schemathesis run`` runs) against the mock and tallies the outcome.

Why the engine and not ``@schema.parametrize``: the engine runs every phase (examples, coverage, fuzzing),
and the coverage phase is what sends undeclared methods, missing and oversized parameters; a hand-rolled
hypothesis loop would only fuzz. Everything is seeded and bounded (``seed``, ``deterministic``, database
off, ``max-examples``) so a run is the same on every machine.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from importlib.resources import files
from typing import Any, Final

import schemathesis
from schemathesis.config import PositiveDataAcceptanceConfig, SchemathesisConfig
from schemathesis.core.deserialization import deserialize_yaml
from schemathesis.engine import events, from_schema
from starlette.applications import Starlette

from greenstat_ext import _spec as spec
from greenstat_ext.contract._spec import load_operations
from greenstat_ext.contract._writes import needs_state as kit_needs_state
from greenstat_ext.mock import DEMO_ID_INSTANCE, DEMO_TOKEN
from tests._figures import record

MIN_OK_PER_OPERATION = 50
"""The answers of 200 an operation must get in a pinned run (issue 9's acceptance), when it has at least
that many distinct valid requests (:func:`valid_requests`); fewer when its parameter space is smaller."""

#: The path parameters a pinned run fixes: the credentials the mock accepts.
PINNED: Final = {"idInstance": DEMO_ID_INSTANCE, "apiTokenInstance": DEMO_TOKEN}

RESPONSE_CHECKS = [
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
]


@dataclass
class OperationCounts:
    """One operation's share of a run: answers per status and check failures."""

    statuses: Counter[int] = field(default_factory=Counter)
    failures: int = 0

    @property
    def cases(self) -> int:
        return sum(self.statuses.values())


@dataclass
class RunResult:
    statuses: Counter[int] = field(default_factory=Counter)
    operations: dict[str, OperationCounts] = field(default_factory=dict)
    modes: Counter[str] = field(default_factory=Counter)
    phases: Counter[str] = field(default_factory=Counter)
    checks_run: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def cases(self) -> int:
        return sum(self.statuses.values())

    def summary(self, label: str) -> str:
        """A one-line account of the run; also queued for the end-of-session report."""
        line = (
            f"{label}: {self.cases} cases ({dict(self.modes)}; phases {dict(self.phases)}), "
            f"statuses {dict(sorted(self.statuses.items()))}, {len(self.checks_run)} checks, "
            f"{len(self.failures)} failures, {len(self.errors)} errors"
        )
        record("schemathesis conformance", line)
        for operation_id, counts in sorted(self.operations.items()):
            record(
                "schemathesis conformance",
                f"  {operation_id}: {counts.cases} cases, {counts.statuses[200]} answered 200, "
                f"{counts.failures} failures",
            )
        return line

    def operation(self, operation_id: str) -> OperationCounts:
        return self.operations.setdefault(operation_id, OperationCounts())


def spec_operation_ids() -> set[str]:
    """Every operationId of the bundled spec: each must be exercised and answered 200 by a run."""
    return set(operation_labels(load_spec()).values())


def needs_state() -> set[str]:
    """Operations that act on something an earlier call created: the targets of the spec's links that fill
    the request *body* from a previous answer (``deleteStatus``, whose ``idMessage`` a send answered). A
    made-up id gets their documented 400 (``ID message notfound``), so only the stateful phase, which follows
    the links, can get them a 200. The kit reads the links once (``contract._writes.needs_state``)."""
    operations = load_operations()
    return {operation.name for operation in operations if kit_needs_state(operation, operations)}


def valid_requests(operation_id: str) -> int | None:
    """How many distinct valid requests ``operation_id`` has once the credentials are pinned; None: unbounded.

    Why: the coverage a run can reach scales with the operation's parameter space. A GET with no parameter
    but the pinned credentials has exactly one valid request, so however many cases schemathesis draws, its
    answers of 200 are the same request repeated; asking it for 50 (as of an operation with a free string)
    measured schemathesis's duplicates, not the mock. Counted from the spec: an ``enum`` has its values, a
    boolean two, a bounded integer its range, anything else is unbounded; an optional input may also be
    left out.
    """
    operation = spec.operation(operation_id)
    count = 1
    for param in (*operation.parameters, *operation.body):
        if param.location == "path" and param.name in PINNED:
            continue  # the credentials: pinned by the run
        if param.enum is not None:
            values = len(param.enum)
        elif param.type == "boolean":
            values = 2
        elif param.type == "integer" and param.bounds is not None:
            values = param.bounds[1] - param.bounds[0] + 1
        else:
            return None
        count *= values + (0 if param.required else 1)
    return count


def assert_every_operation(result: RunResult, *, min_ok: int = MIN_OK_PER_OPERATION) -> None:
    """Each operation of the spec: no failure of its own, and at least ``min_ok`` answers of 200, or as many
    as it has distinct valid requests (:func:`valid_requests`) when that is fewer -- except the operations
    that need state (:func:`needs_state`), which must have been exercised and answered."""
    assert set(result.operations) == spec_operation_ids()
    stateful = needs_state()
    for operation_id, counts in result.operations.items():
        assert counts.failures == 0, operation_id
        space = valid_requests(operation_id)
        wanted = 1 if operation_id in stateful else min(min_ok, space if space is not None else min_ok)
        answered = counts.statuses[200] if operation_id not in stateful else counts.cases
        assert answered >= wanted, (operation_id, dict(counts.statuses))


def load_spec() -> dict[str, Any]:
    """The spec bundled in the generated package (what a wheel ships), not a path in the source tree."""
    spec: dict[str, Any] = deserialize_yaml((files("greenstat_client") / "openapi.yaml").read_text("utf-8"))
    return spec


def operation_labels(spec: dict[str, Any]) -> dict[str, str]:
    """schemathesis's label of each operation (``GET /waInstance{idInstance}/...``) → its operationId."""
    return {
        f"{method.upper()} {path}": body["operationId"]
        for path, item in spec["paths"].items()
        for method, body in item.items()
        if isinstance(body, dict) and "operationId" in body
    }


def run_schemathesis(
    *,
    app: Starlette | None = None,
    base_url: str | None = None,
    pinned: bool = True,
    max_examples: int = 300,
    checks: list[str] | None = None,
    seed: int = 0,
    stateful: bool = False,
    max_steps: int = 8,
) -> RunResult:
    """One seeded run, positive and negative, all phases but stateful; or (``stateful``) only the stateful
    phase, which follows the spec's links (post a status, read its statistics, delete it) for scenarios of at
    most ``max_steps`` calls, ``max_examples`` scenarios.

    ``max_examples`` bounds each operation (schemathesis's bound is per operation), so the run grows with the
    spec, and each operation's answers and failures are counted apart (:attr:`RunResult.operations`).

    ``make fuzz`` raises the bounds through ``GREENSTAT_FUZZ_EXAMPLES`` (examples per run, never fewer than
    the test asked for) and ``GREENSTAT_FUZZ_SEED``; ``make test`` leaves both unset, so CI stays seeded.
    """
    max_examples = max(max_examples, int(os.environ.get("GREENSTAT_FUZZ_EXAMPLES", "0")))
    seed = int(os.environ.get("GREENSTAT_FUZZ_SEED", str(seed)))
    document: dict[str, Any] = {
        "seed": seed,
        "suppress-health-check": ["too_slow"],
        "generation": {
            "mode": "all",
            "max-examples": max_examples,
            "deterministic": True,
            "database": "none",
        },
        "phases": {"stateful": {"enabled": False}},
    }
    if stateful:
        document["phases"] = {
            "examples": {"enabled": False},
            "coverage": {"enabled": False},
            "fuzzing": {"enabled": False},
            "stateful": {"enabled": True, "max-steps": max_steps},
        }
    # A schema-valid id of a status that does not exist (never posted, or deleted by an earlier step) gets
    # the method's documented 400 "ID message notfound": for those operations 400 accepts valid data too.
    document["operations"] = [
        {
            "include-operation-id": operation_id,
            "checks": {
                "positive_data_acceptance": {
                    "expected-statuses": [*PositiveDataAcceptanceConfig().expected_statuses, "400"]
                }
            },
        }
        for operation_id in sorted(needs_state())
    ]
    if pinned:  # the credentials the mock accepts, so valid requests really reach the 200 branch
        document["parameters"] = {f"path.{name}": value for name, value in PINNED.items()}
    config = SchemathesisConfig.from_dict(document)
    config.projects.override.checks.update(included_check_names=checks or ["all"])
    spec = load_spec()
    labels = operation_labels(spec)
    schema = schemathesis.openapi.from_dict(spec, config=config)
    if app is not None:
        schema.app = app
        schema.config.update(base_url="http://mock")
    else:
        assert base_url is not None
        schema.config.update(base_url=base_url)

    result = RunResult()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            recorder = event.recorder
            counts = result.operation(labels.get(recorder.label, recorder.label))
            for interaction in recorder.interactions.values():
                if interaction.response is not None:
                    result.statuses[interaction.response.status_code] += 1
                    counts.statuses[interaction.response.status_code] += 1
                    result.phases[str(event.phase.value)] += 1
            for node in recorder.cases.values():
                meta = node.value.meta
                if meta is not None:
                    result.modes[str(meta.generation.mode.value)] += 1
            for case_checks in recorder.checks.values():
                for check in case_checks:
                    result.checks_run[check.name] += 1
                    if check.failure_info is not None:
                        failure = check.failure_info.failure
                        result.failures.append(f"{check.name}: {failure.title}: {failure.message}")
                        counts.failures += 1
        elif isinstance(event, events.NonFatalError):
            result.errors.append(str(event.value))
        elif isinstance(event, events.FatalError):
            result.errors.append(f"fatal: {event.exception}")
    return result
