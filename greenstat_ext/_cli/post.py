"""``greenstat post text|media|voice``: post a status, print its ``idMessage``; ``--watch`` follows it.

Why a group of three commands: the three send methods take different arguments (a text and its look; a
file's URL and name), and one command with every flag would accept combinations the API refuses.

What the commands share with ``stats``: credentials, the client's lifetime and the error mapping
(:func:`._common.api_session`), and ``--watch`` with its options (:func:`.stats.watch`): one implementation.
What is theirs: a send is **never retried** when the server may have acted (the client's rule,
``docs/retries.md``), and the CLI adds no retry of its own. When the answer was lost after the request went
out, the client raises ``OutcomeUnknownError`` and the command exits 4 (``EXIT_OUTCOME_UNKNOWN``) with a line
saying the status may exist and what to look at, so a script can tell "maybe posted" from "failed".

Limits in the help texts are read from the spec (``_spec``), never typed here; the client checks every
argument against the same spec before any request, and a refusal names the flag (exit 2).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from .._spec import operation
from . import stats as _stats
from ._common import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    ApiUrlOption,
    IdInstanceOption,
    TokenOption,
    WriteMaxRetriesOption,
    api_session,
    check_arguments,
    printable,
)
from .stats import (
    DEFAULT_INTERVAL,
    DEFAULT_TIMEOUT,
    REQUEST_TIMEOUT,
    IntervalOption,
    Target,
    UntilOption,
    WatchOption,
    timeout_option,
)

if TYPE_CHECKING:  # imported where used: `greenstat --help` needs neither the client nor the models
    from collections.abc import Callable

    from greenstat_client.models import SendStatusResult, StatusFont

    from .._client import GreenStat

__all__ = ["register"]

_TEXT = operation("sendTextStatus")
_MEDIA = operation("sendMediaStatus")
_VOICE = operation("sendVoiceStatus")
_FONTS = _TEXT.parameter("font").enum or ()
_PARTICIPANTS = _TEXT.parameter("participants")


def _font(value: str) -> str:
    """``--font``: one of the spec's fonts, as Click's ``Choice`` says it (typer's public ``parser`` hook:
    typer 0.29 removed the ``click_type`` it took before, and its choice type was never public)."""
    if value not in _FONTS:
        raise typer.BadParameter(f"{value!r} is not one of {', '.join(map(repr, _FONTS))}.")
    return value


def _status_font(value: str | None) -> StatusFont | None:
    """The checked ``--font`` as the client's enum (imported when a post runs: ``--help`` needs no models)."""
    from greenstat_client.models import StatusFont

    return None if value is None else StatusFont(value)


_EPILOG = (
    'Prints the new status\'s idMessage (with --json: {"id_message": ...}). '
    "Exit codes: 0 posted (--watch: and every recipient reached the target status); "
    "1 the API answered with an error, or --watch timed out (the status was posted); "
    "2 bad usage (missing or malformed credentials, a flag or argument the spec refuses) or the API could "
    "not be reached before anything was sent; "
    "4 OUTCOME UNKNOWN: the request was sent and its answer lost (a timeout, a dropped connection, "
    "a 499 or a 5xx) or unreadable, so the status may have been posted: check `greenstat report` before "
    "posting again; "
    "130 interrupted with Ctrl-C. A post is never retried once it may have been done."
)

ParticipantOption = Annotated[
    list[str] | None,
    typer.Option(
        "--participant",
        "-p",
        metavar="CHAT_ID",
        help="A recipient, like 79001234567@c.us (the spec's pattern: "
        f"{_PARTICIPANTS.items.pattern if _PARTICIPANTS.items else 'see openapi.yaml'}); repeat it for more, "
        f"at most {_PARTICIPANTS.max_items}. Without it: every contact.",
        show_default=False,
    ),
]
BackgroundColorOption = Annotated[
    str | None,
    typer.Option(
        "--background-color",
        metavar="#RRGGBB",
        help=f"The background colour (the spec's pattern: {_TEXT.parameter('backgroundColor').pattern}); "
        "the API's default when unset.",
        show_default=False,
    ),
]
FileNameOption = Annotated[
    str,
    typer.Option(
        "--file-name",
        metavar="NAME",
        help="The file's name with its extension (required by the API; see openapi.yaml for the rules).",
        show_default=False,
    ),
]
JsonPostOption = Annotated[
    bool,
    typer.Option(
        "--json",
        help='Print JSON: {"id_message": ...}; with --watch, the last statistics as `stats --json` does.',
    ),
]
PostTimeoutOption = Annotated[
    float,
    timeout_option(
        f"Give up after this many seconds: the post request (at most {REQUEST_TIMEOUT:g} s; once sent, a "
        "timeout is an unknown outcome, exit 4), and then the whole --watch (exit 1)."
    ),
]


def _post(
    context: typer.Context,
    command: str,
    send: Callable[[GreenStat], SendStatusResult],
    *,
    texts: list[tuple[str, str | None]],
    credentials: tuple[str | None, str | None, str | None],
    max_retries: int | None,
    as_json: bool,
    follow: bool,
    until: Target,
    interval: float,
    timeout: float,
) -> None:
    """Post with ``send``, print the id, and follow it with ``--watch``: the part the three commands share."""
    import json

    from ._echoed import output_masker

    console = Console(highlight=False, markup=False)
    check_arguments(command, texts, [("--interval", interval), ("--timeout", timeout)])
    _stats.check_watch_options(context, command, follow=follow, timeout=timeout)
    id_instance, token, api_url = credentials
    session = api_session(
        command,
        id_instance=id_instance,
        token=token,
        api_url=api_url,
        max_retries=max_retries,
        rate_limit=_stats._rate_limit,
        write=True,
    )
    with session as client:
        deadline = _stats._clock() + timeout
        # One request, never repeated here: the client retries a send only when it cannot have been done.
        posted = send(client.with_options(timeout=_stats.request_timeout(deadline)))
        id_message = posted.id_message
        masked = output_masker()(id_message)  # a server may echo the token as the id: printed masked
        shown = printable(masked)
        if not follow:
            typer.echo(json.dumps({"id_message": masked}) if as_json else shown)
            return
        if not as_json:
            typer.echo(shown)
        # stderr: the id survives a --watch that is interrupted or fails, even when stdout is one JSON doc
        typer.echo(
            f"greenstat {command}: posted {shown}; following its statistics "
            "(Ctrl-C stops following; the status stays)",
            err=True,
        )
        try:
            code = _stats.watch(client, id_message, target=until, interval=interval, timeout=timeout,
                                console=console, as_json=as_json, command=command)  # fmt: skip
        except KeyboardInterrupt:  # the post is done: only the following stops (not "may have been done")
            typer.echo(f"greenstat {command}: interrupted; {shown} is posted and stays", err=True)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        if code != EXIT_OK:
            raise typer.Exit(code)


def text(
    context: typer.Context,
    message: Annotated[
        str,
        typer.Argument(
            metavar="MESSAGE",
            help=f"The status's text, {_TEXT.parameter('message').min_length or 0} to "
            f"{_TEXT.parameter('message').max_length} characters.",
            show_default=False,
        ),
    ],
    background_color: BackgroundColorOption = None,
    font: Annotated[
        str | None,
        typer.Option(
            "--font",
            parser=_font,
            metavar="FONT",
            help=f"One of {', '.join(_FONTS)} (the spec's StatusFont); the API's default if unset.",
            show_default=False,
        ),
    ] = None,
    participant: ParticipantOption = None,
    id_instance: IdInstanceOption = None,
    token: TokenOption = None,
    api_url: ApiUrlOption = None,
    as_json: JsonPostOption = False,
    follow: WatchOption = False,
    interval: IntervalOption = DEFAULT_INTERVAL,
    until: UntilOption = Target.READ,
    timeout: PostTimeoutOption = DEFAULT_TIMEOUT,
    max_retries: WriteMaxRetriesOption = None,
) -> None:
    """Post a text status and print its idMessage (sendTextStatus).

    Credentials come from the flags or from GREEN_API_ID_INSTANCE, GREEN_API_TOKEN and GREEN_API_URL.
    """
    participants = participant or None
    _post(
        context,
        "post text",
        lambda client: client.send_text_status(
            message, background_color=background_color, font=_status_font(font), participants=participants
        ),
        texts=[
            ("MESSAGE", message),
            ("--background-color", background_color),
            *(("--participant", value) for value in participant or ()),
        ],
        credentials=(id_instance, token, api_url),
        max_retries=max_retries,
        as_json=as_json,
        follow=follow,
        until=until,
        interval=interval,
        timeout=timeout,
    )


def media(
    context: typer.Context,
    url: Annotated[
        str,
        typer.Argument(
            metavar="URL",
            help="A direct link to the image or video (http or https, at most "
            f"{_MEDIA.parameter('urlFile').max_length} characters); a download page is answered 200 but "
            "never posted.",
            show_default=False,
        ),
    ],
    file_name: FileNameOption,
    caption: Annotated[
        str | None,
        typer.Option(
            "--caption",
            metavar="TEXT",
            help=f"A caption, at most {_MEDIA.parameter('caption').max_length} characters.",
            show_default=False,
        ),
    ] = None,
    participant: ParticipantOption = None,
    id_instance: IdInstanceOption = None,
    token: TokenOption = None,
    api_url: ApiUrlOption = None,
    as_json: JsonPostOption = False,
    follow: WatchOption = False,
    interval: IntervalOption = DEFAULT_INTERVAL,
    until: UntilOption = Target.READ,
    timeout: PostTimeoutOption = DEFAULT_TIMEOUT,
    max_retries: WriteMaxRetriesOption = None,
) -> None:
    """Post an image or video status from a URL and print its idMessage (sendMediaStatus).

    Credentials come from the flags or from GREEN_API_ID_INSTANCE, GREEN_API_TOKEN and GREEN_API_URL.
    """
    participants = participant or None
    _post(
        context,
        "post media",
        lambda client: client.send_media_status(url, file_name, caption=caption, participants=participants),
        texts=[
            ("URL", url),
            ("--file-name", file_name),
            ("--caption", caption),
            *(("--participant", value) for value in participant or ()),
        ],
        credentials=(id_instance, token, api_url),
        max_retries=max_retries,
        as_json=as_json,
        follow=follow,
        until=until,
        interval=interval,
        timeout=timeout,
    )


def voice(
    context: typer.Context,
    url: Annotated[
        str,
        typer.Argument(
            metavar="URL",
            help="A direct link to the audio file (http or https, at most "
            f"{_VOICE.parameter('urlFile').max_length} characters; MP3 recommended).",
            show_default=False,
        ),
    ],
    file_name: FileNameOption,
    background_color: BackgroundColorOption = None,
    participant: ParticipantOption = None,
    id_instance: IdInstanceOption = None,
    token: TokenOption = None,
    api_url: ApiUrlOption = None,
    as_json: JsonPostOption = False,
    follow: WatchOption = False,
    interval: IntervalOption = DEFAULT_INTERVAL,
    until: UntilOption = Target.READ,
    timeout: PostTimeoutOption = DEFAULT_TIMEOUT,
    max_retries: WriteMaxRetriesOption = None,
) -> None:
    """Post a voice status from an audio URL and print its idMessage (sendVoiceStatus).

    The file name must end in .mp3 or .wav (the spec's pattern). Credentials come from the flags or from
    GREEN_API_ID_INSTANCE, GREEN_API_TOKEN and GREEN_API_URL.
    """
    participants = participant or None
    _post(
        context,
        "post voice",
        lambda client: client.send_voice_status(
            url, file_name, background_color=background_color, participants=participants
        ),
        texts=[
            ("URL", url),
            ("--file-name", file_name),
            ("--background-color", background_color),
            *(("--participant", value) for value in participant or ()),
        ],
        credentials=(id_instance, token, api_url),
        max_retries=max_retries,
        as_json=as_json,
        follow=follow,
        until=until,
        interval=interval,
        timeout=timeout,
    )


def register(app: typer.Typer) -> None:
    """Add the ``post`` group (``text``, ``media``, ``voice``) to the ``greenstat`` app."""
    group = typer.Typer(
        name="post",
        help="Post a status (text, image/video or voice) and print its idMessage; --watch follows it.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_show_locals=False,
        rich_markup_mode=None,
        context_settings={"max_content_width": 100},
    )
    group.command("text", epilog=_EPILOG, short_help="Post a text status.")(text)
    group.command("media", epilog=_EPILOG, short_help="Post an image or video status from a URL.")(media)
    group.command("voice", epilog=_EPILOG, short_help="Post a voice status from an audio URL.")(voice)
    app.add_typer(group, name="post", short_help="Post a status and print its idMessage.")
