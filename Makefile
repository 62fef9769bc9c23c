# GreenBridge: developer commands.
#
#   make run      set up .venv if needed, then start the portal (web server + Celery worker)
#   make test     ruff check, ruff format --check, import contracts, pytest   (make test PYTEST_ARGS="-k matching -x")
#   make ci       what CI runs (.ci/run: PostgreSQL + Redis, make test, smoke test of make run)
#
# The virtualenv lives in .venv (Python 3.11).  Requirements are reinstalled only when
# requirements*.txt changed since the last install (stamp files inside .venv).

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
RUFF := $(VENV)/bin/ruff
MANAGE := $(PY) manage.py
PYTEST_ARGS ?=

STAMP_RUN := $(VENV)/.installed-requirements
STAMP_DEV := $(VENV)/.installed-requirements-dev

.PHONY: help run test ci migrate demo worker lint format messages clean distclean venv venv-dev

help:
	@echo "make run        start the portal: web server + Celery worker, demo data on first run"
	@echo "                (HOST=127.0.0.1 PORT=8000 by default; DATABASE_URL / REDIS_URL optional)"
	@echo "make test       ruff, import contracts (lint-imports), schema, pytest (extra args: PYTEST_ARGS=...)"
	@echo "make ci         the CI run (.ci/run): PostgreSQL + Redis, make test, smoke test of make run"
	@echo "make migrate    apply database migrations"
	@echo "make demo       load the demo data (and demo users)"
	@echo "make worker     run a Celery worker in the foreground"
	@echo "make lint       ruff check + ruff format --check + lint-imports"
	@echo "make format     ruff format + ruff check --fix"
	@echo "make messages   update and compile the Chinese (zh_Hans) translations"
	@echo "make clean      remove var/ (database, broker files, static files) and caches; keeps .venv"
	@echo "make distclean  clean, and remove .venv too"

# --- virtualenv ---------------------------------------------------------------

$(PY):
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found: install Python 3.11 (or run make PYTHON=/path/to/python3.11 ...)" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(STAMP_RUN): requirements.txt | $(PY)
	$(PIP) install --progress-bar off -r requirements.txt
	@touch $@

# requirements-dev.txt includes requirements.txt, so it brings the run stamp up to date too.
$(STAMP_DEV): requirements-dev.txt requirements.txt | $(PY)
	$(PIP) install --progress-bar off -r requirements-dev.txt
	@touch $(STAMP_RUN) $@

venv: $(STAMP_RUN)

venv-dev: $(STAMP_DEV)

# --- running ------------------------------------------------------------------

run: $(STAMP_RUN)
	bash scripts/run_portal.sh

migrate: $(STAMP_RUN)
	$(MANAGE) migrate --noinput

demo: migrate
	$(MANAGE) load_demo

worker: $(STAMP_RUN)
	$(VENV)/bin/celery -A config worker --loglevel INFO --concurrency 2

# --- quality ------------------------------------------------------------------

test: $(STAMP_DEV)
	$(RUFF) check .
	$(RUFF) format --check .
	$(VENV)/bin/lint-imports
	$(MANAGE) spectacular --validate --fail-on-warn --file /dev/null
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: $(STAMP_DEV)
	$(RUFF) check .
	$(RUFF) format --check .
	$(VENV)/bin/lint-imports

format: $(STAMP_DEV)
	$(RUFF) format .
	$(RUFF) check --fix .

ci:
	bash .ci/run

# --- translations ---------------------------------------------------------------

messages: $(STAMP_RUN)
	@command -v msgfmt >/dev/null || { echo "GNU gettext is missing: apt-get install gettext" >&2; exit 1; }
	mkdir -p locale
	$(MANAGE) makemessages -l zh_Hans --ignore=var --ignore=.venv --ignore=tests --ignore=bench
	$(MANAGE) compilemessages -l zh_Hans --ignore=var --ignore=.venv

# --- cleaning -----------------------------------------------------------------

clean:
	rm -rf var .pytest_cache .ruff_cache
	find . -path ./.venv -prune -o -type d -name __pycache__ -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
