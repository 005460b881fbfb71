"""``greenstat mock``: serve the reference mock on loopback until SIGINT/SIGTERM.

Why these checks here: every flag is validated before the server starts, so a typo is a one-line usage
error (exit code 2), never a traceback from inside uvicorn. The token is shown masked unless
``--show-token``; it is never part of an error message.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._extras import missing_extra

__all__ = ["register"]

_FAULT_KIND_HELP = "429, 499, 500, 502, drop or delay; repeat to enable several (default: all)"


def mock(
    host: Annotated[
        str, typer.Option(help="Loopback address to serve on (127.0.0.1 or ::1 only).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="TCP port; 0 picks a free one.")] = 8080,
    id_instance: Annotated[
        int | None,
        typer.Option(
            min=1, max=9_999_999_999, help="The idInstance it accepts (default: the demo instance)."
        ),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            help="The apiTokenInstance it accepts (default: the demo token).", envvar="GREENSTAT_MOCK_TOKEN"
        ),
    ] = None,
    show_token: Annotated[
        bool, typer.Option("--show-token", help="Print the token in full at start-up.")
    ] = False,
    seed: Annotated[int, typer.Option(help="Seed of the generated demo data.")] = 0,
    faults: Annotated[
        float, typer.Option("--faults", min=0.0, max=1.0, metavar="RATE", help="Share of requests that fail.")
    ] = 0.0,
    fault_kind: Annotated[
        list[str] | None, typer.Option("--fault-kind", metavar="KIND", help=_FAULT_KIND_HELP)
    ] = None,
    fault_seed: Annotated[int, typer.Option(help="Seed of the fault sequence.")] = 0,
    retry_after: Annotated[int, typer.Option(min=0, help="Retry-After (s) of injected 429s.")] = 1,
    fault_delay: Annotated[
        float, typer.Option(min=0.0, max=60.0, help="Seconds of an injected delay.")
    ] = 0.5,
    rate_limit: Annotated[
        float, typer.Option("--rate-limit", min=0.0, metavar="RPS", help="Requests/s per instance; 0 = off.")
    ] = 1.0,
    data: Annotated[
        Path | None, typer.Option("--data", metavar="FILE", help="JSON {idMessage: [recipients]} to serve.")
    ] = None,
    quota_exceeded: Annotated[
        bool, typer.Option("--quota-exceeded", help="Answer 466 to every request.")
    ] = False,
    no_beta_access: Annotated[
        bool, typer.Option("--no-beta-access", help="Answer 403 (no access to beta Statuses methods).")
    ] = False,
    access_log: Annotated[bool, typer.Option(help="Log every request (token masked).")] = True,
) -> None:
    """Serve the reference mock of getStatusStatistic on loopback (Ctrl-C stops it)."""
    try:
        from greenstat_ext.mock import (
            DEMO_ID_INSTANCE,
            DEMO_MESSAGES,
            DEMO_TOKEN,
            DataFileError,
            FaultSettings,
            MockSettings,
            create_app,
            load_data,
            mask_token,
        )
        from greenstat_ext.mock._server import bind_loopback, make_uvicorn_server
    except ModuleNotFoundError as exc:  # starlette/uvicorn come with greenstat[mock]
        raise missing_extra("mock", "mock", exc) from None

    try:
        fault_settings = FaultSettings(
            rate=faults,
            seed=fault_seed,
            kinds=tuple(fault_kind) if fault_kind else FaultSettings().kinds,
            retry_after=retry_after,
            delay=fault_delay,
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="'--faults' / '--fault-kind'") from None
    loaded = None
    if data is not None:
        try:
            loaded = load_data(data)
        except DataFileError as exc:
            raise typer.BadParameter(str(exc), param_hint="'--data'") from None
    try:
        settings = MockSettings(
            id_instance=id_instance if id_instance is not None else DEMO_ID_INSTANCE,
            token=token if token is not None else DEMO_TOKEN,
            seed=seed,
            rate_limit=rate_limit,
            faults=fault_settings,
            quota_exceeded=quota_exceeded,
            beta_access=not no_beta_access,
            data=loaded,
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    try:
        sock = bind_loopback(host, port)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="'--host'") from None
    except OSError as exc:
        typer.echo(f"Error: cannot listen on {host}:{port}: {exc.strerror or exc}", err=True)
        raise typer.Exit(1) from None

    app = create_app(settings)
    bound_port = sock.getsockname()[1]
    shown = settings.token if show_token else mask_token(settings.token)
    url_host = f"[{host}]" if ":" in host else host
    base_url = f"http://{url_host}:{bound_port}"
    lines = [
        f"greenstat mock serving on {base_url}",
        f"  idInstance       {settings.id_instance}",
        f"  apiTokenInstance {shown}" + ("" if show_token else "  (--show-token to print it)"),
        f"  rate limit       {'off' if rate_limit == 0 else f'{rate_limit:g} request(s)/s'}"
        f"; faults {'off' if faults == 0 else f'{faults:g}'}; seed {seed}",
        "  well-known idMessage values:",
        *(f"    {mid:<34} {spec.description}" for mid, spec in DEMO_MESSAGES.items()),
    ]
    if loaded:
        lines.append(f"  from {data}: {len(loaded)} idMessage value(s)")
    lines.append(
        f"  try: curl '{base_url}/waInstance{settings.id_instance}/getStatusStatistic/<token>?idMessage=...'"
    )
    typer.echo("\n".join(lines))
    server = make_uvicorn_server(
        app, log_level="info", access_log=access_log, log_config=_log_config(), secrets=(settings.token,)
    )
    # uvicorn turns SIGINT/SIGTERM into a graceful shutdown, then re-raises the signal so the exit status
    # tells how the process ended (143 for SIGTERM). SIGINT's re-raise arrives as KeyboardInterrupt.
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
    finally:
        sock.close()


def _log_config() -> dict[str, object]:
    from uvicorn.config import LOGGING_CONFIG

    config: dict[str, object] = {**LOGGING_CONFIG}
    loggers = dict(LOGGING_CONFIG["loggers"])
    loggers["greenstat.mock"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    config["loggers"] = loggers
    return config


def register(app: typer.Typer) -> None:
    """Add the ``mock`` command to the ``greenstat`` app."""
    app.command("mock")(mock)
