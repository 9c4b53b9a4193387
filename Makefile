# Jointly: every task a developer runs. `make run` and `make test` set everything up first.
PYTHON ?= python3
PORT ?= 5000
HOST ?= 127.0.0.1
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wiki
JS_SOURCES := $(shell find wiki/static/src -type f 2>/dev/null) scripts/build.mjs

.PHONY: setup run run-cluster test test-sqlite test-postgresql lint js db bench clean

setup: $(VENV)/.installed wiki/static/dist/.built

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

wiki/static/dist/.built: node_modules/.installed $(JS_SOURCES)
	npm run --silent build
	touch $@

js: wiki/static/dist/.built

db: setup
	$(FLASK) init-db

run: db
	$(FLASK) seed-demo --if-empty
	@# The notification mail goes out from a second process, as a timer does in deploy/;
	@# with no WIKI_MAIL_HOST it prints where each mail would go.
	@export WIKI_PUBLIC_URL="$${WIKI_PUBLIC_URL:-http://$(HOST):$(PORT)}"; \
	$(FLASK) notify send --loop & sender=$$!; \
	trap 'kill $$sender 2>/dev/null' EXIT INT TERM; \
	$(FLASK) serve --host $(HOST) --port $(PORT)

# Two gunicorn + gevent processes on PostgreSQL and Redis behind Debian's nginx (deploy/).
run-cluster: setup
	@[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx; }
	$(BIN)/python scripts/run_cluster.py --host $(HOST) --port $(PORT)

# Every test on SQLite and, at the same time (a pass per core), every test that touches
# the database again on PostgreSQL (127.0.0.1:5432 unless JOINTLY_TEST_POSTGRES says
# otherwise; see tests/databases.py). The PostgreSQL pass's report follows the SQLite one's;
# either failing fails the run. The cluster tests run on both within the first pass.
# `make test-sqlite` or `make test-postgresql` runs one pass alone.
POSTGRES_TESTS := tests/wiki tests/protocol
test: setup
	@report=$$(mktemp); \
	JOINTLY_TEST_DATABASE=postgresql $(BIN)/pytest -p no:cacheprovider $(PYTEST_ARGS) \
		$(POSTGRES_TESTS) > $$report 2>&1 & postgres=$$!; \
	trap 'kill $$postgres 2>/dev/null; rm -f $$report' EXIT INT TERM; \
	$(BIN)/pytest $(PYTEST_ARGS); sqlite=$$?; \
	wait $$postgres; postgresql=$$?; \
	echo; echo "PostgreSQL pass ($(POSTGRES_TESTS)):"; cat $$report; \
	[ $$sqlite -eq 0 ] && [ $$postgresql -eq 0 ]

test-sqlite: setup
	$(BIN)/pytest $(PYTEST_ARGS)

test-postgresql: setup
	JOINTLY_TEST_DATABASE=postgresql $(BIN)/pytest $(PYTEST_ARGS) $(POSTGRES_TESTS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check crdt wiki
	$(BIN)/mypy

bench: setup
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/history.py
	$(BIN)/python -m bench.fanout
	$(BIN)/python bench/render.py
	$(BIN)/python bench/anchors.py
	$(BIN)/python bench/export.py
	$(BIN)/python -m bench.rooms

clean:
	rm -rf $(VENV) node_modules wiki/static/dist
