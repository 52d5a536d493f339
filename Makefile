# 人才服务管理平台 — the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export FLASK_APP := run.py

.PHONY: run serve test setup db babel lint bench-scope bench-title bench-meeting bench-cert bench-history bench-import bench-export bench-pdf audit e2e-deps

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
	@# SQLite (the whole suite, the browser tests included) and PostgreSQL (when TEST_DATABASE_URL is set)
	@# run side by side on their own databases; then each line's tests with only that line enabled.
	@mkdir -p .test-logs; rm -f .test-logs/*; start=$$(date +%s); \
	( $(PY) -m pytest -q -p no:cacheprovider > .test-logs/sqlite.log 2>&1; echo $$? > .test-logs/sqlite.rc ) & \
	if [ -n "$$TEST_DATABASE_URL" ]; then \
		PYTEST_DATABASE_URL="$$TEST_DATABASE_URL" $(PY) -m pytest -q -p no:cacheprovider --ignore=tests/e2e \
			> .test-logs/postgresql.log 2>&1; echo $$? > .test-logs/postgresql.rc; \
	fi; \
	( ENABLED_MODULES=grassroots $(PY) -m pytest -q -p no:cacheprovider tests/grassroots && \
	  ENABLED_MODULES=commissioner $(PY) -m pytest -q -p no:cacheprovider tests/commissioner && \
	  ENABLED_MODULES=title $(PY) -m pytest -q -p no:cacheprovider tests/title ) \
		> .test-logs/one-line.log 2>&1; echo $$? > .test-logs/one-line.rc; \
	wait; status=0; \
	for run in sqlite postgresql one-line; do \
		[ -f .test-logs/$$run.rc ] || continue; \
		echo "== $$run: $$(tail -n 1 .test-logs/$$run.log)"; \
		if [ "$$(cat .test-logs/$$run.rc)" != 0 ]; then status=1; cat .test-logs/$$run.log; fi; \
	done; \
	echo "== make test: $$(( $$(date +%s) - start )) s"; exit $$status

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .

bench-scope: setup
	$(PY) -m bench.scope

bench-title: setup
	$(PY) -m bench.title

bench-meeting: setup
	$(PY) -m bench.title_draw
	$(PY) -m bench.title_vote

bench-cert: setup
	$(PY) -m bench.title_cert

bench-history: setup
	$(PY) -m bench.title_history

bench-import: setup
	$(PY) -m bench.imports

bench-export: setup
	$(PY) -m bench.exports

bench-pdf: setup
	$(PY) -m bench.pdf

audit: $(VENV)/.installed
	$(PY) -m pip install -q pip-audit && $(VENV)/bin/pip-audit --strict -r requirements.txt
