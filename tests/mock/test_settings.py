from __future__ import annotations

import pytest

from greenstat_ext.mock import DEMO_TOKEN, MockSettings


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"id_instance": 0}, "id_instance"),
        ({"id_instance": 10_000_000_000}, "id_instance"),
        ({"rate_limit": -1}, "rate_limit"),
        ({"token": "secret-with-dash"}, "token must be"),
        ({"token": ""}, "token must be"),
    ],
)
def test_bad_settings_are_refused_without_echoing_the_token(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message) as info:
        MockSettings(**kwargs)  # type: ignore[arg-type]
    assert "secret-with-dash" not in str(info.value)


def test_repr_hides_the_token() -> None:
    assert DEMO_TOKEN not in repr(MockSettings())
    assert "secret0token" not in repr(MockSettings(token="secret0token"))
