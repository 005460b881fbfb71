"""The ``greenstat`` command line: one Typer app, one module per command under ``greenstat_ext._cli``.

Why Typer: typed options, ``--help`` and usage errors (exit code 2, no traceback) for free. Tracebacks
with local variables are turned off: a local may hold the instance token.
"""

from __future__ import annotations

import typer

from ._cli import mock as _mock

__all__ = ["app", "main"]

app = typer.Typer(
    name="greenstat",
    help="Typed SDK, reference mock and contract tests for Green API's getStatusStatistic.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
)


@app.callback()
def _root() -> None:
    """Typed SDK, reference mock and contract tests for Green API's getStatusStatistic."""


_mock.register(app)


def main() -> None:
    """Entry point of the ``greenstat`` script."""
    app()
