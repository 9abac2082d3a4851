# The two commands: `make run` (set up and serve the demo) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Both cores: the suite runs in two pytest-xdist workers unless PYTEST_ARGS says otherwise.
PYTEST_ARGS ?= -n 2

# A local run is a development run: DEBUG on, SQLite unless DATABASE_URL says otherwise.
RUN_ENV := DEBUG=1
# Tests run with production-like settings (DEBUG off) but plain HTTP.
TEST_ENV := SECRET_KEY=test-only-not-secret SECURE_SSL_REDIRECT=0

.PHONY: run test test-browser install messages lint format clean bench

$(STAMP): requirements-dev.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.lock
	touch $(STAMP)

install: $(STAMP)

messages: install
	$(RUN_ENV) $(BIN)/python manage.py compilemessages --ignore=.venv -v0

run: install messages
	mkdir -p var
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput -v0
	$(RUN_ENV) $(BIN)/python manage.py load_demo
	$(RUN_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install messages
	$(TEST_ENV) $(BIN)/python manage.py collectstatic --noinput -v0
	$(TEST_ENV) $(BIN)/pytest $(PYTEST_ARGS)

# Only the real-browser tests (tests/browser: Playwright and /usr/bin/chromium, see README).
test-browser: install messages
	$(TEST_ENV) $(BIN)/python manage.py collectstatic --noinput -v0
	$(TEST_ENV) $(BIN)/pytest -m browser $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Publishing time and public-page throughput under gunicorn, in a throw-away
# directory (bench/README.md). `make bench BENCH_ARGS=--smoke` for a quick run.
bench: install
	$(BIN)/python -m bench $(BENCH_ARGS)

# Many visitors on gunicorn over many published notices, in a throw-away directory
# (README: Load test). `make load LOAD_ARGS=--smoke` for the short run CI makes;
# LOAD_DATABASE_URL=postgres://... to load a PostgreSQL database instead of SQLite.
.PHONY: load
load: install messages
	$(BIN)/python -m load $(LOAD_ARGS)

clean:
	rm -rf $(VENV) staticfiles var/media
