"""Property tests driven by the spec bundled in ``greenstat_client`` (never re-typed by hand).

The answers and the arguments of *every* operation of the generated table are drawn from that operation's
own schemas, so an operation added to the spec is covered with no edit here; the tests on one item's fields
(unknown ``status`` values, broken items) are about ``getStatusStatistic``'s schema.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib.resources import files
from typing import Any

import httpx
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from greenstat_client.api import OPERATIONS, Operation
from greenstat_ext import InvalidRequestError, ResponseValidationError
from tests._fuzz import examples

from ._helpers import Recorder, make_async, make_sync
from ._schema_strategies import from_schema

INT_FORMATS = {"int32": 32, "int64": 64}
SETTINGS = settings(
    max_examples=examples(20), derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@cache
def spec() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(
        files("greenstat_client").joinpath("openapi.yaml").read_text("utf-8")
    )
    return loaded


def resolve(node: Any) -> Any:
    """Inline ``$ref``s and turn OpenAPI's ``format: int64`` into the bounds it implies."""
    if isinstance(node, list):
        return [resolve(item) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target: Any = spec()
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        return resolve(target)
    out = {
        key: resolve(value)
        for key, value in node.items()
        if key not in ("examples", "example", "description")
    }
    bits = INT_FORMATS.get(out.get("format", ""))
    if bits is not None:
        del out["format"]
        out["minimum"] = max(out.get("minimum", -(2 ** (bits - 1))), -(2 ** (bits - 1)))
        out["maximum"] = min(out.get("maximum", 2 ** (bits - 1) - 1), 2 ** (bits - 1) - 1)
    return out


def spec_operation(operation_id: str) -> dict[str, Any]:
    for item in spec()["paths"].values():
        for raw in item.values():
            if isinstance(raw, dict) and raw.get("operationId") == operation_id:
                return raw
    raise KeyError(operation_id)


def ok_schema(operation_id: str = "getStatusStatistic") -> dict[str, Any]:
    operation = spec_operation(operation_id)
    schema: dict[str, Any] = resolve(operation["responses"]["200"])["content"]["application/json"]["schema"]
    return schema


def body_schema(operation_id: str) -> dict[str, Any] | None:
    """The operation's JSON request body schema, resolved (None for an operation without a body)."""
    body = spec_operation(operation_id).get("requestBody")
    if body is None:
        return None
    schema: dict[str, Any] = resolve(body["content"]["application/json"]["schema"])
    return schema


def parameter_schemas(operation_id: str) -> dict[str, dict[str, Any]]:
    """The caller's parameters of an operation (query parameters, then body members): wire name -> schema."""
    params = [resolve(p) for p in spec_operation(operation_id).get("parameters", [])]
    schemas = {p["name"]: p["schema"] for p in params if p["in"] == "query"}
    body = body_schema(operation_id)
    return {**schemas, **(body or {}).get("properties", {})}


def ok_body(operation_id: str) -> st.SearchStrategy[Any]:
    """A valid 200 body of the operation; None for an operation whose 200 has none (``deleteStatus``)."""
    content = resolve(spec_operation(operation_id)["responses"]["200"]).get("content")
    return st.none() if content is None else from_schema(ok_schema(operation_id))


def answer(body: Any) -> httpx.Response:
    return httpx.Response(200) if body is None else httpx.Response(200, content=json.dumps(body).encode())


def builtins(result: Any) -> Any:
    """A result (a list of models, one model, or None) as plain JSON values, to compare with a body."""
    if isinstance(result, list):
        return [item.to_dict() for item in result]
    return None if result is None else result.to_dict()


def expected(body: Any, operation_id: str) -> Any:
    return None if body is None else kept(body, ok_schema(operation_id))


def item_schema() -> dict[str, Any]:
    schema: dict[str, Any] = ok_schema()["items"]
    return schema


def kept(value: Any, schema: dict[str, Any]) -> Any:
    """What the models keep of a valid body: declared members only (extra ones are ignored), recursively."""
    if schema.get("type") == "array" and isinstance(value, list):
        return [kept(item, schema.get("items", {})) for item in value]
    if schema.get("type") == "object" and isinstance(value, dict):
        properties = schema.get("properties", {})
        return {key: kept(item, properties[key]) for key, item in value.items() if key in properties}
    return value


def declared(item: dict[str, Any]) -> dict[str, Any]:
    """What the model keeps of a ``getStatusStatistic`` item."""
    result: dict[str, Any] = kept(item, item_schema())
    return result


def call(client: Any, operation: Operation[Any], arguments: dict[str, Any]) -> Any:
    """``client.<operation>(**arguments)``: the facade method the generated table names."""
    return getattr(client, operation.name)(**arguments)


@st.composite
def valid_arguments(draw: st.DrawFn, operation: Operation[Any]) -> dict[str, Any]:
    """Arguments valid against the operation's parameter schemas (optional ones sometimes left out)."""
    schemas = parameter_schemas(operation.operation_id)
    arguments: dict[str, Any] = {}
    for parameter in operation.parameters:
        if parameter.required or draw(st.booleans()):
            arguments[parameter.name] = draw(from_schema(schemas[parameter.wire_name]))
    return arguments


def _wire(value: Any) -> str:
    return str(value)


def test_the_generated_table_lists_every_operation_of_the_spec() -> None:
    """Every operation once, in the order the template states: grouped by tag (the tags in the order they
    first appear in the spec), each operation under the first of those groups it belongs to, each group in
    the spec's order. With the operations of one tag together in the spec (as Green API's are), that is
    the spec's own order."""
    by_tag: dict[str, list[str]] = {}
    for item in spec()["paths"].values():
        for raw in item.values():
            for tag in raw.get("tags") or ["default"]:
                by_tag.setdefault(tag, []).append(raw["operationId"])
    expected = list(dict.fromkeys(name for names in by_tag.values() for name in names))
    assert [operation.operation_id for operation in OPERATIONS] == expected
    ids = [raw["operationId"] for item in spec()["paths"].values() for raw in item.values()]
    assert sorted(expected) == sorted(ids)  # each once


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.operation_id)
def test_the_table_entry_has_the_spec_parameters(operation: Operation[Any]) -> None:
    params = [
        resolve(p)
        for p in spec_operation(operation.operation_id)["parameters"]
        if resolve(p)["in"] == "query"
    ]
    required = {p["name"]: p.get("required", False) for p in params}
    body = body_schema(operation.operation_id) or {}
    members = {name: name in body.get("required", []) for name in body.get("properties", {})}
    assert {p.wire_name: p.required for p in operation.parameters} == {**required, **members}
    assert {p.wire_name for p in operation.parameters if p.location == "body"} == set(members)
    assert all(p.location in ("query", "body") for p in operation.parameters)


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.operation_id)
@settings(
    max_examples=examples(15), derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(data=st.data())
def test_every_operation_decodes_its_valid_bodies_and_sends_its_valid_arguments(
    operation: Operation[Any], data: st.DataObject
) -> None:
    body = data.draw(ok_body(operation.operation_id), label="body")
    arguments = data.draw(valid_arguments(operation), label="arguments")
    recorder = Recorder(answer(body))
    with make_sync(recorder) as client:
        result = call(client, operation, arguments)
        raw = call(client.with_raw_response, operation, arguments)
    assert builtins(result) == expected(body, operation.operation_id)
    assert raw.status_code == 200
    assert builtins(raw.parse()) == builtins(result)
    (request, _) = recorder.requests
    assert f"/{operation.operation_id}/" in request.url.path
    assert request.method == operation.method
    given_query = {
        p.wire_name: _wire(arguments[p.name])
        for p in operation.parameters
        if p.location == "query" and p.name in arguments
    }
    assert dict(request.url.params) == given_query
    given_body = {
        p.wire_name: arguments[p.name]
        for p in operation.parameters
        if p.location == "body" and p.name in arguments
    }
    assert (json.loads(request.content) if request.content else {}) == given_body


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.operation_id)
@settings(max_examples=examples(10), derandomize=True, deadline=None)
@given(data=st.data())
def test_every_operation_async_decodes_the_same(operation: Operation[Any], data: st.DataObject) -> None:
    import anyio

    body = data.draw(ok_body(operation.operation_id), label="body")
    arguments = data.draw(valid_arguments(operation), label="arguments")

    async def main() -> Any:
        async with make_async(Recorder(answer(body))) as client:
            result = await call(client, operation, arguments)
            raw = await call(client.with_raw_response, operation, arguments)
            assert builtins(raw.parse()) == builtins(result)
            return builtins(result)

    assert anyio.run(main) == expected(body, operation.operation_id)


def _invalid(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values that break ``schema``: out of its bounds or lengths, or of another type."""
    options: list[st.SearchStrategy[Any]] = []
    if schema["type"] == "integer":
        options.append(st.sampled_from([str(schema.get("minimum", 0)), 1.5, True]))
        if "minimum" in schema:
            options.append(st.integers(max_value=schema["minimum"] - 1))
        if "maximum" in schema:
            options.append(st.integers(min_value=schema["maximum"] + 1))
    if schema["type"] == "string":
        options.append(st.sampled_from([1, b"x", True]))
        if schema.get("minLength", 0) > 0:
            options.append(st.text(max_size=schema["minLength"] - 1))
        if "maxLength" in schema:
            options.append(st.text(min_size=schema["maxLength"] + 1, max_size=schema["maxLength"] + 40))
        if "pattern" in schema:
            pattern = re.compile(schema["pattern"])
            options.append(st.text(min_size=1, max_size=12).filter(lambda v: pattern.search(v) is None))
        if "enum" in schema:
            options.append(st.text(max_size=12).filter(lambda v: v not in schema["enum"]))
    if schema["type"] == "array":
        options.append(st.sampled_from(["79001234567@c.us", 7, {"a": 1}]))  # not a list
        if "maxItems" in schema:
            item = from_schema(schema["items"])
            options.append(st.lists(item, min_size=schema["maxItems"] + 1, max_size=schema["maxItems"] + 1))
    return st.one_of(options)


#: Chosen by shape: an operation the caller passes no argument to has nothing to refuse.
WITH_ARGUMENTS = [op for op in OPERATIONS if op.parameters]


@pytest.mark.parametrize("operation", WITH_ARGUMENTS, ids=lambda op: op.operation_id)
@SETTINGS
@given(data=st.data())
def test_every_operation_refuses_arguments_outside_the_spec_before_any_request(
    operation: Operation[Any], data: st.DataObject
) -> None:
    arguments = data.draw(valid_arguments(operation), label="valid")
    parameter = data.draw(st.sampled_from(operation.parameters), label="parameter")
    schema = parameter_schemas(operation.operation_id)[parameter.wire_name]
    arguments[parameter.name] = data.draw(_invalid(schema), label="invalid")
    recorder = Recorder(httpx.Response(200, content=b"[]"))
    with make_sync(recorder) as client, pytest.raises(InvalidRequestError) as info:
        call(client, operation, arguments)
    assert info.value.field.partition("[")[0] == parameter.name  # an array names the item: participants[3]
    assert recorder.requests == []


def test_schema_is_loaded_from_the_package() -> None:
    assert set(item_schema()["required"]) == {"participant", "timestamp", "status"}
    assert item_schema()["properties"]["status"]["enum"] == ["pending", "sent", "delivered", "read"]


@SETTINGS
@given(body=from_schema(ok_schema()))
def test_valid_bodies_come_back_as_equal_models(body: list[dict[str, Any]]) -> None:
    with make_sync(Recorder(httpx.Response(200, content=json.dumps(body).encode()))) as client:
        stats = client.get_status_statistic("x")
    assert [item.to_dict() for item in stats] == [declared(item) for item in body]
    assert all(item.status.is_known for item in stats)


@settings(max_examples=examples(15), derandomize=True, deadline=None)
@given(body=from_schema(ok_schema()))
def test_async_decodes_the_same(body: list[dict[str, Any]]) -> None:
    import anyio

    async def main() -> list[dict[str, Any]]:
        async with make_async(Recorder(httpx.Response(200, content=json.dumps(body).encode()))) as client:
            return [item.to_dict() for item in await client.get_status_statistic("x")]

    assert anyio.run(main) == [declared(item) for item in body]


@SETTINGS
@given(
    item=from_schema(item_schema()),
    value=st.text(min_size=1).filter(lambda v: v not in {"pending", "sent", "delivered", "read"}),
)
def test_unknown_status_values_survive(item: dict[str, Any], value: str) -> None:
    body = [{**item, "status": value}]
    with make_sync(Recorder(httpx.Response(200, content=json.dumps(body).encode()))) as client:
        (stat,) = client.get_status_statistic("x")
    assert stat.status.value == value
    assert not stat.status.is_known


WRONG_TYPES: dict[str, st.SearchStrategy[Any]] = {
    "participant": st.one_of(st.integers(), st.none(), st.booleans(), st.lists(st.text(), max_size=2)),
    "timestamp": st.one_of(
        st.text(), st.none(), st.floats(allow_nan=False), st.booleans(), st.integers(max_value=-1)
    ),
    "status": st.one_of(st.integers(), st.none(), st.booleans(), st.lists(st.integers(), max_size=2)),
}


@st.composite
def broken_bodies(draw: st.DrawFn) -> tuple[list[Any], str]:
    """A valid body with one item broken: a required field missing, mistyped, or out of range."""
    body: list[Any] = draw(from_schema({**ok_schema(), "minItems": 1}))
    index = draw(st.integers(0, len(body) - 1))
    field = draw(st.sampled_from(sorted(WRONG_TYPES)))
    if draw(st.booleans()):
        del body[index][field]
    else:
        body[index][field] = draw(WRONG_TYPES[field])
    return body, f"$[{index}]"


@SETTINGS
@given(case=broken_bodies())
def test_invalid_bodies_give_response_validation_error(case: tuple[list[Any], str]) -> None:
    body, where = case
    client = make_sync(Recorder(httpx.Response(200, content=json.dumps(body).encode())))
    with client, pytest.raises(ResponseValidationError) as info:
        client.get_status_statistic("x")
    assert info.value.status_code == 200
    assert info.value.path is not None
    assert info.value.path.startswith(where)


@SETTINGS
@given(
    body=st.one_of(
        st.dictionaries(st.text(), st.integers()),
        st.integers(),
        st.text(),
        st.lists(st.integers(), min_size=1),
    )
)
def test_non_array_bodies_give_response_validation_error(body: Any) -> None:
    client = make_sync(Recorder(httpx.Response(200, content=json.dumps(body).encode())))
    with client, pytest.raises(ResponseValidationError):
        client.get_status_statistic("x")
