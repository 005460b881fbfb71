"""``greenstat contract-test``: the kit as a command; ``cli.py`` registers :func:`contract_test`.

Why the checks happen here and in the runner: the runner validates for every caller (Python API included);
this module only maps outcomes to exit codes (0 conforming, 1 contract failures, 2 bad usage) and makes sure
bad usage ends in one line on stderr, never a traceback and never the token.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from greenstat_ext import _spec as spec

from ._checks import ALL_CHECKS
from ._errors import ContractUsageError
from ._junit import write_junit
from ._report import render_report
from ._runner import (
    DEFAULT_MAX_EXAMPLES,
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_REQUEST_TIMEOUT,
    DEFAULT_RUN_TIMEOUT,
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


def _fail_usage(message: str) -> typer.Exit:
    typer.echo(f"greenstat contract-test: error: {message}", err=True)  # one line: rich would wrap it
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
) -> None:
    """Check that an implementation of the Statuses methods honours openapi.yaml, every operation of it.

    Sends schemathesis-generated requests (valid credentials pinned, plus wrong tokens, wrong instances and
    invalid data) and explicit probes built from each operation's parameters, then prints what broke, and
    in which operation. Exit codes: 0 conforming, 1 contract
    failures, 2 bad usage (missing credentials, unreachable URL, bad flag).
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
    try:
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
        )
    except ContractUsageError as exc:
        raise _fail_usage(_as_flags(str(exc))) from None
    render_report(report)
    if junit is not None:
        write_junit(report, junit)
        Console(highlight=False).print(f"JUnit XML written to {junit}", markup=False)
    raise typer.Exit(code=0 if report.ok else 1)
