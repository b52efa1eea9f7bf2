# The commands the README names. Everything installs into a local virtual environment.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin

.PHONY: install test lint demo bench

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy tap_personio

test: lint
	$(BIN)/pytest

demo: install
	$(BIN)/python scripts/demo.py

bench: install
	$(BIN)/python tests/benchmarks/bench_sandbox.py
	$(BIN)/python tests/benchmarks/bench_employees.py
	$(BIN)/python -m tests.benchmarks.bench_sync
