# 守望 — the two commands: `make run` and `make test`. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
VENDOR := shouwang/web/static/vendor
HOST ?= 127.0.0.1
PORT ?= 8000
# The PostgreSQL database the suite runs against (pytest-django creates test_shouwang).
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/shouwang
PYTEST_ARGS ?=

.PHONY: run test lint format bench install install-dev assets services test-sqlite test-postgres clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

$(VENDOR)/.built: node_modules/.package-lock.json
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/
	cp node_modules/bootstrap/dist/css/bootstrap.min.css* $(VENDOR)/
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js* $(VENDOR)/
	touch $@

assets: $(VENDOR)/.built

run: install assets
	$(PY) manage.py migrate --no-input
	$(PY) manage.py demo_load
	$(PY) manage.py children_reclassify --schedule
	$(PY) manage.py figures_snapshot --schedule
	$(PY) manage.py jobs_sweep --schedule
	$(PY) manage.py protection_escalate --schedule
	$(PY) manage.py collectstatic --no-input --verbosity 0
	@echo "守望 已启动：http://$(HOST):$(PORT)/ （后台任务由 db_worker 执行；按 Ctrl+C 停止）"
	$(PY) manage.py db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=0 $(PY) manage.py runserver $(HOST):$(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Starts PostgreSQL and installs Chromium when missing (required when CI=true).
services:
	bash scripts/test-services.sh

test-sqlite: install assets
	@echo "== 测试：SQLite =="
	env -u DATABASE_URL $(VENV)/bin/pytest $(PYTEST_ARGS)

test-postgres: install assets
	@echo "== 测试：PostgreSQL =="
	DATABASE_URL=$(PG_TEST_URL) $(VENV)/bin/pytest $(PYTEST_ARGS)

# The two databases' runs go side by side (one process each, on two cores); each run's
# output is printed whole when it ends. TEST_JOBS=1 runs them one after the other.
TEST_JOBS ?= 2
test: install assets services lint
	@echo "== 测试：SQLite 与 PostgreSQL（$(TEST_JOBS) 个进程并行）=="
	$(MAKE) --no-print-directory -j$(TEST_JOBS) --output-sync=target test-sqlite test-postgres

# The bench extra (django-import-export, the comparison of bench/roster_import.py).
$(VENV)/.bench-installed: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	touch $@

# Every bench/*.py in turn, each printing what it compared (see docs/benchmarks.md);
# bench/settings.py is the benchmarks' Django settings, not a benchmark.
bench: install $(VENV)/.bench-installed
	@set -e; for script in bench/*.py; do \
		[ "$$script" = bench/settings.py ] && continue; \
		echo "== $$script =="; \
		$(PY) $$script; \
		echo; \
	done

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var/static
