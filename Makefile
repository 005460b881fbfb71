# greenstat's one front door. Every target creates .venv and installs the pinned tools it needs.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(abspath $(VENV))/bin
UV_VERSION := 0.13.9
STAMP := $(VENV)/.installed
export PATH := $(BIN):$(PATH)
export UV_NO_CONFIG := 1
export UV_PYTHON := $(BIN)/python

.PHONY: help venv lock generate check-generated lint-spec lint typecheck docs pytest test smoke demo fuzz mock bench-mock bench bench-fleet bench-cli bench-monitor bench-monitor-soak bench-monitor-capacity

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

venv: $(STAMP) ## Create .venv with the pinned dependencies (requirements.lock)

# --compile-bytecode: uv does not compile by default, and the first run of every module then pays for it
# (`greenstat --help` took twice as long; docs/performance-cli.md). The editable install's own packages are
# not compiled by uv: compileall writes theirs (PYTHONDONTWRITEBYTECODE would keep every run compiling them).
$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	test -x $(BIN)/uv || $(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip sync --quiet --compile-bytecode requirements.lock
	$(BIN)/uv pip install --quiet --compile-bytecode --no-deps -e .
	$(BIN)/python -m compileall -q greenstat_ext generated/greenstat_client
	touch $@

lock: $(VENV)/bin/uv ## Re-resolve requirements.lock from pyproject.toml (needs the registry)
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --quiet -o requirements.lock

$(VENV)/bin/uv:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

generate: $(STAMP) ## Regenerate generated/greenstat_client from openapi.yaml and templates/, and the docs' operation tables
	scripts/generate.sh generated/greenstat_client
	$(BIN)/python scripts/operation_tables.py --write

check-generated: $(STAMP) ## Fail, showing the diff, when generated/ or the docs' operation tables differ from a fresh generation
	scripts/check_generated.sh generated/greenstat_client
	$(BIN)/python scripts/operation_tables.py --check

lint-spec: $(STAMP) ## Validate openapi.yaml (openapi-spec-validator, schemathesis loads it with no warning)
	$(BIN)/openapi-spec-validator openapi.yaml
	$(BIN)/python scripts/check_spec_loads.py openapi.yaml

# PLC2701 (a preview rule, so asked for alone: preview changes other rules too): the package imports no private
# name from a dependency (typer 0.29 removed the `typer._types` the CLI imported). Ruff cannot tell the
# project's own private modules from a dependency's, so tests/test_no_private_imports.py checks the rest.
lint: $(STAMP) ## ruff check + ruff format --check (+ PLC2701: no private imports from dependencies)
	$(BIN)/ruff check .
	$(BIN)/ruff check --preview --select PLC2701 greenstat_ext
	$(BIN)/ruff format --check .

typecheck: $(STAMP) ## mypy --strict on greenstat_ext, generated/greenstat_client, tests, scripts and bench
	$(BIN)/mypy

# The documentation site (mkdocs.yml): strict, so a broken link, a missing page or a docstring mkdocstrings
# cannot render fails; offline (no plugin fetches anything) and a few seconds, so `make test` runs it too.
# NO_MKDOCS_2_WARNING: Material's banner about its successor, printed on every build, is no warning of ours.
docs: $(STAMP) ## Build the documentation site from docs/ into site/ (MkDocs Material, API reference from docstrings, --strict)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet
	@echo "docs: built site/ (open site/index.html)"

# pytest-xdist: most of the suite's time is waiting (sockets, deadlines, the mock's 1 request/s), so two
# workers halve it on two cores. --dist loadfile keeps a module's tests on one worker: its module-scoped
# fixtures (mock servers) start once. PYTEST_WORKERS=0 runs serially. Coverage is combined across workers.
PYTEST_WORKERS ?= 2
PYTEST_DIST ?= loadfile
pytest: $(STAMP) ## Run the test suite only (2 xdist workers), with the coverage of greenstat_ext (must stay >= 90%)
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist $(PYTEST_DIST) \
		--cov=greenstat_ext --cov-report=term:skip-covered --cov-fail-under=90 $(PYTEST_ARGS)

test: $(STAMP) ## Everything CI checks: lint, types, spec, generated drift, the docs site, tests
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory typecheck
	$(MAKE) --no-print-directory lint-spec
	$(MAKE) --no-print-directory check-generated
	$(MAKE) --no-print-directory docs
	$(MAKE) --no-print-directory pytest

# The package as users get it (docs/packaging.md): wheel and sdist built and checked, the wheel installed with
# [all] into fresh venvs at the newest and at the oldest versions pyproject.toml allows, the smoke suite run in
# each. Needs only uv (not the locked .venv) and the package registry; bounded by SMOKE_TIMEOUT in all.
SMOKE_TIMEOUT ?= 900
smoke: $(VENV)/bin/uv ## Build wheel+sdist, check them, smoke-test the wheel at the newest and oldest allowed versions (~1.5 min)
	timeout --kill-after=30 $(SMOKE_TIMEOUT) scripts/smoke.sh

demo: $(STAMP) ## Start the mock; run greenstat stats, report, --watch, post --watch, delete, contract-test against it; stop it
	$(BIN)/python scripts/demo.py

FUZZ_EXAMPLES ?= 5000
# The volume make test leaves out (issue 18: make test stays cheap on a busy machine): the same tests with
# their bounds raised (tests/_fuzz.py, tests/conformance/_harness.py, the state machine's EXAMPLES), and 20
# kill -9 of greenstat monitor.
fuzz: $(STAMP) ## Long schemathesis runs (stateful phase included), the state machine, the client's property tests, 20 kill -9 of greenstat monitor (FUZZ_EXAMPLES=5000, MONITOR_KILLS=20, a random seed it prints)
	@seed=$${FUZZ_SEED:-$$RANDOM}; echo "fuzz: seed $$seed, $(FUZZ_EXAMPLES) examples per run"; \
	GREENSTAT_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) GREENSTAT_FUZZ_SEED=$$seed $(BIN)/pytest tests/conformance \
		tests/integration/test_state_machine.py tests/client/test_properties.py tests/client/test_errors.py \
		tests/monitor/test_monitor.py -q; \
	GREENSTAT_MONITOR_KILLS=$${MONITOR_KILLS:-20} GREENSTAT_FUZZ_SEED=$$seed $(BIN)/pytest \
		tests/monitor/test_kill.py -q

mock: $(STAMP) ## Serve the reference mock on http://127.0.0.1:8080 (MOCK_ARGS="--faults 0.1 ..." to add flags)
	$(BIN)/greenstat mock --host 127.0.0.1 --port 8080 $(MOCK_ARGS)

bench-mock: $(STAMP) ## 30 s concurrent load on the mock (16 connections), prints requests/s and RSS
	$(BIN)/python bench/mock_load.py $(BENCH_ARGS)

bench-fleet: $(STAMP) ## 4 processes x 10 calls against the mock, with and without a shared Redis budget (~1.5 min)
	$(BIN)/python bench/fleet.py $(BENCH_ARGS)

bench: $(STAMP) ## Typed vs untyped timings, memory, mock vs Prism, then bench-cli; writes docs/performance*.md (not in make test)
	$(BIN)/python bench/run.py $(BENCH_ARGS)
	$(BIN)/python bench/cli.py
	$(MAKE) --no-print-directory bench-monitor

bench-monitor: $(STAMP) ## The monitor's scheduler vs round-robin (simulated time), report with/without its store (~40 s)
	$(BIN)/python bench/monitor_scheduler.py $(BENCH_MONITOR_ARGS)
	$(BIN)/python bench/monitor_report.py

bench-monitor-capacity: $(STAMP) ## How many instances one greenstat monitor --instances process serves at 1 poll/s each (~5 min)
	$(BIN)/python bench/monitor_capacity.py $(BENCH_CAPACITY_ARGS)

bench-monitor-soak: $(STAMP) ## A real greenstat monitor for 10 min against a faulty mock and a half-failing receiver: RSS over time
	$(BIN)/python bench/monitor_soak.py $(BENCH_SOAK_ARGS)

bench-cli: $(STAMP) ## The CLI's start-up and 100k-row output times as ratios; writes docs/performance-cli.md (~1 min)
	$(BIN)/python bench/cli.py $(BENCH_CLI_ARGS)
