"""A scratch clone of this checkout with two new operations: what tests/client/test_regeneration.py measures.

What a contributor does to add an operation (CONTRIBUTING.md), done by code so that its cost can be counted:
copy the sources (``greenstat_ext/``, ``tests/``, ``scripts/``, ``docs/``, ``templates/`` and the
configuration), type two operations into ``openapi.yaml`` (and one optional field into ``StatusStatistic``),
add one mock handler each to ``greenstat_ext/mock/_handlers.py``, run ``make generate``'s two steps. The
clone's processes get a ``PYTHONPATH`` that puts its sources and its generated package before the
checkout's (:meth:`Scratch.env`); :func:`greenstat_mock` serves it, :func:`differences` compares it.
"""

from __future__ import annotations

import difflib
import filecmp
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
#: What a contributor's checkout holds besides generated/ (regenerated) and openapi.yaml (edited).
SOURCES = [
    "greenstat_ext",
    "tests",
    "scripts",
    "docs",
    "templates",
    "generator-config.yaml",
    "pyproject.toml",
]
NEW_GET, NEW_WRITE = "getFooState", "sendFoo"


def _unused_tag(wanted: str) -> str:
    """``wanted`` (one of Green API's tags), or it with a number when the spec already uses it: the new
    operations must go under tags of their own, whatever the spec's operations are tagged with then."""
    spec = yaml.safe_load((ROOT / "openapi.yaml").read_text("utf-8"))
    taken = {tag["name"] for tag in spec.get("tags", [])} | {
        tag
        for item in spec["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict)
        for tag in operation.get("tags", [])
    }
    return next(name for name in (wanted, *(f"{wanted}{n}" for n in range(2, 100))) if name not in taken)


#: The tags of the new GET and of the new write: each new to the spec (tags only group the endpoint modules).
GET_TAG, WRITE_TAG = _unused_tag("account"), _unused_tag("sending")
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
        "tags": [GET_TAG],  # a tag of its own (one of Green API's): tags only group the endpoint modules
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
        "tags": [WRITE_TAG],
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


#: The environment variables of the outer pytest run (its coverage, xdist, pytest's own) the clone's
#: processes must not inherit.
OUTER_RUN = ("COVERAGE_", "COV_CORE_", "PYTEST_")
#: The user's greenstat settings (a shared rate-limit store, credentials): never the clone's, whatever the
#: outer run's environment holds.
USER_SETTINGS = "GREEN_API_"


@dataclass(frozen=True)
class Scratch:
    """The scratch clone: its root (sources, the edited spec, its generated package)."""

    root: Path

    @property
    def package(self) -> Path:
        return self.root / "generated" / "greenstat_client"

    def env(self) -> dict[str, str]:
        """The environment of its subprocesses: the clone's sources and generated package first."""
        dropped = (*OUTER_RUN, USER_SETTINGS)
        env = {key: value for key, value in os.environ.items() if not key.startswith(dropped)}
        paths = [str(self.root), str(self.root / "generated")]
        return {
            **env,
            "PYTHONPATH": os.pathsep.join(paths),
            "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        }

    def changed(self, names: list[str]) -> list[str]:
        """The files under ``names`` (files or folders of the checkout) that differ in the clone."""
        found: list[str] = []
        for name in names:
            if (ROOT / name).is_dir():
                found += differences(ROOT / name, self.root / name, f"{name}/")
            elif not filecmp.cmp(ROOT / name, self.root / name, shallow=False):
                found.append(name)
        return sorted(found)


VIEWED_AT = {
    "type": "integer",
    "format": "int64",
    "minimum": 0,
    "description": "When the recipient viewed the status (a field a future API might add).",
}


def block(node: dict[str, Any], indent: int) -> str:
    """``node`` as YAML block text indented by ``indent`` spaces: what a contributor types into the spec."""
    return textwrap.indent(yaml.safe_dump(node, sort_keys=False, allow_unicode=True, width=110), " " * indent)


def _insert(text: str, anchor: str, addition: str, *, after: bool = True) -> str:
    """``text`` with ``addition`` inserted after (or before) the one line that is ``anchor``."""
    matches = list(re.finditer(rf"^{re.escape(anchor)}\n", text, re.MULTILINE))
    assert len(matches) == 1, f"openapi.yaml: expected one line {anchor!r}"
    at = matches[0].end() if after else matches[0].start()
    return text[:at] + addition + text[at:]


def _edit_spec(path: Path) -> None:
    """The spec's own text with the additions typed in (a dump of the whole document would move text that
    other tests look for): the two paths at the end of ``paths``, the new schema, the extra field."""
    text = (ROOT / "openapi.yaml").read_text("utf-8")
    spec = yaml.safe_load(text)
    # Their error answers are an existing read's and an existing write's (chosen by shape: the first GET,
    # the first POST with a JSON body), as a contributor copies a neighbour's.
    operations = [op for item in spec["paths"].values() for op in item.values() if isinstance(op, dict)]
    read = next(op for op in operations if "requestBody" not in op and "200" in op["responses"])
    write = next(op for op in operations if "requestBody" in op and "$ref" in op["responses"]["200"])
    paths = {
        f"/waInstance{{idInstance}}/{NEW_GET}/{{apiTokenInstance}}": {"get": get_foo_state(read)},
        f"/waInstance{{idInstance}}/{NEW_WRITE}/{{apiTokenInstance}}": {"post": send_foo(write)},
    }
    text = _insert(text, "components:", block(paths, 2), after=False)
    text = _insert(text, "  schemas:", block({"FooState": FOO_STATE}, 4))
    statistic = text.index("\n    StatusStatistic:\n")
    properties = text.index("\n      properties:\n", statistic) + len("\n      properties:\n")
    text = text[:properties] + block({"viewedAt": VIEWED_AT}, 8) + text[properties:]
    edited = yaml.safe_load(text)
    assert [
        item[method]["operationId"] for item in list(edited["paths"].values())[-2:] for method in item
    ] == [NEW_GET, NEW_WRITE]
    assert "viewedAt" in edited["components"]["schemas"]["StatusStatistic"]["properties"]
    path.write_text(text, "utf-8")


def _add_handlers(path: Path) -> None:
    """Insert the two handlers before ``HANDLERS`` and their entries at its end, as a contributor would."""
    source = path.read_text("utf-8")
    table = re.search(r"^HANDLERS\b[^\n]*= \{\n(?:    [^\n]*\n)*?\}\n", source, re.MULTILINE)
    assert table is not None, "greenstat_ext/mock/_handlers.py has no HANDLERS = {...} table"
    start, end = table.span()
    body = table.group(0)[: -len("}\n")]
    before, after = source[:start].rstrip("\n"), source[end:]
    path.write_text(f"{before}\n{HANDLERS_CODE}\n{body}{HANDLERS_ENTRIES}}}\n{after}", "utf-8")


def make_scratch(root: Path) -> Scratch:
    """The clone in the empty folder ``root``: sources copied, the spec and the handlers edited, generated."""
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


def served_url(log: Path, process: subprocess.Popen[bytes]) -> str:
    """The base URL ``greenstat mock`` printed in its banner, once it answers (a guard, not a speed bound)."""
    deadline = time.monotonic() + HANG_GUARD
    while (match := re.search(r"serving on (http://127\.0\.0\.1:\d+)", log.read_text("utf-8"))) is None:
        assert process.poll() is None, log.read_text("utf-8")
        assert time.monotonic() < deadline, log.read_text("utf-8")
        time.sleep(0.05)
    url = match.group(1)
    while True:  # the banner comes just before uvicorn accepts: retry refused connections
        try:
            httpx.get(url, timeout=HANG_GUARD)
            return url
        except httpx.ConnectError:
            assert time.monotonic() < deadline, log.read_text("utf-8")
            time.sleep(0.05)


@contextmanager
def greenstat_mock(scratch: Scratch, log: Path) -> Iterator[str]:
    """``greenstat mock`` of the clone (uvicorn, a free loopback port, every operation at its x-rate-limit),
    its banner and access log written to ``log``; yields its base URL."""
    command = [sys.executable, "-c", "from greenstat_ext.cli import main; main()", "mock", "--port", "0"]
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 - our own CLI
            command, cwd=scratch.root, env={**scratch.env(), "PYTHONUNBUFFERED": "1"}, stdout=output,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        yield served_url(log, process)
    finally:
        process.terminate()
        process.wait(timeout=HANG_GUARD)


def differences(left: Path, right: Path, prefix: str = "") -> list[str]:
    ignored = ["__pycache__", ".hypothesis", ".pytest_cache"]
    comparison = filecmp.dircmp(left, right, ignore=ignored)
    changed = [f"{prefix}{name}" for name in comparison.left_only + comparison.right_only]
    _, mismatch, errors = filecmp.cmpfiles(left, right, comparison.common_files, shallow=False)
    changed += [f"{prefix}{name}" for name in mismatch + errors]
    for sub in comparison.common_dirs:
        changed += differences(left / sub, right / sub, f"{prefix}{sub}/")
    return sorted(changed)


def added_lines(before: Path, after: Path) -> int:
    """Lines ``after`` has that ``before`` has not (the diff's ``+`` lines): nothing was removed here."""
    diff = difflib.unified_diff(before.read_text("utf-8").splitlines(), after.read_text("utf-8").splitlines())
    lines = [line for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert all(line.startswith("+") for line in lines), "an addition only"
    return len(lines)
