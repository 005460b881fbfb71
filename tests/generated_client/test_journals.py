"""The generated journal endpoints (getOutgoingStatuses, getIncomingStatuses) send ``minutes`` as the spec
says, decode every documented answer, and survive what a newer API may add (fields, kinds, states, @lid)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import msgspec
import pytest

from greenstat_client.api.statuses import get_incoming_statuses, get_outgoing_statuses
from greenstat_client.models import (
    IncomingStatus,
    OutgoingStatus,
    OutgoingStatusState,
    StatusDirection,
    StatusMessageType,
)
from greenstat_client.types import UNSET
from tests.generated_client.conftest import ID_INSTANCE, TOKEN, make_client

JOURNALS = [
    ("getOutgoingStatuses", get_outgoing_statuses, OutgoingStatus),
    ("getIncomingStatuses", get_incoming_statuses, IncomingStatus),
]
IDS = [name for name, *_ in JOURNALS]


def _answer(module: Any, response: httpx.Response, **kwargs: Any) -> tuple[Any, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return response

    with make_client(handler) as client:
        return module.sync_detailed(ID_INSTANCE, TOKEN, client=client, **kwargs), seen


def _examples(spec: dict[str, Any], operation_id: str) -> dict[str, Any]:
    path = f"/waInstance{{idInstance}}/{operation_id}/{{apiTokenInstance}}"
    examples: dict[str, Any] = spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"][
        "examples"
    ]
    return examples


@pytest.mark.parametrize(("operation_id", "module", "model"), JOURNALS, ids=IDS)
def test_every_200_example_decodes_and_round_trips(
    spec: dict[str, Any], operation_id: str, module: Any, model: type[Any]
) -> None:
    examples = _examples(spec, operation_id)
    assert "empty" in examples
    assert len(examples) >= 2
    for name, example in examples.items():
        body = example["value"]
        result, _ = _answer(module, httpx.Response(200, json=body))
        assert result.status_code == 200, name
        assert all(isinstance(item, model) for item in result.parsed), name
        assert [item.to_dict() for item in result.parsed] == body, name


@pytest.mark.parametrize(("operation_id", "module", "model"), JOURNALS, ids=IDS)
def test_minutes_is_sent_as_the_spec_says(
    spec: dict[str, Any], operation_id: str, module: Any, model: type[Any]
) -> None:
    default = spec["components"]["parameters"]["Minutes"]["schema"]["default"]
    _, [request] = _answer(module, httpx.Response(200, json=[]))
    assert request.url.path == f"/waInstance{ID_INSTANCE}/{operation_id}/{TOKEN}"
    assert request.url.params["minutes"] == str(default)
    _, [request] = _answer(module, httpx.Response(200, json=[]), minutes=5)
    assert request.url.params["minutes"] == "5"
    _, [request] = _answer(module, httpx.Response(200, json=[]), minutes=UNSET)
    assert "minutes" not in request.url.params


def test_new_kinds_states_fields_and_lid_ids_survive() -> None:
    body = [
        {
            "type": "outgoing",
            "idMessage": "BAE5018000000000",
            "timestamp": 1700000000,
            "statusMessage": "played",
            "sendByApi": True,
            "typeMessage": "stickerMessage",
            "chatId": "120363041234567890@lid",
            "participants": ["120363041234567891@lid"],
            "extendedTextMessage": {"text": "hi", "participants": [], "shadow": True},
            "reactions": 3,
        }
    ]
    result, _ = _answer(get_outgoing_statuses, httpx.Response(200, content=json.dumps(body).encode()))
    [item] = result.parsed
    assert item.status_message == "played"
    assert not item.status_message.is_known
    assert item.type_message == "stickerMessage"
    assert not item.type_message.is_known
    assert item.chat_id == "120363041234567890@lid"
    assert item.extended_text_message.participants == []
    assert OutgoingStatusState("noAccount").is_known
    assert StatusMessageType("audioMessage").is_known
    assert StatusDirection("incoming").is_known


@pytest.mark.parametrize(
    "change",
    [
        {"timestamp": 2**63},
        {"timestamp": -1},
        {"timestamp": "1700000000"},
        {"senderId": ""},
        {"typeMessage": None},
    ],
    ids=["timestamp-past-int64", "timestamp-negative", "timestamp-string", "empty-sender", "null-kind"],
)
def test_an_incoming_item_that_breaks_the_spec_is_refused(change: dict[str, Any]) -> None:
    item = {
        "type": "incoming",
        "idMessage": "BAE5018000000002",
        "timestamp": 1700000900,
        "typeMessage": "audioMessage",
        "chatId": "79001234570@c.us",
        "senderId": "79001234570@c.us",
        "senderName": "Dana",
        "senderContactName": "Dana",
    }
    good, _ = _answer(get_incoming_statuses, httpx.Response(200, json=[item]))
    assert good.parsed[0].sender_name == "Dana"
    with pytest.raises(msgspec.ValidationError):
        _answer(get_incoming_statuses, httpx.Response(200, json=[{**item, **change}]))


def test_the_published_example_with_comments_is_refused() -> None:
    published = '[{"type": "outgoing", "typeMessage": "imageMessage" // "videoMessage" / "audioMessage"\n}]'
    with pytest.raises(msgspec.DecodeError):
        _answer(get_outgoing_statuses, httpx.Response(200, content=published.encode()))
