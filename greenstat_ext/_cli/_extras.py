"""What a command says when the optional dependencies it needs cannot be imported.

Why: ``pip install 'greenstat[cli]'`` brings the client and the CLI; the mock (starlette, uvicorn) and the
contract kit (schemathesis) come with the ``mock`` and ``contract`` extras. A missing one is bad usage (exit
2) with the command that fixes it, never a ModuleNotFoundError traceback. An extra that is installed but
fails to import (a version greenstat does not work with) is not "missing": the line names the module and
the installed version (``greenstat_ext._extras``), exit 1.
"""

from __future__ import annotations

import typer

from .._extras import absent, describe_import_failure, is_dependency_mismatch


def missing_extra(command: str, extra: str, exc: ImportError) -> typer.Exit:
    """Print the one-line fix for ``exc`` (or what failed, when the extra is there) and return the exit.

    An import failure inside greenstat itself is re-raised: a bug's traceback, not a line about versions."""
    missing = absent(extra)
    if not missing and not is_dependency_mismatch(exc):
        raise exc
    if missing:
        verb = "is" if len(missing) == 1 else "are"
        typer.echo(
            f"greenstat {command}: error: {' and '.join(missing)} {verb} not installed; "
            f"run: pip install 'greenstat[{extra}]'",
            err=True,
        )
        return typer.Exit(code=2)
    typer.echo(f"greenstat {command}: error: {describe_import_failure('the command', exc)}", err=True)
    return typer.Exit(code=1)
