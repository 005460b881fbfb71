"""``greenstat contract-test``, built on first use (see ``app.py``: the kit's libraries are heavy).

Without the ``contract`` extra, the command says how to get it (exit 2) instead of a ModuleNotFoundError.
"""

from __future__ import annotations

import typer
from typer.core import TyperCommand

from ._extras import missing_extra

__all__ = ["SUMMARY", "command"]

SUMMARY = "Check that an implementation honours openapi.yaml."


def command() -> TyperCommand:
    """The ``contract-test`` Click command (the kit's own, or one that prints the install hint)."""
    app = typer.Typer(add_completion=False, pretty_exceptions_show_locals=False, rich_markup_mode=None)
    try:
        from ..contract._cli import contract_test
    except ImportError as exc:  # schemathesis and its stack come with greenstat[contract]
        missing = exc
        passthrough = {"ignore_unknown_options": True, "allow_extra_args": True}

        @app.command("contract-test", context_settings=passthrough, short_help=SUMMARY)
        def contract_test_unavailable() -> None:
            """Contract-test an implementation (needs: pip install 'greenstat[contract]')."""
            raise missing_extra("contract-test", "contract", missing) from None
    else:
        app.command("contract-test", short_help=SUMMARY)(contract_test)
    built = typer.main.get_command(app)
    assert isinstance(built, TyperCommand)  # a one-command app is its command (typer.main.get_command)
    return built
