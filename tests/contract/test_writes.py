"""The write operations of the spec (chosen by shape: the sends, which create what the delete removes, and
the delete): off by default; with --allow-writes their probes carry the spec's example bodies, invalid bodies
must get 400, a posted status must be listed, counted, deleted and gone (``posted_status_lifecycle``), every
write is sent once, whatever the kit posts it deletes, and a write that creates what nothing deletes is
never sent.

Fast on purpose: these runs select ``posted_status_lifecycle`` (no generated phases, no coverage cases: the
writes are paced at their x-rate-limit, 5 per second, so a full run is a minute) and short waits.
"""

from __future__ import annotations

import asyncio
import io
import json
import re
from collections.abc import Callable, Iterator

import pytest
import typer
from rich.console import Console
from schemathesis import GenerationMode
from schemathesis.generation.coverage import GenerationSession
from starlette.requests import Request
from starlette.responses import Response
from typer.testing import CliRunner

from greenstat_ext import _spec
from greenstat_ext._fields import checker
from greenstat_ext.contract import ContractUsageError, Verdict, run_contract_test
from greenstat_ext.contract._cli import contract_test
from greenstat_ext.contract._probes import probes_for
from greenstat_ext.contract._report import render_report
from greenstat_ext.contract._spec import Operation, load_operations
from tests._servers import serve
from tests.contract.broken_servers import (
    DELETE,
    ID_INSTANCE,
    ID_MESSAGE,
    ID_PARAMETER,
    LISTINGS,
    OPERATIONS,
    POLLED,
    SENDS,
    TOKEN,
    UNCLEANABLE,
    UNLIMITED_CHECKS,
    WRITES,
    Handler,
    app_for,
    posted,
    posted_missing_from_listings,
    reference,
    still_listed_after_delete,
)

CHECK = "posted_status_lifecycle"
FAST = {"max_examples": 1, "seed": 1, "write_wait": 0.5, "poll_interval": 0.1, "allow_writes": True}


def _operation(name: str) -> Operation:
    return next(operation for operation in load_operations() if operation.name == name)


def _sent_once() -> list[str]:
    """Each send's request, once, in the spec's order (as ``_recording`` writes them)."""
    return [f"{_spec.operation(name).method} {name}" for name in SENDS]


def _recording(handler: Handler, seen: list[str]) -> Handler:
    async def recording(request: Request) -> Response:
        seen.append(f"{request.method} {request.path_params['operation']}")
        return await handler(request)

    return recording


def test_the_writes_are_not_sent_without_allow_writes_and_the_report_names_them() -> None:
    seen: list[str] = []
    with serve(app_for(_recording(reference, seen))) as url:
        report = run_contract_test(
            url, ID_INSTANCE, TOKEN, id_message=ID_MESSAGE, max_examples=1, seed=1, checks=UNLIMITED_CHECKS
        )

    assert report.ok, (report.violations, report.inconclusive)
    assert report.operations == OPERATIONS  # what was checked: the reads
    assert report.skipped_operations == WRITES  # named as not checked
    assert report.uncleanable_operations == UNCLEANABLE  # named as never sent
    assert report.posted == 0
    assert not any(line.split()[1] in (*WRITES, *UNCLEANABLE) for line in seen)  # not one to a write


def test_without_allow_writes_the_write_side_check_is_not_in_the_run(reference_url: str) -> None:
    report = run_contract_test(reference_url, ID_INSTANCE, TOKEN, max_examples=1, seed=1, checks=["all"])
    assert CHECK not in report.checks  # not a "not judged" row, nor counted by a PASSED

    with pytest.raises(ContractUsageError, match="--allow-writes"):
        run_contract_test(reference_url, ID_INSTANCE, TOKEN, checks=[CHECK])


@pytest.mark.parametrize("name", SENDS)
def test_a_sends_probes_carry_the_specs_first_example_body(name: str) -> None:
    operation = _operation(name)
    probes = probes_for(operation, {ID_PARAMETER: ID_MESSAGE}, ID_INSTANCE, TOKEN)

    assert operation.is_write
    assert operation.body_examples
    valid = probes[0]
    assert (valid.check, valid.method, valid.body) == (
        "valid_request_accepted",
        "POST",
        dict(operation.body_examples[0]),
    )
    assert valid.body is not None
    for field in operation.body:  # the example is valid under the spec's own rules (via _fields)
        if field.name in valid.body:
            checker(field)(field.name, valid.body[field.name])
    assert all(probe.body == valid.body for probe in probes if probe.method == "POST")


def test_a_delete_probe_never_carries_the_users_id_message() -> None:
    """The user's --id-message names a status they care about: a probe of the delete must not delete it."""
    users = "3EB0C767D097B7C7C030"
    probes = probes_for(_operation(DELETE), {ID_PARAMETER: users}, ID_INSTANCE, TOKEN)

    assert all(probe.body is None or users not in probe.body.values() for probe in probes)


def _broken_by_the_spec(field: _spec.ParameterSpec) -> list[str]:
    """How schemathesis describes the invalid values of body ``field`` its rules imply."""
    found = [f"Missing required property: {field.name}"] if field.required else []
    if field.pattern is not None:
        found.append(f"{field.name}: Value not matching")
    if field.enum is not None:
        found.append(f"{field.name}: Invalid enum value")
    if field.type == "string" and field.max_length is not None:
        found.append(f"{field.name}: String larger than maxLength")
    if field.type == "array" and field.max_items is not None:
        found.append(f"{field.name}: Array with more items than allowed by maxItems")
    return found


@pytest.mark.parametrize("name", SENDS)
def test_invalid_bodies_are_among_the_cases_that_must_get_400(name: str) -> None:
    """A value breaking each rule of each body member (a pattern, an enum, a length, a number of items, a
    required one missing): schemathesis' coverage phase generates them from the spec, and the kit expects
    400 for each (invalid_parameter_rejected)."""
    operation = _operation(name)
    api = operation.api
    config = api.schema.config.generation_for(operation=api, phase="coverage")
    cases = api.schema.iter_coverage_cases(
        api, generation_modes=[GenerationMode.NEGATIVE], generation_config=config, session=GenerationSession()
    )
    described = [case._meta.phase.data.description for case in cases if case._meta is not None]
    text = "\n".join(described)

    expected = [description for field in operation.body for description in _broken_by_the_spec(field)]
    assert expected  # a send's body has rules
    for description in expected:
        assert description in text, description


def test_the_reference_passes_the_write_side_check_and_every_posted_status_is_deleted() -> None:
    seen: list[str] = []
    before = set(posted().ids())  # (the reference is shared by the tests of this process)
    with serve(app_for(_recording(reference, seen))) as url:
        report = run_contract_test(url, ID_INSTANCE, TOKEN, checks=[CHECK], **FAST)  # type: ignore[arg-type]

    assert report.check_runs[CHECK] >= 3 * len(SENDS)  # listed, counted, deleted, gone: for each send
    assert not report.check_failures[CHECK], report.violations
    assert report.posted == len(SENDS)
    assert report.undeleted == []
    assert set(posted().ids()) <= before  # nothing left behind
    # each send posted once (never re-sent); each status deleted once, then the second delete (400)
    assert [line for line in seen if line.split()[1] in SENDS] == _sent_once()
    assert seen.count(f"{_spec.operation(DELETE).method} {DELETE}") == 2 * len(SENDS)


# A listing of the reads (which one the kit takes for the journal is its business: any that lists).
_LISTING = "(" + "|".join(re.escape(name) for name in LISTINGS) + ")"


@pytest.mark.parametrize(
    ("make", "titles"),
    [
        (lambda: posted_missing_from_listings, [f"missing from {_LISTING}"]),
        (
            still_listed_after_delete,
            [f"still listed by {_LISTING}", f"{re.escape(POLLED)} of", "second delete of"],
        ),
    ],
    ids=["posted_missing_from_listings", "still_listed_after_delete"],
)
def test_a_broken_write_side_fails_the_run_and_names_the_check(
    make: Callable[[], Handler], titles: list[str]
) -> None:
    with serve(app_for(make())) as url:
        report = run_contract_test(url, ID_INSTANCE, TOKEN, checks=[CHECK], **FAST)  # type: ignore[arg-type]

    assert report.verdict is Verdict.FAILED
    assert report.failed_checks == (CHECK,)
    for title in titles:
        assert any(re.search(title, violation.title) for violation in report.violations), report.violations
    assert report.undeleted == []


def test_a_write_answered_429_is_not_re_sent() -> None:
    seen: list[str] = []

    async def limited(request: Request) -> Response:
        if request.path_params["operation"] in SENDS:
            return Response('{"statusCode": 429, "message": "Too Many Requests"}', 429, {"Retry-After": "1"})
        return await reference(request)

    with serve(app_for(_recording(limited, seen))) as url:
        report = run_contract_test(url, ID_INSTANCE, TOKEN, checks=[CHECK], **FAST)  # type: ignore[arg-type]

    assert [line for line in seen if line.split()[1] in SENDS] == _sent_once()
    assert report.unjudged[CHECK] == len(SENDS)
    assert report.verdict is Verdict.INCONCLUSIVE


def test_a_delete_answered_429_is_sent_again_so_nothing_is_left_behind() -> None:
    """The server refuses each status's first two deletes with 429 (its window full of the run's own deletes):
    the lifecycle's delete and the clean-up's first one. A 429 proves the delete was not done, so the clean-up
    sends it again after the Retry-After, and the run leaves nothing behind (it once said "NOT DELETED")."""
    before = set(posted().ids())
    refused: dict[bytes, int] = {}
    seen: list[str] = []

    async def limited_deletes(request: Request) -> Response:
        if request.path_params["operation"] == DELETE:
            body = await request.body()
            refused[body] = refused.get(body, 0) + 1
            if refused[body] <= 2:
                return Response(
                    '{"statusCode": 429, "message": "Too Many Requests"}', 429, {"Retry-After": "0"}
                )
        return await reference(request)

    with serve(app_for(_recording(limited_deletes, seen))) as url:
        report = run_contract_test(url, ID_INSTANCE, TOKEN, checks=[CHECK], **FAST)  # type: ignore[arg-type]

    assert report.posted == len(SENDS)
    assert report.undeleted == []
    assert set(posted().ids()) - before == set()  # every status the run posted is gone from the mock
    assert sorted(refused.values()) == [3] * len(SENDS)  # each delete: refused twice, then done
    assert [line for line in seen if line.split()[1] in SENDS] == _sent_once()  # the sends: once each


def test_a_run_cut_short_still_deletes_what_it_posted() -> None:
    """Once a status is posted, the reads never answer in time: the run stops (3 silent requests in a row)
    and still deletes the status it posted."""
    before = set(posted().ids())

    async def stalling(request: Request) -> Response:
        if request.path_params["operation"] in OPERATIONS and set(posted().ids()) - before:
            await asyncio.sleep(5.0)  # 5 times the run's request timeout: never in time, however busy
        return await reference(request)

    with serve(app_for(stalling)) as url:
        report = run_contract_test(
            url,
            ID_INSTANCE,
            TOKEN,
            checks=[CHECK],
            # Room for the send on a busy machine (0.3 s was a speed requirement), and a write wait longer
            # than the three silent reads that stop the run.
            request_timeout=1.0,
            **{**FAST, "write_wait": 10.0},  # type: ignore[arg-type]
        )

    assert report.failed_checks == ("answer_within_limits", "run_completed")
    assert report.posted == 1
    assert report.undeleted == []
    assert set(posted().ids()) <= before


def test_statuses_it_could_not_delete_are_listed_by_id() -> None:
    async def undeletable(request: Request) -> Response:
        if request.path_params["operation"] == DELETE:
            return Response("upstream down", 502)
        return await reference(request)

    with serve(app_for(undeletable)) as url:
        report = run_contract_test(url, ID_INSTANCE, TOKEN, checks=[CHECK], **FAST)  # type: ignore[arg-type]

    assert len(report.undeleted) == len(SENDS)
    assert set(report.undeleted) <= set(posted().ids())
    for created in report.undeleted:  # left on the server by this test: remove them for the next ones
        posted().delete(created)


def test_the_cli_exits_1_naming_the_write_side_check() -> None:
    app = typer.Typer()
    app.command("contract-test")(contract_test)
    app.command("noop")(lambda: None)
    with serve(app_for(posted_missing_from_listings)) as url:
        flags = ["--allow-writes", "--checks", CHECK, "--write-wait", "0.5", "--poll-interval", "0.1"]
        result = CliRunner().invoke(
            app,
            ["contract-test", "--url", url, "--id-instance", str(ID_INSTANCE), "--seed", "1", *flags],
            env={"GREEN_API_TOKEN": TOKEN, "COLUMNS": "200"},
        )

    assert result.exit_code == 1, result.output
    flat = " ".join(re.sub(r"[\u2500-\u257f]", " ", result.stdout).split())  # wrapped at 110 columns in a log
    assert f"FAILED: {len(SENDS)} distinct failures in: {CHECK}." in flat  # one per send
    assert re.search(f"missing from {_LISTING}", flat)
    assert f"Statuses posted: {len(SENDS)}" in flat
    assert TOKEN not in result.output


def test_help_warns_that_writes_post_real_statuses() -> None:
    app = typer.Typer()
    app.command("contract-test")(contract_test)
    app.command("noop")(lambda: None)
    output = CliRunner().invoke(app, ["contract-test", "--help"], env={"COLUMNS": "200"}).output
    help_text = " ".join(re.sub(r"[\u2500-\u257f]", " ", output).split())  # without rich's box lines

    assert "--allow-writes" in help_text
    assert "REAL statuses" in help_text
    assert "Off by default" in help_text
    assert "--write-wait" in help_text
    assert "never sent" in help_text  # a write the kit could not clean up after


@pytest.fixture
def a_send_creates_what_nothing_deletes(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The spec, with its last send creating a kind no operation deletes."""
    name = SENDS[-1]
    facts = _spec.operation(name)
    document = json.loads(json.dumps(dict(_spec.document())))
    kinds = {op.get("x-creates") for item in document["paths"].values() for op in item.values()}
    kinds |= {op.get("x-deletes") for item in document["paths"].values() for op in item.values()}
    document["paths"][facts.path][facts.method.lower()]["x-creates"] = next(
        kind for kind in (f"other{n}" for n in range(len(kinds) + 1)) if kind not in kinds
    )

    def clear() -> None:
        _spec.operations.cache_clear()
        load_operations.cache_clear()

    clear()
    monkeypatch.setattr(_spec, "document", lambda: document)
    yield name
    monkeypatch.undo()
    clear()


def test_a_write_that_cannot_be_cleaned_up_is_never_sent_and_the_report_says_so(
    a_send_creates_what_nothing_deletes: str,
) -> None:
    name = a_send_creates_what_nothing_deletes
    seen: list[str] = []
    with serve(app_for(_recording(reference, seen))) as url:
        report = run_contract_test(url, ID_INSTANCE, TOKEN, checks=[CHECK], **FAST)  # type: ignore[arg-type]

    assert name in report.uncleanable_operations
    for never in report.uncleanable_operations:
        assert never not in report.operations
        assert never not in report.skipped_operations  # (that list is what --allow-writes would add)
        assert not any(line.split()[1] == never for line in seen)  # not one request to it
    cleanable = [send for send in SENDS if send != name]
    assert report.posted == len(cleanable)  # the other sends are checked (and cleaned up) as before
    assert report.undeleted == []
    rendered = io.StringIO()
    render_report(report, Console(file=rendered, width=200))
    shown = ", ".join(report.uncleanable_operations)
    assert f"Never sent (what they create, no operation of the spec deletes): {shown}" in rendered.getvalue()
