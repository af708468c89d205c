# Two commands for a fresh machine with only Python 3.11+ and make:
#   make run   — virtualenv, install, migrate, demo district, serve on :8000
#   make test  — the whole suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1:8000

.PHONY: run test lint bench worker venv clean-db

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver $(HOST)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/lint-imports
	$(BIN)/ruff check .
	$(BIN)/python manage.py makemigrations --check --dry-run

worker: $(STAMP)
	$(BIN)/celery -A config worker -l info

# Benchmarks use their own database (created and migrated by bench_signals) and Redis DB.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/doorstep_bench
BENCH_BROKER_URL ?= redis://127.0.0.1:6379/2
bench: $(STAMP)
	DATABASE_URL=$(BENCH_DATABASE_URL) CELERY_BROKER_URL=$(BENCH_BROKER_URL) \
	  $(BIN)/python manage.py bench_signals --rows 100000,1000000,10000000 --workers 2
