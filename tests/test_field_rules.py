"""A constrained field is refused in the user's words, the spec's ``x-rule``, by the client, the CLI and the
mock alike: one source, no regex in any message.

The rule texts are read from the spec here (never retyped), so a rule edited in ``openapi.yaml`` is the one
all three say; and every request field the spec gives a pattern must give a rule (a new one cannot slip in
speaking regex).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from greenstat_ext import GreenStat, InvalidRequestError
from greenstat_ext._spec import ParameterSpec, operation, operations
from greenstat_ext.cli import app
from greenstat_ext.mock import DEMO_ID_INSTANCE, DEMO_TOKEN, MockServer, MockSettings

URL = "https://example.com/a.mp3"

#: (operation, field, a body the field breaks, the CLI arguments that send the same value, the flag named).
CASES: list[tuple[str, str, dict[str, Any], list[str], str]] = [
    (
        "sendVoiceStatus",
        "fileName",
        {"urlFile": URL, "fileName": "hello.ogg"},
        ["post", "voice", URL, "--file-name", "hello.ogg"],
        "--file-name",
    ),
    (
        "sendMediaStatus",
        "urlFile",
        {"urlFile": "notaurl", "fileName": "a.png"},
        ["post", "media", "notaurl", "--file-name", "a.png"],
        "URL",
    ),
    (
        "sendMediaStatus",
        "fileName",
        {"urlFile": URL, "fileName": "no-extension"},
        ["post", "media", URL, "--file-name", "no-extension"],
        "--file-name",
    ),
    (
        "sendTextStatus",
        "participants",
        {"message": "hi", "participants": ["12345"]},
        ["post", "text", "hi", "-p", "12345"],
        "--participant #1",
    ),
    (
        "sendTextStatus",
        "backgroundColor",
        {"message": "hi", "backgroundColor": "red"},
        ["post", "text", "hi", "--background-color", "red"],
        "--background-color",
    ),
]
IDS = [f"{case[0]}.{case[1]}" for case in CASES]


def _rule(operation_id: str, field: str) -> str:
    spec = operation(operation_id).parameter(field)
    rule = spec.items.rule if spec.items is not None else spec.rule
    assert rule is not None, f"{operation_id}.{field} has no x-rule"
    return rule


def _fields(spec: ParameterSpec) -> Iterator[ParameterSpec]:
    yield spec
    if spec.items is not None:
        yield from _fields(spec.items)


def test_every_request_field_with_a_pattern_has_a_rule_in_words() -> None:
    without = [
        f"{op.operation_id}.{field.name}"
        for op in operations().values()
        for parameter in op.parameters
        for field in _fields(parameter)
        if field.pattern is not None and field.rule is None
    ]
    assert without == []


@pytest.fixture(scope="module")
def mock() -> Iterator[MockServer]:
    with MockServer(MockSettings(rate_limit=0)) as server:
        yield server


@pytest.mark.parametrize(("operation_id", "field", "body", "argv", "flag"), CASES, ids=IDS)
def test_the_client_says_the_rule(
    operation_id: str, field: str, body: dict[str, Any], argv: list[str], flag: str
) -> None:
    method = operation(operation_id).python_name
    with GreenStat(id_instance="1101000001", api_token="abc", api_url="http://127.0.0.1:9") as client:
        arguments = {operation(operation_id).parameter(k).python_name: v for k, v in body.items()}
        with pytest.raises(InvalidRequestError) as info:
            getattr(client, method)(**arguments)  # refused before any request: the URL is never tried
    rule = _rule(operation_id, field)
    assert str(info.value).endswith(f": {rule}")
    assert "pattern" not in str(info.value)


@pytest.mark.parametrize(("operation_id", "field", "body", "argv", "flag"), CASES, ids=IDS)
def test_the_cli_says_the_rule(
    mock: MockServer, operation_id: str, field: str, body: dict[str, Any], argv: list[str], flag: str
) -> None:
    env = {
        "GREEN_API_URL": mock.base_url,
        "GREEN_API_ID_INSTANCE": str(DEMO_ID_INSTANCE),
        "GREEN_API_TOKEN": DEMO_TOKEN,
    }
    result = CliRunner().invoke(app, argv, env=env)
    assert result.exit_code == 2
    assert result.stderr == f"greenstat {argv[0]} {argv[1]}: error: {flag}: {_rule(operation_id, field)}\n"


@pytest.mark.parametrize(("operation_id", "field", "body", "argv", "flag"), CASES, ids=IDS)
def test_the_mock_says_the_rule(
    mock: MockServer, operation_id: str, field: str, body: dict[str, Any], argv: list[str], flag: str
) -> None:
    path = operation(operation_id).path.format(idInstance=DEMO_ID_INSTANCE, apiTokenInstance=DEMO_TOKEN)
    response = httpx.post(mock.base_url + path, json=body)
    assert response.status_code == 400
    message = response.json()["message"]
    assert message.endswith(_rule(operation_id, field))
    assert "pattern" not in message
