"""The Python API: the correct implementation passes, each broken one is caught by the right check."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from greenstat_ext import _spec as spec
from greenstat_ext._ratelimit import RateLimiter
from greenstat_ext.contract import ContractUsageError, run_contract_test
from greenstat_ext.contract._bounded import BoundedAdapter
from tests._servers import free_port, serve
from tests.contract.broken_servers import (
    BROKEN,
    ID_INSTANCE,
    ID_MESSAGE,
    OPERATIONS,
    TOKEN,
    UNLIMITED_CHECKS,
    app_for,
)

# broken server -> the check that must name it
EXPECTED_CHECK = {
    "server_error_on_missing_required_parameter": "not_a_server_error",
    "value_outside_enum": "response_schema_conformance",
    "object_without_required_member": "response_schema_conformance",
    "wrong_token_accepted": "wrong_token_rejected",
    "text_plain_200": "content_type_conformance",
    "too_many_requests_without_body": "content_type_conformance",
}


# ... and the others its one fault breaks: a 500 where a 400 is due is both a server error and an invalid
# request not rejected; a 429 without a body has no content type and no body of the 429's schema.
ALSO_FAILED = {
    "server_error_on_missing_required_parameter": {"invalid_parameter_rejected"},
    "too_many_requests_without_body": {"response_schema_conformance"},
}


def test_every_broken_server_has_an_expectation() -> None:
    assert set(EXPECTED_CHECK) == set(BROKEN)
    assert set(ALSO_FAILED) <= set(BROKEN)


def test_the_correct_implementation_passes_every_check(reference_url: str) -> None:
    report = run_contract_test(
        reference_url,
        ID_INSTANCE,
        TOKEN,
        id_message=ID_MESSAGE,
        max_examples=8,
        seed=7,
        checks=UNLIMITED_CHECKS,
    )

    assert report.ok, (report.violations, report.inconclusive)
    assert report.checks == tuple(UNLIMITED_CHECKS)
    assert all(report.check_runs[name] > 0 for name in UNLIMITED_CHECKS)
    # The credentials were pinned: the 200 branch and every rejection branch were reached.
    assert {200, 400, 401, 403, 405} <= set(report.statuses)


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_each_broken_server_is_reported_by_the_right_check(name: str, retry_waits: list[float]) -> None:
    with serve(app_for(BROKEN[name])) as url:
        report = run_contract_test(
            url, ID_INSTANCE, TOKEN, id_message=ID_MESSAGE, max_examples=2, seed=3, checks=UNLIMITED_CHECKS
        )

    assert not report.ok
    assert_retry_waits(name, retry_waits)
    assert set(report.failed_checks) == {EXPECTED_CHECK[name], *ALSO_FAILED.get(name, ())}
    assert any(v.check == EXPECTED_CHECK[name] for v in report.violations)
    for violation in report.violations:
        assert TOKEN not in violation.message
        assert (
            TOKEN not in violation.exchange.path + violation.exchange.query + violation.exchange.body_excerpt
        )


def assert_retry_waits(name: str, waits: list[float]) -> None:
    """Only the 429 server made the kit wait: 1 s (it sends no Retry-After) before each re-sent probe."""
    if name == "too_many_requests_without_body":
        assert waits
        assert set(waits) == {1.0}
    else:
        assert waits == []


def test_a_wrong_token_accepted_is_caught_even_by_the_probe_alone() -> None:
    with serve(app_for(BROKEN["wrong_token_accepted"])) as url:
        report = run_contract_test(
            url, ID_INSTANCE, TOKEN, max_examples=1, seed=0, checks=["wrong_token_rejected"]
        )

    assert report.checks == ("wrong_token_rejected",)
    assert report.failed_checks == ("wrong_token_rejected",)
    assert report.violations[0].exchange.status_code == 200


def test_the_same_seed_sends_the_same_requests(reference_url: str) -> None:
    first = run_contract_test(reference_url, ID_INSTANCE, TOKEN, max_examples=3, seed=11)
    second = run_contract_test(reference_url, ID_INSTANCE, TOKEN, max_examples=3, seed=11)

    assert first.statuses == second.statuses
    assert first.seed == second.seed == 11


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_examples": 0}, "max_examples must be between 1"),
        ({"checks": ["no_such_check"]}, "unknown check 'no_such_check'"),
        ({"checks": [","]}, "checks selects no check"),
        ({"id_message": ""}, "id_message must be 1 to 256"),
    ],
)
def test_bad_arguments_raise_a_usage_error(
    reference_url: str, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ContractUsageError, match=message) as caught:
        run_contract_test(reference_url, ID_INSTANCE, TOKEN, **kwargs)  # type: ignore[arg-type]
    assert "--" not in str(caught.value)  # called from Python: arguments are named, not the CLI's flags


def test_a_malformed_token_is_refused_without_echoing_it(reference_url: str) -> None:
    bad = "secret-with-dash"
    with pytest.raises(ContractUsageError) as caught:
        run_contract_test(reference_url, ID_INSTANCE, bad)
    assert bad not in str(caught.value)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org",
        "not a url",
        "http://127.0.0.1:1/?x=1",
        "http://[::1",  # urlsplit raises "Invalid IPv6 URL"
        "http://127.0.0.1:99999",  # .port raises "Port out of range"
        "http://127.0.0.1:8o80",
        "http://127.0.0.1:1/a b",
    ],
)
def test_a_bad_url_is_a_usage_error(url: str) -> None:
    with pytest.raises(ContractUsageError, match=r"^url "):
        run_contract_test(url, ID_INSTANCE, TOKEN)


def test_an_unreachable_url_is_a_usage_error() -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    with pytest.raises(ContractUsageError, match=r"cannot reach .*connection refused"):
        run_contract_test(url, ID_INSTANCE, TOKEN)


@pytest.mark.parametrize("rate_limit", [0.5, 2.5])
def test_rate_limit_paces_every_request(
    reference_url: str, monkeypatch: pytest.MonkeyPatch, rate_limit: float
) -> None:
    """Every request the run sends (generated cases and probes) is sent inside one of its operation's
    slots: at the operation's x-rate-limit, or --rate-limit when that is slower (0.5/s is slower than
    every read's limit today, 2.5/s faster than at least the 1/s ones)."""
    acquired = _record_slots(monkeypatch)
    report = run_contract_test(
        reference_url,
        ID_INSTANCE,
        TOKEN,
        id_message=ID_MESSAGE,
        max_examples=3,
        seed=4,
        rate_limit=rate_limit,
        checks=UNLIMITED_CHECKS,
    )
    assert report.ok
    assert report.cases >= 10
    assert len(acquired) == sum(report.phases.values())
    paced_at = {min(rate_limit, spec.operation(name).rate_limit.rate) for name in report.operations}
    assert set(acquired) == paced_at
    assert set(report.seconds_by_operation) == set(report.operations)  # each operation's share is timed


def test_the_same_seed_sends_the_same_cases_whatever_the_interleaving(
    reference_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The operations run in threads of their own; each one's requests, in order, depend on the seed only."""
    sent: dict[str, list[tuple[str, str, bytes | None]]] = {}
    real_send = BoundedAdapter.send

    def send(self: BoundedAdapter, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        raw = request.body
        body = raw.encode() if isinstance(raw, str) else raw if isinstance(raw, bytes) else None
        key = threading.current_thread().name
        sent.setdefault(key, []).append((str(request.method), str(request.url), body))
        return real_send(self, request, **kwargs)

    monkeypatch.setattr(BoundedAdapter, "send", send)
    runs = []
    for _ in range(2):
        sent.clear()
        run_contract_test(
            reference_url, ID_INSTANCE, TOKEN, id_message=ID_MESSAGE, max_examples=4, seed=11,
            checks=UNLIMITED_CHECKS,
        )  # fmt: skip
        runs.append(
            {name: list(requests_) for name, requests_ in sent.items() if name.startswith("contract-")}
        )
    assert len(runs[0]) == len(OPERATIONS)  # one thread per read operation
    assert runs[0] == runs[1]


def _record_slots(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Replace ``RateLimiter.slot`` with one that records the bucket's rate and never waits."""
    acquired: list[float] = []

    @contextlib.contextmanager
    def slot(self: RateLimiter) -> Iterator[float]:
        acquired.append(self.rate)
        yield 0.0

    monkeypatch.setattr(RateLimiter, "slot", slot)
    return acquired


def test_no_pacing_by_default(reference_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    acquired = _record_slots(monkeypatch)
    assert run_contract_test(
        reference_url, ID_INSTANCE, TOKEN, max_examples=2, seed=4, checks=UNLIMITED_CHECKS
    ).ok
    assert acquired == []


@pytest.mark.parametrize("rate", [-1, 0.0005, 1001, float("nan"), float("inf")])
def test_rate_limit_out_of_range_is_a_usage_error(reference_url: str, rate: float) -> None:
    with pytest.raises(ContractUsageError, match=r"^rate_limit "):
        run_contract_test(reference_url, ID_INSTANCE, TOKEN, rate_limit=rate)


def test_an_unparsable_url_names_the_flag_and_hides_a_token_in_it() -> None:
    with pytest.raises(ContractUsageError, match=r"^url is not a valid URL") as caught:
        run_contract_test(f"http://[::1/waInstance1/{OPERATIONS[0]}/{TOKEN}", ID_INSTANCE, TOKEN)
    assert TOKEN[:8] not in str(caught.value)
