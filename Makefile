# Targets for a newcomer: `make demo`, `make test`. Both run `setup` as needed.
#
#   setup  .venv/ with requirements-dev.txt and this package (editable), and the Pulumi CLI with its
#          Python language host and dynamic-provider plugin in .venv/bin (built once per machine by
#          scripts/build_pulumi.sh into ~/.cache/sagemaker-hosting, which `clean` leaves alone)
#   test   the whole test suite, end-to-end tests included (PYTEST_ARGS="-k ..." to narrow it)
#   test-fast  the inner loop: the unit, provider and emulator tests (no Pulumi CLI, no e2e, examples
#          or cli tests), in under two minutes on a 2-core machine (see the target)
#   test-newest-sdk  the end-to-end tests of what users see (messages, bad input, program shapes) with
#          the newest `pulumi` SDK on PyPI instead of the pinned one, on the same CLI, in .venv-newest-sdk/
#   test-newest-botocore  the unit and emulator tests on the newest boto3/botocore on PyPI, in
#          .venv-newest-botocore/, printing what its model adds to the hosting members
#   test-moto-suite  moto's own SageMaker endpoint/model tests against the emulator, each failure one
#          listed in scripts/moto_suite.py with why AWS fails it too
#   test-sdk  sdk_tests/: the emulator's data plane through the SageMaker Python SDK's Predictor, in
#          .venv-sdk/ (the SDK's packaging pin conflicts with the pulumi SDK's, so not in .venv)
#   soak   SEQUENCES=N random sequences of the stateful test (tests/e2e/test_stateful.py: the real CLI
#          through what users do, invariants after every step), for long runs in the background
#   lint   ruff check, ruff format --check, mypy
#   demo   the example stack against the local emulator: up, blue/green update, destroy
#   bench  the benchmark (N = 1, 16, 100 endpoints), its tables written into README.md
#   bench-quick  the CI variant (N = 1 and 16, short emulator times); fails when a target is missed
#   readme the generated parts of README.md: the coverage table, the captured `pulumi preview` and plan
#   clean  remove .venv and tool caches in the repository
#
# Needs only python3 (3.11+), go (1.26.6+) and make; everything else comes from PyPI and the Go module proxy.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The CLI and its plugins must be found on PATH by the programs and tools the targets run.
RUN := PATH="$(CURDIR)/$(BIN):$$PATH"
PULUMI_INPUTS := scripts/build_pulumi.sh requirements.txt $(wildcard tools/pulumi-cli/go.* tools/pulumi-cli/*.go \
	tools/pulumi-cli/cmd/*/*.go)

.PHONY: setup test test-fast soak test-newest-sdk test-newest-botocore test-sdk test-moto-suite lint demo bench bench-quick readme clean FORCE

setup: $(VENV)/.requirements-installed $(VENV)/.pulumi-installed

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.requirements-installed: requirements.txt requirements-dev.txt pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -e .
	touch $@

# Rebuilt when its inputs change, or when the installed link no longer resolves (cache deleted).
$(VENV)/.pulumi-installed: $(PULUMI_INPUTS) $(shell test -e $(BIN)/pulumi || echo FORCE) | $(BIN)/python
	scripts/build_pulumi.sh $(BIN)
	touch $@

FORCE:

# Three pytest workers (pytest-xdist) on 2 cores: the end-to-end tests spend much of their time
# waiting on the CLI and the emulator (measured: two workers kept 1.4 of 2 cores busy, and
# test_sequences took 213 s with two workers, 158 s with three). worksteal: an idle worker takes half
# of another's queue, so a run does not end on one worker's tail of slow CLI tests. Each worker starts
# its own emulators on free ports, and every stack lives in its test's tmp_path. PYTEST_WORKERS=0 runs
# the tests in pytest's own process.
PYTEST_WORKERS ?= 3

test: setup
	$(RUN) $(BIN)/pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

# The inner loop: no Pulumi CLI is needed, so not `setup`. Its tests mostly wait on the emulators' clocks,
# so four workers on two cores overlap the waits: measured on a 2-core machine, 86 s and 104 s in two runs
# with four workers (126 s with two), each while another checkout's end-to-end tests ran beside it.
FAST_TESTS := tests/unit tests/provider tests/emulator
FAST_WORKERS ?= 4

test-fast: $(VENV)/.requirements-installed
	$(BIN)/pytest -n $(FAST_WORKERS) --dist worksteal $(FAST_TESTS) $(PYTEST_ARGS)

# The newest SDK beside the pinned CLI: its dynamic provider reports errors differently (with a traceback).
# Both "newest" targets run on pytest-xdist workers as `test` and `test-fast` do (CI's time: 4 min and
# 2 min on one worker).
NEWEST := .venv-newest-sdk
NEWEST_SDK_TESTS := tests/e2e/test_messages.py tests/e2e/test_bad_input.py tests/e2e/test_program_shapes.py

$(NEWEST)/.requirements-installed: requirements.txt requirements-dev.txt pyproject.toml
	$(PYTHON) -m venv $(NEWEST)
	$(NEWEST)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -e .
	$(NEWEST)/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pulumi
	touch $@

test-newest-sdk: $(VENV)/.pulumi-installed $(NEWEST)/.requirements-installed
	scripts/build_pulumi.sh $(NEWEST)/bin
	@$(NEWEST)/bin/python -c 'import importlib.metadata as m; print("pulumi SDK", m.version("pulumi"))'
	PATH="$(CURDIR)/$(NEWEST)/bin:$$PATH" $(NEWEST)/bin/pytest -n $(PYTEST_WORKERS) --dist worksteal \
		$(NEWEST_SDK_TESTS) $(PYTEST_ARGS)

# The newest boto3/botocore on PyPI beside the pinned ones: the unit and emulator tests must pass
# on it, and what its model adds to the hosting operations is printed (as args.py would change).
NEWEST_BOTOCORE := .venv-newest-botocore

$(NEWEST_BOTOCORE)/.requirements-installed: requirements.txt requirements-dev.txt pyproject.toml
	$(PYTHON) -m venv $(NEWEST_BOTOCORE)
	$(NEWEST_BOTOCORE)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -e .
	$(NEWEST_BOTOCORE)/bin/python -m pip install --quiet --disable-pip-version-check --upgrade boto3 botocore
	touch $@

# test_generated.py is left out: it holds args.py and README to the pinned model, which a newer one
# changes by design; the --diff below shows those changes instead.
test-newest-botocore: $(NEWEST_BOTOCORE)/.requirements-installed
	@$(NEWEST_BOTOCORE)/bin/python -c 'import botocore; print("botocore", botocore.__version__)'
	$(NEWEST_BOTOCORE)/bin/python scripts/gen_args.py --diff
	$(NEWEST_BOTOCORE)/bin/pytest -n $(FAST_WORKERS) --dist worksteal tests/unit tests/emulator \
		--deselect tests/unit/test_generated.py $(PYTEST_ARGS)

# moto's own SageMaker endpoint and model tests (from the pinned moto's sdist) against the emulator.
test-moto-suite: $(VENV)/.requirements-installed
	$(BIN)/python -m scripts.moto_suite

SDK := .venv-sdk

$(SDK)/.requirements-installed: requirements-sdk.txt pyproject.toml
	$(PYTHON) -m venv $(SDK)
	$(SDK)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-sdk.txt
	$(SDK)/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

test-sdk: $(SDK)/.requirements-installed
	$(SDK)/bin/pytest sdk_tests $(PYTEST_ARGS)

# Random (not derandomized) sequences of the stateful test, each step printed as it starts; CI runs a
# few fixed ones within `make test`. No per-test time limit: a soak runs as long as N sequences take.
SEQUENCES ?= 20

soak: setup
	STATEFUL_SEQUENCES=$(SEQUENCES) $(RUN) $(BIN)/pytest tests/e2e/test_stateful.py -p no:randomly -p no:cacheprovider \
		-s -q --timeout 0 $(PYTEST_ARGS)

lint: $(VENV)/.requirements-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy sagemaker_hosting bench scripts tests examples sdk_tests

demo: setup
	$(RUN) $(BIN)/python scripts/demo.py

bench: setup
	$(RUN) $(BIN)/python -m bench --readme

bench-quick: setup
	$(RUN) $(BIN)/python -m bench --quick

readme: setup
	$(BIN)/python -m scripts.coverage_table --update
	UPDATE_README=1 $(RUN) $(BIN)/pytest tests/e2e/test_example_stack.py tests/e2e/test_rollout_plan.py \
		-k "lifecycle or what_the_deployment_does"

clean:
	rm -rf $(VENV) $(NEWEST) $(NEWEST_BOTOCORE) $(SDK) build *.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
