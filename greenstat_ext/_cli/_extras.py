"""What a command says when the optional dependencies it needs are not installed.

Why: ``pip install greenstat`` brings the client and the CLI; the mock (starlette, uvicorn) and the contract
kit (schemathesis) come with the ``mock`` and ``contract`` extras. A missing one is bad usage (exit 2) with
the command that fixes it, never a ModuleNotFoundError traceback.
"""

from __future__ import annotations

import typer


def missing_extra(command: str, extra: str, exc: ModuleNotFoundError) -> typer.Exit:
    """Print the one-line fix for ``exc`` and return the exit to raise."""
    typer.echo(
        f"greenstat {command}: error: {exc.name or 'a dependency'} is not installed; "
        f"run: pip install 'greenstat[{extra}]'",
        err=True,
    )
    return typer.Exit(code=2)
