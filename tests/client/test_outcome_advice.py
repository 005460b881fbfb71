"""What ``OutcomeUnknownError`` (and the CLI's exit 4) tells a caller to look at: the read the spec says lists
what the write creates or deletes (``x-lists``, with its ``x-lists-note``), or "check by other means" when the
spec lists no such kind. Never a hand-written "look for it with get_outgoing_statuses()" for a write that
creates something else (a ``sendMessage`` creating a ``message``).

Operations are chosen by shape (``is_write``, ``creates``/``deletes``); the variants are the real operation
table with one field changed, as a spec that adds such a write would read.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from types import MappingProxyType

import httpx
import pytest

from greenstat_ext import OutcomeUnknownError, _spec
from greenstat_ext._cli._common import _outcome_unknown
from greenstat_ext._spec import OperationSpec

from ._helpers import Recorder, json_response, make_sync

REQUEST = httpx.Request("POST", "http://127.0.0.1:1/x")
WRITES = [op for op in _spec.operations().values() if op.is_write]
CREATOR = next(op for op in WRITES if op.creates is not None)


def _unknown(operation: str) -> OutcomeUnknownError:
    cause = OutcomeUnknownError(
        "HTTP 500", request=REQUEST, retries_taken=0, operation=operation, cause="HTTP 500", status_code=500
    )
    return OutcomeUnknownError.after(operation, cause)


def _with(monkeypatch: pytest.MonkeyPatch, *changed: OperationSpec) -> None:
    """The spec's operation table with ``changed`` replacing (or added to) its operations."""
    table: dict[str, OperationSpec] = dict(_spec.operations())
    table.update({op.operation_id: op for op in changed})
    frozen: Mapping[str, OperationSpec] = MappingProxyType(table)
    monkeypatch.setattr(_spec, "operations", lambda: frozen)


@pytest.mark.parametrize("write", WRITES, ids=lambda op: op.operation_id)
def test_each_write_of_the_spec_names_the_read_listing_its_kind(write: OperationSpec) -> None:
    kind = write.creates or write.deletes
    listing = _spec.listing(kind) if kind else None
    error = _unknown(write.operation_id)
    assert error.listing == (listing.python_name if listing else None)
    if listing is None:
        assert "by other means" in str(error)
        return
    assert f"{listing.python_name}()" in str(error)
    if listing.lists_note:  # the caveat of that listing, from the spec (x-lists-note is optional)
        assert listing.lists_note in str(error)
    assert ("still listed" in str(error)) == (write.deletes is not None)


def test_a_write_whose_kind_no_read_lists_is_told_to_check_by_other_means(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A ``sendMessage``-like write: creates a ``message``, which no operation of the spec lists."""
    assert _spec.listing("message") is None
    _with(monkeypatch, dataclasses.replace(CREATOR, creates="message"))
    error = _unknown(CREATOR.operation_id)
    text = str(error)
    assert error.listing is None
    assert "check by other means whether it was done before repeating it" in text
    assert "no operation of the spec lists a message" in text
    for listing in _spec.operations().values():  # no listing named, and no listing's caveat borrowed
        if listing.lists is not None:
            assert listing.python_name not in text
            assert listing.lists_note not in text
    cli = _outcome_unknown(error)
    assert "check by other means" in cli
    assert "the message may have been posted" in cli
    assert "greenstat report" not in cli


def test_a_write_whose_kind_another_read_lists_names_that_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """The advice follows ``x-lists``: a read listing ``message`` (with its own note) is where to look."""
    template = next(op for op in _spec.operations().values() if op.lists is not None)
    messages = dataclasses.replace(
        template, operation_id="getMessages", path="/messages", lists="message", lists_note="may lag a minute"
    )
    _with(monkeypatch, dataclasses.replace(CREATOR, creates="message"), messages)
    error = _unknown(CREATOR.operation_id)
    assert error.listing == "get_messages"
    assert "look for it with get_messages() (which may lag a minute)" in str(error)
    assert template.lists_note not in str(error)
    cli = _outcome_unknown(error)
    assert "look for it first with getMessages (which may lag a minute)" in cli
    assert "greenstat report" not in cli


def test_a_read_sent_as_a_post_lists_its_kind_as_lint_spec_allows(monkeypatch: pytest.MonkeyPatch) -> None:
    """Green API's reads include POSTs (``getChatHistory``): with ``x-idempotent: true`` and no effect,
    lint-spec takes their ``x-lists``, and so must the advice (one rule in both places)."""
    template = next(op for op in _spec.operations().values() if op.lists is not None)
    history = dataclasses.replace(
        template,
        operation_id="getChatHistory",
        path="/history",
        method="POST",
        lists="message",
        idempotent=True,
    )
    _with(monkeypatch, dataclasses.replace(CREATOR, creates="message"), history)
    assert _spec.listing("message") == history
    assert _unknown(CREATOR.operation_id).listing == "get_chat_history"
    unsafe = dataclasses.replace(history, idempotent=False)  # a POST that may not be repeated lists nothing
    _with(monkeypatch, dataclasses.replace(CREATOR, creates="message"), unsafe)
    assert _spec.listing("message") is None


def test_the_advice_reaches_the_caller_of_a_real_call(monkeypatch: pytest.MonkeyPatch) -> None:
    """End to end: a send answered 500 raises the advice of the table in force, not a fixed text."""
    _with(monkeypatch, dataclasses.replace(CREATOR, creates="message"))
    recorder = Recorder(json_response(500, {"message": "x"}))
    with make_sync(recorder) as client, pytest.raises(OutcomeUnknownError) as info:
        getattr(client, CREATOR.python_name)(
            **{p.python_name: "hi" for p in CREATOR.body if p.required and p.type == "string"}
        )
    assert len(recorder.requests) == 1
    assert info.value.listing is None
    assert "by other means" in str(info.value)
