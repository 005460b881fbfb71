"""Write operations (phase 2 adds them to the spec): off by default, probes built from the request body.

The spec has no write operation yet, so these tests add one to a copy of it (``deleteStatus``, as the facts
describe it: POST, a JSON body with a required ``idMessage``, 10 requests/s) and check what the kit does with
it: nothing without ``--allow-writes`` (the report names it as not checked), a valid JSON body in its probes,
and ``--help`` warning that writes post real statuses.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator

import pytest
import typer
from starlette.requests import Request
from starlette.responses import Response
from typer.testing import CliRunner

from greenstat_ext import _spec as spec
from greenstat_ext.contract import run_contract_test
from greenstat_ext.contract._cli import contract_test
from greenstat_ext.contract._probes import probes_for
from greenstat_ext.contract._spec import load_operations
from tests._servers import serve
from tests.contract.broken_servers import ID_INSTANCE, ID_MESSAGE, TOKEN, UNLIMITED_CHECKS, app_for, reference

WRITE = "deleteStatus"


@pytest.fixture
def spec_with_a_write(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    document = copy.deepcopy(dict(spec.document()))
    document["paths"]["/waInstance{idInstance}/deleteStatus/{apiTokenInstance}"] = {
        "post": {
            "operationId": WRITE,
            "x-rate-limit": {"requests": 10, "per_seconds": 1},
            "parameters": [
                {"$ref": "#/components/parameters/IdInstance"},
                {"$ref": "#/components/parameters/ApiTokenInstance"},
            ],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["idMessage"],
                            "properties": {"idMessage": {"type": "string", "minLength": 1}},
                        }
                    }
                },
            },
            "responses": {"200": {"description": "Deleted."}},
        }
    }
    caches = (spec.operations, load_operations)
    for cache in caches:
        cache.cache_clear()
    monkeypatch.setattr(spec, "document", lambda: document)
    yield
    monkeypatch.undo()
    for cache in caches:
        cache.cache_clear()


@pytest.mark.usefixtures("spec_with_a_write")
def test_a_write_is_not_sent_without_allow_writes_and_the_report_says_so() -> None:
    seen: list[str] = []

    async def recording(request: Request) -> Response:
        seen.append(f"{request.method} {request.path_params['operation']}")
        return await reference(request)

    with serve(app_for(recording)) as url:
        report = run_contract_test(
            url, ID_INSTANCE, TOKEN, id_message=ID_MESSAGE, max_examples=1, seed=1, checks=UNLIMITED_CHECKS
        )

    writes = tuple(op.name for op in load_operations() if op.is_write)
    assert WRITE in writes
    assert report.skipped_operations == writes
    assert WRITE not in report.operations
    assert not any(line.endswith(WRITE) for line in seen)  # not one request to it


@pytest.mark.usefixtures("spec_with_a_write")
def test_a_writes_probes_carry_a_json_body_built_from_its_body_fields() -> None:
    operation = next(op for op in load_operations() if op.name == WRITE)
    assert operation.is_write
    probes = probes_for(operation, {"idMessage": ID_MESSAGE}, ID_INSTANCE, TOKEN)

    valid = probes[0]
    assert (valid.check, valid.method, valid.body) == (
        "valid_request_accepted",
        "POST",
        {"idMessage": ID_MESSAGE},
    )
    assert all(probe.body == {"idMessage": ID_MESSAGE} for probe in probes if probe.method == "POST")


def test_help_warns_that_writes_post_real_statuses() -> None:
    app = typer.Typer()
    app.command("contract-test")(contract_test)
    app.command("noop")(lambda: None)
    output = CliRunner().invoke(app, ["contract-test", "--help"], env={"COLUMNS": "200"}).output
    help_text = " ".join(re.sub(r"[\u2500-\u257f]", " ", output).split())  # without rich's box lines

    assert "--allow-writes" in help_text
    assert "REAL statuses" in help_text
    assert "Off by default" in help_text
