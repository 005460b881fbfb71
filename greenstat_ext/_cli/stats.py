"""``greenstat stats ID_MESSAGE``: who of a status's recipients has it pending, sent, delivered or read.

Why the error handling lives here: the client raises typed errors; this module only turns each family into
one line on stderr and an exit code a script can branch on (0 ok, 1 API error or ``--watch`` timeout, 2 bad
usage or no connection, 130 Ctrl-C). Messages are built from greenstat's already-redacted exceptions and
name flags, never values, so the token cannot reach the terminal. Anything else that escapes (a bug) still
ends as one redacted line, exit 1, with a request to report it: never a traceback deep inside a library.

Why Rich: tables and a live progress bar that degrade to plain output when stdout is not a terminal. Rich
parses ``[...]`` in plain strings as markup, so every string that came from the server or the user goes in
as a :class:`rich.text.Text` (or with ``markup=False``): a participant named ``[/]`` is shown, not parsed.
"""

from __future__ import annotations

import enum
import json
import math
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

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
from .._redact import MASK, redact
from .._spec import operation
from .._summary import StatusSummary, summarize

__all__ = ["EXIT_API_ERROR", "EXIT_INTERRUPTED", "EXIT_OK", "EXIT_USAGE", "register"]

EXIT_OK = 0
EXIT_API_ERROR = 1  # also: --watch timed out
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
MIN_INTERVAL = 1 / operation("getStatusStatistic").rate_limit.rate  # the spec's x-rate-limit of the method
#: Each request's own limit (the client's default); the command's --timeout can only shorten it.
REQUEST_TIMEOUT = 30.0
#: The least a request is given, even when --timeout is (nearly) used up: the last poll still gets an answer.
MIN_REQUEST_TIMEOUT = 1.0

# Seams for tests (a fake clock makes --watch timeouts instant); the client's own rate limit stays on.
_clock: Callable[[], float] = time.monotonic
_sleep: Callable[[float], None] = time.sleep
_rate_limit: float = operation("getStatusStatistic").rate_limit.rate

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


def _printable(text: str) -> str:
    """``text`` with control and other non-printable characters escaped (``\\n``, ``\\x1b``).

    Why: server and user strings reach a terminal; a newline would break the one-line error contract and an
    escape sequence could rewrite the screen.
    """
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else ascii(char)[1:-1] for char in text)


def _fail(message: str, code: int) -> NoReturn:
    # typer.echo, not rich: one line that no console width wraps.
    typer.echo(f"greenstat stats: error: {_printable(message)}", err=True)
    raise typer.Exit(code)


def _unexpected(exc: Exception, token: str | None) -> str:
    """One line for an exception no branch expected: redacted, bounded, and asking for a bug report."""
    detail = redact(str(exc))
    if token:
        detail = detail.replace(token, MASK)  # not registered yet if the client was never built
    detail = " ".join(detail.split())
    if len(detail) > 200:
        detail = detail[:200] + "…"
    return (
        f"unexpected {type(exc).__name__}" + (f": {detail}" if detail else "") + " - this is a bug in "
        "greenstat; please report it with the command you ran (without the token)"
    )


def _check_arguments(values: Sequence[tuple[str, str | None]], numbers: Sequence[tuple[str, float]]) -> None:
    """Refuse, before any request, what no later layer handles well: text that cannot be sent as UTF-8 (an
    undecodable byte in argv becomes a lone surrogate) and non-finite numbers (``nan`` passes ``min=``)."""
    for flag, value in values:
        if value is None:
            continue
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            # Never echo the value: it may be the token.
            _fail(f"{flag}: is not valid text (undecodable bytes or a lone surrogate)", EXIT_USAGE)
    for flag, number in numbers:
        if not math.isfinite(number):
            _fail(f"{flag}: must be a finite number of seconds, got {number}", EXIT_USAGE)


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


def _times(timestamp: int) -> tuple[str, str]:
    """Local time and ISO-8601 UTC; a timestamp beyond what datetime holds (the spec allows any integer)
    is shown as the raw number with a marker rather than crashing the table."""
    try:
        local = datetime.fromtimestamp(timestamp).astimezone().strftime("%Y-%m-%d %H:%M:%S")
        iso = datetime.fromtimestamp(timestamp, tz=UTC).isoformat().replace("+00:00", "Z")
    except (ValueError, OverflowError, OSError):
        return f"{timestamp} (raw)", "out of range"
    return local, iso


def _table(id_message: str, items: Sequence[StatusStatistic]) -> Table:
    title = Text(f"Status {_printable(id_message)}: {len(items)} recipient(s)")
    table = Table(title=title, title_justify="left")
    zone = datetime.now().astimezone().strftime("%Z") or "local"
    table.add_column("participant", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column(f"time ({zone})", no_wrap=True)
    table.add_column("ISO-8601 (UTC)", no_wrap=True)
    for item in sorted(items, key=lambda i: (i.timestamp, i.participant)):
        status = _status_text(item)
        local, iso = _times(item.timestamp)
        table.add_row(
            Text(_printable(item.participant)),
            Text(_printable(status), style=_STATUS_STYLE.get(status, "magenta")),
            Text(local),
            Text(iso),
        )
    return table


def _summary_line(summary: StatusSummary) -> str:
    counts = ", ".join(f"{name} {count}" for name, count in summary.counts.items())
    rate = "n/a" if summary.read_rate is None else f"{summary.read_rate:.0%}"
    line = f"{summary.total} recipient(s): {counts}; read rate {rate}"
    if summary.unknown_statuses:
        line += f" (unknown status values from a newer API: {', '.join(summary.unknown_statuses)})"
    return _printable(line)


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


def _request_timeout(deadline: float) -> float:
    """The timeout of the next request: what is left of the command's ``--timeout``, within bounds.

    Why: a request's timeout is its whole budget (retries included, see ``docs/retries.md``), so the command
    as a whole ends near ``--timeout`` however slowly a server answers.
    """
    return min(REQUEST_TIMEOUT, max(MIN_REQUEST_TIMEOUT, deadline - _clock()))


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
        TextColumn("{task.description}", style="bold", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[counts]}", markup=False),  # status names come from the server
        TimeElapsedColumn(),
        console=console,
        disable=as_json,
        transient=False,
    ) as progress:
        task = progress.add_task(f"{target.value}", total=None, counts="waiting for the first answer")
        while True:
            items = client.with_options(timeout=_request_timeout(deadline)).get_status_statistic(id_message)
            reached = _reached(items, target)
            summary = summarize(items)
            counts = _printable(" ".join(f"{name}:{count}" for name, count in summary.counts.items()))
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
        console.print(
            f"All {len(items)} recipient(s) reached '{target.value}'.", soft_wrap=True, markup=False
        )
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
            "--timeout",
            min=0.0,
            metavar="SECONDS",
            help="Give up after this many seconds: the whole --watch (exit 1), or the one request "
            f"(at most {REQUEST_TIMEOUT:g} s, exit 2 like any timeout).",
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
    # markup=False: a stray string that is not wrapped in Text is still printed as is, never parsed.
    console = Console(highlight=False, markup=False)
    _check_arguments(
        [
            ("ID_MESSAGE", id_message),
            (f"--id-instance / {ENV_ID_INSTANCE}", id_instance),
            (f"--token / {ENV_TOKEN}", token),
            (f"--api-url / {ENV_API_URL}", api_url),
        ],
        [("--interval", interval), ("--timeout", timeout)],
    )
    shown_url = api_url or "the API"
    try:
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
                deadline = _clock() + timeout
                items = client.with_options(timeout=_request_timeout(deadline)).get_status_statistic(
                    id_message
                )
        except GreenStatError as exc:
            message, code = _explain(exc, shown_url)
            _fail(message, code)
        if as_json:
            typer.echo(_as_json(id_message, items))
            return
        if items:
            console.print(_table(id_message, items))
        else:
            console.print(
                Text(
                    f"No recipients for {_printable(id_message)}: the status is unknown to this instance, "
                    "older than 30 days, or not yet sent to anyone."
                ),
                soft_wrap=True,
            )
        console.print(Text(_summary_line(summarize(items))), soft_wrap=True)
    except KeyboardInterrupt:
        typer.echo("greenstat stats: interrupted", err=True)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except (typer.Exit, typer.Abort):  # our own exits (click's are RuntimeError subclasses)
        raise
    except Exception as exc:  # last resort: a bug must not print a library's traceback (or a token)
        _fail(_unexpected(exc, token), EXIT_API_ERROR)


def register(app: typer.Typer) -> None:
    """Add the ``stats`` command to the ``greenstat`` app."""
    app.command("stats", epilog=_EPILOG)(stats)
