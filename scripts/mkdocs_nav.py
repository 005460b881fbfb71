"""MkDocs hook: every page of ``docs/`` is in the site's navigation, listed in ``mkdocs.yml`` or not.

Why: several people add pages at once (a guide, a design note). MkDocs builds a page missing from ``nav``
but only links it from nowhere, and says so at INFO level; a strict build passes, and the page is lost to a
reader. This hook appends each ``docs/**/*.md`` that ``nav`` does not name to a last section, "More", in
path order, so a new page is in the menu the moment it exists; moving it to its proper section in
``mkdocs.yml`` is a tidy-up, never a build failure.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig

#: The section that collects the pages ``nav`` does not name.
MORE = "More"


def _named(nav: Any) -> set[str]:
    """Every page path ``nav`` names (its items are str, {title: str}, {title: [items]} or lists)."""
    if isinstance(nav, str):
        return {nav}
    if isinstance(nav, list):
        return set().union(*(_named(item) for item in nav)) if nav else set()
    if isinstance(nav, dict):
        return set().union(*(_named(value) for value in nav.values())) if nav else set()
    return set()


def unlisted_pages(docs_dir: Path, nav: Any) -> list[str]:
    """The Markdown pages under ``docs_dir`` that ``nav`` does not name, as ``nav`` spells paths."""
    named = _named(nav)
    pages = sorted(path.relative_to(docs_dir).as_posix() for path in docs_dir.rglob("*.md"))
    return [page for page in pages if page not in named and not page.startswith(("_", "."))]


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Append the pages ``nav`` leaves out to "More" (without a ``nav``, MkDocs lists every page itself)."""
    nav = config.nav
    if not nav:
        return config
    missing = unlisted_pages(Path(config.docs_dir), nav)
    if missing:
        config.nav = [*nav, {MORE: missing}]
    return config
