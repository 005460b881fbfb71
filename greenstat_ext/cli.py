"""The ``greenstat`` command line: one Typer app, one module per command under ``greenstat_ext._cli``.

Why Typer: typed options, ``--help`` and usage errors (exit code 2, no traceback) for free. Tracebacks
with local variables are turned off: a local may hold the instance token.
"""

from __future__ import annotations

from typing import Annotated

import typer

from ._cli import mock as _mock
from ._cli import stats as _stats
from ._cli._extras import missing_extra
from ._version import __version__

__all__ = ["app", "main"]

app = typer.Typer(
    name="greenstat",
    help="Typed SDK, reference mock and contract tests for Green API's Statuses methods.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"greenstat {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """Typed SDK, reference mock and contract tests for Green API's Statuses methods."""


_mock.register(app)
_stats.register(app)


def _register_contract_test() -> None:
    """Register ``contract-test``; without the ``contract`` extra, a command that says how to get it."""
    try:
        from .contract._cli import contract_test
    except ModuleNotFoundError as exc:  # schemathesis and its stack come with greenstat[contract]
        missing = exc

        passthrough = {"ignore_unknown_options": True, "allow_extra_args": True}

        @app.command("contract-test", context_settings=passthrough)
        def contract_test_unavailable() -> None:
            """Contract-test an implementation (needs: pip install 'greenstat[contract]')."""
            raise missing_extra("contract-test", "contract", missing) from None

        return
    app.command("contract-test")(contract_test)


_register_contract_test()


def main() -> None:
    """Entry point of the ``greenstat`` script."""
    app()
