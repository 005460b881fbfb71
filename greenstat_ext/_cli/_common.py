"""What every API command of the CLI shares: credential options, argument checks, the client's lifetime, and
the mapping of greenstat's typed errors to one stderr line and an exit code.

Why one module: ``stats``, ``report``, ``post`` and ``delete`` must agree on exit codes (0 ok, 1 API error,
2 bad usage or no connection, 4 a write whose outcome is unknown, 130 Ctrl-C), on which flag a configuration
or validation error names, and on never showing the token. Messages are built from greenstat's
already-redacted exceptions and name flags, never values. Anything else that escapes (a bug) still ends as one
redacted line, exit 1, with a request to report it.
"""

from __future__ import annotations

import io
import math
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import IO, TYPE_CHECKING, Annotated, Any, Final, NoReturn

import typer

if TYPE_CHECKING:  # imported where used: `greenstat --help` needs neither the client nor httpx
    from .._client import GreenStat
    from .._credentials import Credentials
    from .._errors import GreenStatError, OutcomeUnknownError

from .._environment import ENV_API_URL, ENV_ID_INSTANCE, ENV_TOKEN
from .._loopback import MOCK_HINT, is_loopback_url
from .._redact import Redactor, redact

__all__ = [
    "ENV_MOCK_TOKEN",
    "EXIT_API_ERROR",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_OUTCOME_UNKNOWN",
    "EXIT_USAGE",
    "ApiUrlOption",
    "IdInstanceOption",
    "JsonOption",
    "MaxRetriesOption",
    "RedactedClickError",
    "TokenOption",
    "WriteMaxRetriesOption",
    "api_session",
    "check_arguments",
    "echo_error",
    "fail",
    "given_tokens",
    "printable",
    "redacted",
    "tokens_given",
]

EXIT_OK = 0
EXIT_API_ERROR = 1  # also: --watch timed out
EXIT_USAGE = 2
#: A post or delete was sent and its answer lost (``OutcomeUnknownError``): it may have been done. Its own
#: code, so that a script never re-runs a post on a plain "1" (which it might, for a 429 or a 5xx read).
EXIT_OUTCOME_UNKNOWN = 4
EXIT_INTERRUPTED = 130

#: ``greenstat mock --token``'s variable: a token too, masked in errors like ``GREEN_API_TOKEN``.
ENV_MOCK_TOKEN = "GREENSTAT_MOCK_TOKEN"  # noqa: S105 - the variable's name, not a secret
#: Every option and variable through which a command of this CLI takes a token.
_TOKEN_FLAG = "--token"  # noqa: S105 - the option's name, not a secret
_TOKEN_VARIABLES = (ENV_TOKEN, ENV_MOCK_TOKEN)
#: The raw ``--token`` values of the running invocation (``tokens_given``); the variables are read when a
#: line is printed, so a command run without the app's entry point (a test's direct call) is covered too.
_GIVEN: ContextVar[tuple[str, ...]] = ContextVar("greenstat_cli_given_tokens", default=())

IdInstanceOption = Annotated[
    str | None,
    typer.Option(
        "--id-instance", envvar=ENV_ID_INSTANCE, metavar="ID", help="Your idInstance.", show_default=False
    ),
]
TokenOption = Annotated[
    str | None,
    typer.Option(
        "--token",
        envvar=ENV_TOKEN,
        metavar="TOKEN",
        help="Your apiTokenInstance (never printed; prefer the environment variable).",
        show_default=False,
        show_envvar=True,
    ),
]
ApiUrlOption = Annotated[
    str | None,
    typer.Option(
        "--api-url",
        "--url",
        envvar=ENV_API_URL,
        metavar="URL",
        # No "[default: URL]" suffix: Click wraps a long one mid-word on a narrow terminal.
        help="The API's base URL; Green API's own when unset.",
        show_default=False,
    ),
]
MaxRetriesOption = Annotated[
    int | None,
    typer.Option(
        "--max-retries",
        min=0,
        max=20,
        metavar="N",
        help="Retries of 429/499/5xx answers and connection errors per request, 0 to 20 (default 3).",
        show_default=False,
    ),
]
#: ``post`` and ``delete``: the same option, saying what a write's retries are (``docs/retries.md``).
WriteMaxRetriesOption = Annotated[
    int | None,
    typer.Option(
        "--max-retries",
        min=0,
        max=20,
        metavar="N",
        help="Retries of a 429 or of a failure before the request was written, 0 to 20 (default 3); "
        "never of a request that may have been done.",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]

_FLAG_OF_FIELD = {
    "id_instance": f"--id-instance / {ENV_ID_INSTANCE}",
    "api_token": f"--token / {ENV_TOKEN}",
    "api_url": f"--api-url / {ENV_API_URL}",
    "id_message": "ID_MESSAGE",
    "max_retries": "--max-retries",
    "minutes": "--minutes",
    # post text / media / voice: the client's argument names (InvalidRequestError.field) -> the CLI's
    "message": "MESSAGE",
    "url_file": "URL",
    "file_name": "--file-name",
    "caption": "--caption",
    "background_color": "--background-color",
    "font": "--font",
    "participants": "--participant",
}
#: ``participants[3]``: the fourth ``--participant``.
_ITEM_FIELD = re.compile(r"(?P<field>\w+)\[(?P<index>\d+)\]")


def flag_of(field: str) -> str:
    """The flag or argument a client field stands for (``participants[2]`` -> ``--participant #3``)."""
    item = _ITEM_FIELD.fullmatch(field)
    if item is not None:
        flag = _FLAG_OF_FIELD.get(item["field"], item["field"])
        return f"{flag} #{int(item['index']) + 1}"
    return _FLAG_OF_FIELD.get(field, field)


#: The read ``greenstat report`` runs (``report.py``): where the CLI's advice after a write of the kind it
#: lists (its ``x-lists``) sends the user. Here, below both, so the report and this advice do not import
#: each other (tests/test_no_import_circles.py).
REPORT_LISTING: Final = "getOutgoingStatuses"


def _outcome_unknown(exc: OutcomeUnknownError) -> str:
    """Why the write may have been done, and what to look at before running it again.

    The kind it acted on and where to look come from the spec (``x-creates``/``x-deletes``, and the read
    whose ``x-lists`` names that kind, with its ``x-lists-note``): ``greenstat report`` when that read is the
    one the report runs, the read's operationId when the CLI has no command for it, and "by other means"
    when the spec lists no such kind.
    """
    from .._errors import write_effect  # the client's advice reads the same (``_errors.look_first``)

    effect = write_effect(exc.operation)
    deletes, kind, found = effect.removes, effect.kind, effect.lists
    done = "deleted" if deletes else "posted"
    if found is None:
        advice = "check by other means whether it was done before running it again"
        if kind is not None:
            advice += f" (no operation of the spec lists a {kind})"
    else:
        runs = found.operation_id == REPORT_LISTING
        where = "`greenstat report`" if runs else found.operation_id
        note = ""
        if found.lists_note:
            note = (
                f" (it runs {found.operation_id}, which {found.lists_note})"
                if runs
                else f" (which {found.lists_note})"
            )
        if deletes:
            advice = f"check with {where} whether it is still listed before deleting it again{note}"
        else:
            advice = f"do NOT re-run this post blindly: look for it first with {where}{note}"
    return (
        f"outcome unknown ({exc.operation}): the request was sent and its answer lost ({exc.cause}), so the "
        f"{kind or 'change'} may have been {done}; {advice}"
    )


def _hint(exc: GreenStatError) -> str | None:
    from .._errors import (
        AuthenticationError,
        BadRequestError,
        PermissionDeniedError,
        QuotaExceededError,
        RateLimitError,
    )

    hints = (
        (AuthenticationError, "the token is wrong; check --token / GREEN_API_TOKEN"),
        (
            PermissionDeniedError,
            "wrong idInstance, or the instance has no access to the beta Statuses methods",
        ),
        (QuotaExceededError, "the monthly quota of the free plan is spent"),
        (RateLimitError, "too many requests; wait and try again"),
        (BadRequestError, "bad request data, or the instance is starting or not authorised"),
    )
    return next((text for cls, text in hints if isinstance(exc, cls)), None)


def printable(text: str) -> str:
    """``text`` with control and other non-printable characters escaped (``\\n``, ``\\x1b``).

    Why: server and user strings reach a terminal; a newline would break the one-line error contract and an
    escape sequence could rewrite the screen.
    """
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else ascii(char)[1:-1] for char in text)


def given_tokens(args: Sequence[str], environ: Mapping[str, str]) -> tuple[str, ...]:
    """Every value given as a token in ``args`` (``--token X``, ``--token=X``) or ``environ``, raw.

    Raw, whatever its shape: a malformed token (too long, a stray space, a slash) is refused by the client
    without being kept, yet it is still the user's secret, and what the user mistyped is exactly what an
    error line would quote. Each is also listed as ``repr`` and :func:`printable` show it (Click quotes a
    bad value with ``repr``) and stripped of surrounding space. Blank values are no secret and are skipped.
    """
    raw = [environ.get(name, "") for name in _TOKEN_VARIABLES]
    for index, arg in enumerate(args):
        if arg == _TOKEN_FLAG and index + 1 < len(args):
            raw.append(args[index + 1])
        elif arg.startswith(f"{_TOKEN_FLAG}="):
            raw.append(arg.removeprefix(f"{_TOKEN_FLAG}="))
    shown: dict[str, None] = {}
    for token in raw:
        for form in (token, token.strip(), repr(token)[1:-1], printable(token)):
            if form.strip():
                shown[form] = None
    return tuple(shown)


@contextmanager
def tokens_given(args: Sequence[str]) -> Iterator[tuple[str, ...]]:
    """While a command runs: the tokens it was given are masked in every line :func:`redacted` makes.

    Also registers them with :mod:`.._redact` (a :class:`Redactor` does), so the process-wide masking --
    the log filters, the contract kit's messages -- hides a real-sized one too.
    """
    tokens = given_tokens(args, os.environ)
    Redactor(*tokens)
    reset = _GIVEN.set(tokens)
    try:
        yield tokens
    finally:
        _GIVEN.reset(reset)


def redacted(text: str) -> str:
    """``text`` as the CLI may print it: every token it was given masked, and every Green API URL path.

    The one filter of everything the CLI prints on error (:func:`fail`, :func:`echo_error`,
    :class:`RedactedClickError`): messages are built to name flags rather than values, and this makes the
    rule hold for the ones that quote a value anyway (a mistyped option, a bad URL), whichever the option.
    A token shorter than :mod:`.._redact`'s registry minimum is masked where it stands as a word.
    """
    current = given_tokens((), os.environ)
    return redact(text, secrets=dict.fromkeys((*_GIVEN.get(), *current)))


def echo_error(text: str) -> None:
    """Print ``text`` on stderr as one line, redacted (:func:`redacted`) and escaped (:func:`printable`)."""
    typer.echo(printable(redacted(text)), err=True)


def fail(command: str, message: str, code: int) -> NoReturn:
    """One line on stderr (typer.echo, not rich: no console width wraps it), then exit ``code``."""
    echo_error(f"greenstat {command}: error: {message}")
    raise typer.Exit(code)


class RedactedClickError(typer.TyperException):
    """A Click usage error (or any ``ClickException``) as Click would show it, with :func:`redacted` applied.

    Why: Click's own messages quote the bad value (``Invalid value for '--font': 'd75b…' is not one of``,
    ``No such command 'd75b…'``, ``Got unexpected extra argument``), and a user who puts the token in the
    wrong place gets it printed back. The app's group (``app.py``) turns every ``TyperException`` (the public
    base of typer's vendored Click exceptions: typer keeps ``typer._click`` private) into this one, and its
    ``main`` shows it; the output keeps Click's format (usage line, hint, ``Error: ...``) and exit code. The
    original is rendered once, at construction, and not kept: it holds the value.
    """

    def __init__(self, original: typer.TyperException) -> None:
        buffer = io.StringIO()
        show = getattr(original, "show", None)  # every Click exception has it; TyperException does not
        if callable(show):
            show(buffer)
        else:
            buffer.write(f"Error: {original.format_message()}\n")
        self.rendered = redacted(buffer.getvalue())
        super().__init__(redacted(original.format_message()))
        self.exit_code = original.exit_code

    def show(self, file: IO[Any] | None = None) -> None:
        typer.echo(self.rendered, file=file, err=file is None, nl=False)


def unexpected(exc: Exception, token: str | None, *more_tokens: str) -> str:
    """One line for an exception no branch expected: redacted, bounded, and asking for a bug report."""
    # The token is masked everywhere, however short: the client may never have been built (nor the token
    # registered), and a user reads this line to report it. ``more_tokens``: a command with several
    # instances (``monitor --instances``) masks them all, before the cut.
    detail = Redactor(token or "", *more_tokens).excerpt(" ".join(str(exc).split()), 200)
    return (
        f"unexpected {type(exc).__name__}" + (f": {detail}" if detail else "") + " - this is a bug in "
        "greenstat; please report it with the command you ran (without the token)"
    )


def check_arguments(
    command: str, values: Sequence[tuple[str, str | None]], numbers: Sequence[tuple[str, float]] = ()
) -> None:
    """Refuse, before any request, what no later layer handles well: text that cannot be sent as UTF-8 (an
    undecodable byte in argv becomes a lone surrogate) and non-finite numbers (``nan`` passes ``min=``)."""
    for flag, value in values:
        if value is None:
            continue
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            # Never echo the value: it may be the token.
            fail(command, f"{flag}: is not valid text (undecodable bytes or a lone surrogate)", EXIT_USAGE)
    for flag, number in numbers:
        if not math.isfinite(number):
            fail(command, f"{flag}: must be a finite number of seconds, got {number}", EXIT_USAGE)


def explain(
    exc: GreenStatError, api_url: str, bad_request_hint: str | None = None, *, write: bool = False
) -> tuple[str, int]:
    """A one-line message and the exit code for an error the client raised (all already redacted).

    ``bad_request_hint`` replaces the generic hint of a 400 where the command knows better (``delete``:
    the id is not a posted status). ``write``: the command posts or deletes, so an answer that breaks the
    spec is a 200 that could not be read -- done, most likely, without its id: exit 4 as well, never 1.
    """
    from .._errors import (
        APIConnectionError,
        APIStatusError,
        ConfigurationError,
        InvalidRequestError,
        OutcomeUnknownError,
        ResponseValidationError,
    )

    if isinstance(exc, ConfigurationError | InvalidRequestError):
        problem = str(exc).removeprefix(f"{exc.field}: ")
        return f"{flag_of(exc.field)}: {problem}", EXIT_USAGE
    if isinstance(exc, OutcomeUnknownError):  # before the others: it is no plain API or connection error
        return _outcome_unknown(exc), EXIT_OUTCOME_UNKNOWN
    if isinstance(exc, APIConnectionError):  # the URL a user gave may hold a token: masked, like any URL
        mock_hint = f" - {MOCK_HINT}" if is_loopback_url(api_url) else ""
        return f"cannot reach {redact(api_url)}: {exc.message}{mock_hint}", EXIT_USAGE
    if isinstance(exc, APIStatusError):
        hint = bad_request_hint if bad_request_hint and exc.status_code == 400 else _hint(exc)
        name = type(exc).__name__
        return f"{exc.message} [{name}]" + (f" - {hint}" if hint else ""), EXIT_API_ERROR
    if isinstance(exc, ResponseValidationError):
        if write:  # the client's message says it was answered 200, most likely done; do not repeat it
            return (
                f"outcome unknown: {exc.message} Check `greenstat report` before running it again.",
                EXIT_OUTCOME_UNKNOWN,
            )
        return f"the API's answer breaks the spec: {exc.message}", EXIT_API_ERROR
    return str(exc), EXIT_API_ERROR


def _credentials(
    command: str, id_instance: str | None, token: str | None, api_url: str | None
) -> Credentials:
    missing = [
        flag
        for flag, value in (
            (f"--id-instance or {ENV_ID_INSTANCE}", id_instance),
            (f"--token or {ENV_TOKEN}", token),
        )
        if not value
    ]
    if missing:
        fail(command, "missing credentials: set " + " and ".join(missing), EXIT_USAGE)
    from .._credentials import Credentials

    return Credentials.resolve(id_instance, token, api_url or None, environ={})


@contextmanager
def api_session(
    command: str,
    *,
    id_instance: str | None,
    token: str | None,
    api_url: str | None,
    max_retries: int | None,
    rate_limit: float | None,
    bad_request_hint: str | None = None,
    write: bool = False,
) -> Iterator[GreenStat]:
    """A client for the duration of a command, with every way out mapped to one line and an exit code.

    Why a context manager: the command's body only uses the client; credential checks, closing the client,
    Ctrl-C (exit 130, where Click would print "Aborted!" with 1), greenstat's typed errors and a last-resort
    handler for bugs live here once for every command.
    """
    from .._client import GreenStat
    from .._errors import GreenStatError

    check_arguments(
        command,
        [
            (f"--id-instance / {ENV_ID_INSTANCE}", id_instance),
            (f"--token / {ENV_TOKEN}", token),
            (f"--api-url / {ENV_API_URL}", api_url),
        ],
    )
    shown_url = api_url or "the API"
    try:
        try:
            credentials = _credentials(command, id_instance, token, api_url)
            shown_url = credentials.api_url
            with GreenStat(
                id_instance=credentials.id_instance,
                api_token=credentials.api_token,
                api_url=credentials.api_url,
                max_retries=max_retries,
                rate_limit=rate_limit,
            ) as client:
                yield client
        except GreenStatError as exc:
            message, code = explain(exc, shown_url, bad_request_hint, write=write)
            fail(command, message, code)
    except KeyboardInterrupt:
        # A write interrupted while its request was out may have been done, like a lost answer.
        after = " (a request already sent may have been done: check `greenstat report`)" if write else ""
        typer.echo(f"greenstat {command}: interrupted{after}", err=True)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except (typer.Exit, typer.Abort):  # our own exits (click's are RuntimeError subclasses)
        raise
    except Exception as exc:  # last resort: a bug must not print a library's traceback (or a token)
        fail(command, unexpected(exc, token), EXIT_API_ERROR)
