"""The instance token is never printed by the CLI, wherever a user puts it: in ``--token``/``GREEN_API_TOKEN``
and then, by mistake, in another option, an argument or the API URL.

Why a table over every option: Click's usage errors quote the bad value (``'…' is not one of``, ``No such
command '…'``), and so did some of greenstat's own messages (``must be digits only (got '…')``, ``cannot
reach http://…/TOKEN``); a rule that holds for the options someone thought of is no rule. The table is
built from the app's own command tree, so a new option is covered the day it is added.

No test here reaches a server: the API URL is a loopback port bound and not listened on (refused at once),
and ``--max-retries 0`` keeps a refused request from being retried.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator, Sequence

import pytest
import typer
from typer.core import TyperCommand, TyperGroup
from typer.testing import CliRunner, Result

from greenstat_ext._cli._common import given_tokens, redacted, tokens_given
from greenstat_ext.cli import app

#: The mock's public demo token, as in the review that found the leaks.
TOKEN = "d75b3a66374942c5b3c019c698abc2067e151558acbd412345"
ID_INSTANCE = "1101000001"
EXIT_USAGE = 2

runner = CliRunner()


@pytest.fixture(scope="module")
def refused_url() -> Iterator[str]:
    """A loopback URL whose port is bound but not listening: every connection is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> None:
    # --html TOKEN / --junit TOKEN name relative files: none may land in the repository.
    monkeypatch.chdir(tmp_path)  # type: ignore[arg-type]


def _env(url: str, **extra: str | None) -> dict[str, str | None]:
    return {
        "GREEN_API_TOKEN": TOKEN,
        "GREEN_API_ID_INSTANCE": ID_INSTANCE,
        "GREEN_API_URL": url,
        "GREENSTAT_MOCK_TOKEN": None,
        **extra,
    }


def _assert_no_token(result: Result, secret: str = TOKEN) -> None:
    shown = result.stdout + result.stderr
    assert secret not in shown, shown
    assert secret[:12] not in shown, shown
    assert not isinstance(result.exception, AssertionError | TypeError | ValueError), result.exception


def _invoke(args: Sequence[str], env: dict[str, str | None]) -> Result:
    return runner.invoke(app, list(args), env=env, terminal_width=200)


# --- the reviewer's reproducers, one by one -------------------------------------------------------------


def test_a_full_method_url_as_api_url_is_refused_without_the_token(refused_url: str) -> None:
    url = f"{refused_url}/waInstance{ID_INSTANCE}/sendTextStatus/{TOKEN}"
    result = _invoke(["post", "text", "hi", "--api-url", url, "--max-retries", "0"], _env(refused_url))
    _assert_no_token(result)
    assert result.exit_code == EXIT_USAGE
    assert "--api-url / GREEN_API_URL: must be the API's base URL only" in result.stderr


def test_cannot_reach_masks_a_token_in_the_api_url_path(refused_url: str) -> None:
    result = _invoke(["post", "text", "hi", "--api-url", f"{refused_url}/{TOKEN}", "--max-retries", "0"],
                     _env(refused_url))  # fmt: skip
    _assert_no_token(result)
    assert result.exit_code == EXIT_USAGE
    assert f"cannot reach {refused_url}/***: ConnectError" in result.stderr


def test_a_full_method_url_is_refused_whoever_its_token_is(refused_url: str) -> None:
    """The token in the URL is not the one configured: the CLI cannot know it is one, and it is not shown."""
    url = f"{refused_url}/waInstance{ID_INSTANCE}/getStatusStatistic/{TOKEN}"
    result = _invoke(
        ["stats", "X", "--api-url", url, "--max-retries", "0"], _env(refused_url, GREEN_API_TOKEN="abc")
    )
    _assert_no_token(result)
    assert result.exit_code == EXIT_USAGE
    assert "must be the API's base URL only" in result.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["stats", "X", "--id-instance", TOKEN], "digits only (got 50 characters, 15 of them not digits)"),
        (["stats", "X", "--api-url", TOKEN], "http(s) URL with a host (got 50 characters with no scheme)"),
        (["stats", "X", "--api-url", f"http://127.0.0.1:{TOKEN}"], "is not a valid URL (Invalid port)"),
        (["stats", "X", "--id-instance", "9" * 40], "(got a number of 40 digits)"),
    ],
)  # fmt: skip
def test_credential_errors_describe_the_value_without_echoing_it(
    args: list[str], expected: str, refused_url: str
) -> None:
    result = _invoke(args, _env(refused_url))
    _assert_no_token(result)
    _assert_no_token(result, "9" * 40)
    assert result.exit_code == EXIT_USAGE
    assert expected in result.stderr


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["post", "text", "hi", "--font", TOKEN], "Error: Invalid value for '--font': '***' is not one of"),
        # typer's own message (its wording changes with typer's release: 0.29 no longer quotes the value)
        (["report", "--minutes", TOKEN], "Error: Invalid value for '--minutes': "),
        (["stats", "X", TOKEN], "Error: Got unexpected extra argument(s) (***)"),
        ([TOKEN], "Error: No such command '***'."),
        (["mock", "--host", TOKEN], "Error: Invalid value for '--host': host '***' is not a loopback"),
    ],
)
def test_click_usage_errors_keep_their_format_and_code_with_the_token_masked(
    args: list[str], error: str, refused_url: str
) -> None:
    result = _invoke(args, _env(refused_url))
    _assert_no_token(result)
    assert result.exit_code == EXIT_USAGE
    assert result.stderr.startswith("Usage: greenstat ")
    assert "Try 'greenstat " in result.stderr
    assert error in result.stderr


def test_a_usage_error_without_a_token_is_unchanged(refused_url: str) -> None:
    result = _invoke(["post", "text", "hi", "--font", "soon"], _env(refused_url))
    assert result.exit_code == EXIT_USAGE
    assert result.stderr == (
        "Usage: greenstat post text [OPTIONS] {MESSAGE}\n"
        "Try 'greenstat post text --help' for help.\n\n"
        "Error: Invalid value for '--font': 'soon' is not one of 'SERIF', 'SANS_SERIF', 'NORICAN_REGULAR', "
        "'BRYNDAN_WRITE', 'OSWALD_HEAVY'.\n"
    )


@pytest.mark.parametrize("given", [["--token", TOKEN], [f"--token={TOKEN}"]])
def test_a_token_given_only_as_an_option_is_masked_too(given: list[str], refused_url: str) -> None:
    env = _env(refused_url, GREEN_API_TOKEN=None)
    result = _invoke(["post", "text", "hi", *given, "--font", TOKEN], env)
    _assert_no_token(result)
    assert result.exit_code == EXIT_USAGE
    assert "'--font': '***'" in result.stderr


@pytest.mark.parametrize("token", ["not a token/x", "abc-def-ghi", "tab\there"])
def test_a_malformed_token_is_masked_as_given(token: str, refused_url: str) -> None:
    """The raw value, not a validated one: the client refuses these, yet they are still the user's secret."""
    result = _invoke(["post", "text", "hi", "--font", token], _env(refused_url, GREEN_API_TOKEN=token))
    assert result.exit_code == EXIT_USAGE
    shown = result.stdout + result.stderr
    assert token not in shown
    assert repr(token)[1:-1] not in shown
    assert "'--font': '***'" in result.stderr


def test_the_mocks_token_variable_is_masked_too(refused_url: str) -> None:
    result = _invoke(["mock", "--host", TOKEN], _env(refused_url, GREEN_API_TOKEN=None,
                                                     GREENSTAT_MOCK_TOKEN=TOKEN))  # fmt: skip
    _assert_no_token(result)
    assert result.exit_code == EXIT_USAGE


def test_given_tokens_lists_every_form_a_message_may_quote() -> None:
    tokens = given_tokens(["--token", "a\nb", "--token=c d ", "--", "--token"], {"GREEN_API_TOKEN": " "})
    assert tokens == ("a\nb", "a\\nb", "c d ", "c d")
    with tokens_given(["--token", "a\nb", "--token=c d "]):
        assert redacted("got 'a\\nb' and c d, 'a\nb'") == "got '***' and ***, '***'"
    assert redacted("got 'a\\nb'") == "got 'a\\nb'"  # outside a run: only the variables' tokens


def test_the_installed_entry_point_masks_the_token(refused_url: str) -> None:
    """Through ``main()`` and ``sys.argv``, as a user runs it (the other tests go through CliRunner)."""
    env = {**os.environ, "GREEN_API_TOKEN": TOKEN, "GREEN_API_ID_INSTANCE": ID_INSTANCE}
    completed = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [
            sys.executable,
            "-c",
            "from greenstat_ext.cli import main; main()",
            "post",
            "text",
            "hi",
            "--font",
            TOKEN,
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == EXIT_USAGE
    assert TOKEN[:12] not in completed.stdout + completed.stderr
    assert "Error: Invalid value for '--font': '***' is not one of 'SERIF'," in completed.stderr


# --- every option of every command ----------------------------------------------------------------------

#: What each command needs besides the option under test to get past argument parsing.
_BASE_ARGS = {
    ("stats",): ["X"],
    ("report",): [],
    ("delete",): ["X"],
    ("post", "text"): ["hi"],
    ("post", "media"): ["https://e.test/a.jpg", "--file-name", "a.jpg"],
    ("post", "voice"): ["https://e.test/a.mp3", "--file-name", "a.mp3"],
    ("mock",): [],
    ("contract-test",): [],
    ("monitor", "dead-letters"): [],
    ("monitor", "replay"): [],
}
#: ``mock --token TOKEN`` is a valid start: it would serve until stopped (and its banner masks the token).
_SKIPPED = {(("mock",), "--token")}


def _commands() -> list[tuple[tuple[str, ...], TyperCommand]]:
    root = typer.main.get_command(app)
    ctx = typer.Context(root)
    found: list[tuple[tuple[str, ...], TyperCommand]] = []

    def walk(command: object, path: tuple[str, ...]) -> None:
        if isinstance(command, TyperGroup):  # the root (its lazy contract-test included) and `post`
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                assert sub is not None
                walk(sub, (*path, name))
        else:
            assert isinstance(command, TyperCommand), command
            found.append((path, command))

    walk(root, ())
    return found


def _cases() -> list[tuple[tuple[str, ...], str | None]]:
    cases: list[tuple[tuple[str, ...], str | None]] = []
    for path, command in _commands():
        for param in command.params:
            takes_value = param.param_type_name == "option" and not getattr(param, "is_flag", False)
            if takes_value and (path, param.opts[0]) not in _SKIPPED:
                cases.append((path, param.opts[0]))
        if any(param.param_type_name == "argument" for param in command.params):
            cases.append((path, None))  # the positional argument itself
    return cases


def test_the_table_covers_every_command() -> None:
    assert {path for path, _ in _commands()} == set(_BASE_ARGS)


@pytest.mark.parametrize(
    ("path", "option"), _cases(), ids=lambda v: " ".join(v) if isinstance(v, tuple) else str(v)
)
def test_no_option_of_any_command_prints_the_token(
    path: tuple[str, ...], option: str | None, refused_url: str
) -> None:
    command = dict(_commands())[path]
    args = [*path, *_BASE_ARGS[path]]
    if any("--max-retries" in p.opts for p in command.params):
        args += ["--max-retries", "0"]  # before the option: a --max-retries TOKEN under test comes last
    if option is None:
        args = [*path, TOKEN, *args[len(path) + 1 :]] if _BASE_ARGS[path] else [*args, TOKEN]
    else:
        args += [option, TOKEN]
    result = _invoke(args, _env(refused_url))
    _assert_no_token(result)
    assert result.exit_code != 0, result.output
