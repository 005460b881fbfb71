"""``greenstat stats ID_MESSAGE``: who of a status's recipients has it pending, sent, delivered or read.

The command is three parts: the options (this function's signature), the client's lifetime and error mapping
(:func:`._common.api_session`, shared with ``report``), and the output (:mod:`._stats_output`: a page on a
terminal, every row with ``--all``, plain rows to a pipe or a file, JSON). ``--watch`` polls here
(:func:`watch`); ``post --watch`` (:mod:`.post`) follows a new status with the same function and options.
"""

from __future__ import annotations

import enum
import sys
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from .._spec import operation
from ._common import (
    EXIT_API_ERROR,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    ApiUrlOption,
    IdInstanceOption,
    MaxRetriesOption,
    TokenOption,
    api_session,
    check_arguments,
    fail,
    printable,
)

if TYPE_CHECKING:  # imported where used: `greenstat --help` needs neither the client nor the models
    from greenstat_client.models import StatusStatistic

    from .._client import GreenStat

__all__ = [
    "EXIT_API_ERROR",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "IntervalOption",
    "Target",
    "UntilOption",
    "WatchOption",
    "register",
    "request_timeout",
    "timeout_option",
    "watch",
]

MIN_INTERVAL = 1 / operation("getStatusStatistic").rate_limit.rate  # the spec's x-rate-limit of the method
#: Each request's own limit (the client's default); the command's --timeout can only shorten it.
REQUEST_TIMEOUT = 30.0
#: The least a request is given, even when --timeout is (nearly) used up: the last poll still gets an answer.
MIN_REQUEST_TIMEOUT = 1.0
_COMMAND = "stats"

# Seams for tests (a fake clock makes --watch timeouts instant); the client's own rate limit stays on.
_clock: Callable[[], float] = time.monotonic
_sleep: Callable[[float], None] = time.sleep
_rate_limit: float | None = None  # None: each method at its spec rate

_EPILOG = (
    "Exit codes: 0 success (--watch: every recipient reached the target status); "
    "1 the API answered with an error (401 wrong token, 403 wrong instance or no beta access, "
    "466 quota exceeded, 429 rate limited, 5xx after retries, a body that breaks the spec) "
    "or --watch timed out; "
    "2 bad usage (missing or malformed credentials, bad flag or ID_MESSAGE) or the API could not be "
    "reached (connection refused, DNS failure, timeout); 130 interrupted with Ctrl-C."
)


class Target(enum.StrEnum):
    """The status ``--watch`` waits for; ``read`` implies ``delivered``."""

    READ = "read"
    DELIVERED = "delivered"


_REACHED = {Target.READ: {"read"}, Target.DELIVERED: {"delivered", "read"}}


#: ``--watch`` and its options, shared by ``stats`` and ``post`` (one declaration, one help text).
WatchOption = Annotated[
    bool,
    typer.Option(
        "--watch", help="Poll until every recipient reached the --until status, with a progress bar."
    ),
]
IntervalOption = Annotated[
    float,
    typer.Option(
        "--interval",
        min=MIN_INTERVAL,
        metavar="SECONDS",
        help="--watch: seconds between two polls (at least 1: the API's rate limit).",
    ),
]
UntilOption = Annotated[
    Target, typer.Option("--until", help="--watch: the status to wait for (read implies delivered).")
]
DEFAULT_INTERVAL = 2.0
DEFAULT_TIMEOUT = 300.0


def timeout_option(help_text: str) -> Any:
    """The ``--timeout`` option (seconds, at least 0) with the command's own ``help_text``: what it bounds
    differs between ``stats`` and ``post`` (and so does the exit code of a timed-out request)."""
    return typer.Option("--timeout", min=0.0, metavar="SECONDS", help=help_text)


def _reached(items: Sequence[StatusStatistic], target: Target) -> int:
    from ._stats_output import status_text

    wanted = _REACHED[target]
    return sum(1 for item in items if status_text(item) in wanted)


def request_timeout(deadline: float) -> float:
    """The timeout of the next request: what is left of the command's ``--timeout``, within bounds.

    Why: a request's timeout is its whole budget (retries included, see ``docs/retries.md``), so the command
    as a whole ends near ``--timeout`` however slowly a server answers.
    """
    return min(REQUEST_TIMEOUT, max(MIN_REQUEST_TIMEOUT, deadline - _clock()))


def check_watch_options(context: typer.Context, command: str, *, follow: bool, timeout: float) -> None:
    """Refuse, without ``--watch``, what only ``--watch`` reads: ``--until`` and ``--interval`` would be
    ignored, and a ``--timeout`` beyond one request's :data:`REQUEST_TIMEOUT` would be cut to it, silently.
    (A shorter ``--timeout`` means something alone: it bounds the one request.) Only flags the user typed
    are judged, through Click's parameter source: the defaults are never an error."""
    if follow:
        return
    typed = set()
    for name in ("until", "interval", "timeout"):
        source = context.get_parameter_source(name)
        if source is not None and source.name == "COMMANDLINE":  # the enum's module is private to typer
            typed.add(name)
    for flag in ("until", "interval"):
        if flag in typed:
            fail(command, f"--{flag}: only with --watch (it sets how --watch polls)", EXIT_USAGE)
    if "timeout" in typed and timeout > REQUEST_TIMEOUT:
        fail(
            command,
            f"--timeout: without --watch it bounds the one request, at most {REQUEST_TIMEOUT:g} s "
            f"(got {timeout:g}); add --watch to wait for the recipients",
            EXIT_USAGE,
        )


def _show(console: Console, id_message: str, items: Sequence[StatusStatistic], *, as_json: bool,
          show_all: bool) -> None:  # fmt: skip
    """Print one answer in the output mode that fits: JSON, a terminal page, every row, or plain rows."""
    from ._stats_output import page_size, print_page, render_json, write_aligned, write_plain

    if as_json:
        typer.echo(render_json(id_message, items))
    elif not console.is_terminal:
        write_plain(sys.stdout, items)
    elif show_all and len(items) > page_size(console):
        write_aligned(sys.stdout, id_message, items)
    else:
        print_page(console, id_message, items, None if show_all else page_size(console))


def watch(
    client: GreenStat,
    id_message: str,
    *,
    target: Target,
    interval: float,
    timeout: float,
    console: Console,
    as_json: bool,
    command: str = _COMMAND,
) -> int:
    """Poll until every recipient reached ``target`` (0) or ``timeout`` passed (1); ``command`` names the
    command in the timeout line (``stats``, ``post text``...).

    An empty answer is waited on, not counted as done: a fresh status (or a mistyped id) has no recipients,
    and "all of zero recipients read it" would be a misleading success.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from .._summary import summarize
    from ._echoed import mask_statistics
    from ._stats_output import render_json

    deadline = _clock() + timeout
    items: list[StatusStatistic] = []
    reached = 0
    with Progress(
        TextColumn("{task.description}", style="bold", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[counts]}", markup=False),  # status names come from the server
        TimeElapsedColumn(),
        console=console,
        disable=as_json,
        transient=False,
    ) as progress:
        # The bar counts the recipients at the target *or beyond*: for `delivered` it says so, since the
        # counts beside it (the API's) say `delivered` for delivered-and-not-read.
        label = "delivered or read" if target is Target.DELIVERED else target.value
        task = progress.add_task(label, total=None, counts="waiting for the first answer")
        while True:
            request = client.with_options(timeout=request_timeout(deadline))
            items = mask_statistics(request.get_status_statistic(id_message))  # a server may echo the token
            reached = _reached(items, target)
            summary = summarize(items)
            counts = printable(" ".join(f"{name}:{count}" for name, count in summary.counts.items()))
            progress.update(task, total=len(items) or None, completed=reached, counts=counts)
            if items and reached == len(items):
                break
            remaining = deadline - _clock()
            if remaining <= 0:
                break
            _sleep(min(interval, remaining))
    done = bool(items) and reached == len(items)
    if as_json:
        watch = {"until": target.value, "reached": reached, "total": len(items), "done": done}
        typer.echo(render_json(id_message, items, {"watch": watch}))
    elif done:
        console.print(
            f"All {len(items)} recipient(s) reached '{target.value}'.", soft_wrap=True, markup=False
        )
    else:
        why = "no recipients yet (unknown or expired idMessage?)" if not items else f"{reached}/{len(items)}"
        typer.echo(
            f"greenstat {command}: timed out after {timeout:g} s waiting for '{target.value}': {why}",
            err=True,
        )
    return EXIT_OK if done else EXIT_API_ERROR


def stats(
    context: typer.Context,
    id_message: Annotated[
        str,
        typer.Argument(
            metavar="ID_MESSAGE",
            help="The status's idMessage (as returned when the status was sent).",
            show_default=False,
        ),
    ],
    id_instance: IdInstanceOption = None,
    token: TokenOption = None,
    api_url: ApiUrlOption = None,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json", help="Print JSON (the items as the API sends them, plus a summary) instead of a table."
        ),
    ] = False,
    show_all: Annotated[
        bool,
        typer.Option(
            "--all", help="On a terminal, print every row (by default: a page). Pipes and files get all rows."
        ),
    ] = False,
    follow: WatchOption = False,
    interval: IntervalOption = DEFAULT_INTERVAL,
    until: UntilOption = Target.READ,
    timeout: Annotated[
        float,
        timeout_option(
            "Give up after this many seconds: the whole --watch (exit 1), or the one request "
            f"(at most {REQUEST_TIMEOUT:g} s, exit 2 like any timeout)."
        ),
    ] = DEFAULT_TIMEOUT,
    max_retries: MaxRetriesOption = None,
) -> None:
    """Show who of a status's recipients has it pending, sent, delivered or read, and the read rate.

    Credentials come from the flags or from GREEN_API_ID_INSTANCE, GREEN_API_TOKEN and GREEN_API_URL.
    """
    from ._echoed import mask_statistics

    # markup=False: a stray string that is not wrapped in Text is still printed as is, never parsed.
    console = Console(highlight=False, markup=False)
    check_arguments(
        _COMMAND, [("ID_MESSAGE", id_message)], [("--interval", interval), ("--timeout", timeout)]
    )
    check_watch_options(context, _COMMAND, follow=follow, timeout=timeout)
    session = api_session(
        _COMMAND,
        id_instance=id_instance,
        token=token,
        api_url=api_url,
        max_retries=max_retries,
        rate_limit=_rate_limit,
    )
    with session as client:
        if follow:
            code = watch(client, id_message, target=until, interval=interval, timeout=timeout,
                          console=console, as_json=as_json)  # fmt: skip
            raise typer.Exit(code)
        request = client.with_options(timeout=request_timeout(_clock() + timeout))
        items = mask_statistics(request.get_status_statistic(id_message))  # a server may echo the token
        _show(console, id_message, items, as_json=as_json, show_all=show_all)


def register(app: typer.Typer) -> None:
    """Add the ``stats`` command to the ``greenstat`` app."""
    app.command("stats", epilog=_EPILOG, short_help="Who of a status's recipients has seen it.")(stats)
