"""Regeneration safety, and what a new operation costs.

Generates a client from a copy of the spec into a temporary folder (with ``scripts/generate.sh``, exactly what
``make generate`` runs) and uses it in a subprocess whose ``PYTHONPATH`` puts that package before the
committed one, under the *unchanged* ``greenstat_ext``. The copy has three changes:

* one extra optional field in ``StatusStatistic``: a subset of these tests must still pass;
* one extra GET operation, ``getFooStatus``, under a new tag (``account``), with a query parameter with a
  ``maxLength``, its own ``x-rate-limit`` and 200 schema: the client must expose ``get_foo_status``, check
  its argument from the spec, pace it at its spec rate and call it against a loopback server, sync and
  async, with no hand-written code;
* one extra write, ``sendFoo`` (POST, a JSON body, ``x-idempotent: false``, ``x-creates: foo`` and nothing
  that deletes a foo) under another new tag (``sending``): the client must expose ``send_foo``, refuse a body
  member from the spec, send it once when the server may have acted (a 500: ``OutcomeUnknownError``), and the
  contract kit must not count it among the writes it can clean up after (so it never sends it).
"""

from __future__ import annotations

import filecmp
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests._figures import record

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SUBSET = ["tests/client/test_properties.py", "tests/client/test_errors.py", "tests/client/test_sync.py"]


FOO_MAX_LENGTH = 8
FOO_SCHEMA = {
    "type": "object",
    "required": ["fooId", "state"],
    "properties": {"fooId": {"type": "string"}, "state": {"type": "string"}},
}


def foo_operation(template: dict[str, Any]) -> dict[str, Any]:
    """``getFooStatus``: like an existing operation (same errors), with its own parameter and result."""
    return {
        "operationId": "getFooStatus",
        "tags": ["account"],  # a tag of its own (one of Green API's): tags only group the endpoint modules
        "summary": "The state of one foo",
        "description": "A made-up operation: what adding a method to the spec costs.",
        "x-rate-limit": {"requests": 5, "per_seconds": 1},
        "parameters": [
            {"$ref": "#/components/parameters/IdInstance"},
            {"$ref": "#/components/parameters/ApiTokenInstance"},
            {
                "name": "fooId",
                "in": "query",
                "required": True,
                "schema": {"type": "string", "minLength": 1, "maxLength": FOO_MAX_LENGTH},
            },
        ],
        "responses": {
            **template["responses"],
            "200": {
                "description": "The foo's state.",
                "content": {
                    "application/json": {
                        "schema": {"type": "array", "items": {"$ref": "#/components/schemas/FooStatus"}}
                    }
                },
            },
        },
    }


def send_foo_operation(template: dict[str, Any]) -> dict[str, Any]:
    """``sendFoo``: a write (POST, a JSON body, ``x-idempotent: false``, ``x-creates: foo``) under a tag of
    its own, and no operation deletes a foo: the client must never repeat it, the kit must never send it."""
    return {
        "operationId": "sendFoo",
        "tags": ["sending"],
        "summary": "Send a foo",
        "description": "A made-up write: what adding a write to the spec costs.",
        "x-rate-limit": {"requests": 50, "per_seconds": 1},
        "x-idempotent": False,
        "x-creates": "foo",
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
                        "required": ["fooId"],
                        "properties": {
                            "fooId": {"type": "string", "minLength": 1, "maxLength": FOO_MAX_LENGTH}
                        },
                    },
                    "examples": {"one": {"value": {"fooId": "abc"}}},
                }
            },
        },
        "responses": {
            **{code: answer for code, answer in template["responses"].items() if code != "200"},
            "200": template["responses"]["200"],
        },
    }


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("regen")
    spec = yaml.safe_load((ROOT / "openapi.yaml").read_text("utf-8"))
    spec["components"]["schemas"]["StatusStatistic"]["properties"]["viewedAt"] = {
        "type": "integer",
        "format": "int64",
        "minimum": 0,
        "description": "When the recipient viewed the status (a field a future API might add).",
    }
    operation = spec["paths"]["/waInstance{idInstance}/getStatusStatistic/{apiTokenInstance}"]["get"]
    spec["paths"]["/waInstance{idInstance}/getFooStatus/{apiTokenInstance}"] = {
        "get": foo_operation(operation)
    }
    spec["components"]["schemas"]["FooStatus"] = FOO_SCHEMA
    send = spec["paths"]["/waInstance{idInstance}/sendTextStatus/{apiTokenInstance}"]["post"]
    spec["paths"]["/waInstance{idInstance}/sendFoo/{apiTokenInstance}"] = {"post": send_foo_operation(send)}
    spec_path = work / "openapi.yaml"
    spec_path.write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True), "utf-8")
    package = work / "out" / "greenstat_client"
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "SPEC": str(spec_path)}
    subprocess.run(  # noqa: S603 - our own generation script, the one `make generate` runs
        [str(ROOT / "scripts" / "generate.sh"), str(package)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    return package.parent


def run_python(regenerated: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(regenerated), str(ROOT)])}
    return subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )


def test_the_subprocess_uses_the_regenerated_package(regenerated: Path) -> None:
    code = (
        "import greenstat_client, msgspec\n"
        "from greenstat_ext import summarize\n"
        "from greenstat_client.models import StatusStatistic\n"
        "print(greenstat_client.__file__)\n"
        "print(sorted(StatusStatistic.__struct_fields__))\n"
    )
    result = run_python(regenerated, "-c", code)
    assert result.returncode == 0, result.stderr
    path, fields = result.stdout.splitlines()
    assert path.startswith(str(regenerated))
    assert "viewed_at" in fields


def test_ext_tests_pass_against_the_regenerated_package(regenerated: Path) -> None:
    result = run_python(regenerated, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x", *SUBSET)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert " passed" in result.stdout


FOO_CLIENT = textwrap.dedent(
    """
    import json, sys, threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    import anyio

    from greenstat_client.models import FooStatus
    from greenstat_ext import AsyncGreenStat, GreenStat, InvalidRequestError, OutcomeUnknownError

    seen = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(self.path)
            body = json.dumps([{"fooId": "abc", "state": "ok", "new": 1}]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):  # a server that may have acted, then failed: a write must not be repeated
            seen.append("POST " + self.path)
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(500)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    options = dict(id_instance=1101000001, api_token="abc123", api_url=f"http://127.0.0.1:{server.server_port}")
    with GreenStat(**options) as client:
        (foo,) = client.get_foo_status("abc")
        assert isinstance(foo, FooStatus) and (foo.foo_id, foo.state) == ("abc", "ok"), foo
        assert client.with_raw_response.get_foo_status(foo_id="abc").status_code == 200
        print("rate", client.rate_limiter_for("getFooStatus").rate)
        try:
            client.get_foo_status("x" * (MAX + 1))
        except InvalidRequestError as exc:
            print("refused", exc)

    with GreenStat(**options) as client:
        try:
            client.send_foo("x" * (MAX + 1))
        except InvalidRequestError as exc:
            print("write_refused", exc)
        try:
            client.send_foo(foo_id="abc")
        except OutcomeUnknownError:
            print("write_unknown", sum(1 for line in seen if line.startswith("POST")))
    from greenstat_ext import _spec
    from greenstat_ext.contract._spec import load_operations
    from greenstat_ext.contract._writes import lifecycles

    write = _spec.operation("sendFoo")
    print("write_spec", write.is_write, write.idempotent, write.creates)
    print("kit_cleans", sorted(life.creator.name for life in lifecycles(load_operations())))

    async def main():
        async with AsyncGreenStat(**options, rate_limit=0) as client:
            return await client.get_foo_status(foo_id="abc")

    print("async", [item.foo_id for item in anyio.run(main)])
    print("paths", sorted(set(seen)))
    server.shutdown()
    """
)


def test_a_new_operation_in_the_spec_is_a_typed_validated_method(regenerated: Path) -> None:
    result = run_python(regenerated, "-c", f"MAX = {FOO_MAX_LENGTH}\n" + FOO_CLIENT)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines())
    assert lines["rate"] == "5.0"  # its own x-rate-limit: 5 per 1 s
    assert (
        lines["refused"] == f"foo_id: must be at most {FOO_MAX_LENGTH} characters (got {FOO_MAX_LENGTH + 1})"
    )
    assert lines["async"] == "['abc']"
    paths = [
        "/waInstance1101000001/getFooStatus/abc123?fooId=abc",
        "POST /waInstance1101000001/sendFoo/abc123",
    ]
    assert lines["paths"] == repr(sorted(paths))
    # the write, under its own tag: its body member refused from the spec, sent once (x-idempotent: false)
    assert lines["write_refused"].startswith(f"foo_id: must be at most {FOO_MAX_LENGTH} characters")
    assert lines["write_unknown"] == "1"
    assert lines["write_spec"] == "True False foo"
    assert lines["kit_cleans"] == "['sendMediaStatus', 'sendTextStatus', 'sendVoiceStatus']"  # not sendFoo


def _differences(left: Path, right: Path, prefix: str = "") -> list[str]:
    comparison = filecmp.dircmp(left, right, ignore=["__pycache__"])
    changed = [f"{prefix}{name}" for name in comparison.left_only + comparison.right_only]
    _, mismatch, errors = filecmp.cmpfiles(left, right, comparison.common_files, shallow=False)
    changed += [f"{prefix}{name}" for name in mismatch + errors]
    for sub in comparison.common_dirs:
        changed += _differences(left / sub, right / sub, f"{prefix}{sub}/")
    return sorted(changed)


def test_what_the_new_operation_cost(regenerated: Path) -> None:
    """Generated files only: greenstat_ext/ and tests/ are those of the checkout, unchanged."""
    changed = _differences(ROOT / "generated" / "greenstat_client", regenerated / "greenstat_client")
    changed.remove("models/status_statistic.py")  # the other change of the copy (viewedAt), not the operation
    assert "api/account" in changed  # the new tags' packages (their endpoint modules), under api/
    assert "api/sending" in changed
    assert "api/__init__.py" in changed  # the one facade of every tag: operation table and mixins
    assert not any(path.startswith("api/statuses/") for path in changed)  # another tag's files: untouched
    assert all(not path.endswith(".py") or path.startswith(("api/", "models/")) for path in changed), changed
    record(
        "regeneration",
        f"a GET and a POST write, two new tags: 1 hand-written file (openapi.yaml), generated: {changed}",
    )
