# Huibao: `make run` starts the product, `make test` runs the test suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install clean-instance

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

install: $(STAMP)
	$(BIN)/pybabel compile -q -d review/translations -f || true

run: install
	$(BIN)/python scripts/run_local.py

test: install
	$(BIN)/python scripts/test_deps.py
	$(BIN)/python -m pytest

clean-instance:
	rm -rf instance
