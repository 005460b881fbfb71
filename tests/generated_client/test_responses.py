"""The generated client parses every documented answer into its documented type, and survives the rest."""

from __future__ import annotations

import json
from typing import Any

import httpx
import msgspec
import pytest

from greenstat_client import Client, errors
from greenstat_client.api.statuses.get_status_statistic import sync_detailed
from greenstat_client.models import Error, QuotaExceeded, StatusStatistic, StatusValue
from tests.generated_client.conftest import ID_INSTANCE, TOKEN, make_client

OPERATION = "/waInstance{idInstance}/getStatusStatistic/{apiTokenInstance}"


def _call(response: httpx.Response, **client_kwargs: Any) -> Any:
    with make_client(lambda _request: response, **client_kwargs) as client:
        return sync_detailed(ID_INSTANCE, TOKEN, client=client, id_message="BAE5F4886F6F2D05")


def _resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def _responses(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    operation = spec["paths"][OPERATION]["get"]
    return {code: _resolve(spec, response) for code, response in operation["responses"].items()}


def test_every_200_example_parses_and_round_trips(spec: dict[str, Any]) -> None:
    examples = _responses(spec)["200"]["content"]["application/json"]["examples"]
    assert {"published", "allStates", "empty"} <= set(examples)
    for name, example in examples.items():
        body = example["value"]
        result = _call(httpx.Response(200, json=body))
        assert result.status_code == 200, name
        assert all(isinstance(item, StatusStatistic) for item in result.parsed)
        assert [item.to_dict() for item in result.parsed] == body, name
        assert [StatusStatistic.from_dict(item) for item in body] == result.parsed, name
    assert _call(httpx.Response(200, json=[])).parsed == []


def test_every_error_example_parses_into_its_documented_type(spec: dict[str, Any]) -> None:
    responses = _responses(spec)
    expected_type = {"466": QuotaExceeded}
    checked = 0
    for code, response in responses.items():
        if code == "200":
            continue
        example = response["content"]["application/json"]["example"]
        result = _call(httpx.Response(int(code), json=example))
        model = expected_type.get(code, Error)
        assert result.status_code == int(code)
        assert isinstance(result.parsed, model), code
        assert result.parsed.to_dict() == example, code
        checked += 1
    assert checked == 8


def test_quota_body_fields_are_typed() -> None:
    body = {
        "invokeStatus": {
            "method": "getStatusStatistic",
            "used": 3,
            "total": 3,
            "status": "QUOTE_EXCEEDED",
            "description": "d",
        },
        "correspondentsStatus": {
            "used": 3,
            "total": 3,
            "status": "CORRESPONDENTS_QUOTE_EXCEEDED",
            "description": "d",
        },
    }
    parsed = _call(httpx.Response(466, json=body)).parsed
    assert isinstance(parsed, QuotaExceeded)
    assert parsed.invoke_status.used == 3
    assert parsed.correspondents_status.status == "CORRESPONDENTS_QUOTE_EXCEEDED"


@pytest.mark.parametrize("code", [499, 520, 466, 418, 503])
def test_codes_unknown_to_httpstatus_do_not_crash(code: int) -> None:
    result = _call(httpx.Response(code, text="<html>proxy error</html>"))
    assert result.status_code == code
    assert result.parsed is None
    assert result.content == b"<html>proxy error</html>"


def test_undocumented_status_raises_typed_error_when_asked() -> None:
    with pytest.raises(errors.UnexpectedStatus) as caught:
        _call(httpx.Response(520, text="origin error"), raise_on_unexpected_status=True)
    assert caught.value.status_code == 520


@pytest.mark.parametrize("code", [400, 401, 403, 429, 499, 500, 502])
def test_text_plain_error_bodies_leave_parsed_empty(code: int) -> None:
    result = _call(httpx.Response(code, text="Too Many Requests", headers={"Retry-After": "3"}))
    assert result.status_code == code
    assert result.parsed is None
    assert result.headers["Retry-After"] == "3"


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ([{"participant": "1@c.us", "timestamp": "abc", "status": "read"}], "$[0].timestamp"),
        ([{"participant": "1@c.us", "status": "read"}], "$[0]"),
        ([{"participant": ["1@c.us"], "timestamp": 1, "status": "read"}], "$[0].participant"),
        ({"participant": "1@c.us", "timestamp": 1, "status": "read"}, "Expected `array`, got `object`"),
        ([{"participant": "1@c.us", "timestamp": 1.5, "status": "read"}], "$[0].timestamp"),
        (
            [{"participant": "1@c.us", "timestamp": -1, "status": "read"}],
            "Expected `int` >= 0 - at `$[0].timestamp`",
        ),
        ([{"participant": "", "timestamp": 1, "status": "read"}], "length >= 1 - at `$[0].participant`"),
    ],
)
def test_a_200_that_breaks_the_spec_raises_naming_the_member(body: Any, where: str) -> None:
    with pytest.raises(msgspec.ValidationError) as caught:
        _call(httpx.Response(200, json=body))
    assert where in str(caught.value)


def test_published_example_with_trailing_commas_is_rejected() -> None:
    published = '[{"participant": "11001234567@c.us", "timestamp": 1587129319, "status": "read",},]'
    with pytest.raises(msgspec.DecodeError):
        _call(httpx.Response(200, content=published.encode()))


def test_unknown_status_and_extra_members_survive() -> None:
    body = [{"participant": "1@c.us", "timestamp": 5, "status": "played", "reaction": "👍"}]
    [item] = _call(httpx.Response(200, content=json.dumps(body).encode())).parsed
    assert item.status == "played"
    assert item.status.value == "played"
    assert item.status.name == "UNKNOWN"
    assert not item.status.is_known
    assert StatusValue("read").is_known
    assert StatusValue("played") is item.status
    assert item.to_dict() == {"participant": "1@c.us", "timestamp": 5, "status": "played"}


def test_the_client_has_a_default_timeout() -> None:
    client = Client(base_url="https://api.green-api.com")
    timeout = client.get_httpx_client().timeout
    assert timeout.read is not None
    assert timeout.connect is not None
