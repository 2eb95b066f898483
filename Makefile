# kefu — two commands: `make serve` and `make test` (they set everything up themselves).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check
# HOST / PORT / WEB_CONCURRENCY: from the shell, the make command line (make serve PORT=9000) or .env

.PHONY: serve test lint check web worker messages lock clean

$(BIN)/python:
	@echo "==> creating $(VENV) with $$($(PYTHON) --version)"
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "kefu needs Python >= 3.11")'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.base-installed: $(BIN)/python requirements/base.txt pyproject.toml
	@echo "==> installing kefu and its pinned dependencies (requirements/base.txt)"
	$(PIP) install --progress-bar on -r requirements/base.txt
	$(PIP) install --progress-bar off --no-deps -e .
	@touch $@

$(VENV)/.dev-installed: $(VENV)/.base-installed requirements/dev.txt
	@echo "==> installing test and lint tools (requirements/dev.txt)"
	$(PIP) install --progress-bar on -r requirements/dev.txt
	@touch $@

serve: $(VENV)/.base-installed
	@echo "==> starting kefu: migrate, demo data on the first start, worker and web server"
	$(BIN)/kefu serve

# TEST_WORKERS: pytest-xdist processes (2 = the machine's cores; 0 runs the suite in this process).
TEST_WORKERS ?= 2

test: $(VENV)/.dev-installed
	@echo "==> running the test suite ($(TEST_WORKERS) worker processes; the 25 slowest tests are listed at the end)"
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --durations=25 $(PYTEST_ARGS)

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy

check: lint test

web: $(VENV)/.base-installed
	$(BIN)/kefu web

worker: $(VENV)/.base-installed
	$(BIN)/kefu worker

# Refresh the UI catalogs; TSV=new.tsv fills new entries (msgid<TAB>简体<TAB>繁體), see tools/i18n_fill.py.
messages: $(VENV)/.dev-installed
	$(BIN)/python tools/i18n_fill.py $(TSV)

# Re-pin the dependencies after editing pyproject.toml (uv resolves; pip installs from the lock).
lock: $(VENV)/.base-installed
	$(PIP) install --quiet uv
	$(BIN)/uv pip compile pyproject.toml -o requirements/base.txt --python-version 3.11 --quiet
	$(BIN)/uv pip compile pyproject.toml --extra dev -c requirements/base.txt -o requirements/dev.txt --python-version 3.11 --quiet

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
