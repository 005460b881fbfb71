"""What adding an operation to the spec costs, measured: a scratch clone, two new operations, every layer.

Why a scratch clone: the claim (docs/architecture.md, CONTRIBUTING.md) is that an operation costs the spec and
one mock handler, and that the tests chosen by shape cover it the day it lands. The only honest proof is to do
what a contributor does and count what it took. The :func:`scratch` fixture (``tests/client/_scratch.py``)
copies this checkout's sources (``greenstat_ext/``, ``tests/``, ``scripts/``, ``docs/``, ``templates/`` and
the configuration) into a temporary folder and there, exactly as CONTRIBUTING.md says:

* adds to ``openapi.yaml`` a parameterless GET, ``getFooState``, under a new tag (``account``; ``account2``
  if the spec has one) at 10 requests/s, answering an object (not a list, unlike every read before it); a
  write, ``sendFoo``, under another new tag (``sending``, likewise): POST, a JSON body with a bounded
  member, ``x-idempotent: false``, ``x-creates: foo`` and no operation that deletes a foo; and one optional
  field in ``StatusStatistic`` (regeneration safety: the existing tests must keep passing);
* adds one mock handler each, entries of ``HANDLERS`` in ``greenstat_ext/mock/_handlers.py``;
* runs ``make generate``'s two steps (``scripts/generate.sh``, ``scripts/operation_tables.py --write``).

Then, in subprocesses whose ``PYTHONPATH`` puts the clone first (its ``greenstat_ext`` and ``tests`` before
the checkout's, its generated package before the committed one): the client has typed, validated, paced
methods (the write sent once when the server may have acted); the tests chosen by shape run for the new
operations (their cases selected with ``-k`` by their ids, the other operations' cases are not run again);
the reference mock (``greenstat mock``, uvicorn on loopback) serves both through their handlers; a paced
``greenstat contract-test`` of every read against it (in the background: it is mostly waiting) PASSES,
the new GET's burst at 10/s refused, and names the write as never sent (it could not clean up after it).
Finally the clone is compared with the checkout: the files that differ are the cost, recorded in the
suite's figures (docs/architecture.md and CONTRIBUTING.md quote them).
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from greenstat_ext._spec import operations
from greenstat_ext.mock import DEMO_ID_INSTANCE, DEMO_MESSAGES, DEMO_TOKEN
from tests._figures import record

from ._scratch import (
    BIN,
    FOO_MAX_LENGTH,
    GET_RATE,
    GET_TAG,
    HANG_GUARD,
    NEW_GET,
    NEW_WRITE,
    ROOT,
    SOURCES,
    VIEWED_AT,
    WRITE_TAG,
    Scratch,
    added_lines,
    block,
    differences,
    greenstat_mock,
    make_scratch,
    run_python,
)

#: pytest in the clone: serially, in file order, nothing cached in the clone.
PYTEST = ["-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", "-n", "0"]
SUBSET = ["tests/client/test_properties.py", "tests/client/test_errors.py", "tests/client/test_sync.py"]


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Scratch:
    return make_scratch(tmp_path_factory.mktemp("scratch"))


def test_the_subprocesses_use_the_scratch_clone(scratch: Scratch) -> None:
    code = (
        "import greenstat_client, greenstat_ext, tests\n"
        "from greenstat_client.models import StatusStatistic\n"
        "print(greenstat_client.__file__)\n"
        "print(greenstat_ext.__file__)\n"
        "print(tests.__file__)\n"
        "print(sorted(StatusStatistic.__struct_fields__))\n"
    )
    result = run_python(scratch, "-c", code)
    assert result.returncode == 0, result.stderr
    client, ext, tests, fields = result.stdout.splitlines()
    assert all(path.startswith(str(scratch.root)) for path in (client, ext, tests))
    assert "viewed_at" in fields


def test_the_edited_spec_passes_lint_spec(scratch: Scratch) -> None:
    """``make lint-spec`` on the clone's spec: valid, its examples match, its extensions well formed."""
    for command in (
        [str(BIN / "openapi-spec-validator"), "openapi.yaml"],
        [sys.executable, "scripts/check_spec_loads.py", "openapi.yaml"],
    ):
        result = subprocess.run(  # noqa: S603 - the tools `make lint-spec` runs
            command, cwd=scratch.root, env=scratch.env(), capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(operations()) + 2} operations rate-limited" in result.stdout  # the spec's and the new two


def test_ext_tests_pass_against_the_regenerated_package(scratch: Scratch) -> None:
    result = run_python(scratch, *PYTEST, "-x", *SUBSET)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert " passed" in result.stdout


FOO_CLIENT = textwrap.dedent(
    """
    import json, threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    import anyio

    from greenstat_client.models import FooState
    from greenstat_ext import (
        AsyncGreenStat, GreenStat, InvalidRequestError, OutcomeUnknownError, ResponseValidationError, _spec,
    )
    from greenstat_ext.contract._spec import load_operations
    from greenstat_ext.contract._writes import lifecycles

    seen = []
    answers = [{"state": "ready", "new": 1}, {"state": "asleep"}, {"state": 7}, {"state": "ready"}]

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(self.path)
            body = json.dumps(answers.pop(0)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):  # a server that may have acted, then failed: a write must not be repeated
            seen.append("POST " + self.path)
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(500)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    options = dict(id_instance=1101000001, api_token="abc123", api_url=f"http://127.0.0.1:{server.server_port}")
    with GreenStat(**options) as client:
        foo = client.get_foo_state()
        assert isinstance(foo, FooState) and foo.state == "ready", foo
        raw = client.with_raw_response.get_foo_state()
        print("raw", raw.status_code, raw.parse().state)
        print("rate", client.rate_limiter_for("getFooState").rate)
        try:
            client.get_foo_state()
        except ResponseValidationError as exc:
            print("invalid_answer", type(exc).__name__)
    with GreenStat(**options) as client:
        try:
            client.send_foo("x" * (MAX + 1))
        except InvalidRequestError as exc:
            print("write_refused", exc)
        try:
            client.send_foo(foo_id="abc")
        except OutcomeUnknownError:
            print("write_unknown", sum(1 for line in seen if line.startswith("POST")))

    write = _spec.operation("sendFoo")
    print("write_spec", write.is_write, write.idempotent, write.creates)
    cleanable = {life.creator.name for life in lifecycles(load_operations())}
    print("kit_cleans", bool(cleanable), "sendFoo" in cleanable)

    async def main():
        async with AsyncGreenStat(**options, rate_limit=0) as client:
            return await client.get_foo_state()

    print("async", anyio.run(main).state)
    print("paths", sorted(set(seen)))
    server.shutdown()
    """
)


def test_the_new_operations_are_typed_validated_paced_methods(scratch: Scratch) -> None:
    result = run_python(scratch, "-c", f"MAX = {FOO_MAX_LENGTH}\n" + FOO_CLIENT)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines())
    assert lines["raw"] == "200 asleep"
    assert lines["rate"] == f"{GET_RATE:.1f}"  # its own x-rate-limit: 10 per 1 s
    assert lines["invalid_answer"] == "ResponseValidationError"  # {"state": 7}: checked against FooState
    assert lines["async"] == "ready"
    paths = ["/waInstance1101000001/getFooState/abc123", "POST /waInstance1101000001/sendFoo/abc123"]
    assert lines["paths"] == repr(sorted(paths))
    # the write, under its own tag: its body member refused from the spec, sent once (x-idempotent: false)
    assert lines["write_refused"].startswith(f"foo_id: must be at most {FOO_MAX_LENGTH} characters")
    assert lines["write_unknown"] == "1"
    assert lines["write_spec"] == "True False foo"
    assert lines["kit_cleans"] == "True False"  # the kit cleans up after some writes, never after sendFoo


#: The per-operation test files whose cases are parametrised over the operation table, chosen by shape
#: (read or write, has arguments, returns a list, creates what something deletes), each with the cases it
#: must have at least for the two new operations: ``-k`` selects them by their ids (operationId or method
#: name), so the rest of each file (the other operations' cases) is not run again here.
SHAPED = {
    "tests/mock/test_operations.py": 5,  # answers + gateway codes, quota, two mocks alike (the read)
    "tests/mock/test_writes.py": 2,  # the write's body limit and rate limit
    "tests/client/test_properties.py": 7,  # table entry, decode/send sync and async; the write's arguments
    "tests/client/test_writes.py": 15,  # never re-sent once the server may have acted
    "tests/contract/test_operations.py": 1,  # the kit's probes of the read reach the server
}
SHAPED_IDS = "getFooState or sendFoo or get_foo_state or send_foo"


def test_the_tests_chosen_by_shape_pass_for_the_new_operations(scratch: Scratch, tmp_path: Path) -> None:
    junit = tmp_path / "shaped.xml"
    result = run_python(scratch, *PYTEST, "-k", SHAPED_IDS, "--junitxml", str(junit), *SHAPED)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-3000:]
    cases = list(ET.parse(junit).getroot().iter("testcase"))  # noqa: S314 - our own file
    ran: dict[str, int] = {}
    for case in cases:
        assert case.find("skipped") is None, case.get("name")
        module = str(case.get("classname")).replace(".", "/") + ".py"
        ran[module] = ran.get(module, 0) + 1
    assert set(ran) == set(SHAPED)
    assert all(ran[module] >= least for module, least in SHAPED.items()), ran
    names = [str(case.get("name")) for case in cases]
    for operation in ("getFooState", "sendFoo"):
        assert any(f"[{operation}]" in name for name in names), operation
    record("regeneration", f"tests chosen by shape, run for the two new operations: {len(cases)} passed")


# --- the reference mock and the kit, as real processes of the clone on loopback -----------------------------


MOCK_CLIENT = textwrap.dedent(
    """
    import sys

    import httpx

    from greenstat_client.models import FooState, SendStatusResult
    from greenstat_ext import GreenStat
    from greenstat_ext.mock import DEMO_ID_INSTANCE, DEMO_TOKEN

    url = sys.argv[1]
    with GreenStat(id_instance=DEMO_ID_INSTANCE, api_token=DEMO_TOKEN, api_url=url) as client:
        state = client.get_foo_state()
        print("state", type(state).__name__, state.state)
        sent = client.send_foo("abc")
        print("sent", type(sent).__name__, sent.id_message)
    base = f"{url}/waInstance{DEMO_ID_INSTANCE}"
    with httpx.Client(timeout=120) as http:
        print("wrong_token", http.get(f"{base}/getFooState/wrong").status_code)
        answer = http.post(f"{base}/getFooState/{DEMO_TOKEN}")
        print("post_to_get", answer.status_code, answer.headers["allow"])
        answer = http.get(f"{base}/sendFoo/{DEMO_TOKEN}")
        print("get_to_post", answer.status_code, answer.headers["allow"])
        answer = http.post(f"{base}/sendFoo/{DEMO_TOKEN}", json={"fooId": "x" * (MAX + 1)})
        print("too_long", answer.status_code, answer.json()["message"])
    """
)


def test_the_reference_mock_serves_the_new_operations_with_one_handler_each(
    scratch: Scratch, tmp_path: Path
) -> None:
    log = tmp_path / "mock.log"
    with greenstat_mock(scratch, log) as url:
        result = run_python(scratch, "-c", f"MAX = {FOO_MAX_LENGTH}\n" + MOCK_CLIENT, url)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines())
    assert lines["state"] == "FooState ready"  # the handler's answer, through the regenerated client
    assert re.fullmatch(r"SendStatusResult F00D0{11}1", lines["sent"])  # the write's handler ran once
    # what the gateway did from the spec alone: credentials, methods, the body's bound
    assert lines["wrong_token"] == "401"
    assert lines["post_to_get"] == "405 GET, HEAD"
    assert lines["get_to_post"] == "405 POST"
    assert (
        lines["too_long"]
        == f"400 fooId: must be at most {FOO_MAX_LENGTH} characters (got {FOO_MAX_LENGTH + 1})"
    )
    output = log.read_text("utf-8")
    assert f"getFooState {GET_RATE}/s" in output  # the banner's rate limits: the new ones from the spec
    assert "/getFooState/***" in output  # the access log masks the token
    assert "Traceback" not in output


@dataclass(frozen=True)
class KitRun:
    """The paced kit run, under way in the background while the module's other tests run."""

    process: subprocess.Popen[bytes]
    stdout: Path
    stderr: Path
    junit: Path
    mock_log: Path


@pytest.fixture(scope="module", autouse=True)
def kit_run(scratch: Scratch, tmp_path_factory: pytest.TempPathFactory) -> Iterator[KitRun]:
    """``greenstat contract-test`` of the clone against its ``greenstat mock``, started before the module's
    first test whatever their order, and judged by :func:`test_a_paced_kit_run_passes_the_new_read`.

    Why in the background: the run is paced at each operation's x-rate-limit (``--rate-limit 10`` caps
    them), so the spec's three reads at 1/s make it about 50 s of waiting (and about 1 s of CPU); the other
    tests of this module use that time.
    """
    folder = tmp_path_factory.mktemp("kit")
    stdout, stderr, junit, mock_log = (folder / name for name in ("stdout", "stderr", "contract.xml", "mock"))
    with greenstat_mock(scratch, mock_log) as url:
        command = [
            sys.executable, "-c", "from greenstat_ext.cli import main; main()", "contract-test",
            "--url", url, "--id-instance", str(DEMO_ID_INSTANCE), "--id-message", next(iter(DEMO_MESSAGES)),
            "--rate-limit", str(GET_RATE), "--max-examples", "1", "--seed", "1", "--junit", str(junit),
            "--run-timeout", "600",
        ]  # fmt: skip
        env = {**scratch.env(), "GREEN_API_TOKEN": DEMO_TOKEN, "COLUMNS": "200"}
        with stdout.open("wb") as out, stderr.open("wb") as err:
            process = subprocess.Popen(command, cwd=scratch.root, env=env, stdout=out, stderr=err)  # noqa: S603
        try:
            yield KitRun(process, stdout, stderr, junit, mock_log)
        finally:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=HANG_GUARD)


def test_a_paced_kit_run_passes_the_new_read(kit_run: KitRun) -> None:
    """The whole kit (every check, reads only: the new GET is one, and the write is one it never sends)
    against the clone's mock: PASSED, the new GET judged by every check that applies to it, its burst of
    11 requests at 10/s refused once, and the write named as never sent and never requested."""
    returncode = kit_run.process.wait(timeout=900)
    stdout, stderr = kit_run.stdout.read_text("utf-8"), kit_run.stderr.read_text("utf-8")
    assert returncode == 0, stdout + stderr[-3000:]
    flat = " ".join(re.sub(r"[\u2500-\u257f]", " ", stdout).split())  # without rich's box lines
    assert "PASSED" in flat
    never = re.search(r"Never sent \(what they create, no operation of the spec deletes\): ([\w, ]+)", flat)
    assert never is not None, flat
    assert NEW_WRITE in never.group(1).replace(",", " ").split()
    assert DEMO_TOKEN not in stdout + stderr
    suite = ET.parse(kit_run.junit).getroot().find("testsuite")  # noqa: S314 - our own file
    assert suite is not None
    properties = {item.get("name"): item.get("value") for item in suite.iterfind("properties/property")}
    assert properties["verdict"] == "PASSED"
    assert NEW_GET in str(properties["operations"]).split(",")
    assert NEW_WRITE not in str(properties["operations"]).split(",")
    judged = {
        str(case.get("name"))
        for case in suite.iterfind("testcase")
        if case.get("classname") == f"greenstat.contract.{NEW_GET}"
        and case.find("skipped") is None
        and case.find("failure") is None
    }
    expected = {"valid_request_accepted", "wrong_token_rejected", "wrong_instance_rejected",
                "unsupported_method_rejected", "response_schema_conformance", "status_code_conformance",
                "rate_limit_enforced", "retry_after_conformance"}  # fmt: skip
    burst = re.search(rf"{NEW_GET}: rate-limit finished: (\d+) requests \((.*)\)", stderr)
    assert burst is not None, stderr[-3000:]
    assert burst.group(1) == str(GET_RATE + 1)
    if "rate_limit_enforced" not in judged:
        # The kit judges a burst only when its 11 requests went out and were answered within the 1 s window
        # (the one meaning of x-rate-limit): on a machine too busy for that it rightly judged nothing, and
        # the mock refused one or none (its window sees arrivals, which may still span less than 1 s). Not a
        # finding either way: said, not failed.
        assert burst.group(2).count("429") <= 1, burst.group(2)
        expected.discard("rate_limit_enforced")
        record("regeneration", f"{NEW_GET}'s burst took longer than its window (a busy machine): not judged")
    else:
        assert "429: 1" in burst.group(2)
    assert expected <= judged, expected - judged
    requested = [line for line in kit_run.mock_log.read_text("utf-8").splitlines() if '"' in line]
    assert any(f"/{NEW_GET}/***" in line for line in requested)
    assert not any(f"/{NEW_WRITE}/" in line for line in requested)  # not one request to the write
    seconds = re.findall(r"^\[\s*([0-9.]+) s\]", stderr, re.MULTILINE)
    record(
        "regeneration",
        f"paced kit run of the clone against its mock (reads, --rate-limit {GET_RATE}, --max-examples 1): "
        f"{properties['verdict']} in {float(seconds[-1]):.0f} s by its own clock, {properties['requests']} "
        f"requests; {NEW_GET}'s burst: {burst.group(1)} requests ({burst.group(2)}); {NEW_WRITE} never sent",
    )


# --- the cost ---------------------------------------------------------------------------------------------


def test_what_the_new_operations_cost(scratch: Scratch) -> None:
    """The clone against the checkout: what differs outside the generated docs' tables and generated/ is
    what was written by hand, and that is the spec and the mock's handlers only."""
    changed = scratch.changed([*SOURCES, "openapi.yaml"])
    tables = ["docs/api.md", "docs/spec.md"]  # written by scripts/operation_tables.py (make generate)
    assert all(name in changed for name in tables)  # the new operations are in the docs' tables
    hand_written = sorted(name for name in changed if name not in tables)
    assert hand_written == ["greenstat_ext/mock/_handlers.py", "openapi.yaml"]
    generated = differences(ROOT / "generated" / "greenstat_client", scratch.package)
    generated.remove("models/status_statistic.py")  # the copy's other change (viewedAt), not an operation
    assert f"api/{GET_TAG}" in generated  # the new tags' packages (their endpoint modules), under api/
    assert f"api/{WRITE_TAG}" in generated
    assert "api/__init__.py" in generated  # the one facade of every tag: operation table and mixins
    assert not any(path.startswith("api/statuses/") for path in generated)  # another tag's files: untouched
    assert all(not path.endswith(".py") or path.startswith(("api/", "models/")) for path in generated)
    added = {name: added_lines(ROOT / name, scratch.root / name) for name in hand_written}
    added["openapi.yaml"] -= len(block({"viewedAt": VIEWED_AT}, 8).splitlines())  # not an operation's
    by_hand = ", ".join(f"{name} +{lines} lines" for name, lines in added.items())
    record(
        "regeneration",
        f"a GET and a POST write under two new tags: {len(hand_written)} hand-written files ({by_hand}); "
        f"generated: the tables of {' and '.join(tables)}, and in generated/greenstat_client {generated}; "
        "0 files in the client, the kit, the CLI or the tests",
    )
