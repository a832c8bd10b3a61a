# 百日攻坚 — two commands do all set-up: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
HOST   ?= 127.0.0.1
PORT   ?= 8000
PYTEST_ARGS ?=

# PostgreSQL and Redis on this machine are used by `make test` when they answer;
# otherwise the suite runs on SQLite and says loudly what it skipped.
TEST_PG_URL    ?= postgres://postgres@127.0.0.1:5432/bairi
TEST_REDIS_URL ?= redis://127.0.0.1:6379/14

.PHONY: install demo serve test lint messages check-deploy worker beat clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

install: $(VENV)/.installed

# SQLite, jobs in-process, console email: no server needed.
demo: install
	env -u DATABASE_URL -u REDIS_URL $(PY) manage.py migrate --noinput
	env -u DATABASE_URL -u REDIS_URL $(PY) manage.py load_framework
	env -u DATABASE_URL -u REDIS_URL $(PY) manage.py seed_demo
	@echo ""
	@echo "Open http://$(HOST):$(PORT)/ and sign in with a demo login above (password campaign100)."
	env -u DATABASE_URL -u REDIS_URL $(PY) manage.py runserver $(HOST):$(PORT)

test: install
	@set -e; \
	if [ -z "$$DATABASE_URL" ] && $(PY) -c "import socket; socket.create_connection(('127.0.0.1', 5432), 1)" 2>/dev/null; then \
	  export DATABASE_URL="$(TEST_PG_URL)"; fi; \
	if [ -z "$$REDIS_URL" ] && $(PY) -c "import socket; socket.create_connection(('127.0.0.1', 6379), 1)" 2>/dev/null; then \
	  export REDIS_URL="$(TEST_REDIS_URL)"; fi; \
	echo "make test: database $${DATABASE_URL:-SQLite (no PostgreSQL found)}, broker $${REDIS_URL:-none (jobs in-process)}"; \
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	env -u DATABASE_URL $(PY) manage.py makemigrations --check --dry-run
	env -u DATABASE_URL $(PY) -m pytest -q tests/campaign/test_translations.py

# Refresh the translation catalogues (needs GNU gettext), then compile them.
messages: install
	$(PY) manage.py makemessages -l zh_Hans -l en --ignore ".venv/*" --ignore "node_modules/*" --no-obsolete
	$(PY) manage.py compilemessages --ignore ".venv/*"

check-deploy: install
	DJANGO_ENV=production SECRET_KEY=check-only-$$(date +%s)-a-long-random-enough-secret-key-value ALLOWED_HOSTS=example.org \
	  $(PY) manage.py check --deploy --fail-level WARNING

worker: install
	$(BIN)/celery -A campaign worker --loglevel INFO

beat: install
	$(BIN)/celery -A campaign beat --loglevel INFO

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles .pytest_cache
