"""``greenstat delete ID_MESSAGE``: delete a status this account posted (``deleteStatus``).

The answer is 200 with an empty body; an id that is not (or no longer) posted is a 400 ``ID message
notfound``, shown as the API's message with exit 1, like any API error. Like a send, a delete whose answer
was lost after it went out is never retried (``OutcomeUnknownError``, exit 4): it may have been done.
"""

from __future__ import annotations

from typing import Annotated

import typer

from . import stats as _stats
from ._common import (
    ApiUrlOption,
    IdInstanceOption,
    TokenOption,
    WriteMaxRetriesOption,
    api_session,
    check_arguments,
    printable,
)

__all__ = ["register"]

_COMMAND = "delete"
_EPILOG = (
    "Prints 'deleted ID_MESSAGE'. Exit codes: 0 deleted; 1 the API answered with an error (400 "
    "'ID message notfound': never posted by this account, deleted already, or expired; 401, 403, 466, 429, "
    "5xx before anything was sent); 2 bad usage or the API could not be reached; 4 OUTCOME UNKNOWN: the "
    "request was sent and its answer lost or unreadable, so the status may have been deleted "
    "(`greenstat report` shows whether it is still listed); 130 interrupted with Ctrl-C."
)


def delete(
    id_message: Annotated[
        str,
        typer.Argument(
            metavar="ID_MESSAGE",
            help="The idMessage of a status this account posted (as `post` printed it; `report` lists them).",
            show_default=False,
        ),
    ],
    id_instance: IdInstanceOption = None,
    token: TokenOption = None,
    api_url: ApiUrlOption = None,
    max_retries: WriteMaxRetriesOption = None,
) -> None:
    """Delete a status this account posted.

    Credentials come from the flags or from GREEN_API_ID_INSTANCE, GREEN_API_TOKEN and GREEN_API_URL.
    """
    check_arguments(_COMMAND, [("ID_MESSAGE", id_message)])
    session = api_session(
        _COMMAND,
        id_instance=id_instance,
        token=token,
        api_url=api_url,
        max_retries=max_retries,
        rate_limit=_stats._rate_limit,
        write=True,
        bad_request_hint="not a status this account posted, or deleted already, or expired",
    )
    with session as client:
        client.delete_status(id_message)
    typer.echo(f"deleted {printable(id_message)}")


def register(app: typer.Typer) -> None:
    """Add the ``delete`` command to the ``greenstat`` app."""
    app.command(_COMMAND, epilog=_EPILOG, short_help="Delete a status this account posted.")(delete)
