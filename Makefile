# NeedleChart developer commands. `make run` for a demo, `make test` before you push.
.DEFAULT_GOAL := help
SHELL := /bin/bash

# Django 6 needs Python >= 3.12. Pick the first candidate that really is >= 3.12
# (pyenv shims exist for versions that are not active, so each one is executed).
PY_OK = -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)'
ifeq ($(origin PYTHON), undefined)
PYTHON := $(shell for c in python3.13 python3.12 $$(ls -d /root/.pyenv/versions/3.1[23]*/bin/python3.1[23] 2>/dev/null) python3; do \
	if command -v $$c >/dev/null 2>&1 && $$c $(PY_OK) >/dev/null 2>&1; then command -v $$c; break; fi; done)
endif

VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
MANAGE := $(BIN)/python manage.py
# Local development and tests run with DEBUG on (dev secret key); production sets its own env.
DEV_ENV := NEEDLECHART_DEBUG=1

.PHONY: help venv run worker test lint lint-imports fmt mypy migrations-check pytest bench clean

help:
	@echo "make run    - set up, migrate, seed demo data, serve on http://127.0.0.1:8000 (PORT=)"
	@echo "make worker - the background worker alone (make run starts one too)"
	@echo "make test   - lint, layer contracts, type-check, migrations check, tests"
	@echo "make fmt    - format and auto-fix"
	@echo "make bench  - run bench/bench_*.py"
	@echo "make clean  - remove the venv, caches and local data"

venv: $(STAMP)

$(STAMP): pyproject.toml
	@if [ -z "$(PYTHON)" ]; then \
		echo "error: NeedleChart needs Python >= 3.12 (Django 6). Install it, or run" >&2; \
		echo "       make PYTHON=/path/to/python3.12 ..." >&2; exit 1; fi
	@$(PYTHON) $(PY_OK) || { echo "error: $(PYTHON) is older than 3.12 (Django 6 needs 3.12+)" >&2; exit 1; }
	@[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,postgres]'
	@touch $(STAMP)

# `make run PORT=8001` serves elsewhere; the worker's output goes to WORKER_LOG.
PORT ?= 8000
WORKER_LOG ?= var/worker.log
RUN_ENV = $(DEV_ENV) NEEDLECHART_SITE_URL=$${NEEDLECHART_SITE_URL:-http://127.0.0.1:$(PORT)}

run: venv
	@$(RUN_ENV) $(MANAGE) migrate --noinput
	@$(RUN_ENV) $(MANAGE) seed_demo
	@# The background worker and its 5-minute reminder schedule run beside the web server and
	@# stop with it (see "Background worker" in the README). Their output (start-up, and in
	@# development every reminder e-mail) goes to WORKER_LOG: on the terminal it buried the
	@# demo logins just printed. Only the server's few start-up lines follow them.
	@mkdir -p $(dir $(WORKER_LOG))
	@$(RUN_ENV) $(MANAGE) db_worker >>$(WORKER_LOG) 2>&1 & worker=$$!; \
	$(RUN_ENV) $(MANAGE) send_due_messages --enqueue --every 300 >>$(WORKER_LOG) 2>&1 & schedule=$$!; \
	trap 'kill $$worker $$schedule 2>/dev/null' EXIT INT TERM; \
	echo "  Background worker running; its output: tail -f $(WORKER_LOG)"; \
	$(RUN_ENV) $(MANAGE) runserver 127.0.0.1:$(PORT)

# The worker alone (for a production-like setup: run this beside the web processes).
worker: venv
	$(DEV_ENV) $(MANAGE) send_due_messages --enqueue --every 300 & schedule=$$!; \
	trap 'kill $$schedule 2>/dev/null' EXIT INT TERM; \
	$(DEV_ENV) $(MANAGE) db_worker

test: venv lint lint-imports mypy migrations-check pytest

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The README's layer rules (pyproject.toml, [tool.importlinter]): the engine imports nothing
# of the project, clinic apps never import edges, no import cycles between apps.
lint-imports: venv
	$(BIN)/lint-imports --no-cache

fmt: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

mypy: venv
	$(DEV_ENV) $(BIN)/mypy

migrations-check: venv
	$(DEV_ENV) $(MANAGE) makemigrations --check --dry-run

pytest: venv
	$(BIN)/pytest $(PYTEST_ARGS)

bench: venv
	@shopt -s nullglob; scripts=(bench/bench_*.py); \
	if [ $${#scripts[@]} -eq 0 ]; then echo "no bench/bench_*.py scripts yet"; fi; \
	for s in "$${scripts[@]}"; do echo "== $$s"; $(BIN)/python "$$s" || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis test-output var *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
