"""Which optional extras are installed, and what an optional feature says when it cannot be imported.

Why asking the installation and not the exception: a ``ModuleNotFoundError`` under ``typer`` does not mean
typer is missing. typer 0.29 removed a private module the CLI once imported, and the CLI answered "install
the extra" to users who had it: a loop. So the "pip install 'greenstat[extra]'" hint is given only when one
of the extra's distributions is really absent (no metadata, or no importable top-level module); any other
import failure names the module that failed, the installed version of the distribution it belongs to, and
the range greenstat asks for, which is what a user needs to fix the environment or report the bug.

Nothing here runs unless an import failed: metadata lookups cost milliseconds, a failed start anyway.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import re
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType

__all__ = [
    "EXTRAS",
    "DependencyImportError",
    "absent",
    "describe_import_failure",
    "extra_imports",
    "is_dependency_mismatch",
    "missing_extra_error",
]

#: Each extra's own distributions, as in pyproject.toml (imported by the same name unless :data:`_MODULES`
#: says otherwise).
EXTRAS: dict[str, tuple[str, ...]] = {
    "cli": ("typer", "rich"),
    "mock": ("starlette", "uvicorn"),
    "contract": ("schemathesis", "rich", "starlette", "uvicorn"),
    "redis": ("redis",),
    "otel": ("opentelemetry-api",),
    "monitor": ("standardwebhooks", "platformdirs", "typer", "rich"),
}
#: The module a distribution is imported as, where the names differ.
_MODULES = {"opentelemetry-api": "opentelemetry"}


def _installed(distribution: str) -> bool:
    try:
        importlib.metadata.distribution(distribution)
        spec = importlib.util.find_spec(_MODULES.get(distribution, distribution))
    except importlib.metadata.PackageNotFoundError:
        return False
    except (ImportError, ValueError):  # a module set to None in sys.modules: Python's "blocked import"
        return False
    return spec is not None


def absent(extra: str) -> list[str]:
    """The distributions of ``extra`` that are not installed (an empty list: the extra is installed)."""
    return [name for name in EXTRAS[extra] if not _installed(name)]


_OURS = frozenset({"greenstat_ext", "greenstat_client"})


class DependencyImportError(ImportError):
    """An installed dependency failed to import; the message already names the module and the version."""


def is_dependency_mismatch(exc: BaseException) -> bool:
    """``exc`` is an import-time failure about a dependency: an ``ImportError`` of a module that is not
    greenstat's (absent, or a release without the name imported), or an ``AttributeError`` on such a module
    (``module 'typer' has no attribute 'TyperException'``). The same on greenstat's own modules is a bug of
    greenstat's, whose traceback is the report: no "install" or "version" line may hide it."""
    if isinstance(exc, ImportError):
        return (exc.name or "").partition(".")[0] not in _OURS
    if isinstance(exc, AttributeError) and isinstance(exc.obj, ModuleType):
        return exc.obj.__name__.partition(".")[0] not in _OURS
    return False


def missing_extra_error(feature: str, extra: str, missing: list[str]) -> ModuleNotFoundError:
    """The error a ``feature`` raises when ``missing`` (distributions of ``extra``) are not installed."""
    return ModuleNotFoundError(
        f"{feature} needs {', '.join(missing)}, part of the {extra} extra: pip install 'greenstat[{extra}]'",
        name=missing[0],
    )


def _version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def _required(distribution: str) -> str | None:
    """greenstat's own requirement on ``distribution`` (``typer>=0.27``), from its installed metadata."""
    try:
        requirements = importlib.metadata.requires("greenstat") or []
    except importlib.metadata.PackageNotFoundError:  # run from a source tree
        return None
    wanted = re.sub(r"[-_.]+", "-", distribution).lower()
    for line in requirements:
        spec = line.partition(";")[0].strip()
        name = re.match(r"[A-Za-z0-9._-]+", spec)
        if name and re.sub(r"[-_.]+", "-", name.group()).lower() == wanted:
            return spec
    return None


def describe_import_failure(feature: str, exc: ImportError | AttributeError) -> str:
    """One line: which module ``feature`` could not import, which version of its distribution is there."""
    if isinstance(exc, DependencyImportError):  # described where it was raised (extra_imports)
        return " ".join(str(exc).split())
    if isinstance(exc, AttributeError):  # a name missing from a dependency's module (is_dependency_mismatch)
        module = exc.obj.__name__ if isinstance(exc.obj, ModuleType) else "a module"
    else:
        module = exc.name or "a module"
    top = module.partition(".")[0]
    distributions = importlib.metadata.packages_distributions().get(top, [])
    found = [f"{name} {_version(name)}" for name in dict.fromkeys(distributions) if _version(name)]
    installed = f"{', '.join(found)} is installed" if found else f"{top} is not installed"
    wanted = [spec for name in dict.fromkeys(distributions) if (spec := _required(name))]
    needs = f"; greenstat needs {', '.join(wanted)}" if wanted else ""
    detail = " ".join(str(exc).split())
    return f"{feature} could not import {module} ({installed}{needs}): {detail}"


@contextmanager
def extra_imports(feature: str, extra: str) -> Iterator[None]:
    """Wrap a feature's imports: a missing ``extra`` is a ``ModuleNotFoundError`` naming it (with the
    ``pip install`` that fixes it); any other ``ImportError`` (or a name a dependency's release lacks) is
    re-raised as an ``ImportError`` naming module and version."""
    try:
        yield
    except (ImportError, AttributeError) as exc:
        if not is_dependency_mismatch(exc):
            raise
        missing = absent(extra)
        if missing:
            raise missing_extra_error(feature, extra, missing) from None
        name = exc.name if isinstance(exc, ImportError) else None
        raise DependencyImportError(describe_import_failure(feature, exc), name=name) from exc
