"""``greenstat mock``: serve the reference mock on loopback until SIGINT/SIGTERM.

Why these checks here: every flag is validated before the server starts, so a typo is a one-line usage
error (exit code 2), never a traceback from inside uvicorn. The token is shown masked unless
``--show-token``; it is never part of an error message.
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .._spec import id_instance_range, operations
from ._extras import missing_extra

if TYPE_CHECKING:  # the mock extra may be missing: imported where used, after _require_extra()
    from greenstat_client.models import StatusStatistic
    from greenstat_ext.mock import FaultSettings, MockSettings

__all__ = ["register"]

_FAULT_KIND_HELP = "429, 499, 500, 502, drop or delay; repeat to enable several (default: all)"


def mock(
    host: Annotated[
        str,
        typer.Option(
            metavar="ADDRESS", help="A loopback address to serve on: 127.0.0.0/8, ::1 or localhost."
        ),
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(min=0, max=65535, metavar="NUMBER", help="TCP port; 0 picks a free one.")
    ] = 8080,
    id_instance: Annotated[
        int | None,
        typer.Option(
            min=1, max=id_instance_range()[1], help="The idInstance it accepts (default: the demo instance)."
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
        float | None,
        typer.Option(
            "--rate-limit",
            min=0.0,
            metavar="RPS",
            help="One rate (requests/s per instance) for every operation; 0 = off. "
            "Default: each operation at its rate in the spec (x-rate-limit).",
        ),
    ] = None,
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
    """Serve the reference mock of Green API's Statuses methods on loopback (Ctrl-C stops it)."""
    _require_extra()
    fault_settings = _fault_settings(faults, fault_kind, fault_seed, retry_after, fault_delay)
    loaded = _load(data)
    settings = _settings(
        id_instance=id_instance,
        token=token,
        seed=seed,
        rate_limit=rate_limit,
        faults=fault_settings,
        quota_exceeded=quota_exceeded,
        beta_access=not no_beta_access,
        data=loaded,
    )
    sock = _listen(host, port)
    url_host = f"[{host}]" if ":" in host else host
    base_url = f"http://{url_host}:{sock.getsockname()[1]}"
    typer.echo(_banner(settings, base_url, show_token=show_token, data=data, loaded=loaded))
    _serve(settings, sock, access_log=access_log)


def _require_extra() -> None:
    """Fail with an install hint, before any work, when the ``mock`` extra is missing."""
    try:
        import greenstat_ext.mock  # noqa: F401
    except ModuleNotFoundError as exc:  # starlette/uvicorn come with greenstat[mock]
        raise missing_extra("mock", "mock", exc) from None


def _fault_settings(
    rate: float, kinds: list[str] | None, seed: int, retry_after: int, delay: float
) -> FaultSettings:
    from greenstat_ext.mock import FaultSettings

    try:
        return FaultSettings(
            rate=rate,
            seed=seed,
            kinds=tuple(kinds) if kinds else FaultSettings().kinds,
            retry_after=retry_after,
            delay=delay,
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="'--faults' / '--fault-kind'") from None


def _load(data: Path | None) -> dict[str, list[StatusStatistic]] | None:
    from greenstat_ext.mock import DataFileError, load_data

    if data is None:
        return None
    try:
        return load_data(data)
    except DataFileError as exc:
        raise typer.BadParameter(str(exc), param_hint="'--data'") from None


def _settings(*, id_instance: int | None, token: str | None, seed: int, rate_limit: float | None,
              faults: FaultSettings, quota_exceeded: bool, beta_access: bool,
              data: dict[str, list[StatusStatistic]] | None) -> MockSettings:  # fmt: skip
    from greenstat_ext.mock import DEMO_ID_INSTANCE, DEMO_TOKEN, MockSettings

    try:
        return MockSettings(
            id_instance=id_instance if id_instance is not None else DEMO_ID_INSTANCE,
            token=token if token is not None else DEMO_TOKEN,
            seed=seed,
            rate_limit=rate_limit,
            faults=faults,
            quota_exceeded=quota_exceeded,
            beta_access=beta_access,
            data=data,
        )
    except ValueError as exc:  # never the token itself: MockSettings does not echo it
        raise typer.BadParameter(str(exc)) from None


def _listen(host: str, port: int) -> socket.socket:
    from greenstat_ext.mock._server import bind_loopback

    try:
        return bind_loopback(host, port)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="'--host'") from None
    except OSError as exc:
        typer.echo(f"Error: cannot listen on {host}:{port}: {exc.strerror or exc}", err=True)
        raise typer.Exit(1) from None


def _rate_text(rate: float | None) -> str:
    if rate is None:
        return ", ".join(f"{op.operation_id} {op.rate_limit.rate:g}/s" for op in operations().values())
    return "off" if rate == 0 else f"{rate:g} request(s)/s for every operation"


def _banner(settings: MockSettings, base_url: str, *, show_token: bool, data: Path | None,
            loaded: dict[str, list[StatusStatistic]] | None) -> str:  # fmt: skip
    from greenstat_ext.mock import DEMO_MESSAGES, mask_token

    shown = settings.token if show_token else mask_token(settings.token)
    rate, faults = settings.rate_limit, settings.faults.rate
    lines = [
        f"greenstat mock serving on {base_url}",
        f"  idInstance       {settings.id_instance}",
        f"  apiTokenInstance {shown}" + ("" if show_token else "  (--show-token to print it)"),
        f"  rate limit       {_rate_text(rate)}"
        f"; faults {'off' if faults == 0 else f'{faults:g}'}; seed {settings.seed}",
        "  well-known idMessage values:",
        *(f"    {mid:<34} {spec.description}" for mid, spec in DEMO_MESSAGES.items()),
    ]
    if loaded:
        lines.append(f"  from {data}: {len(loaded)} idMessage value(s)")
    # With --show-token the hint is a command to paste; otherwise the token stays off the screen.
    example = next(iter(DEMO_MESSAGES))
    shown_in_url = settings.token if show_token else "<token: --show-token prints it>"
    lines.append(
        f"  try: curl '{base_url}/waInstance{settings.id_instance}/getStatusStatistic/{shown_in_url}"
        f"?idMessage={example}'"
    )
    return "\n".join(lines)


def _serve(settings: MockSettings, sock: socket.socket, *, access_log: bool) -> None:
    from greenstat_ext.mock import create_app
    from greenstat_ext.mock._server import make_uvicorn_server

    server = make_uvicorn_server(
        create_app(settings),
        log_level="info",
        access_log=access_log,
        log_config=_log_config(),
        secrets=(settings.token,),
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
    app.command("mock", short_help="Serve the reference mock on loopback (Ctrl-C stops it).")(mock)
