"""docs/api.md names every public name, and the docs link only to files that exist."""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType

import pytest

import greenstat_ext
import greenstat_ext.contract
import greenstat_ext.mock
import greenstat_ext.monitor

ROOT = Path(__file__).resolve().parent.parent
DOCS = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"]


@pytest.mark.parametrize(
    "module", [greenstat_ext, greenstat_ext.mock, greenstat_ext.contract, greenstat_ext.monitor]
)
def test_every_public_name_is_documented(module: ModuleType) -> None:
    api = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    section = api.split(f"## `{module.__name__}`", 1)[1].split("\n## ", 1)[0]
    missing = [name for name in module.__all__ if f"`{name}`" not in section]
    assert not missing, f"docs/api.md does not describe {missing} of {module.__name__}"


@pytest.mark.parametrize("doc", DOCS, ids=[d.name for d in DOCS])
def test_relative_links_resolve(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text)
    broken = [t for t in targets if "://" not in t and not (doc.parent / t).exists()]
    assert not broken, f"{doc.name} links to missing files: {broken}"
