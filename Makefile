# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
HOST ?= 127.0.0.1
# The demo's own DNS server (127.0.0.1), so that the domain guard answers offline and at once.
DNS_PORT ?= $(shell expr $(PORT) + 53)
# migrate has just run the system checks; one process without the autoreloader starts twice as
# fast. `make run RELOAD=1` restarts the server when code changes.
RUNSERVER_FLAGS := --skip-checks $(if $(RELOAD),,--noreload)

.PHONY: setup bytecode run demo-reset test lint typecheck check-deploy clean

# What serving needs (`make run`): the runtime dependencies only. The app runs from this folder,
# so it need not be built and installed itself; an up-to-date test install has all of it already.
# scripts/install.sh creates the virtualenv and installs with uv (fetched into .venv when it is not
# on the PATH; pip when uv cannot be had), reading the dependencies from pyproject.toml.
$(VENV)/.runtime: pyproject.toml
	@test $(VENV)/.installed -nt pyproject.toml || sh scripts/install.sh $(PYTHON) $(VENV) runtime
	@$(MAKE) --no-print-directory bytecode
	@touch $@

# ...and the test tools on top (`make test`, lint, typecheck). A change to the installer installs
# again too (the editable install's mode, for one).
$(VENV)/.installed: pyproject.toml scripts/install.sh
	@sh scripts/install.sh $(PYTHON) $(VENV) dev
	@$(MAKE) --no-print-directory bytecode
	@touch $@ $(VENV)/.runtime

# The .pyc files of the dependencies and of the app, written once: a process that may not write
# them (PYTHONDONTWRITEBYTECODE, a checkout owned by another user) otherwise compiles every module
# it imports on every start, which is most of the pipe's CPU per message (docs/ingestion.md).
# Deploys run it after each update of the code; the .pyc of a changed module is written again.
bytecode:
	@$(PY) -m compileall -q -j 1 $(VENV)/lib kwiga_mail suppression manage.py >/dev/null 2>&1 || true

setup: $(VENV)/.installed
	@$(MAKE) --no-print-directory bytecode

# The demo's DNS server starts first, so that its start overlaps the migrations on a second core;
# `seed_demo --migrate` migrates and seeds in one process (the app starts once, not twice).
run: $(VENV)/.runtime
	@mkdir -p var
	@$(PY) manage.py demo_dns --port $(DNS_PORT) & dns=$$!; \
	trap 'kill $$dns 2>/dev/null' EXIT INT TERM; \
	echo "$(PY) manage.py seed_demo --migrate" && $(PY) manage.py seed_demo --migrate && \
	echo && \
	echo "  Support console (admin): http://$(HOST):$(PORT)/admin/" && \
	echo "  Owner portal:            http://$(HOST):$(PORT)/portal/" && \
	echo "  Demo logins (password kwiga-demo): agent, lead, auditor in the admin;" && \
	echo "  owner (Demo School and Python Bootcamp) and owner2 (Second School) in the owner portal" && \
	echo "  Start again from a fresh demo: make demo-reset" && \
	echo && \
	SUPPRESSION_DNS_NAMESERVERS=127.0.0.1 SUPPRESSION_DNS_PORT=$(DNS_PORT) \
	$(PY) manage.py runserver $(RUNSERVER_FLAGS) $(HOST):$(PORT)

# Throw the demo database away and build it again; the virtualenv stays as it is.
demo-reset: $(VENV)/.runtime
	@mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --reset

test: setup
	@mkdir -p var
	$(VENV)/bin/pytest

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: setup
	$(VENV)/bin/mypy suppression kwiga_mail

check-deploy: setup
	KWIGA_ENV=production DJANGO_SECRET_KEY=$${DJANGO_SECRET_KEY:-ci-only-$$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')} \
	DJANGO_ALLOWED_HOSTS=$${DJANGO_ALLOWED_HOSTS:-console.example.com} \
	$(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache
