"""The ``greenstat`` command's entry point; the app itself lives in ``greenstat_ext._cli.app``.

Why this module imports nothing from the CLI at load time: ``pip install greenstat`` installs the client
only; typer and rich come with ``greenstat[cli]``. Without them, ``greenstat`` prints the one line that
installs them (as ``httpx`` does for ``httpx[cli]``) instead of a ModuleNotFoundError traceback, and only
when they really are absent (``_extras``): any other import failure (an incompatible typer, say) prints the
module and the installed version instead, never an install hint that installs nothing new.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import typer

    app: typer.Typer

__all__ = ["app", "main"]

INSTALL_HINT = "greenstat: the command line needs its extra: pip install 'greenstat[cli]'"


def __getattr__(name: str) -> Any:
    if name == "app":  # `from greenstat_ext.cli import app` (tests, embedding), loaded on first use
        from ._cli.app import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    """Entry point of the ``greenstat`` script."""
    try:
        from ._cli.app import app
    except (ImportError, AttributeError) as exc:
        from ._extras import absent, describe_import_failure, is_dependency_mismatch

        if not is_dependency_mismatch(exc):  # greenstat's own bug: its traceback is the report
            raise
        # no CLI library to print with
        if absent("cli"):
            print(INSTALL_HINT, file=sys.stderr)  # noqa: T201
        else:
            print(f"greenstat: {describe_import_failure('the command line', exc)}", file=sys.stderr)  # noqa: T201
        raise SystemExit(1) from None
    app()
