from __future__ import annotations

import pickle

import httpx
import pytest

from greenstat_ext import (
    DEFAULT_API_URL,
    ApiToken,
    ConfigurationError,
    Credentials,
    GreenStat,
)

from ._helpers import API_URL, ID_INSTANCE, TOKEN, Recorder, json_response, make_sync


def test_arguments_win_over_environment() -> None:
    env = {
        "GREEN_API_ID_INSTANCE": "42",
        "GREEN_API_TOKEN": "envtoken123",
        "GREEN_API_URL": "https://env.test",
    }
    creds = Credentials.resolve(ID_INSTANCE, TOKEN, API_URL, environ=env)
    assert (creds.id_instance, creds.api_token.get_secret_value(), creds.api_url) == (
        ID_INSTANCE,
        TOKEN,
        API_URL,
    )


def test_environment_fills_missing_arguments() -> None:
    env = {
        "GREEN_API_ID_INSTANCE": " 42 ",
        "GREEN_API_TOKEN": "envtoken123",
        "GREEN_API_URL": "https://e.test/",
    }
    creds = Credentials.from_env(env)
    assert creds.id_instance == 42
    assert creds.api_token == ApiToken("envtoken123")
    assert creds.api_url == "https://e.test"


def test_default_api_url() -> None:
    creds = Credentials.resolve(environ={"GREEN_API_ID_INSTANCE": "1", "GREEN_API_TOKEN": "abc"})
    assert creds.api_url == DEFAULT_API_URL


def test_client_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GREEN_API_ID_INSTANCE", str(ID_INSTANCE))
    monkeypatch.setenv("GREEN_API_TOKEN", TOKEN)
    monkeypatch.setenv("GREEN_API_URL", API_URL)
    with GreenStat() as client:
        assert client.credentials.id_instance == ID_INSTANCE
        assert client.credentials.api_url == API_URL


@pytest.mark.parametrize(
    ("env", "field", "hint"),
    [
        ({"GREEN_API_TOKEN": "abc"}, "id_instance", "GREEN_API_ID_INSTANCE"),
        ({"GREEN_API_ID_INSTANCE": "1"}, "api_token", "GREEN_API_TOKEN"),
    ],
)
def test_missing_credentials_name_the_field_and_the_variable(
    env: dict[str, str], field: str, hint: str
) -> None:
    with pytest.raises(ConfigurationError) as info:
        Credentials.from_env(env)
    assert info.value.field == field
    assert hint in str(info.value)


@pytest.mark.parametrize("bad", [0, -1, 10_000_000_000, "12a", "", True, 1.5, "\uff11\uff12"])
def test_bad_id_instance(bad: object) -> None:
    with pytest.raises(ConfigurationError) as info:
        Credentials.resolve(bad, TOKEN, environ={})  # type: ignore[arg-type]
    assert info.value.field == "id_instance"


@pytest.mark.parametrize("bad", ["abc-def0123456", "x" * 129, "tok en", "ключ12345678", "a/b"])
def test_bad_token_is_named_and_never_echoed(bad: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        ApiToken(bad)
    assert info.value.field == "api_token"
    assert bad not in str(info.value)
    assert "characters" in str(info.value)


def test_empty_or_non_string_token() -> None:
    with pytest.raises(ConfigurationError, match="api_token: must not be empty"):
        ApiToken("")
    with pytest.raises(ConfigurationError, match="api_token: must be a string"):
        ApiToken(123)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "bad",
    [
        "ftp://h.test",
        "not a url",
        "https://h.test/?q=1",
        "https://",
        5,
        "http://h.test:99999",
        "http://h.test:0",
    ],
)
def test_bad_api_url(bad: object) -> None:
    with pytest.raises(ConfigurationError) as info:
        Credentials(ID_INSTANCE, ApiToken(TOKEN), bad)  # type: ignore[arg-type]
    assert info.value.field == "api_url"


def test_token_type_masks_itself() -> None:
    token = ApiToken(TOKEN)
    for text in (
        str(token),
        repr(token),
        f"{token}",
        f"{token!r}",
        f"{token:>60}",
        repr(Credentials(1, token)),
    ):
        assert TOKEN not in text
    assert token.get_secret_value() == TOKEN
    assert token == ApiToken(TOKEN)
    assert token != ApiToken(TOKEN + "x")
    assert hash(token) == hash(ApiToken(TOKEN))
    assert token.__eq__("not a token") is NotImplemented


def test_token_refuses_pickling() -> None:
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(ApiToken(TOKEN))


def test_validation_happens_before_any_request() -> None:
    recorder = Recorder(json_response(200, []))
    with pytest.raises(ConfigurationError):
        make_sync(recorder, token="bad-token!")
    assert recorder.requests == []


def test_token_is_inserted_into_the_path_of_every_call() -> None:
    recorder = Recorder(json_response(200, []))
    with make_sync(recorder) as client:
        client.get_status_statistic("a")
        client.get_status_statistic("b")
    assert [r.url.path for r in recorder.requests] == [
        f"/waInstance{ID_INSTANCE}/getStatusStatistic/{TOKEN}"
    ] * 2
    assert [r.url.params["idMessage"] for r in recorder.requests] == ["a", "b"]


def test_api_url_with_a_path_prefix_is_kept() -> None:
    recorder = Recorder(json_response(200, []))
    client = GreenStat(
        id_instance=1,
        api_token="abc",
        api_url="https://gw.test/green/",
        rate_limit=0,
        http_client=httpx.Client(transport=httpx.MockTransport(recorder)),
    )
    client.get_status_statistic("x")
    assert recorder.requests[0].url.path == "/green/waInstance1/getStatusStatistic/abc"


@pytest.mark.parametrize(
    "url",
    [
        "http://u:s3cretpw@h.test",
        "https://user@h.test",
        "https://:s3cretpw@h.test:8443/p",
        "ftp://u:s3cretpw@h",
    ],
)
def test_userinfo_in_api_url_is_refused_without_echoing_it(url: str) -> None:
    with pytest.raises(ConfigurationError, match="user name or password") as info:
        Credentials(ID_INSTANCE, ApiToken(TOKEN), url)
    assert info.value.field == "api_url"
    assert "s3cretpw" not in str(info.value)
    assert "u:" not in str(info.value)


#: The mock's public demo token, given where an idInstance or a URL belongs.
TOKEN_IN_WRONG_PLACE = "d75b3a66374942c5b3c019c698abc2067e151558acbd412345"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id_instance", TOKEN_IN_WRONG_PLACE),
        ("id_instance", "9" * 40),
        ("api_url", TOKEN_IN_WRONG_PLACE),
        ("api_url", f"ftp://{TOKEN_IN_WRONG_PLACE}"),
        ("api_url", f"http://h.test:{TOKEN_IN_WRONG_PLACE}"),
        ("api_url", f"https://h.test/waInstance1/getStatusStatistic/{TOKEN_IN_WRONG_PLACE}"),
        ("api_url", f"https://h.test/WAINSTANCE1/{TOKEN_IN_WRONG_PLACE}"),
    ],
)
def test_a_malformed_id_instance_or_api_url_is_described_never_echoed(field: str, value: str) -> None:
    """A token pasted into the wrong variable must not come back in the error that refuses it."""
    arguments: dict[str, object] = {"id_instance": ID_INSTANCE, "api_token": TOKEN, field: value}
    with pytest.raises(ConfigurationError) as info:
        Credentials.resolve(**arguments, environ={})  # type: ignore[arg-type]
    assert info.value.field == field
    assert value[-12:] not in str(info.value)
    assert value[-12:] not in repr(info.value)
