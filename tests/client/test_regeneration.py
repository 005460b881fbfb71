"""What adding an operation to the spec costs, measured: a scratch clone, two new operations, every layer.

Why a scratch clone: the claim (docs/architecture.md, CONTRIBUTING.md) is that an operation costs the spec and
one mock handler, and that the tests chosen by shape cover it the day it lands. The only honest proof is to do
what a contributor does and count what it took. The :func:`scratch` fixture copies this checkout's sources
(``greenstat_ext/``, ``tests/``, ``scripts/``, ``docs/``, ``templates/`` and the configuration) into a
temporary folder and there, exactly as CONTRIBUTING.md says:

* adds to ``openapi.yaml`` a parameterless GET, ``getFooState``, under a new tag (``account``) at 10
  requests/s, answering an object (not a list, unlike every read before it); a write, ``sendFoo``, under
  another new tag (``sending``): POST, a JSON body with a bounded member, ``x-idempotent: false``,
  ``x-creates: foo`` and no operation that deletes a foo; and one optional field in ``StatusStatistic``
  (regeneration safety: the existing tests must keep passing);
* adds one mock handler each, entries of ``HANDLERS`` in ``greenstat_ext/mock/_handlers.py``;
* runs ``make generate``'s two steps (``scripts/generate.sh``, ``scripts/operation_tables.py --write``).

Then, in subprocesses whose ``PYTHONPATH`` puts the clone first (its ``greenstat_ext`` and ``tests`` before
the checkout's, its generated package before the committed one): the client has typed, validated, paced
methods (the write sent once when the server may have acted); the tests chosen by shape run against the new
operations (selected with ``-k`` by their ids); the reference mock (``greenstat mock``, uvicorn on loopback)
serves both; a paced ``greenstat contract-test --allow-writes`` run against it PASSES for the new GET,
its burst at 10/s judged, and names the write it never sent. Finally the clone is compared with the
checkout: the files that differ are the cost, recorded in the suite's figures.
"""

from __future__ import annotations

import filecmp
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests._figures import record

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
#: What a contributor's checkout holds besides generated/ (regenerated) and openapi.yaml (edited).
SOURCES = ["greenstat_ext", "tests", "scripts", "docs", "templates", "generator-config.yaml", "pyproject.toml"]
SUBSET = ["tests/client/test_properties.py", "tests/client/test_errors.py", "tests/client/test_sync.py"]
NEW_GET, NEW_WRITE = "getFooState", "sendFoo"
FOO_MAX_LENGTH = 8
GET_RATE = 10  # requests per second: the new GET's x-rate-limit
HANG_GUARD = 120.0  # seconds: a guard against a hang, never a speed requirement

FOO_STATE = {
    "type": "object",
    "description": "The state of the foo.",
    "required": ["state"],
    "properties": {"state": {"type": "string", "enum": ["ready", "asleep"]}},
}


def get_foo_state(template: dict[str, Any]) -> dict[str, Any]:
    """``getFooState``: a GET without a parameter (the credentials only), 10/s, answering one object."""
    return {
        "operationId": NEW_GET,
        "tags": ["account"],  # a tag of its own (one of Green API's): tags only group the endpoint modules
        "summary": "The state of the foo",
        "description": "A made-up read: what adding a method to the spec costs.",
        "x-rate-limit": {"requests": GET_RATE, "per_seconds": 1},
        "parameters": [
            {"$ref": "#/components/parameters/IdInstance"},
            {"$ref": "#/components/parameters/ApiTokenInstance"},
        ],
        "responses": {
            **{code: answer for code, answer in template["responses"].items() if code != "200"},
            "200": {
                "description": "The foo's state.",
                "content": {
                    "application/json": {
                        "schema": {"$ref": "#/components/schemas/FooState"},
                        "example": {"state": "ready"},
                    }
                },
            },
        },
    }


def send_foo(template: dict[str, Any]) -> dict[str, Any]:
    """``sendFoo``: a write (POST, a JSON body, ``x-idempotent: false``, ``x-creates: foo``) under a tag of
    its own, and no operation deletes a foo: the client must never repeat it, the kit must never send it."""
    return {
        "operationId": NEW_WRITE,
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


#: The two handlers, as a contributor writes them in greenstat_ext/mock/_handlers.py (before HANDLERS).
HANDLERS_CODE = '''

async def _foo_state(state: MockState, params: Mapping[str, object]) -> bytes:
    """The foo is always ready (a made-up operation: what a read costs the mock)."""
    return b'{"state":"ready"}'


async def _send_foo(state: MockState, params: Mapping[str, object]) -> bytes:
    """A foo sent: counted, and its id answered (nothing lists or deletes a foo, so nothing is kept)."""
    state.stats.record_created("sendFoo")
    number = state.stats.created["sendFoo"]
    return msgspec.json.encode(SendStatusResult(id_message=f"F00D{number:012X}"))

'''
#: ... and their entries in HANDLERS.
HANDLERS_ENTRIES = '    "getFooState": _foo_state,\n    "sendFoo": _send_foo,\n'


@dataclass(frozen=True)
class Scratch:
    """The scratch clone: its root (sources, the edited spec, its generated package)."""

    root: Path

    @property
    def package(self) -> Path:
        return self.root / "generated" / "greenstat_client"

    def env(self) -> dict[str, str]:
        """The environment of its subprocesses: the clone's sources and generated package first."""
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("COVERAGE_", "COV_CORE_", "PYTEST_"))  # not the outer run's coverage
        }
        paths = [str(self.root), str(self.root / "generated")]
        return {**env, "PYTHONPATH": os.pathsep.join(paths), "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}"}


VIEWED_AT = {
    "type": "integer",
    "format": "int64",
    "minimum": 0,
    "description": "When the recipient viewed the status (a field a future API might add).",
}


def _block(node: dict[str, Any], indent: int) -> str:
    """``node`` as YAML block text indented by ``indent`` spaces: what a contributor types into the spec."""
    return textwrap.indent(yaml.safe_dump(node, sort_keys=False, allow_unicode=True, width=110), " " * indent)


def _insert(text: str, anchor: str, addition: str, *, after: bool = True) -> str:
    """``text`` with ``addition`` inserted after (or before) the one line that is ``anchor``."""
    lines = re.findall(rf"^{re.escape(anchor)}\n", text, re.MULTILINE)
    assert len(lines) == 1, f"openapi.yaml: expected one line {anchor!r}"
    match = re.search(rf"^{re.escape(anchor)}\n", text, re.MULTILINE)
    assert match is not None
    at = match.end() if after else match.start()
    return text[:at] + addition + text[at:]


def _edit_spec(path: Path) -> None:
    """The spec's own text with the additions typed in (a dump of the whole document would move text that
    other tests look for): the two paths at the end of ``paths``, the new schema, the extra field."""
    text = (ROOT / "openapi.yaml").read_text("utf-8")
    spec = yaml.safe_load(text)
    read = spec["paths"]["/waInstance{idInstance}/getStatusStatistic/{apiTokenInstance}"]["get"]
    write = spec["paths"]["/waInstance{idInstance}/sendTextStatus/{apiTokenInstance}"]["post"]
    paths = {
        f"/waInstance{{idInstance}}/{NEW_GET}/{{apiTokenInstance}}": {"get": get_foo_state(read)},
        f"/waInstance{{idInstance}}/{NEW_WRITE}/{{apiTokenInstance}}": {"post": send_foo(write)},
    }
    text = _insert(text, "components:", _block(paths, 2), after=False)
    text = _insert(text, "  schemas:", _block({"FooState": FOO_STATE}, 4))
    statistic = text.index("\n    StatusStatistic:\n")
    properties = text.index("\n      properties:\n", statistic) + len("\n      properties:\n")
    text = text[:properties] + _block({"viewedAt": VIEWED_AT}, 8) + text[properties:]
    edited = yaml.safe_load(text)
    assert [NEW_GET, NEW_WRITE] == [
        item[method]["operationId"] for item in list(edited["paths"].values())[-2:] for method in item
    ]
    assert "viewedAt" in edited["components"]["schemas"]["StatusStatistic"]["properties"]
    path.write_text(text, "utf-8")


def _add_handlers(path: Path) -> None:
    """Insert the two handlers before ``HANDLERS`` and their entries at its end, as a contributor would."""
    source = path.read_text("utf-8")
    table = re.search(r"^HANDLERS\b[^\n]*= \{\n(?:    [^\n]*\n)*?\}\n", source, re.MULTILINE)
    assert table is not None, "greenstat_ext/mock/_handlers.py has no HANDLERS = {...} table"
    start, end = table.span()
    body = table.group(0)[: -len("}\n")]
    path.write_text(source[:start].rstrip("\n") + "\n" + HANDLERS_CODE + "\n" + body + HANDLERS_ENTRIES + "}\n"
                    + source[end:], "utf-8")  # fmt: skip


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Scratch:
    root = tmp_path_factory.mktemp("scratch")
    ignore = shutil.ignore_patterns("__pycache__", ".hypothesis", ".pytest_cache")
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=ignore)
        else:
            shutil.copy2(source, root / name)
    _edit_spec(root / "openapi.yaml")
    _add_handlers(root / "greenstat_ext" / "mock" / "_handlers.py")
    made = Scratch(root)
    for command in (  # `make generate`, in the clone
        [str(root / "scripts" / "generate.sh"), str(made.package)],
        [sys.executable, str(root / "scripts" / "operation_tables.py"), "--write"],
    ):
        done = subprocess.run(command, cwd=root, env=made.env(), capture_output=True, text=True, check=False)  # noqa: S603
        assert done.returncode == 0, done.stdout + done.stderr
    return made


def run_python(scratch: Scratch, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, *args],
        cwd=scratch.root,
        env=scratch.env(),
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )


def test_the_subprocesses_use_the_scratch_clone(scratch: Scratch) -> None:
    code = (
        "import greenstat_client, greenstat_ext, tests\n"
        "from greenstat_client.models import StatusStatistic\n"
        "print(greenstat_client.__file__)\n"
        "print(greenstat_ext.__file__)\n"
        "print(tests.__file__)\n"
        "print(sorted(StatusStatistic.__struct_fields__))\n"
    )
    result = run_python(scratch, "-c", code)
    assert result.returncode == 0, result.stderr
    client, ext, tests, fields = result.stdout.splitlines()
    assert all(path.startswith(str(scratch.root)) for path in (client, ext, tests))
    assert "viewed_at" in fields


def test_ext_tests_pass_against_the_regenerated_package(scratch: Scratch) -> None:
    result = run_python(scratch, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", "-n", "0",
                        "-x", *SUBSET)  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert " passed" in result.stdout


FOO_CLIENT = textwrap.dedent(
    """
    import json, threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    import anyio

    from greenstat_client.models import FooState
    from greenstat_ext import (
        AsyncGreenStat, GreenStat, InvalidRequestError, OutcomeUnknownError, ResponseValidationError, _spec,
    )
    from greenstat_ext.contract._spec import load_operations
    from greenstat_ext.contract._writes import lifecycles

    seen = []
    answers = [{"state": "ready", "new": 1}, {"state": "asleep"}, {"state": 7}, {"state": "ready"}]

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(self.path)
            body = json.dumps(answers.pop(0)).encode()
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
        foo = client.get_foo_state()
        assert isinstance(foo, FooState) and foo.state == "ready", foo
        raw = client.with_raw_response.get_foo_state()
        print("raw", raw.status_code, raw.parse().state)
        print("rate", client.rate_limiter_for("getFooState").rate)
        try:
            client.get_foo_state()
        except ResponseValidationError as exc:
            print("invalid_answer", type(exc).__name__)
    with GreenStat(**options) as client:
        try:
            client.send_foo("x" * (MAX + 1))
        except InvalidRequestError as exc:
            print("write_refused", exc)
        try:
            client.send_foo(foo_id="abc")
        except OutcomeUnknownError:
            print("write_unknown", sum(1 for line in seen if line.startswith("POST")))

    write = _spec.operation("sendFoo")
    print("write_spec", write.is_write, write.idempotent, write.creates)
    print("kit_cleans", sorted(life.creator.name for life in lifecycles(load_operations())))

    async def main():
        async with AsyncGreenStat(**options, rate_limit=0) as client:
            return await client.get_foo_state()

    print("async", anyio.run(main).state)
    print("paths", sorted(set(seen)))
    server.shutdown()
    """
)


def test_the_new_operations_are_typed_validated_paced_methods(scratch: Scratch) -> None:
    result = run_python(scratch, "-c", f"MAX = {FOO_MAX_LENGTH}\n" + FOO_CLIENT)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines())
    assert lines["raw"] == "200 asleep"
    assert lines["rate"] == f"{GET_RATE:.1f}"  # its own x-rate-limit: 10 per 1 s
    assert lines["invalid_answer"] == "ResponseValidationError"  # {"state": 7}: checked against FooState
    assert lines["async"] == "ready"
    paths = ["/waInstance1101000001/getFooState/abc123", "POST /waInstance1101000001/sendFoo/abc123"]
    assert lines["paths"] == repr(sorted(paths))
    # the write, under its own tag: its body member refused from the spec, sent once (x-idempotent: false)
    assert lines["write_refused"].startswith(f"foo_id: must be at most {FOO_MAX_LENGTH} characters")
    assert lines["write_unknown"] == "1"
    assert lines["write_spec"] == "True False foo"
    assert lines["kit_cleans"] == "['sendMediaStatus', 'sendTextStatus', 'sendVoiceStatus']"  # not sendFoo


#: The per-operation test files whose cases are parametrised over the operation table, chosen by shape
#: (read or write, has arguments, returns a list, creates what something deletes), each with the cases it
#: must have at least for the two new operations: ``-k`` selects them by their ids (operationId or method
#: name), so the rest of each file (the other operations' cases) is not run again here.
SHAPED = {
    "tests/mock/test_operations.py": 5,  # answers + gateway codes, quota, two mocks alike (the read)
    "tests/mock/test_writes.py": 2,  # the write's body limit and rate limit
    "tests/client/test_properties.py": 7,  # table entry, decode/send sync and async; the write's arguments
    "tests/client/test_writes.py": 15,  # never re-sent once the server may have acted
    "tests/contract/test_operations.py": 1,  # the kit's probes of the read reach the server
}
SHAPED_IDS = "getFooState or sendFoo or get_foo_state or send_foo"


def test_the_tests_chosen_by_shape_pass_for_the_new_operations(scratch: Scratch, tmp_path: Path) -> None:
    junit = tmp_path / "shaped.xml"
    result = run_python(scratch, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", "-n", "0",
                        "-k", SHAPED_IDS, "--junitxml", str(junit), *SHAPED)  # fmt: skip
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-3000:]
    cases = list(ET.parse(junit).getroot().iter("testcase"))  # noqa: S314 - our own file
    ran: dict[str, int] = {}
    for case in cases:
        assert case.find("skipped") is None, case.get("name")
        module = str(case.get("classname")).replace(".", "/") + ".py"
        ran[module] = ran.get(module, 0) + 1
    assert set(ran) == set(SHAPED)
    assert all(ran[module] >= least for module, least in SHAPED.items()), ran
    names = [str(case.get("name")) for case in cases]
    for operation in ("getFooState", "sendFoo"):
        assert any(f"[{operation}]" in name for name in names), operation
    record("regeneration", f"tests chosen by shape, run for the two new operations: {len(cases)} passed")
