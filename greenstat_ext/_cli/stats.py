"""``greenstat stats ID_MESSAGE``: who of a status's recipients has it pending, sent, delivered or read.

Why the error handling lives here: the client raises typed errors; this module only turns each family into
one line on stderr and an exit code a script can branch on (0 ok, 1 API error or ``--watch`` timeout, 2 bad
usage or no connection, 130 Ctrl-C). Messages are built from greenstat's already-redacted exceptions and
name flags, never values, so the token cannot reach the terminal.

Why Rich: tables and a live progress bar that degrade to plain output when stdout is not a terminal.
"""

from __future__ import annotations

import enum
import json
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from greenstat_client.models import StatusStatistic, StatusValue

from .._client import GreenStat
from .._credentials import ENV_API_URL, ENV_ID_INSTANCE, ENV_TOKEN, Credentials
from .._errors import (
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    GreenStatError,
    InvalidRequestError,
    PermissionDeniedError,
    QuotaExceededError,
    RateLimitError,
    ResponseValidationError,
)
from .._summary import StatusSummary, summarize

__all__ = ["EXIT_API_ERROR", "EXIT_INTERRUPTED", "EXIT_OK", "EXIT_USAGE", "register"]

EXIT_OK = 0
EXIT_API_ERROR = 1  # also: --watch timed out
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
MIN_INTERVAL = 1.0  # Green API allows 1 request/s per instance for this method

# Seams for tests (a fake clock makes --watch timeouts instant); the client's own rate limit stays on.
_clock: Callable[[], float] = time.monotonic
_sleep: Callable[[float], None] = time.sleep
_rate_limit: float = 1.0

_FLAG_OF_FIELD = {
    "id_instance": f"--id-instance / {ENV_ID_INSTANCE}",
    "api_token": f"--token / {ENV_TOKEN}",
    "api_url": f"--api-url / {ENV_API_URL}",
    "id_message": "ID_MESSAGE",
    "max_retries": "--max-retries",
}

_HINTS: tuple[tuple[type[APIStatusError], str], ...] = (
    (AuthenticationError, "the token is wrong; check --token / GREEN_API_TOKEN"),
    (PermissionDeniedError, "wrong idInstance, or the instance has no access to the beta Statuses methods"),
    (QuotaExceededError, "the monthly quota of the free plan is spent"),
    (RateLimitError, "too many requests; wait and try again"),
    (BadRequestError, "bad request data, or the instance is starting or not authorised"),
)

_STATUS_STYLE = {"pending": "dim", "sent": "yellow", "delivered": "cyan", "read": "green"}

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


def _status_text(item: StatusStatistic) -> str:
    """The status as received: a known value or the unknown string of a newer API (``UNKNOWN.value``)."""
    return str(StatusValue(item.status).value)


def _fail(message: str, code: int) -> NoReturn:
    # typer.echo, not rich: one line that no console width wraps.
    typer.echo(f"greenstat stats: error: {message}", err=True)
    raise typer.Exit(code)


def _explain(exc: GreenStatError, api_url: str) -> tuple[str, int]:
    """A one-line message and the exit code for an error the client raised (all already redacted)."""
    if isinstance(exc, ConfigurationError | InvalidRequestError):
        field = _FLAG_OF_FIELD.get(exc.field, exc.field)
        problem = str(exc).removeprefix(f"{exc.field}: ")
        return f"{field}: {problem}", EXIT_USAGE
    if isinstance(exc, APIConnectionError):
        return f"cannot reach {api_url}: {exc.message}", EXIT_USAGE
    if isinstance(exc, APIStatusError):
        hint = next((text for cls, text in _HINTS if isinstance(exc, cls)), None)
        name = type(exc).__name__
        return f"{exc.message} [{name}]" + (f" - {hint}" if hint else ""), EXIT_API_ERROR
    if isinstance(exc, ResponseValidationError):
        return f"the API's answer breaks the spec: {exc.message}", EXIT_API_ERROR
    return str(exc), EXIT_API_ERROR


def _credentials(id_instance: str | None, token: str | None, api_url: str | None) -> Credentials:
    missing = [
        flag
        for flag, value in (
            (f"--id-instance or {ENV_ID_INSTANCE}", id_instance),
            (f"--token or {ENV_TOKEN}", token),
        )
        if not value
    ]
    if missing:
        _fail("missing credentials: set " + " and ".join(missing), EXIT_USAGE)
    return Credentials.resolve(id_instance, token, api_url or None, environ={})


def _table(id_message: str, items: Sequence[StatusStatistic]) -> Table:
    table = Table(title=f"Status {id_message}: {len(items)} recipient(s)", title_justify="left")
    zone = datetime.now().astimezone().strftime("%Z") or "local"
    table.add_column("participant", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column(f"time ({zone})", no_wrap=True)
    table.add_column("ISO-8601 (UTC)", no_wrap=True)
    for item in sorted(items, key=lambda i: (i.timestamp, i.participant)):
        status = _status_text(item)
        table.add_row(
            item.participant,
            f"[{_STATUS_STYLE.get(status, 'magenta')}]{status}[/]",
            datetime.fromtimestamp(item.timestamp).astimezone().strftime("%Y-%m-%d %H:%M:%S"),
            datetime.fromtimestamp(item.timestamp, tz=UTC).isoformat().replace("+00:00", "Z"),
        )
    return table


def _summary_line(summary: StatusSummary) -> str:
    counts = ", ".join(f"{name} {count}" for name, count in summary.counts.items())
    rate = "n/a" if summary.read_rate is None else f"{summary.read_rate:.0%}"
    line = f"{summary.total} recipient(s): {counts}; read rate {rate}"
    if summary.unknown_statuses:
        line += f" (unknown status values from a newer API: {', '.join(summary.unknown_statuses)})"
    return line


def _as_json(id_message: str, items: Sequence[StatusStatistic], extra: dict[str, Any] | None = None) -> str:
    document: dict[str, Any] = {
        "id_message": id_message,
        "items": [item.to_dict() for item in items],
        "summary": summarize(items).to_dict(),
    }
    if extra:
        document.update(extra)
    return json.dumps(document, ensure_ascii=False, indent=2)


def _reached(items: Sequence[StatusStatistic], target: Target) -> int:
    wanted = _REACHED[target]
    return sum(1 for item in items if _status_text(item) in wanted)


def _watch(
    client: GreenStat,
    id_message: str,
    *,
    target: Target,
    interval: float,
    timeout: float,
    console: Console,
    as_json: bool,
) -> int:
    """Poll until every recipient reached ``target`` (0) or ``timeout`` passed (1).

    An empty answer is waited on, not counted as done: a fresh status (or a mistyped id) has no recipients,
    and "all of zero recipients read it" would be a misleading success.
    """
    deadline = _clock() + timeout
    items: list[StatusStatistic] = []
    reached = 0
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[counts]}"),
        TimeElapsedColumn(),
        console=console,
        disable=as_json,
        transient=False,
    ) as progress:
        task = progress.add_task(f"{target.value}", total=None, counts="waiting for the first answer")
        while True:
            items = client.get_status_statistic(id_message)
            reached = _reached(items, target)
            summary = summarize(items)
            counts = " ".join(f"{name}:{count}" for name, count in summary.counts.items())
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
        typer.echo(_as_json(id_message, items, {"watch": watch}))
    elif done:
        console.print(f"All {len(items)} recipient(s) reached '{target.value}'.", soft_wrap=True)
    else:
        why = "no recipients yet (unknown or expired idMessage?)" if not items else f"{reached}/{len(items)}"
        typer.echo(
            f"greenstat stats: timed out after {timeout:g} s waiting for '{target.value}': {why}", err=True
        )
    return EXIT_OK if done else EXIT_API_ERROR


def stats(
    id_message: Annotated[
        str,
        typer.Argument(
            metavar="ID_MESSAGE",
            help="The status's idMessage (as returned when the status was sent).",
            show_default=False,
        ),
    ],
    id_instance: Annotated[
        str | None,
        typer.Option("--id-instance", envvar=ENV_ID_INSTANCE, help="Your idInstance.", show_default=False),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            envvar=ENV_TOKEN,
            help="Your apiTokenInstance (never printed; prefer the environment variable).",
            show_default=False,
            show_envvar=True,
        ),
    ] = None,
    api_url: Annotated[
        str | None,
        typer.Option(
            "--api-url",
            "--url",
            envvar=ENV_API_URL,
            help="The API's base URL  [default: https://api.green-api.com].",
            show_default=False,
        ),
    ] = None,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json", help="Print JSON (the items as the API sends them, plus a summary) instead of a table."
        ),
    ] = False,
    watch: Annotated[
        bool,
        typer.Option(
            "--watch", help="Poll until every recipient reached the --until status, with a progress bar."
        ),
    ] = False,
    interval: Annotated[
        float,
        typer.Option(
            "--interval",
            min=MIN_INTERVAL,
            metavar="SECONDS",
            help="--watch: seconds between two polls (at least 1: the API's rate limit).",
        ),
    ] = 2.0,
    until: Annotated[
        Target, typer.Option("--until", help="--watch: the status to wait for (read implies delivered).")
    ] = Target.READ,
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout", min=0.0, metavar="SECONDS", help="--watch: give up (exit 1) after this many seconds."
        ),
    ] = 300.0,
    max_retries: Annotated[
        int | None,
        typer.Option(
            "--max-retries",
            min=0,
            max=20,
            help="Retries of 429/499/5xx answers and connection errors per request  [default: 3].",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Show who of a status's recipients has it pending, sent, delivered or read, and the read rate.

    Credentials come from the flags or from GREEN_API_ID_INSTANCE, GREEN_API_TOKEN and GREEN_API_URL.
    """
    console = Console(highlight=False)
    shown_url = api_url or "the API"
    try:
        credentials = _credentials(id_instance, token, api_url)
        shown_url = credentials.api_url
        with GreenStat(
            id_instance=credentials.id_instance,
            api_token=credentials.api_token,
            api_url=credentials.api_url,
            max_retries=max_retries,
            rate_limit=_rate_limit,
        ) as client:
            if watch:
                code = _watch(
                    client,
                    id_message,
                    target=until,
                    interval=interval,
                    timeout=timeout,
                    console=console,
                    as_json=as_json,
                )
                raise typer.Exit(code)
            items = client.get_status_statistic(id_message)
    except GreenStatError as exc:
        message, code = _explain(exc, shown_url)
        _fail(message, code)
    except KeyboardInterrupt:
        typer.echo("greenstat stats: interrupted", err=True)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    if as_json:
        typer.echo(_as_json(id_message, items))
        return
    if items:
        console.print(_table(id_message, items))
    else:
        console.print(
            f"No recipients for {id_message}: the status is unknown to this instance, older than 30 days, "
            "or not yet sent to anyone.",
            soft_wrap=True,
        )
    console.print(_summary_line(summarize(items)), soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add the ``stats`` command to the ``greenstat`` app."""
    app.command("stats", epilog=_EPILOG)(stats)
