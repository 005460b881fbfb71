"""The generated package is reproducible, and drift from the spec or a hand edit is caught."""

from __future__ import annotations

import filecmp
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from greenstat_ext import _spec

ROOT = Path(__file__).resolve().parent.parent
GENERATED = ROOT / "generated" / "greenstat_client"


def _run(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    return subprocess.run(  # noqa: S603 - our own scripts, fixed arguments
        [str(a) for a in args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PATH": path, **(env or {})},
        timeout=120,
    )


def _same_tree(left: Path, right: Path) -> bool:
    comparison = filecmp.dircmp(left, right, ignore=["__pycache__"])
    if comparison.left_only or comparison.right_only or comparison.funny_files:
        return False
    _, mismatch, errors = filecmp.cmpfiles(left, right, comparison.common_files, shallow=False)
    if mismatch or errors:
        return False
    return all(_same_tree(left / sub, right / sub) for sub in comparison.common_dirs)


def test_generation_is_byte_identical_and_matches_the_committed_tree(tmp_path: Path) -> None:
    first, second = tmp_path / "one" / "greenstat_client", tmp_path / "two" / "greenstat_client"
    for out in (first, second):
        result = _run(ROOT / "scripts" / "generate.sh", out)
        assert result.returncode == 0, result.stderr
    assert _same_tree(first, second)
    assert _same_tree(first, GENERATED), "generated/ is stale: run `make generate`"


def test_check_generated_fails_on_a_hand_edit(tmp_path: Path) -> None:
    tree = tmp_path / "greenstat_client"
    shutil.copytree(GENERATED, tree, ignore=shutil.ignore_patterns("__pycache__"))
    assert _run(ROOT / "scripts" / "check_generated.sh", tree).returncode == 0

    model = tree / "models" / "status_statistic.py"
    text = model.read_text(encoding="utf-8")
    model.write_text(text.replace("    status: StatusValue\n", "    status: str\n", 1), encoding="utf-8")
    assert model.read_text(encoding="utf-8") != text

    result = _run(ROOT / "scripts" / "check_generated.sh", tree)
    assert result.returncode != 0
    assert "-    status: str" in result.stdout
    assert "run 'make generate'" in result.stderr


def test_check_generated_fails_when_the_spec_changes_without_regeneration(tmp_path: Path) -> None:
    spec = tmp_path / "openapi.yaml"
    original = (ROOT / "openapi.yaml").read_text(encoding="utf-8")
    changed = original.replace(
        "enum: [pending, sent, delivered, read]", "enum: [pending, sent, delivered, read, played]"
    )
    assert changed != original
    spec.write_text(changed, encoding="utf-8")
    result = _run(ROOT / "scripts" / "check_generated.sh", GENERATED, env={"SPEC": str(spec)})
    assert result.returncode != 0
    assert 'PLAYED = "played"' in result.stdout


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "timestamp: 1587129319\n                      status: read",
            "timestamp: -1\n                      status: read",
            "breaks its schema",
        ),
        ("openapi: 3.1.0", "openapi: 3.1.0\nbogus: true", ""),
        ("        default: 1440\n", "        default: 0\n", "default breaks its schema"),
        ("          examples: [1587129319]", "          examples: [-1]", "examples[0] breaks its schema"),
        ("        per_seconds: 1\n", "        per_seconds: 0\n", "per_seconds must be a positive number"),
        (
            "Rate limit: 10 requests per second",
            "Rate limit: 20 requests per second",
            "x-rate-limit says 10 per",
        ),
        ("      x-idempotent: false\n", "      x-idempotent: maybe\n", "x-idempotent must be true or false"),
        ("      x-creates: status\n", "      x-creates: Status!\n", "x-creates must name a kind"),
        ("      x-deletes: status\n", "      x-deletes: unmade\n", "which no operation's x-creates names"),
        ("      x-lists: status\n", "      x-lists: Status!\n", "x-lists must name a kind"),
        ("      x-lists: status\n", "", "x-lists-note must be text, beside an x-lists"),
        (
            "      x-creates: status\n",
            "      x-creates: status\n      x-lists: status\n",
            "x-lists on a write",
        ),
        (
            "      operationId: getStatusStatistic\n",
            "      operationId: getStatusStatistic\n      x-lists: status\n",
            "x-lists 'status', which GET /waInstance{idInstance}/getStatusStatistic/{apiTokenInstance} lists",
        ),
        # An operation that declares fewer error answers than the others: said at once, by code and name.
        (
            '        "466":\n          $ref: "#/components/responses/QuotaExceeded"\n',
            "",
            ") lacks the shared error response(s) 466 (QuotaExceeded)",  # the first operation's, whichever
        ),
    ],
)
def test_lint_spec_rejects_a_bad_spec(tmp_path: Path, old: str, new: str, message: str) -> None:
    original = (ROOT / "openapi.yaml").read_text(encoding="utf-8")
    assert old in original
    spec = tmp_path / "openapi.yaml"
    spec.write_text(original.replace(old, new, 1), encoding="utf-8")
    validator = _run(Path(sys.executable).parent / "openapi-spec-validator", spec)
    if validator.returncode != 0 and not message:
        return  # `make lint-spec` stops here, as the Makefile runs the validator first (the loader: ~2 s)
    loader = _run(sys.executable, ROOT / "scripts" / "check_spec_loads.py", spec)
    assert validator.returncode != 0 or loader.returncode != 0
    if message:
        assert message in loader.stdout + loader.stderr


def test_the_generated_package_never_imports_greenstat_ext() -> None:
    """The facade calls an abstract ``_invoke``; the layer above implements it (docs/architecture.md)."""
    offenders = [
        str(path.relative_to(GENERATED))
        for path in GENERATED.rglob("*.py")
        if re.search(r"^\s*(from|import)\s+greenstat_ext\b", path.read_text(encoding="utf-8"), re.MULTILINE)
    ]
    assert offenders == []


def test_the_facade_has_every_operation_in_every_mixin() -> None:
    import importlib
    import inspect

    from greenstat_client import api

    mixins = [api.SyncMethods, api.SyncRawMethods, api.AsyncMethods, api.AsyncRawMethods]
    assert [operation.operation_id for operation in api.OPERATIONS] == list(_spec.operations())
    for operation in api.OPERATIONS:
        module = operation.sync_detailed.__module__  # greenstat_client.api.<its first tag>.<its name>
        endpoint = importlib.import_module(module)
        assert module.rsplit(".", 1)[-1] == operation.name
        assert operation.sync_detailed is endpoint.sync_detailed
        for mixin in mixins:
            method = getattr(mixin, operation.name)
            assert inspect.iscoroutinefunction(method) == mixin.__name__.startswith("Async")
            assert list(inspect.signature(method).parameters)[1:] == [p.name for p in operation.parameters]
            assert operation.summary in (method.__doc__ or "")


def test_the_docs_operation_tables_are_generated_from_the_spec() -> None:
    """docs/spec.md's and docs/api.md's operation tables are what the spec and the facade say (issue 21)."""
    import importlib.util

    result = _run(sys.executable, ROOT / "scripts" / "operation_tables.py", "--check")
    assert result.returncode == 0, result.stdout + result.stderr
    found = importlib.util.spec_from_file_location(
        "operation_tables", ROOT / "scripts" / "operation_tables.py"
    )
    assert found is not None
    assert found.loader is not None
    tables = importlib.util.module_from_spec(found)
    found.loader.exec_module(tables)
    for name, (path, build) in tables.TABLES.items():
        current = path.read_text(encoding="utf-8")
        table = build()
        assert table in current, name
        assert all(f"`{op}`" in table or f" {op}" in table for op in _spec.operations()), name
        stale = current.replace(table.splitlines()[-1], "| a row nobody updated |", 1)
        assert stale != current
        assert tables.render(stale, name, table) == current  # what --write puts back


def _lint_module() -> Any:
    """``scripts/check_spec_loads.py`` as a module (a script, not a package): its rules called directly."""
    loaded = importlib.util.spec_from_file_location(
        "check_spec_loads", ROOT / "scripts" / "check_spec_loads.py"
    )
    assert loaded is not None
    assert loaded.loader is not None
    module = importlib.util.module_from_spec(loaded)
    loaded.loader.exec_module(module)
    return module


def test_lint_spec_requires_of_an_operation_only_what_every_other_declares() -> None:
    """A 404 of one operation's own, and one components entry reused for a second code, require nothing of
    the others (good OpenAPI style); an operation without a code every other declares is named."""
    lint = _lint_module()
    spec = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))
    operations = [op for item in spec["paths"].values() for op in item.values() if "operationId" in op]
    spec["components"]["responses"]["OwnNotFound"] = {"description": "Not found (one operation's own)."}
    operations[-1]["responses"]["404"] = {"$ref": "#/components/responses/OwnNotFound"}
    for op in operations:
        op["responses"]["503"] = {"$ref": "#/components/responses/BadGateway"}
    shared = lint.check_error_responses(spec)
    # every code of the first operation (which has no 404) is shared, 503 included
    assert shared == len({str(code) for code in operations[0]["responses"] if str(code)[:1] in "45"})
    del operations[1]["responses"]["503"]
    lacks = f"({operations[1]['operationId']}) lacks the shared error response(s) 503 (BadGateway)"
    with pytest.raises(SystemExit, match=re.escape(lacks)):
        lint.check_error_responses(spec)
