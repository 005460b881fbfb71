"""Checked by ``mypy --strict`` (``make typecheck``), never run: the public API's types as users see them."""

from __future__ import annotations

from typing import Literal, assert_type

import httpx

from greenstat_client.models import (
    IncomingStatus,
    OutgoingStatus,
    OutgoingStatusState,
    QuotaExceeded,
    SendStatusResult,
    StatusFont,
    StatusStatistic,
    StatusValue,
)
from greenstat_ext import (
    APIError,
    APIStatusError,
    ApiToken,
    AsyncGreenStat,
    Credentials,
    GreenStat,
    GreenStatError,
    LimiterBackend,
    QuotaExceededError,
    RateLimiter,
    RateLimitError,
    RawResponse,
    ResponseValidationError,
    RetryPolicy,
    StatusSummary,
    summarize,
)


def sync_usage() -> None:
    with GreenStat(id_instance=1, api_token="abc", timeout=httpx.Timeout(5.0), max_retries=2) as client:
        assert_type(client, GreenStat)
        stats = client.get_status_statistic("BAE5F4886F6F2D05")
        assert_type(stats, list[StatusStatistic])
        assert_type(stats[0].status, StatusValue)
        assert_type(stats[0].timestamp, int)
        raw = client.with_raw_response.get_status_statistic("x")
        assert_type(raw, RawResponse[list[StatusStatistic]])
        assert_type(raw.status_code, int)
        assert_type(raw.headers, httpx.Headers)
        assert_type(raw.retries_taken, int)
        assert_type(raw.parse(), list[StatusStatistic])
        assert_type(client.with_options(timeout=3.0, max_retries=0), GreenStat)
        assert_type(summarize(stats), StatusSummary)
        assert_type(client.credentials, Credentials)
        assert_type(client.credentials.api_token, ApiToken)
        assert_type(client.rate_limiter, LimiterBackend | None)
        assert_type(client.rate_limiter_for("getOutgoingStatuses"), LimiterBackend | None)
        assert_type(client.rate_limit_store, str | None)
        # The operations the generated facade adds: typed like the hand-written ones were.
        outgoing = client.get_outgoing_statuses(minutes=60)
        assert_type(outgoing, list[OutgoingStatus])
        assert_type(outgoing[0].id_message, str)
        assert_type(outgoing[0].status_message, OutgoingStatusState)
        assert_type(client.get_outgoing_statuses(), list[OutgoingStatus])
        assert_type(client.get_incoming_statuses(None), list[IncomingStatus])
        assert_type(client.with_raw_response.get_outgoing_statuses(), RawResponse[list[OutgoingStatus]])
        assert_type(client.with_raw_response.get_incoming_statuses(5).parse(), list[IncomingStatus])
        assert_type(client.with_options(max_retries=0).get_incoming_statuses(), list[IncomingStatus])
        annotated: RawResponse[list[StatusStatistic]] = client.with_raw_response.get_status_statistic("x")
        assert_type(annotated.content, bytes)


async def async_usage() -> None:
    policy = RetryPolicy(max_retries=5, wait_initial=0.01)
    async with AsyncGreenStat(retry_policy=policy, rate_limit=RateLimiter(2.0)) as client:
        assert_type(client, AsyncGreenStat)
        assert_type(await client.get_status_statistic("x"), list[StatusStatistic])
        raw = await client.with_raw_response.get_status_statistic("x")
        assert_type(raw, RawResponse[list[StatusStatistic]])
        assert_type(await client.get_outgoing_statuses(minutes=5), list[OutgoingStatus])
        assert_type(await client.get_incoming_statuses(), list[IncomingStatus])
        outgoing = await client.with_raw_response.get_outgoing_statuses()
        assert_type(outgoing, RawResponse[list[OutgoingStatus]])
        incoming = await client.with_options(timeout=2.0).with_raw_response.get_incoming_statuses(minutes=1)
        assert_type(incoming, RawResponse[list[IncomingStatus]])
        assert_type(await client.get_many(["x"]), dict[str, list[StatusStatistic] | GreenStatError])
        many = await client.get_many(["a", "b"], concurrency=2)
        assert_type(many, dict[str, list[StatusStatistic] | GreenStatError])
        assert_type(client.with_options(rate_limit=0), AsyncGreenStat)


def errors(exc: Exception) -> None:
    if isinstance(exc, APIStatusError):
        assert_type(exc.status_code, int)
        assert_type(exc.body, str)
        assert_type(exc.retries_taken, int)
        assert_type(exc.request, httpx.Request)
    if isinstance(exc, RateLimitError):
        assert_type(exc.retry_after, float | None)
    if isinstance(exc, QuotaExceededError):
        assert_type(exc.quota, QuotaExceeded | None)
    if isinstance(exc, ResponseValidationError):
        assert_type(exc.path, str | None)
    if isinstance(exc, APIError):
        assert_type(exc.retries_taken, int)


def misuse_is_a_type_error(client: GreenStat) -> None:
    """Each line is wrong on purpose: ``warn_unused_ignores`` (strict) fails if one stops being an error."""
    client.get_status_statistic(12345)  # type: ignore[arg-type]
    client.get_status_statistic(id_message=None)  # type: ignore[arg-type]
    GreenStat(id_instance=1, api_token="abc", timeout=None)  # type: ignore[arg-type]
    GreenStat(1, "abc")  # type: ignore[call-arg]
    stats = client.get_status_statistic("x")
    stats[0].timestamp = "now"  # type: ignore[assignment]
    client.with_options(max_retries="3")  # type: ignore[arg-type]
    # An enum parameter takes its enum or one of the spec's values as a literal, nothing else (issue 18).
    client.send_text_status("x", font="COMIC")  # type: ignore[arg-type]
    client.send_text_status("x", font=123)  # type: ignore[arg-type]
    client.with_raw_response.send_text_status("x", font="serif")  # type: ignore[arg-type]


def enum_parameters_take_the_enum_or_a_value_of_it(client: GreenStat, aclient: AsyncGreenStat) -> None:
    assert_type(client.send_text_status("x", font="SERIF"), SendStatusResult)
    assert_type(client.send_text_status("x", font=StatusFont.OSWALD_HEAVY), SendStatusResult)
    assert_type(client.send_text_status("x", font=None), SendStatusResult)
    font: Literal["NORICAN_REGULAR", "BRYNDAN_WRITE"] = "BRYNDAN_WRITE"
    assert_type(client.send_text_status("x", font=font), SendStatusResult)

    async def post() -> None:
        assert_type(await aclient.send_text_status("x", font="SANS_SERIF"), SendStatusResult)
        await aclient.send_text_status("x", font="COMIC")  # type: ignore[arg-type]
