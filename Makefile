# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
HOST ?= 127.0.0.1

.PHONY: setup run test lint typecheck check-deploy clean

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

setup: $(VENV)/.installed

run: setup
	@mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo
	@echo "  Support console (admin): http://$(HOST):$(PORT)/admin/"
	@echo "  Owner portal:            http://$(HOST):$(PORT)/portal/"
	@echo "  Demo logins (password kwiga-demo): agent, lead, auditor in the admin;"
	@echo "  owner and owner2 in the owner portal"
	@echo
	$(PY) manage.py runserver $(HOST):$(PORT)

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
