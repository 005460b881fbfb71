from __future__ import annotations

import msgspec
import pytest

from greenstat_client.models import Error
from greenstat_ext.mock import FaultKind, FaultSettings, MockSettings, create_app, get_state
from greenstat_ext.mock._faults import FaultInjector

from .conftest import PATH, FakeClock, TestClient


def _sequence(settings: FaultSettings, n: int = 200) -> list[FaultKind | None]:
    injector = FaultInjector(settings)
    return [injector.draw() for _ in range(n)]


def test_same_seed_same_faults_other_seed_other_faults() -> None:
    one = _sequence(FaultSettings(rate=0.3, seed=1))
    assert _sequence(FaultSettings(rate=0.3, seed=1)) == one
    assert _sequence(FaultSettings(rate=0.3, seed=2)) != one
    share = sum(kind is not None for kind in one) / len(one)
    assert 0.15 < share < 0.45


def test_rate_zero_never_rate_one_always_and_only_enabled_kinds() -> None:
    assert set(_sequence(FaultSettings(rate=0.0))) == {None}
    kinds = set(_sequence(FaultSettings(rate=1.0, kinds={"499": 1, FaultKind.BAD_GATEWAY: 3})))
    assert kinds == {FaultKind.CLIENT_CLOSED, FaultKind.BAD_GATEWAY}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rate": 1.5}, "between 0 and 1"),
        ({"kinds": ["418"]}, "unknown fault kind '418'"),
        ({"kinds": {"429": -1}}, "weight must be"),
        ({"rate": 0.5, "kinds": []}, "at least one fault kind"),
        ({"retry_after": -1}, "retry_after"),
        ({"delay": 61}, "delay"),
    ],
)
def test_bad_settings_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        FaultSettings(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(("kind", "status"), [("429", 429), ("499", 499), ("500", 500), ("502", 502)])
def test_http_faults_answer_documented_error_bodies(clock: FakeClock, kind: str, status: int) -> None:
    settings = MockSettings(
        rate_limit=0, clock=clock, faults=FaultSettings(rate=1.0, kinds=[kind], retry_after=7)
    )
    app = create_app(settings)
    with TestClient(app) as client:
        response = client.get(PATH, params={"idMessage": "BAE5F4886F6F2D05"})
    assert response.status_code == status
    assert msgspec.json.decode(response.content, type=Error).status_code == status
    assert response.headers.get("retry-after") == ("7" if status == 429 else None)
    assert get_state(app).stats.faults == {kind: 1}


def test_delay_fault_still_answers(clock: FakeClock) -> None:
    faults = FaultSettings(rate=1.0, kinds=["delay"], delay=0.01)
    app = create_app(MockSettings(rate_limit=0, clock=clock, faults=faults))
    with TestClient(app) as client:
        assert client.get(PATH, params={"idMessage": "BAE5F4886F6F2D05"}).status_code == 200
    assert get_state(app).stats.faults == {"delay": 1}
