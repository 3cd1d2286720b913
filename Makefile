# Terminus: `make run` serves the demo on http://127.0.0.1:5000, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := backend
# PostgreSQL for the second test run; `make test` skips it locally when unreachable, CI never does.
TEST_PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: run test install install-roads install-dev lock lint test-sqlite test-postgres clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Each install takes the locked, hash-checked set of requirements/ (exactly the tested versions;
# `make lock` refreshes it), then the project itself with --no-deps, and ends by compiling the
# planner's search kernel (numba) into its cache, so the first plan after an install does not
# spend its time budget compiling.
PIP_LOCKED := $(BIN)/pip install --quiet --require-hashes -r
PIP_PROJECT := $(BIN)/pip install --quiet --no-deps -e .

$(VENV)/.installed: pyproject.toml requirements/runtime.txt | $(BIN)/python
	$(PIP_LOCKED) requirements/runtime.txt
	$(PIP_PROJECT)
	$(BIN)/python -m backend.planning --warm
	touch $@

$(VENV)/.installed-roads: pyproject.toml requirements/roads.txt | $(BIN)/python
	$(PIP_LOCKED) requirements/roads.txt
	$(PIP_PROJECT)
	$(BIN)/python -m backend.planning --warm
	touch $@ $(VENV)/.installed

$(VENV)/.installed-dev: pyproject.toml requirements/dev.txt | $(BIN)/python
	$(PIP_LOCKED) requirements/dev.txt
	$(PIP_PROJECT)
	$(BIN)/python -m backend.planning --warm
	touch $@ $(VENV)/.installed $(VENV)/.installed-roads

# Refresh requirements/ from pyproject.toml: a new or changed requirement is resolved, every other
# pin stays. `make lock UPGRADE=1` moves every package to its newest allowed release, `make lock
# UPGRADE=sqlalchemy` that one package. Run `make test` on the result before committing it.
# One resolution for every platform and Python >= 3.11; runtime and roads agree with dev.
LOCK = $(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes \
	--quiet --custom-compile-command 'make lock'
ifeq ($(UPGRADE),1)
LOCK_UPGRADE := --upgrade
else ifneq ($(UPGRADE),)
LOCK_UPGRADE := --upgrade-package $(UPGRADE)
endif

lock: $(VENV)/.installed-dev
	$(LOCK) $(LOCK_UPGRADE) --extra dev --extra roads -o requirements/dev.txt
	$(LOCK) --extra roads -c requirements/dev.txt -o requirements/roads.txt
	$(LOCK) -c requirements/dev.txt -o requirements/runtime.txt

# The PWA's lint and format tools, at the versions package-lock.json pins (npm ci starts from
# an empty node_modules, so a changed lock file installs exactly what it says).
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

install: $(VENV)/.installed
install-roads: $(VENV)/.installed-roads
install-dev: $(VENV)/.installed-dev

# `make run PORT=8080` serves elsewhere. The demo is loaded once, then topped up to today.
# `make run TERRITORY=helsinki`: the central Helsinki demo on its streets (the roads extra, its
# own database file, the organisation's time zone and currency).
PORT ?= 5000
TERRITORY ?= tokyo
ifeq ($(TERRITORY),helsinki)
RUN_ENV := TERMINUS_TIMEZONE=Europe/Helsinki TERMINUS_CURRENCY=EUR \
	TERMINUS_DATABASE_URL=sqlite:///$(CURDIR)/instance/helsinki.db
RUN_INSTALL := install-roads
else
RUN_ENV :=
RUN_INSTALL := install
endif

run: $(RUN_INSTALL)
	mkdir -p instance
	$(RUN_ENV) $(BIN)/flask db upgrade
	$(RUN_ENV) $(BIN)/flask demo load --if-empty --territory $(TERRITORY)
	@echo
	@echo "Open http://127.0.0.1:$(PORT)/ and sign in (password terminus-demo) as:"
	@echo "  rep-1     the field app: today's route, a visit, the outbox"
	@echo "  sup-east  the supervisor: four weeks of completion and success per rep, exceptions, photo review"
	@echo "  manager   the area reports: competitor prices, display compliance, near-expiry"
	@echo "  admin     everything; the API at http://127.0.0.1:$(PORT)/api/docs"
	@echo
	$(RUN_ENV) $(BIN)/flask run --host 127.0.0.1 --port $(PORT)

lint: install-dev node_modules/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	node_modules/.bin/eslint .
	node_modules/.bin/prettier --check .

test-sqlite: install-dev
	$(BIN)/python .ci/pytest_run.py -n auto

test-postgres: install-dev
	TERMINUS_TEST_DATABASE_URL=$(TEST_PG_URL) $(BIN)/python .ci/pytest_run.py --postgres -n auto

test: lint test-sqlite test-postgres

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
