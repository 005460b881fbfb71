"""``greenstat contract-test``: the kit as a command; ``cli.py`` registers :func:`contract_test`.

Why the checks happen here and in the runner: the runner validates for every caller (Python API included);
this module only maps outcomes to exit codes (0 PASSED, 1 FAILED, 2 bad usage, 3 INCONCLUSIVE, 130 Ctrl-C)
and makes sure bad usage ends in one line on stderr, never a traceback and never the token.

Progress (:mod:`._progress`): on a terminal, a rich progress bar on stderr, so a paced run against Green API
is not minutes of silence; when stdout or stderr is not a terminal (a CI log, a pipe), one line to stderr
each time an operation's share or one of its phases starts or finishes, with its counts. In a log the report
is wrapped at :data:`_LOG_WIDTH` columns (readable in a CI viewer; the JUnit XML keeps every message whole).

Ctrl-C: the runner stops sending, deletes what the run posted and hands back what it judged; the command
prints that report (marked interrupted) and exits 130, like every other greenstat command.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Annotated, Final

import typer
from rich.console import Console

from greenstat_ext import _spec as spec
from greenstat_ext._redact import redact

from ._checks import ALL_CHECKS, resolve_checks
from ._errors import ContractInterrupted, ContractUsageError
from ._junit import write_junit
from ._progress import progress_reporter
from ._report import render_report
from ._runner import (
    DEFAULT_MAX_429_SHARE,
    DEFAULT_MAX_EXAMPLES,
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MIN_OK,
    DEFAULT_POLL_INTERVAL,
    DEFAULT_POLLS,
    DEFAULT_REQUEST_TIMEOUT,
    DEFAULT_RUN_TIMEOUT,
    DEFAULT_WRITE_WAIT,
    run_contract_test,
)

__all__ = ["contract_test"]

_CHECKS_HELP = "Checks to run, repeatable or comma-separated: all (default), " + ", ".join(ALL_CHECKS) + "."


def _as_flags(message: str) -> str:
    """``max_examples must be ...`` (the runner names its arguments) -> ``--max-examples must be ...``."""
    name, space, rest = message.partition(" ")
    if name in inspect.signature(run_contract_test).parameters:
        return f"--{name.replace('_', '-')}{space}{rest}"
    return message


# Width of the report when stdout is not a terminal (a CI log): whatever COLUMNS says (80 in many CI
# runners), lines wrap at 110 characters, wide enough for the tables and a request line, narrow enough to
# read in a log viewer.
_LOG_WIDTH: Final = 110
# The exit code of a run interrupted with Ctrl-C (128 + SIGINT), as every greenstat command.
EXIT_INTERRUPTED: Final = 130


def _output_console() -> Console:
    console = Console(highlight=False)
    if console.is_terminal:
        return console
    return Console(highlight=False, width=_LOG_WIDTH)


def _left_behind(allow_writes: bool) -> str:
    """What an interrupted run may leave on the server: a status it posted and had no time to delete."""
    return "; a status it posted may remain (`greenstat report` lists it)" if allow_writes else ""


def _fail_usage(message: str) -> typer.Exit:
    # One line (rich would wrap it), redacted: a path or URL the user typed may hold the token, which the
    # CLI's entry point registered with _redact.
    typer.echo(redact(f"greenstat contract-test: error: {message}"), err=True)
    return typer.Exit(code=2)


def contract_test(
    url: Annotated[
        str | None,
        typer.Option(
            "--url",
            envvar="GREEN_API_URL",
            help="Base URL of the implementation under test.",
            show_default=False,
        ),
    ] = None,
    id_instance: Annotated[
        str | None,
        typer.Option(
            "--id-instance",
            envvar="GREEN_API_ID_INSTANCE",
            help="A valid idInstance of that implementation.",
            show_default=False,
        ),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            envvar="GREEN_API_TOKEN",
            help="Its apiTokenInstance (never printed).",
            show_default=False,
        ),
    ] = None,
    id_message: Annotated[
        str | None,
        typer.Option(
            "--id-message",
            help="An idMessage the implementation knows, so non-empty answers of the operations taking "
            "one are checked (the others are probed with the spec's examples, defaults and bounds).",
            show_default=False,
        ),
    ] = None,
    max_examples: Annotated[
        int,
        typer.Option(
            "--max-examples",
            help="Upper bound of generated requests per phase (5 phases per operation), 1 to 10000.",
        ),
    ] = DEFAULT_MAX_EXAMPLES,
    junit: Annotated[
        Path | None,
        typer.Option(
            "--junit",
            help="Also write the results as JUnit XML to this file.",
            show_default=False,
            dir_okay=False,
        ),
    ] = None,
    checks: Annotated[
        list[str] | None,
        typer.Option("--checks", help=_CHECKS_HELP, show_default=False),
    ] = None,
    skip_checks: Annotated[
        list[str] | None,
        typer.Option(
            "--skip-checks",
            metavar="CHECKS",
            help="Checks to leave out of --checks, repeatable or comma-separated (e.g. "
            "rate_limit_enforced,retry_after_conformance against an implementation without rate limits).",
            show_default=False,
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(
            "--seed",
            help="Seed of the generated requests (random by default; the report shows it).",
            show_default=False,
        ),
    ] = None,
    rate_limit: Annotated[
        float,
        typer.Option(
            "--rate-limit",
            min=0,
            max=1000,
            help="Send at most this many requests per second (0: no pacing). Against Green API itself use "
            f"its documented limit (each operation's x-rate-limit in the spec): {spec.slowest_rate():g}.",
        ),
    ] = 0.0,
    request_timeout: Annotated[
        float,
        typer.Option(
            "--request-timeout",
            help="Seconds each answer may take in all (connect, head and body); a slower one is a failure.",
        ),
    ] = DEFAULT_REQUEST_TIMEOUT,
    max_response_bytes: Annotated[
        int,
        typer.Option(
            "--max-response-bytes",
            help="Largest answer accepted, on the wire and decompressed; a larger one is a failure.",
        ),
    ] = DEFAULT_MAX_RESPONSE_BYTES,
    run_timeout: Annotated[
        float,
        typer.Option(
            "--run-timeout",
            help="Seconds the whole run may take; what is left unsent then is reported as a failure.",
        ),
    ] = DEFAULT_RUN_TIMEOUT,
    allow_writes: Annotated[
        bool,
        typer.Option(
            "--allow-writes",
            help="Also check the write operations (the spec's x-creates/x-deletes: post or delete statuses). "
            "WARNING: they post REAL statuses (and delete them) on the instance under test, visible to its "
            "contacts. A write whose creation no operation of the spec deletes is never sent, and the report "
            "names it. Off by default.",
        ),
    ] = False,
    min_ok: Annotated[
        int,
        typer.Option(
            "--min-ok",
            min=1,
            help="INCONCLUSIVE when an operation got fewer answers of 200 than this.",
        ),
    ] = DEFAULT_MIN_OK,
    max_429_share: Annotated[
        float,
        typer.Option(
            "--max-429-share",
            min=0,
            max=1,
            help="INCONCLUSIVE when a larger share of the answers were 429s the kit did not ask for.",
        ),
    ] = DEFAULT_MAX_429_SHARE,
    polls: Annotated[
        int | None,
        typer.Option(
            "--polls",
            min=2,
            help="Read the known status until this many answers (by default: at the start and after each "
            "operation); the extra reads come at the end, --poll-interval apart.",
            show_default=False,
        ),
    ] = DEFAULT_POLLS,
    poll_interval: Annotated[
        float,
        typer.Option(
            "--poll-interval",
            help="Seconds between the last polls of the known status (and between the reads that wait for "
            "a posted status, with --allow-writes).",
        ),
    ] = DEFAULT_POLL_INTERVAL,
    write_wait: Annotated[
        float,
        typer.Option(
            "--write-wait",
            help="With --allow-writes: seconds a posted status may take to show in the journal and its "
            "statistics, and a deleted one to leave them.",
        ),
    ] = DEFAULT_WRITE_WAIT,
) -> None:
    """Check that an implementation of the Statuses methods honours openapi.yaml, every operation of it.

    Sends schemathesis-generated requests (valid credentials pinned, plus wrong tokens, wrong instances and
    invalid data) and explicit probes built from each operation's parameters, then prints what broke, and
    in which operation; polls a known status over the run (states and timestamps never go back, recipients
    never vanish) and bursts each operation past its rate limit. Exit codes: 0 PASSED, 1 FAILED (a rule was
    broken), 2 bad usage (missing credentials, unreachable URL, bad flag), 3 INCONCLUSIVE (too little
    evidence: rejected credentials, mostly 429s; the report says why and what to change), 130 interrupted
    with Ctrl-C (the report of what was judged until then is printed).
    """
    missing = [
        f"{flag} (or {env})"
        for value, flag, env in (
            (url, "--url", "GREEN_API_URL"),
            (id_instance, "--id-instance", "GREEN_API_ID_INSTANCE"),
            (token, "--token", "GREEN_API_TOKEN"),
        )
        if not value
    ]
    if missing:
        raise _fail_usage("missing " + ", ".join(missing))
    assert url is not None
    assert id_instance is not None
    assert token is not None
    if not id_instance.strip().isdigit():
        raise _fail_usage("--id-instance must be an integer")
    if junit is not None and not junit.parent.is_dir():
        raise _fail_usage(f"--junit: directory {str(junit.parent)!r} does not exist")
    if skip_checks:  # the demo's way to say "all but two", instead of naming the other seventeen
        try:
            selected = resolve_checks(checks)
        except ContractUsageError as exc:
            raise _fail_usage(f"--checks: {exc}") from None
        try:
            skipped = set(resolve_checks(skip_checks))
        except ContractUsageError as exc:
            raise _fail_usage(f"--skip-checks: {exc}") from None
        checks = [name for name in selected if name not in skipped]
        if not checks:
            raise _fail_usage("--skip-checks leaves no check to run")
    console = _output_console()
    try:
        with progress_reporter(console) as progress:
            report = run_contract_test(
                url,
                int(id_instance),
                token,
                id_message=id_message,
                max_examples=max_examples,
                checks=checks,
                seed=seed,
                rate_limit=rate_limit,
                request_timeout=request_timeout,
                max_response_bytes=max_response_bytes,
                run_timeout=run_timeout,
                allow_writes=allow_writes,
                min_ok=min_ok,
                max_429_share=max_429_share,
                polls=polls,
                poll_interval=poll_interval,
                write_wait=write_wait,
                progress=progress,
            )
    except ContractUsageError as exc:
        raise _fail_usage(_as_flags(str(exc))) from None
    except ContractInterrupted as exc:
        render_report(exc.report, console)  # what was judged so far: its verdict line says it was cut short
        if junit is not None:  # a cancelled CI job still gets what was judged (marked INCONCLUSIVE)
            write_junit(exc.report, junit)
        typer.echo(f"greenstat contract-test: interrupted{_left_behind(allow_writes)}", err=True)
        raise typer.Exit(code=EXIT_INTERRUPTED) from None
    except KeyboardInterrupt:  # before the run began (checking the URL): nothing judged yet
        typer.echo(
            f"greenstat contract-test: interrupted before the end; no verdict{_left_behind(allow_writes)}",
            err=True,
        )
        raise typer.Exit(code=EXIT_INTERRUPTED) from None
    render_report(report, console)
    if junit is not None:
        write_junit(report, junit)
        console.print(f"JUnit XML written to {junit}", markup=False)
    raise typer.Exit(code=report.verdict.exit_code)
