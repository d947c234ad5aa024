# Two commands on a fresh machine: `make run` and `make test` (see README).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: install install-dev run test lint migrations-check pytest messages browser-deps bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PIP) install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(PY)
	$(PIP) install --quiet -e ".[dev]"
	touch $(STAMP) $@

install: $(STAMP)

install-dev: $(DEV_STAMP)

# Serves the app with the official plan (and demo data when the database is new).
run: install
	DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --no-input
	DEBUG=$${DEBUG:-1} $(PY) manage.py setup_site
	DEBUG=$${DEBUG:-1} $(PY) manage.py runserver 127.0.0.1:8000

# Debian's Chromium for the browser tests; never a browser download.
browser-deps:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

migrations-check: install-dev
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

pytest: install-dev browser-deps
	$(VENV)/bin/pytest $(PYTEST_ARGS)

test: lint migrations-check pytest

# Scorecard benchmark on a synthetic plan (bench/README.md); DATABASE_URL picks the database.
bench: install-dev
	$(PY) -m bench.scorecard_bench $(BENCH_ARGS)

# Recompile the English catalogue after editing locale/en/LC_MESSAGES/django.po.
messages: install-dev
	DEBUG=1 $(PY) manage.py makemessages -l en --ignore=.venv --ignore=staticfiles
	DEBUG=1 $(PY) manage.py compilemessages -l en --ignore=.venv

clean:
	rm -rf $(VENV) staticfiles

# Load scenario: gunicorn + throwaway PostgreSQL on 127.0.0.1, 50 then 200 users (bench/README.md).
.PHONY: load
load: install-dev
	$(PY) bench/load/run.py $(LOAD_ARGS)
