# Huibao: `make run` starts the product, `make test` runs the test suite, `make test-engines`
# the second Whisper engine's tests (README: "Two commands").
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-engines lint install clean-instance

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

STAMP_OW := $(VENV)/.installed-openai-whisper

$(STAMP): setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

# The second engine, for its tests and the engines benchmark only (`make run` and `make test`
# do not need it).
# torch is pinned first: 2.13.0's CPU build is what this machine holds; an unpinned torch would
# pull a CUDA build of several GB.
$(STAMP_OW): $(STAMP)
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e '.[test,openai-whisper]'
	touch $@

STAMP_LINT := $(VENV)/.installed-lint

$(STAMP_LINT): $(STAMP) setup.cfg
	$(BIN)/python -m pip install -q -e '.[test,lint]'
	touch $@

# Static checks, configured in pyproject.toml: ruff (lint + format) and mypy (strict on media/
# and workers/, check_untyped_defs on review/).
lint: $(STAMP_LINT)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

install: $(STAMP)
	$(BIN)/pybabel -q compile -d review/translations -f

run: install
	$(BIN)/python scripts/run_local.py

test: install
	$(BIN)/python scripts/test_deps.py
	$(BIN)/python -m pytest --ignore=tests/engines

test-engines: install $(STAMP_OW)
	$(BIN)/python -m pytest tests/engines

clean-instance:
	rm -rf instance

# Re-extract the msgids into the .pot and merge them into the English .po (then translate
# the new, empty entries). -N: no fuzzy guesses, so a changed msgid shows Chinese, not a wrong match.
# No locations and no dates in the files: an unrelated edit elsewhere in the sources then leaves
# the catalogue alone, and two branches that add messages merge without conflicts.
.PHONY: translations
translations: | $(BIN)/python
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ --no-location -o review/translations/messages.pot .
	test -f review/translations/en/LC_MESSAGES/messages.po || \
		$(BIN)/pybabel init -l en -i review/translations/messages.pot -d review/translations
	$(BIN)/pybabel update -N --ignore-obsolete -i review/translations/messages.pot -d review/translations
	sed -i '/^"POT-Creation-Date: /d; /^"PO-Revision-Date: /d' review/translations/messages.pot \
		review/translations/en/LC_MESSAGES/messages.po
