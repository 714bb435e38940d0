# Every routine action; `make help` lists them.
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install lock test test-unit test-integration lint typecheck migrations-check check \
	demo api worker beat flower migrate stack bench bench-ceiling bench-llm bench-first-token examples clean

help: ## List the routine actions
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || python3 -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check uv
	$(BIN)/uv pip install -q --python $(PY) -r requirements.lock
	$(BIN)/uv pip install -q --python $(PY) --no-deps -e .
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install the locked dependencies and the project

lock: ## Re-resolve requirements.lock from pyproject.toml
	$(BIN)/uv pip compile -q pyproject.toml --extra dev -o requirements.lock --python $(PY)

test: install ## Run the whole test suite (starts its own servers unless URLs are set)
	$(BIN)/pytest -q

test-unit: install ## Run the unit tests only (no servers)
	$(BIN)/pytest -q tests/unit

test-integration: install ## Run the integration and e2e tests
	$(BIN)/pytest -q tests/integration tests/e2e

lint: install ## ruff
	$(BIN)/ruff check .

typecheck: install ## mypy (strict)
	$(BIN)/mypy .

migrations-check: install ## alembic check: models and migrations agree (on a scratch database)
	$(BIN)/sales-agent migrate --check

check: lint typecheck migrations-check ## Everything CI checks besides the tests

demo: install ## Local stack + workers + the sample dealer batch, with a live progress bar
	$(BIN)/sales-agent demo

api: install ## Serve the REST API
	$(BIN)/sales-agent api

worker: install ## Run a worker for every queue (QUEUES=qualification,enrichment to choose)
	$(BIN)/sales-agent worker $(if $(QUEUES),--queues $(QUEUES),)

beat: install ## Run the housekeeping scheduler (one per deployment)
	$(BIN)/sales-agent beat

flower: install ## Serve Flower on the same app
	$(BIN)/sales-agent flower

migrate: install ## Upgrade the database to the latest migration
	$(BIN)/sales-agent migrate

stack: install ## Keep a local Postgres + Valkey running in the foreground (Ctrl-C stops)
	$(BIN)/sales-agent stack

bench: install ## Pipeline vs bare Celery chain throughput, and 202 time for 8,000 rows
	$(PY) -m bench.pipeline_vs_bare

bench-ceiling: install ## The full chain vs the same run with agents swapped for stand-ins (ceilings)
	$(PY) -m bench.pipeline_ceiling

bench-llm: install ## 1,000 leads x 5 stages against a local model answering in 500 ms
	$(PY) -m bench.llm_pipeline

bench-first-token: install ## p50/p95 time to the first streamed token of conversation replies
	$(PY) -m bench.first_token --sessions 40 --turns 5

examples: install ## Regenerate examples/dealers.csv
	$(PY) examples/generate_dealers.py --rows 220 --out examples/dealers.csv

clean: ## Remove the venv, caches and local stack data
	rm -rf $(VENV) .local-stack .pytest_cache .mypy_cache .ruff_cache
