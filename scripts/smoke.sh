#!/usr/bin/env bash
# Smoke-test greenstat as users get it: the wheel and sdist that `uv build` makes, installed with [all] into
# fresh venvs resolved twice, with the newest versions pyproject.toml allows (--resolution highest) and with
# the oldest (lowest-direct: every requirement of the wheel's metadata made direct, so each one sits on its
# lower bound). CI and `make test` run from requirements.lock; users do not (issue 18: typer 0.29 broke the
# CLI of every `pip install 'greenstat[cli]'` while the locked suite stayed green). See docs/packaging.md.
#
# Checks: the sdist builds the same wheel as the tree (byte for byte); `twine check --strict` on both; the
# wheel carries py.typed for both packages, the license and the metadata a PyPI page needs
# (scripts/smoke_wheel.py). Then, in each venv, from a folder outside the checkout (so nothing imports the
# source tree): `greenstat --help` and `--version`; `greenstat mock` from that venv on a free loopback port;
# `stats --json` and `report --json` against it; README's client snippet under `python -X dev -W error`; a
# short paced `contract-test` against the same mock; in the newest venv, mypy --strict on a user's file
# (the installed annotations are seen: a valid call passes, font="COMIC" is refused). Last, a plain
# `pip install greenstat` (no extra) at the oldest versions: the client runs README's snippet, and `greenstat`,
# `import greenstat_ext.mock` and `.contract` name the extra they need. The mock is stopped on every exit
# (trap); every step has a time limit.
#
# Network: only the package registry (PyPI, through uv; UV_NO_CONFIG, no managed-Python downloads).
# SMOKE_RESOLUTIONS="highest lowest-direct" (default) picks the runs; SMOKE_PYTHON (default 3.11, the
# lowest supported) the interpreter uv creates the venvs with; SMOKE_KEEP=1 keeps the work folder.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
uv=${UV:-$root/.venv/bin/uv}
python=${SMOKE_PYTHON:-3.11}
resolutions=${SMOKE_RESOLUTIONS:-highest lowest-direct}
# twine for `check`; mypy at the version the project checks itself with
tools="twine==7.0.0 $(grep -E '^mypy==' "$root/requirements.lock")"
id_message=BAE5F4886F6F2D05 # the README's example: the mock's demo status, 12 recipients
export UV_NO_CONFIG=1 UV_PYTHON_DOWNLOADS=never NO_COLOR=1
unset VIRTUAL_ENV PYTHONPATH PYTHONHOME UV_PYTHON
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
# limit SECONDS COMMAND...: run it, killed (and failed) past SECONDS.
limit() { timeout --kill-after=5 "$@"; }
started=$SECONDS

step "build the sdist and, from it, the wheel (uv build); and the wheel from the tree"
limit 300 "$uv" build --quiet --out-dir "$work/dist" "$root"
limit 300 "$uv" build --quiet --wheel --out-dir "$work/tree" "$root"
wheel=$(echo "$work"/dist/*.whl)
sdist=$(echo "$work"/dist/*.tar.gz)
cmp "$wheel" "$work/tree/$(basename "$wheel")" || fail "the sdist builds another wheel than the tree"
echo "$(basename "$wheel") = the tree's wheel, byte for byte; $(basename "$sdist")"

step "twine check --strict (the metadata and README render as PyPI renders them); the wheel's contents"
limit 120 "$uv" venv --quiet --python "$python" "$work/tools"
# shellcheck disable=SC2086 # $tools is a list of requirements
limit 300 "$uv" pip install --quiet --python "$work/tools/bin/python" $tools
limit 60 "$work/tools/bin/twine" --no-color check --strict "$wheel" "$sdist"
limit 60 "$work/tools/bin/python" "$root/scripts/smoke_wheel.py" inspect "$wheel" "$sdist" "$work"
limit 60 "$work/tools/bin/python" "$root/scripts/smoke_wheel.py" snippet "$root/README.md" >"$work/snippet.py"
version=$(basename "$wheel" | cut -d- -f2)

# mypy --strict, as a user's project runs it, on code that uses the installed package (not the checkout).
check_types() {
  local venv=$1
  cat >"$work/user_code.py" <<'PY'
from greenstat_ext import GreenStat, SendStatusResult, StatusFont


def post(client: GreenStat) -> list[SendStatusResult]:
    return [
        client.send_text_status("hello", font=StatusFont.SERIF),
        client.send_text_status("hello", font="OSWALD_HEAVY"),
        client.send_text_status("hello", font="COMIC"),  # line 8: the one error
    ]
PY
  local out
  out=$(cd "$work" && limit 300 "$work/tools/bin/mypy" --strict --no-incremental \
    --python-executable "$venv/bin/python" user_code.py 2>&1) && fail "mypy accepted font=\"COMIC\": $out"
  if [[ $(grep -c ': error:' <<<"$out") != 1 ]] || ! grep -q '^user_code.py:8: error: .*\[arg-type\]' <<<"$out"; then
    fail "mypy --strict on the installed package: expected one arg-type error on line 8, got: $out"
  fi
  echo "mypy --strict on a user's file: the installed types resolve; font=\"COMIC\" refused"
}

# make_venv NAME RESOLUTION REQUIREMENTS WHAT: a fresh venv $work/venv-NAME with WHAT (the wheel, with or
# without [all]) and REQUIREMENTS (the wheel's own, made direct) resolved with RESOLUTION; prints the versions.
make_venv() {
  local venv="$work/venv-$1" resolution=$2 requirements=$3 what=$4
  step "[$1] a fresh venv (Python $python), pip install '$(basename "$what")', --resolution $resolution"
  limit 120 "$uv" venv --quiet --python "$python" "$venv"
  limit 600 "$uv" pip install --quiet --python "$venv/bin/python" --resolution "$resolution" \
    "$what" -r "$requirements"
  local direct
  direct=$(sed -E 's/[ ;<>=!~\[].*//' "$requirements" | tr '\n' '|')
  "$uv" pip list --python "$venv/bin/python" 2>/dev/null |
    grep -iE "^(${direct%|}) " | awk '{printf "%s %s, ", $1, $2} END {print ""}'
  limit 60 "$uv" pip check --quiet --python "$venv/bin/python" || fail "[$1] uv pip check"
}

# start_mock BIN: `greenstat mock` from that venv on a free loopback port; exports the GREEN_API_* variables
# of its demo instance. 20 requests/s (Green API allows 1): the paced contract test stays under it.
start_mock() {
  local bin=$1 id token url="" tries=0
  read -r id token < <(limit 60 "$bin/python" -c \
    'from greenstat_ext.mock import DEMO_ID_INSTANCE as i, DEMO_TOKEN as t; print(i, t)')
  : >"$work/mock.log" # before the mock's own redirect: the loop below may read it first
  "$bin/greenstat" mock --host 127.0.0.1 --port 0 --rate-limit 20 --no-access-log >"$work/mock.log" 2>&1 &
  mock_pid=$!
  until url=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$work/mock.log" | head -1) && [[ -n $url ]]; do
    kill -0 "$mock_pid" 2>/dev/null || fail "greenstat mock exited: $(cat "$work/mock.log")"
    ((++tries < 300)) || fail "greenstat mock did not start in 30 s"
    sleep 0.1
  done
  echo "greenstat mock: serving on $url"
  export GREEN_API_URL=$url GREEN_API_ID_INSTANCE=$id GREEN_API_TOKEN=$token
}

# run_snippet BIN LABEL: README's client example under -X dev -W error, with that venv's Python.
run_snippet() {
  limit 60 "$1/python" -X dev -W error "$work/snippet.py" >"$work/snippet.out" ||
    fail "[$2] README's client snippet under -X dev -W error"
  grep -q "12 recipient(s)" "$work/snippet.out" || fail "[$2] README snippet: $(cat "$work/snippet.out")"
  echo "README snippet under -X dev -W error: ok ($(head -c 80 "$work/snippet.out"))"
}

# One venv per resolution with [all]; the smoke suite runs in each.
run_suite() {
  local resolution=$1 venv="$work/venv-$1" began=$SECONDS
  make_venv "$resolution" "$resolution" "$work/all.txt" "${wheel}[all]"

  cd "$work" # never the checkout: every import must come from the venv
  local bin="$venv/bin"
  limit 60 "$bin/greenstat" --help >"$work/help.txt" || fail "[$resolution] greenstat --help"
  grep -q "contract-test" "$work/help.txt" || fail "[$resolution] greenstat --help lists no contract-test"
  [[ $(limit 60 "$bin/greenstat" --version) == *"$version"* ]] || fail "[$resolution] greenstat --version"
  echo "greenstat --help, --version: ok"

  start_mock "$bin"

  # JSON on stdout, nothing on stderr (no warning, no stray progress line in a script's log)
  limit 60 "$bin/greenstat" stats --json "$id_message" >"$work/stats.json" 2>"$work/stats.err" ||
    fail "[$resolution] stats --json: $(cat "$work/stats.err")"
  "$bin/python" -c 'import json, sys; assert len(json.load(open(sys.argv[1]))["items"]) == 12' \
    "$work/stats.json" || fail "[$resolution] stats --json did not list the demo status's 12 recipients"
  limit 60 "$bin/greenstat" report --json --minutes 60 >"$work/report.json" 2>"$work/report.err" ||
    fail "[$resolution] report --json: $(cat "$work/report.err")"
  "$bin/python" -c 'import json, sys; assert json.load(open(sys.argv[1]))["statuses"]' "$work/report.json" ||
    fail "[$resolution] report --json listed no status"
  [[ ! -s $work/stats.err && ! -s $work/report.err ]] ||
    fail "[$resolution] --json wrote to stderr: $(od -c "$work/stats.err" "$work/report.err" | head -5)"
  echo "stats --json, report --json: ok, nothing on stderr"

  run_snippet "$bin" "$resolution"

  # Paced at 10 requests/s, half the mock's limit. Not checked here: the rate-limit checks (they need the
  # spec's 1 request/s, a run of minutes) and the temporal ones (the demo status is re-posted every 15
  # minutes, its recipients back to pending: a run straddling that moment rightly fails them); the suite
  # runs both against a mock with a pinned clock (tests/contract, tests/conformance).
  local checks
  checks=$("$bin/python" -c 'from greenstat_ext.contract import ALL_CHECKS, TEMPORAL_CHECKS as T
print(",".join(c for c in ALL_CHECKS if c not in {*T, "rate_limit_enforced", "retry_after_conformance"}))')
  limit 180 "$bin/greenstat" contract-test --id-message "$id_message" --max-examples 2 --rate-limit 10 \
    --seed 1 --checks "$checks" --run-timeout 120 >"$work/contract.txt" 2>&1 || {
    cat "$work/contract.txt"
    fail "[$resolution] contract-test against the mock"
  }
  echo "contract-test (paced, 10 requests/s): $(grep -E '^(PASSED|FAILED|INCONCLUSIVE)' "$work/contract.txt" | tail -1)"
  stop_mock
  unset GREEN_API_URL GREEN_API_ID_INSTANCE GREEN_API_TOKEN
  if [[ $resolution == highest ]]; then check_types "$venv"; fi
  cd "$root"
  echo "smoke: [$resolution] passed in $((SECONDS - began)) s"
}

# A plain `pip install greenstat` (no extra), at the oldest versions: the client alone works (against a mock
# served from an [all] venv), and what needs an extra says which one, only because it really is absent.
run_core() {
  local venv="$work/venv-core" began=$SECONDS out
  make_venv core lowest-direct "$work/core.txt" "$wheel"
  cd "$work"
  out=$(limit 60 "$venv/bin/greenstat" --help 2>&1) && fail "[core] greenstat --help ran without typer: $out"
  [[ $out == "greenstat: the command line needs its extra: pip install 'greenstat[cli]'" ]] ||
    fail "[core] greenstat without the cli extra printed: $out"
  local module
  for module in mock contract; do
    out=$(limit 60 "$venv/bin/python" -c "import greenstat_ext.$module" 2>&1) &&
      fail "[core] import greenstat_ext.$module worked without its extra"
    grep -q "^ModuleNotFoundError: greenstat_ext.$module needs .*: pip install 'greenstat\[$module\]'$" <<<"$out" ||
      fail "[core] import greenstat_ext.$module without its extra: $out"
  done
  echo "greenstat and import greenstat_ext.mock/.contract name their extra: ok"
  start_mock "$work/venv-$1/bin"
  run_snippet "$venv/bin" core
  stop_mock
  unset GREEN_API_URL GREEN_API_ID_INSTANCE GREEN_API_TOKEN
  cd "$root"
  echo "smoke: [core] passed in $((SECONDS - began)) s"
}

for resolution in $resolutions; do
  run_suite "$resolution"
done
run_core "${resolutions%% *}" # its mock comes from the first run's venv
echo "smoke: passed ($resolutions, core) in $((SECONDS - started)) s"
