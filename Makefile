# OneScreen — the README's commands.
#   make run    the demo city on http://127.0.0.1:8050/wall (SQLite + embedded Redis: nothing else to install)
#   make test   the whole test suite on a real Redis, PostgreSQL and headless Chromium (installs what is missing)
#   make lint   ruff + mypy, the same checks tests/test_quality.py runs
#   make bench  every benchmark under bench/ (not part of the test run)

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: run test lint bench

# The virtualenv, created once.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Dependencies, reinstalled only when pyproject.toml is newer than the stamp (so a second run starts at once).
$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $@

# Migrate, seed the demo city when the store is empty, serve http://127.0.0.1:8050/wall.
run: $(VENV)/.installed-run
	$(BIN)/python app.py

# Install/start whatever test services are missing (the script prints what it did and hands back
# TEST_DATABASE_URL / TEST_REDIS_URL as export lines), then run pytest; make fails exactly when pytest does.
test: $(VENV)/.installed-test
	@exports=$$(PYTHON=$(BIN)/python bash scripts/ensure-test-services.sh) && eval "$$exports" && \
		echo "+ pytest --headless $(PYTEST_ARGS)" && \
		$(BIN)/pytest --headless $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/mypy services components dashboards api

bench: $(VENV)/.installed-run
	@for script in bench/*.py; do echo "+ $$script"; $(BIN)/python "$$script" || exit 1; done
