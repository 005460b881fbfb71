"""``greenstat_ext._spec`` reads what ``openapi.yaml`` says, and refuses a spec it cannot honour.

The expected values are read from ``openapi.yaml`` here too (with PyYAML, independently of the module's JSON
path), so these tests keep passing when the spec's limits change, and fail when the module misreads them.
"""

from __future__ import annotations

import ast
import json
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from greenstat_ext import _spec

ROOT = Path(__file__).resolve().parent.parent
SPEC: dict[str, Any] = yaml.safe_load((ROOT / "openapi.yaml").read_text("utf-8"))
COMPONENT_PARAMETERS: dict[str, Any] = SPEC["components"]["parameters"]


def _yaml_operations() -> list[tuple[str, str, str, dict[str, Any]]]:
    return [
        (op["operationId"], method.upper(), path, op)
        for path, item in SPEC["paths"].items()
        for method, op in item.items()
    ]


@pytest.fixture
def fake_spec(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """Swap in a spec document the test edits; every cache is cleared before and after."""
    document = json.loads(json.dumps(SPEC))
    caches = (_spec.operations, _spec.id_instance_range, _spec.token_limits, _spec.slowest_rate)

    def clear() -> None:
        for cached in caches:
            cached.cache_clear()

    clear()
    monkeypatch.setattr(_spec, "document", lambda: document)
    yield document
    monkeypatch.undo()
    clear()


def test_the_bundled_json_is_the_spec() -> None:
    assert dict(_spec.document()) == SPEC
    bundled = ROOT / "generated" / "greenstat_client"
    assert json.loads((bundled / "openapi.json").read_text("utf-8")) == SPEC
    assert yaml.safe_load((bundled / "openapi.yaml").read_text("utf-8")) == SPEC


def test_the_document_and_the_tables_are_read_once() -> None:
    assert _spec.document() is _spec.document()
    assert _spec.operations() is _spec.operations()
    with pytest.raises(TypeError):
        _spec.document()["paths"] = {}  # type: ignore[index]


def test_operations_follow_the_spec_in_order() -> None:
    table = _spec.operations()
    expected = _yaml_operations()
    assert list(table) == [operation_id for operation_id, *_ in expected]
    assert len(table) >= 3
    for operation_id, method, path, raw in expected:
        op = table[operation_id]
        assert (op.method, op.path, op.summary) == (method, path, raw["summary"])
        assert op.rate_limit == _spec.RateLimit(
            raw["x-rate-limit"]["requests"], raw["x-rate-limit"]["per_seconds"]
        )
        names = [
            (p.get("$ref") and COMPONENT_PARAMETERS[p["$ref"].rsplit("/", 1)[-1]]["name"]) or p["name"]
            for p in raw["parameters"]
        ]
        assert [p.name for p in op.parameters] == names
        assert _spec.operation(op.python_name) is op


def test_the_statuses_operations_and_their_names() -> None:
    assert _spec.operation("get_status_statistic").operation_id == "getStatusStatistic"
    outgoing = _spec.operation("getOutgoingStatuses")
    assert outgoing.python_name == "get_outgoing_statuses"
    assert (outgoing.result_schema, outgoing.returns_array) == ("OutgoingStatus", True)
    assert _spec.operation("getIncomingStatuses").result_schema == "IncomingStatus"
    assert [p.name for p in outgoing.path_parameters] == ["idInstance", "apiTokenInstance"]
    assert [p.name for p in outgoing.query_parameters] == ["minutes"]
    assert outgoing.body == ()
    with pytest.raises(KeyError, match="getStatusStatistic"):
        _spec.operation("sendSmokeSignal")


def test_write_operations_carry_their_body_members_and_rates() -> None:
    schemas = SPEC["components"]["schemas"]
    text = _spec.operation("send_text_status")
    assert (text.method, text.parameters[-1].name, text.result_schema) == (
        "POST",
        "apiTokenInstance",
        "SendStatusResult",
    )
    assert [m.name for m in text.body] == list(schemas["SendTextStatusRequest"]["properties"])
    assert [m.name for m in text.body if m.required] == schemas["SendTextStatusRequest"]["required"]
    message = text.parameter("message")
    assert message.max_length == schemas["SendTextStatusRequest"]["properties"]["message"]["maxLength"]
    assert text.parameter("font").enum == tuple(schemas["StatusFont"]["enum"])
    participants = text.parameter("participants")
    assert participants.max_items == schemas["Participants"]["maxItems"]
    assert participants.items is not None
    assert participants.items.pattern == schemas["Recipient"]["pattern"]
    delete = _spec.operation("deleteStatus")
    assert delete.result_schema is None
    assert [m.name for m in delete.body] == ["idMessage"]
    for op in _spec.operations().values():
        raw = SPEC["paths"][op.path][op.method.lower()]["x-rate-limit"]
        assert op.rate_limit.rate == raw["requests"] / raw["per_seconds"]


def test_the_slowest_rate_is_the_default_of_a_limiter_without_an_operation(fake_spec: dict[str, Any]) -> None:
    path = "/waInstance{idInstance}/getIncomingStatuses/{apiTokenInstance}"
    fake_spec["paths"][path]["get"]["x-rate-limit"] = {"requests": 1, "per_seconds": 4}
    assert _spec.slowest_rate() == 0.25
    assert _spec.slowest_rate() == min(op.rate_limit.rate for op in _spec.operations().values())


def test_length_bounds() -> None:
    schema = SPEC["components"]["schemas"]["StatusId"]
    assert _spec.parameter("getStatusStatistic", "idMessage").length_bounds == (
        schema["minLength"],
        schema["maxLength"],
    )
    with pytest.raises(_spec.SpecError, match="no maxLength"):
        _ = _spec.parameter("getOutgoingStatuses", "minutes").length_bounds


def test_rate_is_requests_per_second() -> None:
    assert _spec.RateLimit(requests=5, per_seconds=1).rate == 5.0
    assert _spec.RateLimit(requests=1, per_seconds=4).rate == 0.25
    for op in _spec.operations().values():
        raw = op.rate_limit
        assert op.rate_limit.rate == raw.requests / raw.per_seconds


def test_parameters_carry_their_constraints_from_the_spec() -> None:
    id_message = _spec.parameter("getStatusStatistic", "id_message")
    schema = SPEC["components"]["schemas"]["StatusId"]  # the parameter's schema is a $ref to it
    assert (id_message.name, id_message.location, id_message.required) == ("idMessage", "query", True)
    assert (id_message.min_length, id_message.max_length) == (schema["minLength"], schema["maxLength"])
    assert id_message.bounds is None

    minutes = _spec.parameter("getIncomingStatuses", "minutes")
    schema = COMPONENT_PARAMETERS["Minutes"]["schema"]
    assert (minutes.location, minutes.required, minutes.type) == ("query", False, "integer")
    assert minutes.default == schema["default"]
    assert minutes.bounds == (schema["minimum"], schema["maximum"])
    assert _spec.parameter("getOutgoingStatuses", "minutes") == minutes
    with pytest.raises(KeyError, match="idMessage"):
        _spec.parameter("getOutgoingStatuses", "idMessage")


def test_id_instance_range_and_token_limits() -> None:
    schema = COMPONENT_PARAMETERS["IdInstance"]["schema"]
    assert _spec.id_instance_range() == (schema["minimum"], schema["maximum"])
    token = COMPONENT_PARAMETERS["ApiTokenInstance"]["schema"]
    limits = _spec.token_limits()
    assert (limits.pattern, limits.min_length, limits.max_length) == (
        token["pattern"],
        token["minLength"],
        token["maxLength"],
    )
    longest = "a" * limits.max_length
    assert limits.matches(longest)
    assert limits.bounded_regex.fullmatch(longest)
    for bad in ["", longest + "b", "abc-def", "abc\n", "ab c", "абв"]:
        assert not limits.matches(bad), bad
        assert not limits.bounded_regex.fullmatch(bad), bad
    assert limits.char_class == "[A-Za-z0-9]"


def test_integer_format_bounds() -> None:
    assert _spec.integer_format_bounds("int64") == (-(2**63), 2**63 - 1)
    assert _spec.integer_format_bounds("int32") == (-(2**31), 2**31 - 1)
    with pytest.raises(_spec.SpecError):
        _spec.integer_format_bounds("date-time")
    timestamp = _spec.schema_field("StatusStatistic", "timestamp")
    assert timestamp.required
    assert timestamp.bounds == (0, 2**63 - 1)  # the minimum, and the format's maximum
    with pytest.raises(KeyError):
        _spec.schema_field("StatusStatistic", "nope")


def test_snake_case_matches_the_generated_modules() -> None:
    modules = {
        p.stem
        for p in (ROOT / "generated/greenstat_client/api").glob("*/*.py")  # every tag's package
        if p.stem != "__init__"
    }
    assert {op.python_name for op in _spec.operations().values()} == modules
    assert _spec.snake_case("idInstance") == "id_instance"
    assert _spec.snake_case("apiTokenInstance") == "api_token_instance"


def test_an_operation_without_a_rate_limit_is_refused(fake_spec: dict[str, Any]) -> None:
    del fake_spec["paths"]["/waInstance{idInstance}/getIncomingStatuses/{apiTokenInstance}"]["get"][
        "x-rate-limit"
    ]
    with pytest.raises(_spec.SpecError, match="getIncomingStatuses has no x-rate-limit"):
        _spec.operations()


@pytest.mark.parametrize(
    ("limit", "message"),
    [
        ({"requests": 0, "per_seconds": 1}, "requests must be a positive integer"),
        ({"requests": True, "per_seconds": 1}, "requests must be a positive integer"),
        ({"requests": 1, "per_seconds": 0}, "per_seconds must be a positive number"),
        ({"requests": 1}, "per_seconds must be a positive number"),
    ],
)
def test_a_bad_rate_limit_is_refused(fake_spec: dict[str, Any], limit: dict[str, Any], message: str) -> None:
    fake_spec["paths"]["/waInstance{idInstance}/getStatusStatistic/{apiTokenInstance}"]["get"][
        "x-rate-limit"
    ] = limit
    with pytest.raises(_spec.SpecError, match=message):
        _spec.operations()


def test_what_a_call_does_comes_from_the_spec() -> None:
    """x-idempotent / x-creates / x-deletes as the spec states them; the method gives only the default."""
    for operation_id, method, _, raw in _yaml_operations():
        found = _spec.operation(operation_id)
        default = method in _spec.IDEMPOTENT_METHODS
        assert found.idempotent is raw.get("x-idempotent", default), operation_id
        assert (found.creates, found.deletes) == (raw.get("x-creates"), raw.get("x-deletes")), operation_id
        assert found.is_write is (not found.idempotent or "x-creates" in raw or "x-deletes" in raw)
    created = {op.creates for op in _spec.operations().values()} - {None}
    deleted = {op.deletes for op in _spec.operations().values()} - {None}
    assert "status" in created & deleted  # a posted status can be removed
    assert deleted <= created  # nothing deletes a kind nothing creates (make lint-spec refuses it too)


def test_where_to_look_after_a_write_comes_from_x_lists() -> None:
    """Every kind a write creates or deletes is listed by the read whose ``x-lists`` names it, if any."""
    for operation_id, _, _, raw in _yaml_operations():
        found = _spec.operation(operation_id)
        assert found.lists == raw.get("x-lists"), operation_id
        assert found.lists_note == " ".join(str(raw.get("x-lists-note", "")).split()), operation_id
    status = _spec.listing("status")
    assert status is not None
    assert not status.is_write
    assert status.lists_note  # what the outgoing journal misses is said where it is true
    assert _spec.listing("message") is None


def test_a_read_the_spec_says_acts_is_a_write(fake_spec: dict[str, Any]) -> None:
    path = "/waInstance{idInstance}/getIncomingStatuses/{apiTokenInstance}"
    fake_spec["paths"][path]["get"].update({"x-idempotent": False, "x-deletes": "status"})
    found = _spec.operation("getIncomingStatuses")
    assert (found.method, found.idempotent, found.deletes, found.is_write) == ("GET", False, "status", True)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("x-idempotent", "no", "x-idempotent must be true or false"),
        ("x-creates", "", "x-creates must name a kind"),
        ("x-deletes", ["status"], "x-deletes must name a kind"),
        ("x-lists", "Status", "x-lists must name a kind"),
        ("x-lists-note", "a note without a listing", "x-lists-note must be text, beside an x-lists"),
    ],
)
def test_a_bad_effect_is_refused(fake_spec: dict[str, Any], key: str, value: Any, message: str) -> None:
    fake_spec["paths"]["/waInstance{idInstance}/deleteStatus/{apiTokenInstance}"]["post"][key] = value
    with pytest.raises(_spec.SpecError, match=message):
        _spec.operations()


def test_a_new_limit_in_the_spec_is_what_the_module_answers(fake_spec: dict[str, Any]) -> None:
    fake_spec["components"]["parameters"]["IdInstance"]["schema"]["maximum"] = 99
    fake_spec["components"]["parameters"]["ApiTokenInstance"]["schema"]["maxLength"] = 50
    path = "/waInstance{idInstance}/getOutgoingStatuses/{apiTokenInstance}"
    fake_spec["paths"][path]["get"]["x-rate-limit"] = {"requests": 5, "per_seconds": 2}
    assert _spec.id_instance_range() == (1, 99)
    assert _spec.token_limits().max_length == 50
    assert _spec.operation("getOutgoingStatuses").rate_limit.rate == 2.5


def test_operations_that_disagree_on_credentials_are_refused(fake_spec: dict[str, Any]) -> None:
    path = "/waInstance{idInstance}/getIncomingStatuses/{apiTokenInstance}"
    parameters = fake_spec["paths"][path]["get"]["parameters"]
    parameters[0] = {**COMPONENT_PARAMETERS["IdInstance"], "schema": {"type": "integer", "format": "int32"}}
    with pytest.raises(_spec.SpecError, match="disagree on the parameter idInstance"):
        _spec.id_instance_range()


def test_request_body_fields_are_read(fake_spec: dict[str, Any]) -> None:
    fake_spec["paths"]["/waInstance{idInstance}/sendTextStatus/{apiTokenInstance}"] = {
        "post": {
            "operationId": "sendTextStatus",
            "x-rate-limit": {"requests": 5, "per_seconds": 1},
            "parameters": [
                {"$ref": "#/components/parameters/IdInstance"},
                {"$ref": "#/components/parameters/ApiTokenInstance"},
            ],
            "requestBody": {
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["message"],
                            "properties": {
                                "message": {"type": "string", "maxLength": 500},
                                "participants": {"type": "array", "items": {"type": "string"}},
                            },
                        }
                    }
                }
            },
            "responses": {"200": {"description": "ok"}},
        }
    }
    send = _spec.operation("send_text_status")
    assert send.method == "POST"
    assert send.rate_limit.rate == 5.0
    message = send.parameter("message")
    assert (message.location, message.required, message.max_length) == ("body", True, 500)
    assert not send.parameter("participants").required
    assert (send.result_schema, send.returns_array) == (None, False)


def _imports(tree: ast.Module) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "the spec module imports nothing of greenstat (it sits below all of it)"
            yield node.module or ""


def test_the_spec_module_needs_only_the_standard_library() -> None:
    """It sits below Core, Mock and Kit: no httpx, starlette, msgspec, yaml, nor the generated code."""
    tree = ast.parse((ROOT / "greenstat_ext" / "_spec.py").read_text("utf-8"))
    imported = {name.split(".")[0] for name in _imports(tree)}
    assert imported, "no import found: the test reads the wrong file"
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}, imported


def test_results_are_frozen() -> None:
    op = _spec.operation("getStatusStatistic")
    with pytest.raises(AttributeError):
        op.path = "/elsewhere"  # type: ignore[misc]
    assert isinstance(_spec.operations(), Mapping)
    with pytest.raises(TypeError):
        _spec.operations()["x"] = op  # type: ignore[index]
