"""Regeneration safety: a spec that grows an optional response field must not break greenstat_ext.

Generates a client from a copy of the spec with one extra optional field in ``StatusStatistic`` into a
temporary folder (with ``scripts/generate.sh``, exactly what ``make generate`` runs), then runs a subset of
these tests in a subprocess whose ``PYTHONPATH`` puts that package first.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SUBSET = ["tests/client/test_properties.py", "tests/client/test_errors.py", "tests/client/test_sync.py"]


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
