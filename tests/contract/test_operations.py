"""The kit over every operation of the spec: probes from each one's parameters, findings per operation."""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from schemathesis import GenerationMode
from schemathesis.generation.coverage import GenerationSession
from starlette.requests import Request
from starlette.responses import Response

from greenstat_ext import _spec as spec
from greenstat_ext.contract import KIT_CHECKS, run_contract_test, write_junit
from greenstat_ext.contract._checks import TEMPORAL_CHECKS, WRITE_CHECKS, resolve_checks
from greenstat_ext.contract._probes import Probe, probes_for
from greenstat_ext.contract._spec import Operation, load_operations
from tests._servers import serve
from tests.contract.broken_servers import (
    BROKEN_ONE_OPERATION,
    ID_INSTANCE,
    ID_MESSAGE,
    ID_PARAMETER,
    OPERATIONS,
    POLLED,
    TOKEN,
    UNLIMITED_CHECKS,
    WITH_QUERY,
    WITHOUT_REQUIRED,
    app_for,
    reference,
)

# broken server -> the checks that must name its operation, and only them (a bounded parameter left
# unchecked breaks one rule that two checks judge: the kit's own and schemathesis' negative_data_rejection)
EXPECTED_CHECKS = {
    "listed_object_without_required_member": {"response_schema_conformance"},
    "bounded_parameter_unchecked": {"invalid_parameter_rejected", "negative_data_rejection"},
    "one_operations_token_unchecked": {"wrong_token_rejected"},
    "one_operations_method_unchecked": {"unsupported_method_rejected"},
}
# The reads by shape: one that requires a string parameter, those that require none (any parameters they
# have are optional, broken_servers.WITHOUT_REQUIRED), those with a query parameter (WITH_QUERY).
REQUIRED_STRING = next(
    (name, param)
    for name in OPERATIONS
    for param in spec.operation(name).query_parameters
    if param.required and param.type == "string"
)


def _operation(name: str) -> Operation:
    return next(operation for operation in load_operations() if operation.name == name)


def _summary(probes: list[Probe]) -> list[tuple[str, str, dict[str, object], int]]:
    return [(p.check, p.method, dict(p.query), min(p.expected)) for p in probes]


def test_the_kit_checks_every_operation_of_the_spec_as_greenstat_ext_spec_reads_it() -> None:
    operations = load_operations()
    assert [operation.name for operation in operations] == list(spec.operations())
    for operation in operations:
        facts = spec.operation(operation.name)
        assert (operation.method, operation.path) == (facts.method, facts.path)
        assert operation.path_methods == {facts.method}
        # greenstat_ext._spec's own description of each parameter, not a copy of it
        assert operation.parameters == facts.parameters
        assert operation.body == facts.body
        assert all(isinstance(param, spec.ParameterSpec) for param in operation.parameters)


def test_probes_of_an_operation_with_a_required_string() -> None:
    name, param = REQUIRED_STRING
    probes = probes_for(_operation(name), {param.name: "ABC"}, ID_INSTANCE, TOKEN)

    method = spec.operation(name).method
    assert method != "HEAD"
    assert _summary(probes) == [
        ("valid_request_accepted", method, {param.name: "ABC"}, 200),
        ("wrong_token_rejected", method, {param.name: "ABC"}, 401),
        ("wrong_instance_rejected", method, {param.name: "ABC"}, 403),
        ("unsupported_method_rejected", "HEAD", {param.name: "ABC"}, 405),
    ]  # bounds, invalid values and the other methods: schemathesis' coverage phase (below)


def _coverage(name: str) -> list[tuple[str, str, dict[str, object]]]:
    """(mode, method, query) of the coverage phase's cases of ``name`` that leave the credentials alone."""
    api = _operation(name).api
    config = api.schema.config.generation_for(operation=api, phase="coverage")
    modes = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
    found = []
    cases = api.schema.iter_coverage_cases(
        api, generation_modes=modes, generation_config=config, session=GenerationSession()
    )
    for case in cases:
        data = case._meta.phase.data if case._meta else None
        if getattr(data, "parameter", None) in ("idInstance", "apiTokenInstance"):
            continue
        mode = case._meta.generation.mode.value if case._meta else ""
        found.append((mode, case.method.upper(), dict(case.query or {})))
    return found


@pytest.mark.parametrize("name", WITH_QUERY)
def test_the_coverage_phase_generates_the_boundaries_the_kit_once_wrote_itself(name: str) -> None:
    """Each query parameter's bounds as the spec states them (a string's lengths, an integer's range), a
    required one missing, and the other methods: what the kit wrote itself before schemathesis did."""
    facts = spec.operation(name)
    cases = _coverage(name)
    alone = len(facts.query_parameters) == 1  # then a value of it alone is the whole query
    if alone and facts.query_parameters[0].required:
        assert ("negative", facts.method, {}) in cases  # the one required parameter missing
    for param in facts.query_parameters if alone else ():
        if param.type == "string" and param.max_length is not None:
            assert ("negative", facts.method, {param.name: "0" * (param.max_length + 1)}) in cases
            assert ("positive", facts.method, {param.name: "0" * param.max_length}) in cases
        if param.type == "integer" and param.minimum is not None and param.maximum is not None:
            low, high = param.bounds or (0, 0)
            for value, mode in (
                (low, "positive"),
                (high, "positive"),
                (low - 1, "negative"),
                (high + 1, "negative"),
            ):
                assert (mode, facts.method, {param.name: str(value)}) in cases, value
    others = {method for mode, method, _ in cases if method != facts.method}
    assert others >= {"POST", "PUT", "PATCH", "DELETE"} - {facts.method}


def _resolve(node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        target: Any = spec.document()
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def test_without_a_user_value_the_spec_example_is_sent() -> None:
    name, param = REQUIRED_STRING
    facts = spec.operation(name)
    raw = spec.document()["paths"][facts.path][facts.method.lower()]["parameters"]
    example = next(_resolve(p)["example"] for p in raw if _resolve(p)["name"] == param.name)
    probes = probes_for(_operation(name), {}, ID_INSTANCE, TOKEN)
    assert probes[0].query == {param.name: example}


@pytest.mark.parametrize("name", WITHOUT_REQUIRED)
def test_probes_of_an_operation_without_a_required_parameter(name: str) -> None:
    probes = probes_for(_operation(name), {ID_PARAMETER: ID_MESSAGE}, ID_INSTANCE, TOKEN)

    method = spec.operation(name).method
    assert _summary(probes) == [
        ("valid_request_accepted", method, {}, 200),
        ("wrong_token_rejected", method, {}, 401),
        ("wrong_instance_rejected", method, {}, 403),
        ("unsupported_method_rejected", "HEAD", {}, 405),
    ]  # no id anywhere: the user's value goes only where an operation declares it


def test_wrong_credentials_of_the_probes_are_well_formed_and_reveal_nothing() -> None:
    probes = probes_for(_operation(OPERATIONS[0]), {}, ID_INSTANCE, TOKEN)
    wrong_token = next(p for p in probes if p.check == "wrong_token_rejected").path_parameters
    wrong_instance = next(p for p in probes if p.check == "wrong_instance_rejected").path_parameters

    token = str(wrong_token["apiTokenInstance"])
    assert wrong_token["idInstance"] == ID_INSTANCE
    assert token != TOKEN
    assert spec.token_limits().matches(token)
    assert set(token) == {"0"}  # nothing of the real token
    assert wrong_instance["apiTokenInstance"] == TOKEN
    low, high = spec.id_instance_range()
    assert wrong_instance["idInstance"] != ID_INSTANCE
    assert low <= int(wrong_instance["idInstance"]) <= high
    top = probes_for(_operation(OPERATIONS[0]), {}, high, "0" * len(TOKEN))
    assert (
        next(p for p in top if p.check == "wrong_instance_rejected").path_parameters["idInstance"] == high - 1
    )
    assert set(
        str(next(p for p in top if p.check == "wrong_token_rejected").path_parameters["apiTokenInstance"])
    ) == {"1"}


@pytest.fixture(scope="module")
def recorded() -> list[tuple[str, str, bool, bool, dict[str, str]]]:
    """What the reference received during one run of the probe checks (method, operation, creds ok, query)."""
    seen: list[tuple[str, str, bool, bool, dict[str, str]]] = []

    async def recording(request: Request) -> Response:
        params = request.path_params
        seen.append(
            (
                request.method,
                params["operation"],
                params["id_instance"] == str(ID_INSTANCE),
                params["token"] == TOKEN,
                dict(request.query_params),
            )
        )
        return await reference(request)

    with serve(app_for(recording)) as url:
        kit = [name for name in KIT_CHECKS if name in UNLIMITED_CHECKS]
        report = run_contract_test(url, ID_INSTANCE, TOKEN, max_examples=1, seed=5, checks=kit)
    assert report.ok, report.violations
    return seen


@pytest.mark.parametrize("name", OPERATIONS)
def test_each_probe_of_each_operation_reaches_the_server(
    name: str, recorded: list[tuple[str, str, bool, bool, dict[str, str]]]
) -> None:
    for probe in probes_for(_operation(name), {}, ID_INSTANCE, TOKEN):
        creds = probe.path_parameters
        expected = (
            probe.method,
            name,
            creds["idInstance"] == ID_INSTANCE,
            creds["apiTokenInstance"] == TOKEN,
            {key: str(value) for key, value in probe.query.items()},
        )
        assert expected in recorded, probe


def test_the_correct_implementation_passes_every_check_of_every_operation(reference_url: str) -> None:
    report = run_contract_test(
        reference_url,
        ID_INSTANCE,
        TOKEN,
        id_message=ID_MESSAGE,
        max_examples=10,
        seed=9,
        checks=UNLIMITED_CHECKS,
    )

    assert report.ok, (report.violations, report.inconclusive)
    assert report.operations == OPERATIONS
    for operation in OPERATIONS:
        assert report.cases_by_operation[operation] > 0
        assert report.statuses_by_operation[(operation, 200)] > 0
        assert report.failed_checks_of(operation) == ()
        for check in UNLIMITED_CHECKS:
            if check in TEMPORAL_CHECKS or check == "unknown_id_answers_empty":
                continue  # only the polled read, which takes an id: asserted below
            if check in WRITE_CHECKS:
                assert not report.check_runs[check]  # no write without --allow-writes: nothing to follow
                continue
            if check == "invalid_parameter_rejected" and not spec.operation(operation).query_parameters:
                continue  # a read that takes only the credentials has no parameter to make invalid
            assert report.check_runs_by_operation[(operation, check)] > 0, (operation, check)
    for check in (*TEMPORAL_CHECKS, "unknown_id_answers_empty"):
        assert report.check_runs_by_operation[(POLLED, check)] > 0, check
    assert sum(report.cases_by_operation.values()) == report.cases
    assert sum(report.statuses_by_operation.values()) == sum(report.statuses.values())


@pytest.mark.parametrize("name", sorted(BROKEN_ONE_OPERATION))
def test_a_server_broken_in_one_operation_is_caught_with_that_operation_named_only(
    name: str, tmp_path: Path
) -> None:
    broken, handler = BROKEN_ONE_OPERATION[name]
    with serve(app_for(handler)) as url:
        report = run_contract_test(
            url, ID_INSTANCE, TOKEN, id_message=ID_MESSAGE, max_examples=5, seed=3, checks=UNLIMITED_CHECKS
        )

    assert not report.ok
    assert set(report.failed_checks_of(broken)) == EXPECTED_CHECKS[name]
    assert set(report.failed_checks) == EXPECTED_CHECKS[name]
    assert {violation.operation for violation in report.violations} == {broken}
    for other in OPERATIONS:
        if other != broken:
            assert report.failed_checks_of(other) == (), other

    junit = tmp_path / "contract.xml"
    write_junit(report, junit)
    suite = ET.parse(junit).getroot().find("testsuite")  # noqa: S314 - our own file
    assert suite is not None
    cases = suite.findall("testcase")
    assert len(cases) == len(OPERATIONS) * len(UNLIMITED_CHECKS) == int(suite.get("tests", "-1"))
    failing = {
        (case.get("classname"), case.get("name")) for case in cases if case.find("failure") is not None
    }
    assert failing == {(f"greenstat.contract.{broken}", check) for check in EXPECTED_CHECKS[name]}
    assert {classname for classname, _ in failing} == {f"greenstat.contract.{broken}"}
    for case in cases:
        prop = case.find("properties/property[@name='operation']")
        assert prop is not None
        assert case.get("classname") == f"greenstat.contract.{prop.get('value')}"


def test_the_former_name_of_the_parameter_check_is_still_accepted() -> None:
    assert resolve_checks(["invalid_id_message_rejected"]) == ("invalid_parameter_rejected",)


# A read whose query parameters are all optional (there is at least one): the fixture below drops them.
OPTIONAL_ONLY = next(name for name in WITHOUT_REQUIRED if spec.operation(name).query_parameters)


@pytest.fixture
def credentials_only_spec(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The bundled spec with a read of optional parameters reduced to its credentials (no query parameter)."""
    document = copy.deepcopy(dict(spec.document()))
    facts = spec.operation(OPTIONAL_ONLY)
    raw = document["paths"][facts.path][facts.method.lower()]
    raw["parameters"] = [p for p in raw["parameters"] if _resolve(p)["in"] != "query"]
    caches = (spec.operations, load_operations)
    for cache in caches:
        cache.cache_clear()
    monkeypatch.setattr(spec, "document", lambda: document)
    yield OPTIONAL_ONLY
    monkeypatch.undo()
    for cache in caches:
        cache.cache_clear()


def test_an_operation_with_only_credentials_is_probed_and_its_empty_phase_reported(
    reference_url: str, credentials_only_spec: str
) -> None:
    name = credentials_only_spec
    operation = _operation(name)
    assert operation.query == ()
    checks = {probe.check for probe in probes_for(operation, {}, ID_INSTANCE, TOKEN)}
    assert checks == {
        "valid_request_accepted",
        "wrong_token_rejected",
        "wrong_instance_rejected",
        "unsupported_method_rejected",
    }

    report = run_contract_test(
        reference_url, ID_INSTANCE, TOKEN, max_examples=3, seed=2, checks=UNLIMITED_CHECKS
    )

    assert report.ok, (report.violations, report.inconclusive)
    # no parameter to negate: this one, and any read of the spec that takes only the credentials
    credentials_only = [name for name in OPERATIONS if not spec.operation(name).query_parameters]
    assert name in credentials_only
    assert report.empty_phases == [f"{read} negative" for read in credentials_only]
    for check in ("valid_request_accepted", "wrong_token_rejected", "wrong_instance_rejected"):
        assert report.check_runs_by_operation[(name, check)] >= 1
    # HEAD (a probe) and the 7 other methods of schemathesis' coverage phase (POST ... QUERY, TRACE)
    assert report.check_runs_by_operation[(name, "unsupported_method_rejected")] == 8
