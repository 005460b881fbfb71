"""``greenstat report``: how the account's recent statuses did, without knowing their ids.

It lists the outgoing statuses of the window (``getOutgoingStatuses``), fetches each one's recipients
(``getStatusStatistic``, paced by the client's per-method rate limiter: 1 request/s, so a progress bar on
stderr shows the wait), and prints a table with a total line and a chart of reads over time -- or the same
figures as JSON or CSV, and/or a self-contained HTML page. Lifetime and errors: ``_common.api_session``.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from .._spec import operation
from ._common import (
    EXIT_API_ERROR,
    EXIT_USAGE,
    ApiUrlOption,
    IdInstanceOption,
    MaxRetriesOption,
    TokenOption,
    api_session,
    check_arguments,
    echo_error,
    fail,
)
from ._common import (
    REPORT_LISTING as LISTING,
)

if TYPE_CHECKING:  # imported where used: `greenstat --help` needs neither the client nor the models
    from greenstat_client.models import OutgoingStatus, StatusStatistic

    from .._client import GreenStat
    from ._report_history import History

__all__ = ["register"]

_COMMAND = "report"
#: Columns of the report when stdout is not a terminal (rich would assume 80 and fold the ids).
_PIPE_WIDTH = 132
#: The read this command runs (its journal of posted statuses).
_MINUTES = operation(LISTING).parameter("minutes")
_MIN_MINUTES, _MAX_MINUTES = _MINUTES.bounds or (1, None)
# Seams for tests: the report's "now", and the client's rate limit (None: each method at its spec rate).
_now: Callable[[], float] = time.time
_rate_limit: float | None = None


def _fetch(
    client: GreenStat,
    statuses: Sequence[OutgoingStatus],
    console: Console,
    *,
    quiet: bool,
    skipped: list[tuple[str, str]],
    history: History | None = None,
) -> Iterator[tuple[OutgoingStatus, list[StatusStatistic]]]:
    """Each status's recipients, one request per status at the limiter's pace, with a progress bar; yielded
    one at a time, so only one status's recipients are in memory at once (``build_report`` sums them).
    With ``history`` (``--db``), a status the monitor saw to its end is read from the store, not polled.

    A status that cannot be reported is appended to ``skipped`` with the reason and left out: one whose
    ``idMessage`` the client refuses to ask about (longer than the statistic's 256 characters: the
    journal's has no bound), or whose own answer breaks the spec or passes ``max_response_size``. One odd
    item must not cost the report of every other status, nor pass for a usage error. An error that is not
    the item's (401, 429, 5xx, no connection) still ends the command.
    """
    from .._errors import InvalidRequestError, ResponseTooLargeError, ResponseValidationError

    the_items_own = (InvalidRequestError, ResponseValidationError, ResponseTooLargeError)

    def fetched(status: OutgoingStatus) -> list[StatusStatistic] | None:
        stored = history.final_recipients(status.id_message) if history is not None else None
        if stored is not None:
            return stored
        try:
            return client.get_status_statistic(status.id_message)
        except the_items_own as exc:
            skipped.append((status.id_message, str(exc)))
            return None

    if quiet:  # no Progress at all: rich before 15 writes a newline when even a disabled one stops
        for status in statuses:
            if (items := fetched(status)) is not None:
                yield status, items
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("statistics", style="bold"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        for status in progress.track(statuses, total=len(statuses)):
            if (items := fetched(status)) is not None:
                yield status, items


def _shortened(id_message: str) -> str:
    """An ``idMessage`` short enough for one error line (its start and its length)."""
    return id_message if len(id_message) <= 40 else f"{id_message[:32]}... ({len(id_message)} characters)"


def _write_html(path: Path, page: str) -> None:
    try:
        path.write_text(page, encoding="utf-8")
    except OSError as exc:
        fail(_COMMAND, f"--html: cannot write {path}: {exc.strerror or exc}", EXIT_USAGE)


def report(
    minutes: Annotated[
        int,
        typer.Option(
            "--minutes",
            min=_MIN_MINUTES,
            max=_MAX_MINUTES,
            metavar="N",
            help=f"The window: statuses posted in the last N minutes ({_MIN_MINUTES} to {_MAX_MINUTES}, "
            "the 30-day retention).",
        ),
    ] = _MINUTES.default,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    as_csv: Annotated[
        bool, typer.Option("--csv", help="Print one CSV row per status, then the total.")
    ] = False,
    html: Annotated[
        Path | None,
        typer.Option("--html", metavar="FILE", help="Also write a self-contained HTML page (SVG chart)."),
    ] = None,
    db: Annotated[
        Path | None,
        typer.Option(
            "--db",
            metavar="PATH",
            help="A greenstat monitor store: final statuses are read from it (only live ones are polled) "
            "and the HTML page gains each status's reach over time.",
        ),
    ] = None,
    id_instance: IdInstanceOption = None,
    token: TokenOption = None,
    api_url: ApiUrlOption = None,
    max_retries: MaxRetriesOption = None,
) -> None:
    """Report how the statuses posted in the window did: recipients, reached (delivered or read), read, and
    when they read.

    Credentials come from the flags or from GREEN_API_ID_INSTANCE, GREEN_API_TOKEN and GREEN_API_URL.
    """
    import dataclasses

    from ._echoed import mask_report, output_masker
    from ._report_data import build_report  # the rendering modules load with the command, not with --help
    from ._report_history import History
    from ._report_html import render_html
    from ._report_output import print_report, render_json, write_csv

    if as_json and as_csv:
        fail(_COMMAND, "--json and --csv: choose one", EXIT_USAGE)
    if html is not None:
        check_arguments(_COMMAND, [("--html", str(html))])
        if not html.parent.is_dir():
            fail(_COMMAND, f"--html: directory {str(html.parent)!r} does not exist", EXIT_USAGE)
    console = Console(highlight=False, markup=False)
    if not console.is_terminal:  # a log or a file: wide enough that a 20-32 character idMessage never folds
        console = Console(highlight=False, markup=False, width=_PIPE_WIDTH)
    progress_console = Console(stderr=True, highlight=False, markup=False)
    session = api_session(_COMMAND, id_instance=id_instance, token=token, api_url=api_url,
                          max_retries=max_retries, rate_limit=_rate_limit)  # fmt: skip
    if db is not None:
        check_arguments(_COMMAND, [("--db", str(db))])
    with session as client:
        history = History(db, int(client.credentials.id_instance), _COMMAND) if db is not None else None
        try:
            statuses = client.get_outgoing_statuses(minutes=minutes)
            quiet = not progress_console.is_terminal
            # The window ends when the journal was read; a read landing in a later hour while the statistics
            # are fetched (a long report) is counted outside the chart, as any read outside the window is.
            now = _now()
            skipped: list[tuple[str, str]] = []
            fetched = _fetch(
                client, statuses, progress_console, quiet=quiet, skipped=skipped, history=history
            )
            built = build_report(minutes, now, fetched)
            if history is not None:
                reach = history.reach(row.id_message for row in built.rows)
                built = dataclasses.replace(built, reach=tuple(reach))
        finally:
            if history is not None:
                history.close()
    built = mask_report(built)  # a server may echo the token as an id
    if html is not None:
        _write_html(html, render_html(built, now))
    if as_json:
        typer.echo(render_json(built))
    elif as_csv:
        write_csv(sys.stdout, built)
    else:
        print_report(console, built)
        if html is not None:
            console.print(f"Wrote {html}", soft_wrap=True)
    mask = output_masker()  # masked before it is shortened: a cut must not leave half a token
    for id_message, reason in skipped:  # after the report, on stderr: stdout stays one document
        shown = _shortened(mask(id_message))
        echo_error(f"greenstat {_COMMAND}: error: status {shown} not reported: {reason}")
    if skipped:
        raise typer.Exit(EXIT_API_ERROR)


def register(app: typer.Typer) -> None:
    """Add the ``report`` command to the ``greenstat`` app."""
    app.command("report", short_help="How the statuses of the last N minutes did, with a chart.")(report)
