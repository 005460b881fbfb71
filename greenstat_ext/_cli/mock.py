"""``greenstat mock``: serve the reference mock on loopback until SIGINT/SIGTERM.

Three parts: the options (this module's ``*Option`` aliases and the command's signature), their validation
(:mod:`._mock_setup`: every flag is checked before the server starts, so a typo is a one-line usage error,
exit code 2, never a traceback from inside uvicorn), the start-up banner (:mod:`._mock_banner`: the token
masked unless ``--show-token``, never in an error message), and the server's lifetime (here).
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .._spec import id_instance_range
from ._common import ENV_MOCK_TOKEN
from ._mock_banner import banner
from ._mock_setup import fault_settings, listen, load, require_extra, settings_of

if TYPE_CHECKING:  # the mock extra may be missing: imported where used, after require_extra()
    from greenstat_ext.mock import MockSettings

__all__ = ["register"]

_FAULT_KIND_HELP = "429, 499, 500, 502, drop or delay; repeat to enable several (default: all)"

HostOption = Annotated[
    str,
    typer.Option(
        "--host", metavar="ADDRESS", help="A loopback address to serve on: 127.0.0.0/8, ::1 or localhost."
    ),
]
PortOption = Annotated[
    int, typer.Option("--port", min=0, max=65535, metavar="PORT", help="TCP port; 0 picks a free one.")
]
IdInstanceOption = Annotated[
    int | None,
    typer.Option(
        "--id-instance",
        min=1,
        max=id_instance_range()[1],
        metavar="ID",
        help="The idInstance it accepts (default: the demo instance).",
    ),
]
TokenOption = Annotated[
    str | None,
    typer.Option(
        "--token",
        metavar="TOKEN",
        help="The apiTokenInstance it accepts (default: the demo token).",
        envvar=ENV_MOCK_TOKEN,
    ),
]
ShowTokenOption = Annotated[bool, typer.Option("--show-token", help="Print the token in full at start-up.")]
SeedOption = Annotated[int, typer.Option("--seed", metavar="N", help="Seed of the generated demo data.")]
FaultsOption = Annotated[
    float, typer.Option("--faults", min=0.0, max=1.0, metavar="RATE", help="Share of requests that fail.")
]
FaultKindOption = Annotated[
    list[str] | None, typer.Option("--fault-kind", metavar="KIND", help=_FAULT_KIND_HELP)
]
FaultSeedOption = Annotated[
    int, typer.Option("--fault-seed", metavar="N", help="Seed of the fault sequence.")
]
RetryAfterOption = Annotated[
    int, typer.Option("--retry-after", min=0, metavar="SECONDS", help="Retry-After of injected 429s.")
]
FaultDelayOption = Annotated[
    float,
    typer.Option("--fault-delay", min=0.0, max=60.0, metavar="SECONDS", help="Length of an injected delay."),
]
RateLimitOption = Annotated[
    float | None,
    typer.Option(
        "--rate-limit",
        min=0.0,
        metavar="RPS",
        help="One rate (requests/s per instance) for every operation; 0 = off. "
        "Default: each operation at its rate in the spec (x-rate-limit).",
    ),
]
DataOption = Annotated[
    Path | None, typer.Option("--data", metavar="FILE", help="JSON {idMessage: [recipients]} to serve.")
]
QuotaExceededOption = Annotated[bool, typer.Option("--quota-exceeded", help="Answer 466 to every request.")]
NoBetaAccessOption = Annotated[
    bool, typer.Option("--no-beta-access", help="Answer 403 (no access to beta Statuses methods).")
]
AccessLogOption = Annotated[bool, typer.Option(help="Log every request (token masked).")]


def mock(
    host: HostOption = "127.0.0.1",
    port: PortOption = 8080,
    id_instance: IdInstanceOption = None,
    token: TokenOption = None,
    show_token: ShowTokenOption = False,
    seed: SeedOption = 0,
    faults: FaultsOption = 0.0,
    fault_kind: FaultKindOption = None,
    fault_seed: FaultSeedOption = 0,
    retry_after: RetryAfterOption = 1,
    fault_delay: FaultDelayOption = 0.5,
    rate_limit: RateLimitOption = None,
    data: DataOption = None,
    quota_exceeded: QuotaExceededOption = False,
    no_beta_access: NoBetaAccessOption = False,
    access_log: AccessLogOption = True,
) -> None:
    """Serve the reference mock of Green API's Statuses methods on loopback (Ctrl-C stops it)."""
    require_extra()
    chosen_faults = fault_settings(faults, fault_kind, fault_seed, retry_after, fault_delay)
    loaded = load(data)
    settings = settings_of(
        id_instance=id_instance,
        token=token,
        seed=seed,
        rate_limit=rate_limit,
        faults=chosen_faults,
        quota_exceeded=quota_exceeded,
        beta_access=not no_beta_access,
        data=loaded,
    )
    sock = listen(host, port)
    url_host = f"[{host}]" if ":" in host else host
    base_url = f"http://{url_host}:{sock.getsockname()[1]}"
    typer.echo(banner(settings, base_url, show_token=show_token, data=data, loaded=loaded))
    _serve(settings, sock, access_log=access_log)


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
