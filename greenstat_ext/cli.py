"""The ``greenstat`` command's entry point; the app itself lives in ``greenstat_ext._cli.app``.

Why this module imports nothing from the CLI at load time: ``pip install greenstat`` installs the client
only; typer and rich come with ``greenstat[cli]``. Without them, ``greenstat`` prints the one line that
installs them (as ``httpx`` does for ``httpx[cli]``) instead of a ModuleNotFoundError traceback.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import typer

    app: typer.Typer

__all__ = ["app", "main"]

#: The libraries of the ``cli`` extra (and the ones they bring) whose absence means "install the extra".
_CLI_LIBRARIES = frozenset({"typer", "click", "rich", "shellingham", "markdown_it", "mdurl", "pygments"})
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
    except ModuleNotFoundError as exc:
        if (exc.name or "").partition(".")[0] not in _CLI_LIBRARIES:
            raise
        print(INSTALL_HINT, file=sys.stderr)  # noqa: T201 - no CLI library to print with
        raise SystemExit(1) from None
    app()
