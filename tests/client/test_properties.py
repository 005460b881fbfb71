"""Property tests driven by the spec bundled in ``greenstat_client`` (never re-typed by hand)."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

import httpx
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from greenstat_ext import ResponseValidationError

from ._helpers import Recorder, make_async, make_sync
from ._schema_strategies import from_schema

INT64 = {"minimum": -(2**63), "maximum": 2**63 - 1}
SETTINGS = settings(
    max_examples=40, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
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
    if out.get("format") == "int64":
        del out["format"]
        out["minimum"] = max(out.get("minimum", INT64["minimum"]), INT64["minimum"])
        out["maximum"] = min(out.get("maximum", INT64["maximum"]), INT64["maximum"])
    return out


def ok_schema() -> dict[str, Any]:
    operation = spec()["paths"]["/waInstance{idInstance}/getStatusStatistic/{apiTokenInstance}"]["get"]
    schema: dict[str, Any] = resolve(operation["responses"]["200"]["content"]["application/json"]["schema"])
    return schema


def item_schema() -> dict[str, Any]:
    schema: dict[str, Any] = ok_schema()["items"]
    return schema


def declared(item: dict[str, Any]) -> dict[str, Any]:
    """What the model keeps of an item: the declared properties (extra members are ignored)."""
    return {key: value for key, value in item.items() if key in item_schema()["properties"]}


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


@settings(max_examples=15, derandomize=True, deadline=None)
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
