#!/usr/bin/env bash
# Smoke-test greenstat as users get it: the wheel and sdist that `uv build` makes, installed with [all] into
# fresh venvs resolved twice, with the newest versions pyproject.toml allows (--resolution highest) and with
# the oldest (lowest-direct: every requirement of the wheel's metadata made direct, so each one sits on its
# lower bound). CI and `make test` run from requirements.lock; users do not (issue 18: typer 0.29 broke the
# CLI of every `pip install 'greenstat[cli]'` while the locked suite stayed green). See docs/packaging.md.
#
# Checks: the sdist builds the same wheel as the tree (byte for byte); `twine check --strict` on both; the
# wheel carries py.typed for both packages. Then, in each venv, from a folder outside the checkout (so
# nothing imports the source tree): `greenstat --help`; `greenstat mock` from that venv on a free loopback
# port; `stats --json` and `report --json` against it; README's client snippet under `python -X dev -W
# error`; a short paced `contract-test` against the same mock. The mock is stopped on every exit (trap).
#
# SMOKE_RESOLUTIONS="highest lowest-direct" (default) picks the runs; SMOKE_PYTHON (default 3.11, the
# lowest supported) the interpreter uv creates the venvs with; SMOKE_KEEP=1 keeps the work folder.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
uv=${UV:-$root/.venv/bin/uv}
python=${SMOKE_PYTHON:-3.11}
resolutions=${SMOKE_RESOLUTIONS:-highest lowest-direct}
twine_version=7.0.0
id_message=BAE5F4886F6F2D05 # the README's example: the mock's demo status, 12 recipients
work=$(mktemp -d "${TMPDIR:-/tmp}/greenstat-smoke.XXXXXX")
mock_pid=""

stop_mock() {
  if [[ -n $mock_pid ]]; then
    kill "$mock_pid" 2>/dev/null || true
    wait "$mock_pid" 2>/dev/null || true
    mock_pid=""
  fi
}
cleanup() {
  stop_mock
  if [[ ${SMOKE_KEEP:-0} == 1 ]]; then echo "smoke: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

step() { printf '\nsmoke: %s\n' "$*"; }
fail() {
  echo "smoke: FAILED: $*" >&2
  exit 1
}
started=$SECONDS

step "build the sdist and, from it, the wheel (uv build); and the wheel from the tree"
"$uv" build --quiet --no-config --out-dir "$work/dist" "$root"
"$uv" build --quiet --no-config --wheel --out-dir "$work/tree" "$root"
wheel=$(echo "$work"/dist/*.whl)
sdist=$(echo "$work"/dist/*.tar.gz)
cmp "$wheel" "$work/tree/$(basename "$wheel")" || fail "the sdist builds another wheel than the tree"
echo "$(basename "$wheel") = the tree's wheel, byte for byte; $(basename "$sdist")"

step "twine check --strict (the metadata and README render as PyPI renders them); py.typed in the wheel"
"$uv" venv --quiet --no-config --python "$python" "$work/tools"
"$uv" pip install --quiet --no-config --python "$work/tools/bin/python" "twine==$twine_version"
NO_COLOR=1 "$work/tools/bin/twine" check --strict "$wheel" "$sdist"
# The wheel's requirements, with every extra of [all], one per line: lowest-direct resolves the direct
# requirements to their lower bounds, and a path to a wheel would make only the wheel itself direct.
"$work/tools/bin/python" - "$wheel" "$work/requirements.txt" <<'PY'
import sys
import zipfile
from email.parser import Parser

from packaging.requirements import Requirement

wheel, out = sys.argv[1:]
with zipfile.ZipFile(wheel) as archive:
    names = archive.namelist()
    meta_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
    metadata = Parser().parsestr(archive.read(meta_name).decode())
for typed in ("greenstat_ext/py.typed", "greenstat_client/py.typed"):
    if typed not in names:
        sys.exit(f"smoke: the wheel has no {typed}: type checkers would ignore its annotations")
requirements = [Requirement(line) for line in metadata.get_all("Requires-Dist", [])]


def wanted(requirement: Requirement, extra: str) -> bool:
    return requirement.marker is None or requirement.marker.evaluate({"extra": extra})


# [all] and the extras it names (greenstat[cli,mock,contract,redis]), and theirs: never [dev].
extras, todo = {""}, ["all"]
while todo:
    extra = todo.pop()
    extras.add(extra)
    for requirement in requirements:
        if requirement.name == metadata["Name"] and wanted(requirement, extra):
            todo += sorted(requirement.extras - extras)
lines = []
for requirement in requirements:
    if requirement.name != metadata["Name"] and any(wanted(requirement, extra) for extra in extras):
        requirement.marker = None  # evaluated here, for this interpreter and platform
        lines.append(str(requirement))
extras = ["", *sorted(extras - {""})]
with open(out, "w", encoding="utf-8") as target:
    target.write("\n".join(sorted(set(lines))) + "\n")
print(f"py.typed: both packages; {len(set(lines))} requirements with extras {', '.join(extras[1:])}")
PY

# One venv per resolution; the smoke suite runs in each.
run_suite() {
  local resolution=$1 venv="$work/venv-$1" began=$SECONDS
  step "[$resolution] a fresh venv (Python $python), pip install '$(basename "$wheel")[all]'"
  "$uv" venv --quiet --no-config --python "$python" "$venv"
  "$uv" pip install --quiet --no-config --python "$venv/bin/python" --resolution "$resolution" \
    "$wheel[all]" -r "$work/requirements.txt"
  local direct
  direct=$(sed -E 's/[ ;<>=!~\[].*//' "$work/requirements.txt" | tr '\n' '|')
  "$uv" pip list --no-config --python "$venv/bin/python" 2>/dev/null |
    grep -iE "^(${direct%|}) " | awk '{printf "%s %s, ", $1, $2} END {print ""}'
  "$uv" pip check --quiet --no-config --python "$venv/bin/python" || fail "[$resolution] uv pip check"

  cd "$work" # never the checkout: every import must come from the venv
  local bin="$venv/bin"
  "$bin/greenstat" --help >"$work/help.txt" || fail "[$resolution] greenstat --help"
  grep -q "contract-test" "$work/help.txt" || fail "[$resolution] greenstat --help lists no contract-test"
  echo "greenstat --help: ok"

  local id token
  read -r id token < <("$bin/python" -c \
    'from greenstat_ext.mock import DEMO_ID_INSTANCE as i, DEMO_TOKEN as t; print(i, t)')
  # 20 requests/s (Green API allows 1): the paced contract test below stays under it, in seconds.
  "$bin/greenstat" mock --host 127.0.0.1 --port 0 --rate-limit 20 --no-access-log >"$work/mock.log" 2>&1 &
  mock_pid=$!
  local url="" tries=0
  until url=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$work/mock.log" | head -1) && [[ -n $url ]]; do
    kill -0 "$mock_pid" 2>/dev/null || fail "[$resolution] greenstat mock exited: $(cat "$work/mock.log")"
    ((++tries < 300)) || fail "[$resolution] greenstat mock did not start in 30 s"
    sleep 0.1
  done
  echo "greenstat mock: serving on $url (pid $mock_pid)"
  export GREEN_API_URL=$url GREEN_API_ID_INSTANCE=$id GREEN_API_TOKEN=$token

  "$bin/greenstat" stats --json "$id_message" >"$work/stats.json" || fail "[$resolution] stats --json"
  "$bin/python" -c 'import json, sys; assert json.load(open(sys.argv[1]))["items"]' \
    "$work/stats.json" || fail "[$resolution] stats --json printed no recipients"
  "$bin/greenstat" report --json --minutes 60 >"$work/report.json" || fail "[$resolution] report --json"
  "$bin/python" -c 'import json, sys; json.load(open(sys.argv[1]))' "$work/report.json" ||
    fail "[$resolution] report --json printed no JSON"
  echo "stats --json, report --json: ok"

  # README's first Python block: the client snippet every user tries first.
  "$bin/python" - "$root/README.md" >"$work/snippet.py" <<'PY'
import re
import sys

print(re.findall(r"```python\n(.*?)```", open(sys.argv[1], encoding="utf-8").read(), flags=re.S)[0])
PY
  "$bin/python" -X dev -W error "$work/snippet.py" >"$work/snippet.out" ||
    fail "[$resolution] README's client snippet under -X dev -W error"
  echo "README snippet under -X dev -W error: ok ($(head -c 80 "$work/snippet.out"))"

  # Paced at 10 requests/s, half the mock's limit. Not checked here: the rate-limit checks (they need the
  # spec's 1 request/s, a run of minutes) and the temporal ones (the demo status is re-posted every 15
  # minutes, its recipients back to pending: a run straddling that moment rightly fails them); the suite
  # runs both against a mock with a pinned clock (tests/contract, tests/conformance).
  local checks
  checks=$("$bin/python" -c 'from greenstat_ext.contract import ALL_CHECKS, TEMPORAL_CHECKS as T
print(",".join(c for c in ALL_CHECKS if c not in {*T, "rate_limit_enforced", "retry_after_conformance"}))')
  "$bin/greenstat" contract-test --id-message "$id_message" --max-examples 2 --rate-limit 10 --seed 1 \
    --checks "$checks" --run-timeout 300 >"$work/contract.txt" 2>&1 || {
    cat "$work/contract.txt"
    fail "[$resolution] contract-test against the mock"
  }
  echo "contract-test (paced, 10 requests/s): $(grep -E '^(PASSED|FAILED|INCONCLUSIVE)' "$work/contract.txt" | tail -1)"
  stop_mock
  unset GREEN_API_URL GREEN_API_ID_INSTANCE GREEN_API_TOKEN
  cd "$root"
  echo "smoke: [$resolution] passed in $((SECONDS - began)) s"
}

for resolution in $resolutions; do
  run_suite "$resolution"
done
echo "smoke: passed ($resolutions) in $((SECONDS - started)) s"
