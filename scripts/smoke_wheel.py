"""What ``scripts/smoke.sh`` checks in the built wheel and sdist, and reads out of them and the README.

Why a module and not shell: the wheel's metadata is RFC 822 and its requirements carry markers and extras;
``packaging`` parses them as pip does. Run in the smoke's tools venv (twine brings ``packaging``), never
importing greenstat itself: the checks are about the files a user downloads.

``inspect WHEEL SDIST DIR``: fail unless the wheel carries ``py.typed`` for both packages and the license, and
its metadata has what a PyPI page needs (summary, markdown readme, license expression, Python range, URLs,
classifiers); fail unless the sdist carries the same metadata and the license. Then write ``DIR/all.txt``:
every requirement of ``[all]`` (extras resolved, markers evaluated for this interpreter) one per line, so
the oldest-versions run can name them as direct requirements (``uv --resolution lowest-direct`` lowers only
those: a path to a wheel would make only the wheel direct, and its dependencies would resolve newest); and
``DIR/core.txt``: the requirements of a plain ``pip install greenstat`` (no extra).

``snippet README``: print the README's first Python block that makes a client (``GreenStat()``): the one
every user tries first, as ``tests/test_readme.py`` runs it.
"""

from __future__ import annotations

import re
import sys
import tarfile
import zipfile
from email.message import Message
from email.parser import Parser
from pathlib import Path

from packaging.requirements import Requirement

#: Both packages of the wheel ship their annotations (PEP 561).
TYPED = ("greenstat_ext/py.typed", "greenstat_client/py.typed")
#: Metadata fields a PyPI project page needs (each must be present and non-empty).
NEEDED = ("Name", "Version", "Summary", "Requires-Python", "License-Expression", "Description-Content-Type")


def fail(message: str) -> None:
    sys.exit(f"smoke: {message}")


def _metadata(text: str) -> Message:
    return Parser().parsestr(text)


def check_metadata(metadata: Message, where: str) -> None:
    for field in NEEDED:
        if not (metadata.get(field) or "").strip():
            fail(f"{where} has no {field}")
    if metadata["Description-Content-Type"].partition(";")[0].strip() != "text/markdown":
        fail(f"{where}: the long description is not markdown ({metadata['Description-Content-Type']})")
    body = metadata.get_payload()
    if not isinstance(body, str) or len(body.strip()) < 200:
        fail(f"{where} carries no README as its long description")
    if not metadata.get_all("Project-URL"):
        fail(f"{where} has no Project-URL")
    classifiers = metadata.get_all("Classifier") or []
    for wanted in ("Typing :: Typed", "Programming Language :: Python :: 3 :: Only"):
        if wanted not in classifiers:
            fail(f"{where} lacks the classifier {wanted!r}")
    if not metadata.get_all("License-File"):
        fail(f"{where} names no License-File")


def _wanted(requirement: Requirement, extra: str) -> bool:
    return requirement.marker is None or requirement.marker.evaluate({"extra": extra})


def requirements_of(metadata: Message, extra: str | None) -> tuple[list[str], list[str]]:
    """The wheel's requirements with ``extra`` (and the extras it names, and theirs; ``None``: the core's
    only), and the extras followed."""
    name = metadata["Name"]
    requirements = [Requirement(line) for line in metadata.get_all("Requires-Dist") or []]
    extras: set[str] = {""}
    todo = [extra] if extra else []
    while todo:
        extra = todo.pop()
        extras.add(extra)
        for requirement in requirements:
            if requirement.name == name and _wanted(requirement, extra):
                todo += sorted(requirement.extras - extras)
    lines = set()
    for requirement in requirements:
        # the marker, evaluated for this interpreter and platform with each extra (uvloop: not on Windows)
        if requirement.name != name and any(_wanted(requirement, extra) for extra in extras):
            requirement.marker = None
            lines.add(str(requirement))
    return sorted(lines), sorted(extras - {""})


def inspect(wheel: Path, sdist: Path, out: Path) -> None:
    """Check the wheel and the sdist, and write the requirements files into the folder ``out``."""
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        for typed in TYPED:
            if typed not in names:
                fail(f"the wheel has no {typed}: type checkers would ignore its annotations")
        if not any(re.fullmatch(r"[^/]+\.dist-info/licenses/LICENSE", n) for n in names):
            fail("the wheel carries no LICENSE")
        meta_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
        metadata = _metadata(archive.read(meta_name).decode())
    check_metadata(metadata, "the wheel")
    with tarfile.open(sdist) as archive:
        members = archive.getnames()
        top = members[0].split("/")[0]
        if f"{top}/LICENSE" not in members:
            fail("the sdist carries no LICENSE")
        pkg_info = archive.extractfile(f"{top}/PKG-INFO")
        if pkg_info is None:
            fail("the sdist has no PKG-INFO")
            return
        sdist_metadata = _metadata(pkg_info.read().decode())
    check_metadata(sdist_metadata, "the sdist")
    requirements, extras = requirements_of(metadata, "all")
    core, _ = requirements_of(metadata, None)
    if not core or not set(core) < set(requirements):
        fail(f"the wheel's [all] ({requirements}) does not add to its core ({core})")
    (out / "all.txt").write_text("\n".join(requirements) + "\n", encoding="utf-8")
    (out / "core.txt").write_text("\n".join(core) + "\n", encoding="utf-8")
    print(
        f"py.typed: both packages; LICENSE; metadata for PyPI ({metadata['Summary'][:60]}...); "
        f"{len(core)} requirements, {len(requirements)} with [all] (extras {', '.join(extras)})"
    )


def snippet(readme: Path) -> None:
    blocks = re.findall(r"```python\n(.*?)```", readme.read_text(encoding="utf-8"), flags=re.S)
    clients = [block for block in blocks if "GreenStat()" in block and "asyncio" not in block]
    if not clients:
        fail(f"{readme} has no Python block that makes a client")
    print(clients[0], end="")


def main(argv: list[str]) -> None:
    match argv:
        case ["inspect", wheel, sdist, out]:
            inspect(Path(wheel), Path(sdist), Path(out))
        case ["snippet", readme]:
            snippet(Path(readme))
        case _:
            fail("usage: smoke_wheel.py inspect WHEEL SDIST DIR | snippet README")


if __name__ == "__main__":
    main(sys.argv[1:])
