# 人才服务管理平台 — the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export FLASK_APP := run.py

.PHONY: run serve test setup db babel lint bench-scope bench-import bench-export bench-pdf audit e2e-deps

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

setup: $(VENV)/.installed babel

babel: $(VENV)/.installed
	$(VENV)/bin/pybabel compile -d translations

db: setup
	mkdir -p instance
	$(VENV)/bin/flask db upgrade
	$(VENV)/bin/flask seed all

run: db
	$(VENV)/bin/flask run --host 127.0.0.1 --port 5000

serve: db
	$(VENV)/bin/gunicorn -c gunicorn.conf.py run:app

test: setup
	$(PY) -m pytest -q
	@echo "== one business line per deployment (ENABLED_MODULES): each line's tests alone"
	ENABLED_MODULES=grassroots $(PY) -m pytest -q -p no:cacheprovider tests/grassroots
	ENABLED_MODULES=commissioner $(PY) -m pytest -q -p no:cacheprovider tests/commissioner
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== PostgreSQL: $$TEST_DATABASE_URL"; \
		PYTEST_DATABASE_URL="$$TEST_DATABASE_URL" $(PY) -m pytest -q --ignore=tests/e2e; \
	fi

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .

bench-scope: setup
	$(PY) -m bench.scope

bench-import: setup
	$(PY) -m bench.imports

bench-export: setup
	$(PY) -m bench.exports

bench-pdf: setup
	$(PY) -m bench.pdf

audit: $(VENV)/.installed
	$(PY) -m pip install -q pip-audit && $(VENV)/bin/pip-audit --strict -r requirements.txt
