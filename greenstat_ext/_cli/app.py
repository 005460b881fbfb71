"""The ``greenstat`` Typer app: one module per command under ``greenstat_ext._cli``, each with ``register``.

Why Typer: typed options, ``--help`` and usage errors (exit code 2, no traceback) for free. Tracebacks
with local variables are turned off: a local may hold the instance token.

Why a lazy group: ``contract-test`` needs schemathesis and hypothesis (~0.4 s to import); registering it
eagerly made every command, ``--help`` included, pay for them. Its entry in the command list is a name and
a summary; the kit is imported only when ``contract-test`` itself is parsed (``docs/cli.md``).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from .._version import __version__
from . import contract as _contract
from . import delete as _delete
from . import mock as _mock
from . import monitor as _monitor
from . import post as _post
from . import report as _report
from . import stats as _stats
from ._common import RedactedClickError, tokens_given

__all__ = ["app"]


#: Commands imported on first use: name -> (one-line summary for the command list, loader).
_LAZY: dict[str, tuple[str, Callable[[], TyperCommand]]] = {
    "contract-test": (_contract.SUMMARY, _contract.command),
}


class _LazyGroup(TyperGroup):
    """A Typer group whose ``_LAZY`` commands are listed from a table and imported only when run, and whose
    usage errors are printed redacted.

    Why here: every usage error of every command (parsing the root, a sub-group, a command's options, a
    ``BadParameter`` a command raises) propagates through this group's ``make_context`` or ``invoke``, so
    turning each ``ClickException`` into a :class:`RedactedClickError` there covers them all at once, Click's
    exit code and format kept; ``main`` knows ``argv``, hence the ``--token`` given, and shows the redacted
    error itself (Click's loop only shows its own exception classes).

    Why ``Any`` for Click's context and formatter: typer (0.26 on) vendors Click as the private
    ``typer._click`` and re-exports none of its classes but ``typer.Context`` (a subclass: an override may
    not narrow a parameter); the project imports nothing private from a dependency (ruff ``PLC2701``).
    """

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        with tokens_given(sys.argv[1:] if args is None else args):
            try:
                return super().main(
                    args, prog_name, complete_var, standalone_mode, windows_expand_args, **extra
                )
            except RedactedClickError as exc:
                if not standalone_mode:
                    raise
                exc.show()
                sys.exit(exc.exit_code)

    def make_context(self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any) -> Any:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except RedactedClickError:
            raise
        except typer.TyperException as exc:  # the public base of every Click exception typer raises
            raise RedactedClickError(exc) from None

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except RedactedClickError:
            raise
        except typer.TyperException as exc:
            raise RedactedClickError(exc) from None

    def list_commands(self, ctx: Any) -> list[str]:
        return [*super().list_commands(ctx), *_LAZY]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name in _LAZY:
            return _LAZY[cmd_name][1]()
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        rows = []
        for name in self.list_commands(ctx):
            if name in _LAZY:
                rows.append((name, _LAZY[name][0]))
                continue
            command = super().get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=formatter.width)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


app = typer.Typer(
    cls=_LazyGroup,
    name="greenstat",
    help="Typed SDK, reference mock and contract tests for Green API's Statuses methods.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
    context_settings={"max_content_width": 100},
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"greenstat {__version__}")
        raise typer.Exit()


def _quiet_library_logs(verbose: bool) -> None:
    """Retry and rate-limit notices go to stderr only with ``-v``.

    Why: without a handler, Python's last-resort handler printed the client's WARNING lines (a retried 429)
    bare on stderr, next to the command's own one-line error. A command's outcome is its exit code and that
    line; ``-v`` shows what happened on the way, redacted like every greenstat log record.
    """
    logger = logging.getLogger("greenstat")
    if verbose:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("greenstat: %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    elif not logger.handlers:
        logger.addHandler(logging.NullHandler())


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit."),
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log retries and rate-limit waits to stderr.")
    ] = False,
) -> None:
    """Typed SDK, reference mock and contract tests for Green API's Statuses methods."""
    _quiet_library_logs(verbose)


_mock.register(app)
_stats.register(app)
_report.register(app)
_post.register(app)
_delete.register(app)
_monitor.register(app)
