"""docs/api.md names every public name, the docs link only to files that exist, the README stays a landing
page, and every docs page is in the site's menu (scripts/mkdocs_nav.py)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest

import greenstat_ext
import greenstat_ext.contract
import greenstat_ext.mock
import greenstat_ext.monitor
import greenstat_ext.otel
import greenstat_ext.plugins

ROOT = Path(__file__).resolve().parent.parent
DOCS = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"]


@pytest.mark.parametrize(
    "module",
    [
        greenstat_ext,
        greenstat_ext.mock,
        greenstat_ext.contract,
        greenstat_ext.plugins,
        greenstat_ext.otel,
        greenstat_ext.monitor,
    ],
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


def test_the_readme_is_a_landing_page() -> None:
    """What it is, the two commands, one example per capability and links: the rest lives on the site."""
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 250, f"README.md has {len(lines)} lines: move the detail to a docs/ page"
    assert any("make demo" in line for line in lines)
    assert any("make test" in line for line in lines)


def _nav_hook() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mkdocs_nav", ROOT / "scripts" / "mkdocs_nav.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_page_missing_from_the_nav_is_listed_under_more(tmp_path: Path) -> None:
    for page in ["index.md", "client.md", "plugins.md", "guides/monitor.md", "_partial.md"]:
        (tmp_path / page).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / page).write_text("# x\n", encoding="utf-8")
    nav = [{"Home": "index.md"}, {"Guides": [{"Client": "client.md"}]}]
    assert _nav_hook().unlisted_pages(tmp_path, nav) == ["guides/monitor.md", "plugins.md"]


def test_the_site_nav_names_only_pages_that_exist() -> None:
    """mkdocs.yml's nav (a page it names but docs/ lacks fails the strict build too, later and slower)."""
    named = re.findall(r"^\s+- (?:[^:\n]+: )?([\w./-]+\.md)$", (ROOT / "mkdocs.yml").read_text(), flags=re.M)
    assert named
    assert [page for page in named if not (ROOT / "docs" / page).exists()] == []
