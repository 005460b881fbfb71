"""``greenstat monitor``: watch this account's statuses, store every transition, deliver events
(docs/monitor.md); ``greenstat monitor dead-letters`` and ``greenstat monitor replay``.

Why the loop lives in ``greenstat_ext.monitor`` and only its wiring here: the library is what a user embeds
(async, injectable clock); the command adds flags, one INFO line per cycle on stderr and signals. Imports of
the monitor, the client and httpx happen inside the commands: ``greenstat --help`` pays for none of them.

Stopping: SIGTERM or SIGINT sets a flag; the step in flight gets one second to finish, then it is
cancelled (a read: nothing is lost, an uncommitted observation is seen again at the next start), and the
store is closed. So the process ends within about a second of the signal.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import math
import re
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ._common import (
    EXIT_API_ERROR,
    EXIT_USAGE,
    ApiUrlOption,
    IdInstanceOption,
    TokenOption,
    _credentials,
    check_arguments,
    echo_error,
    explain,
    fail,
    unexpected,
)
from ._extras import missing_extra

if TYPE_CHECKING:
    from .._credentials import Credentials
    from ..monitor import Monitor

__all__ = ["register"]

_COMMAND = "monitor"
ENV_WEBHOOK_SECRET = "GREENSTAT_WEBHOOK_SECRET"  # noqa: S105 - the variable's name, not a secret
_STOP_GRACE = 1.0
_DURATION = re.compile(r"^\s*(?P<value>\d+(?:\.\d+)?)\s*(?P<unit>[smhd]?)\s*$")
_UNITS = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86_400.0}

logger = logging.getLogger("greenstat.monitor")

app = typer.Typer(
    name=_COMMAND,
    invoke_without_command=True,
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
    help="Watch this account's statuses: store every transition, deliver events (docs/monitor.md).",
)

DbOption = Annotated[
    Path | None,
    typer.Option("--db", metavar="PATH", help="The SQLite store (default: monitor.db in the user data dir).",
                 show_default=False),
]  # fmt: skip


def parse_duration(text: str, flag: str) -> float:
    """``90``, ``90s``, ``15m``, ``26h``, ``1.5d`` as seconds (> 0, finite)."""
    match = _DURATION.match(text)
    if not match:
        fail(_COMMAND, f"{flag}: expected a duration like 26h, 90m or 3600s, got {text!r}", EXIT_USAGE)
    seconds = float(match["value"]) * _UNITS[match["unit"]]
    if not (math.isfinite(seconds) and seconds > 0):
        fail(_COMMAND, f"{flag}: must be more than 0 seconds", EXIT_USAGE)
    return seconds


def _require(*modules: str) -> None:
    """Fail with the install hint (exit 2), before any work, when the ``monitor`` extra is missing."""
    import importlib

    for name in modules:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            raise missing_extra(_COMMAND, "monitor", exc) from None


def _db_path(db: Path | None) -> Path:
    if db is not None:
        return db
    _require("platformdirs")
    from ..monitor import default_db_path

    return default_db_path()


def _open_store(db: Path | None, *, readonly: bool = False, lock: bool = True) -> Any:
    from ..monitor import Store, StoreError, StoreLockedError

    try:
        return Store(_db_path(db), readonly=readonly, lock=lock)
    except StoreLockedError as exc:
        fail(_COMMAND, str(exc), EXIT_USAGE)
    except (StoreError, OSError) as exc:
        fail(_COMMAND, str(exc), EXIT_USAGE)


def _log_line(instance_id: int, summary: dict[str, int]) -> None:
    logger.info(
        "cycle: instance=%d live=%d final=%d polls=%d events=%d pending=%d dead=%d",
        instance_id, summary["live"], summary["final"], summary["polls"], summary["events"],
        summary["pending"], summary["dead"],
    )  # fmt: skip


async def _serve(monitors: Sequence[Monitor], started: str) -> None:
    """Run every monitor until SIGTERM/SIGINT; the steps in flight get :data:`_STOP_GRACE` seconds.
    ``started`` is logged once the signal handlers are in place: from that line on, SIGTERM stops cleanly
    (before it, while Python starts, SIGTERM ends the process at once, which loses nothing either)."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        # Windows has no loop signal handlers: Ctrl-C still ends it (KeyboardInterrupt).
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    logger.info("%s", started)
    runs = [
        monitor.run(stop, on_cycle=functools.partial(_log_line, monitor.instance_id)) for monitor in monitors
    ]
    runner: asyncio.Future[Any] = asyncio.gather(*runs)
    waiter: asyncio.Future[Any] = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({runner, waiter}, return_when=asyncio.FIRST_COMPLETED)
        if not runner.done():
            done, _ = await asyncio.wait({runner}, timeout=_STOP_GRACE)
            if not done:
                runner.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await runner
    finally:
        waiter.cancel()
        runner.cancel()  # a monitor that failed must not leave the others running
    for monitor in monitors:
        counters = ", ".join(f"{k}={v}" for k, v in monitor.counters.items())
        logger.info("stopped: instance=%d %s", monitor.instance_id, counters)


def _start(
    *,
    credentials: list[Credentials],
    db: Path | None,
    jsonl: str | None,
    webhooks: list[str],
    secret: str | None,
    final_after: float,
    keep_days: float,
    discover_every: float,
    max_attempts: int,
    otel: bool = False,
) -> None:
    from .._client import AsyncGreenStat
    from .._errors import GreenStatError
    from .._redact import install_log_redaction
    from ..monitor import Deliverer, JsonLinesSink, Monitor, MonitorSettings, WebhookSink

    if webhooks and not secret:
        fail(_COMMAND, f"--webhook needs --webhook-secret or {ENV_WEBHOOK_SECRET} (whsec_...)", EXIT_USAGE)
    if webhooks:
        _require("standardwebhooks")
    telemetry = _telemetry() if otel else None
    sinks: list[Any] = []
    try:
        if jsonl:
            sinks.append(JsonLinesSink(jsonl))
        sinks.extend(WebhookSink(url, secret or "") for url in webhooks)
    except ValueError as exc:
        fail(_COMMAND, str(exc), EXIT_USAGE)
    if not any(isinstance(h, _CycleHandler) for h in logger.handlers):
        handler = _CycleHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s greenstat monitor: %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    install_log_redaction()
    store = _open_store(db)
    settings = MonitorSettings(final_after=final_after, keep_days=keep_days, discover_every=discover_every)
    shown_url = credentials[0].api_url

    async def main() -> None:
        # One client per instance: each has its own limiter, so its own budget (shared across processes
        # through Redis when GREEN_API_RATE_LIMIT_STORE is set). One deliverer drains the one outbox.
        deliverer = Deliverer(store, sinks, max_attempts=max_attempts)
        async with contextlib.AsyncExitStack() as stack:
            monitors = []
            for entry in credentials:
                client = await stack.enter_async_context(
                    AsyncGreenStat(
                        id_instance=entry.id_instance,
                        api_token=entry.api_token,
                        api_url=entry.api_url,
                        plugins=[telemetry[0]] if telemetry else (),
                    )
                )
                monitor = Monitor(client, store, deliverer=deliverer, settings=settings)
                if telemetry:
                    telemetry[1].watch(monitor)
                monitors.append(monitor)
            shown = ", ".join(f"instance {entry.id_instance}" for entry in credentials[:5])
            if len(credentials) > 5:
                shown += f" and {len(credentials) - 5} more"
            started = (
                f"watching {shown}, store {store.path}, {len(sinks)} sink(s), final after {final_after:.0f} s"
            )
            try:
                await _serve(monitors, started)
            finally:
                await deliverer.aclose()
                if telemetry:  # the final figures, while the monitors exist (bounded)
                    telemetry[1].flush()

    try:
        asyncio.run(main())
    except GreenStatError as exc:
        message, code = explain(exc, shown_url)
        fail(_COMMAND, message, code)
    except KeyboardInterrupt:  # pragma: no cover - a second Ctrl-C before the handler was installed
        pass
    except Exception as exc:  # a bug must not print a traceback that may hold the token
        tokens = [entry.api_token.get_secret_value() for entry in credentials]
        fail(_COMMAND, unexpected(exc, *tokens), EXIT_API_ERROR)
    finally:
        store.close()


def _telemetry() -> tuple[Any, Any]:
    """``--otel``: one OpenTelemetry plugin for the clients' calls and one ``MonitorMetrics`` for every
    monitor, both on the global providers (the SDK ``opentelemetry-instrument`` or the application sets up;
    without one, OpenTelemetry's no-op). Missing ``otel`` extra: the install hint, exit 2, before any work."""
    try:
        from ..otel import MonitorMetrics, OpenTelemetryPlugin
    except ImportError as exc:
        raise missing_extra(_COMMAND, "otel", exc) from None
    return OpenTelemetryPlugin(), MonitorMetrics()


class _CycleHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The command's stderr handler (a class of its own: added once however often the command runs)."""


@app.callback()
def monitor(
    ctx: typer.Context,
    id_instance: IdInstanceOption = None,
    token: TokenOption = None,
    api_url: ApiUrlOption = None,
    db: DbOption = None,
    jsonl: Annotated[
        str | None,
        typer.Option("--jsonl", metavar="FILE|-", help="Append events as JSON lines (- = stdout)."),
    ] = None,
    webhook: Annotated[
        list[str] | None,
        typer.Option("--webhook", metavar="URL", help="POST events, signed (Standard Webhooks). Repeatable."),
    ] = None,
    webhook_secret: Annotated[
        str | None,
        typer.Option(
            "--webhook-secret",
            envvar=ENV_WEBHOOK_SECRET,
            show_envvar=True,
            metavar="whsec_...",
            help="The Standard Webhooks signing secret.",
            show_default=False,
        ),
    ] = None,
    final_after: Annotated[
        str,
        typer.Option("--final-after", metavar="DURATION", help="A status is final this long after posting."),
    ] = "26h",
    keep_days: Annotated[
        float,
        typer.Option(
            "--keep-days", min=1, metavar="DAYS", help="Forget statuses posted longer ago than this."
        ),
    ] = 400,
    discover_every: Annotated[
        str,
        typer.Option("--discover-every", metavar="DURATION", help="Between two getOutgoingStatuses calls."),
    ] = "60s",
    max_attempts: Annotated[
        int,
        typer.Option(
            "--max-attempts", min=1, max=1000, metavar="N", help="Delivery attempts before a dead letter."
        ),
    ] = 24,  # DEFAULT_MAX_ATTEMPTS (not imported: --help loads no monitor)
    otel: Annotated[
        bool,
        typer.Option(
            "--otel",
            help="OpenTelemetry: a span per API call and the cycle figures as metrics, on the global"
            " providers (e.g. under opentelemetry-instrument). Needs greenstat[otel].",
        ),
    ] = False,
    instances: Annotated[
        Path | None,
        typer.Option(
            "--instances",
            metavar="FILE",
            help="Watch several instances, one per line: ID_INSTANCE TOKEN [API_URL] (each its own budget).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Watch this account's statuses: store every transition, deliver events.

    Runs until SIGTERM or Ctrl-C. Credentials come from the flags or GREEN_API_ID_INSTANCE, GREEN_API_TOKEN
    and GREEN_API_URL (or, for several instances, from --instances FILE); the token is never stored, logged
    or delivered.
    """
    from .._errors import GreenStatError
    from ._monitor_instances import read_instances

    if ctx.invoked_subcommand is not None:
        return
    check_arguments(_COMMAND, [("--id-instance", id_instance), ("--token", token), ("--api-url", api_url),
                               ("--jsonl", jsonl), *(("--webhook", url) for url in webhook or [])],
                    [("--keep-days", keep_days)])  # fmt: skip
    if instances is not None:
        given = [f for f, n in (("--id-instance", "id_instance"), ("--token", "token"))
                 if getattr(ctx.get_parameter_source(n), "name", "") == "COMMANDLINE"]  # fmt: skip
        if given:
            fail(_COMMAND, f"--instances lists the credentials: drop {' and '.join(given)}", EXIT_USAGE)
        credentials = read_instances(_COMMAND, instances, api_url)
    else:
        try:
            credentials = [_credentials(_COMMAND, id_instance, token, api_url)]
        except GreenStatError as exc:  # a malformed id or token: its message describes the shape, never it
            message, code = explain(exc, api_url or "the API")
            fail(_COMMAND, message, code)
    _start(
        credentials=credentials,
        db=db,
        jsonl=jsonl,
        webhooks=list(webhook or []),
        secret=webhook_secret,
        final_after=parse_duration(final_after, "--final-after"),
        keep_days=keep_days,
        discover_every=parse_duration(discover_every, "--discover-every"),
        max_attempts=max_attempts,
        otel=otel,
    )


@app.command("dead-letters")
def dead_letters(db: DbOption = None) -> None:
    """List the events never delivered (per line: died at, sink, type, attempts, id, error)."""
    import datetime as dt

    with _open_store(db, readonly=True) as store:
        rows = store.dead_letters()
    for row in rows:
        died = dt.datetime.fromtimestamp(row.died_at, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        typer.echo(f"{died}\t{row.sink}\t{row.type}\t{row.attempts}\t{row.event_id}\t{row.last_error}")
    echo_error(f"{len(rows)} dead letter(s)")


@app.command("replay")
def replay(
    db: DbOption = None,
    sink: Annotated[
        str | None, typer.Option("--sink", help="Only this sink's (as dead-letters shows it).")
    ] = None,
) -> None:
    """Queue the dead letters again: the running monitor (or the next one started) sends them."""
    import time

    path = _db_path(db)
    if not path.exists():  # a store to replay from, not a new empty one made by a typo
        fail(_COMMAND, f"no store at {path}", EXIT_USAGE)
    with _open_store(path, lock=False) as store:
        if sink is not None and sink not in {row.sink for row in store.dead_letters()}:
            fail(_COMMAND, "--sink: no dead letter of that sink (greenstat monitor dead-letters lists them)",
                 EXIT_USAGE)  # fmt: skip
        count = store.replay(time.time(), sink=sink)
    typer.echo(f"{count} dead letter(s) queued again")


def register(root: typer.Typer) -> None:
    """Add the ``monitor`` group to the ``greenstat`` app."""
    root.add_typer(
        app, name=_COMMAND, short_help="Watch statuses: history and events (webhooks, JSON lines)."
    )
