# docgates — every target sets itself up from nothing but Python 3.11 and git.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export NO_MKDOCS_2_WARNING := 1
# Tests and the bundled handbook are reproducible for a fixed "today".
TEST_WORKERS ?= 2

.PHONY: install serve build check test test-stress bench bench-org linkcheck clean browser-deps

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found; install Python 3.11 or run 'make PYTHON=python3 …'"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip==24.3.1"

$(STAMP): $(BIN)/python requirements.lock pyproject.toml
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	@# pip byte-compiles what it installs, but not an editable package: do it, so a machine with
	@# PYTHONDONTWRITEBYTECODE set does not compile docgates from source on every build.
	$(BIN)/python -m compileall -q plugins/docgates
	$(BIN)/docgates setup
	@touch $(STAMP)

install: $(STAMP)

serve: $(STAMP)
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000

build: $(STAMP)
	$(BIN)/mkdocs build --strict

check: $(STAMP)
	$(BIN)/docgates check

linkcheck: build
	$(BIN)/docgates linkcheck site

test: $(STAMP)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# The whole suite STRESS_RUNS times beside two CPU-bound processes, as on a busy CI machine.
STRESS_RUNS ?= 5
test-stress: $(STAMP)
	$(BIN)/python tests/stress.py --runs $(STRESS_RUNS) -- -n $(TEST_WORKERS) $(PYTEST_ARGS)

# Benchmarks run in their own venv: the peer plugins they measure stay out of the test env.
BENCH_VENV := .venv-bench
$(BENCH_VENV)/.installed: requirements.lock benchmarks/requirements.txt pyproject.toml
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade "pip==24.3.1"
	$(BENCH_VENV)/bin/pip install --quiet -r requirements.lock -r benchmarks/requirements.txt
	$(BENCH_VENV)/bin/pip install --quiet --no-deps --no-build-isolation -e .
	$(BENCH_VENV)/bin/docgates setup
	@touch $@

bench: $(BENCH_VENV)/.installed
	$(BENCH_VENV)/bin/python -m benchmarks $(if $(QUICK),--quick,) $(BENCH_ARGS)

# docgates org over 500 generated reports of 2,000 pages (benchmarks/README.md); needs no peers.
bench-org: $(STAMP)
	$(BIN)/python -m benchmarks.org_scale $(ORG_BENCH_ARGS)

clean:
	rm -rf site .cache .venv-bench .pytest_cache build *.egg-info plugins/*.egg-info benchmarks/out
