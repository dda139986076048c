# Two commands for a newcomer: `make run` and `make test`. Everything else is a step they use.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PIP_VERSION := 26.3

.PHONY: run test install lint format assets demo clean help prod-local prod-local-stop

help:
	@echo "make run    install, migrate, load demo data, start web server and task worker on 127.0.0.1:$(PORT)"
	@echo "make test   install, then ruff and the whole pytest suite (browser tests included)"
	@echo "make prod-local       the production layout (deploy/) on 127.0.0.1:8080: nginx, granian, PostgreSQL (as root)"
	@echo "make prod-local-stop  stop it"

## Python packages (pinned in requirements.lock) into .venv, redone when the lock changes.
$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check pip==$(PIP_VERSION)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $@

## npm packages (GOV.UK Frontend, Sass, axe-core), exactly as package-lock.json says.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

## The partnership's stylesheet, compiled from GOV.UK Frontend's Sass.
hub/core/static/hub/hub.css: node_modules/.installed hub/core/assets/hub.scss
	npm run --silent build

install: $(VENV)/.installed node_modules/.installed
assets: hub/core/static/hub/hub.css

run: install assets
	DJANGO_SETTINGS_MODULE=config.settings.local $(BIN)/python manage.py migrate --noinput -v 0
	DJANGO_SETTINGS_MODULE=config.settings.local $(BIN)/python manage.py collectstatic --noinput -v 0
	DJANGO_SETTINGS_MODULE=config.settings.local $(BIN)/python manage.py load_demo
	PORT=$(PORT) scripts/run-local.sh

test: install assets
	scripts/ensure-chromium.sh
	$(BIN)/ruff check .
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python -m pytest --create-db $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## The production layout of deploy/ on this machine (Debian's nginx and PostgreSQL,
## config.settings.production, plain HTTP on 127.0.0.1:8080); Ctrl+C or prod-local-stop ends it.
prod-local: install assets
	scripts/prod-local.sh up

prod-local-stop:
	scripts/prod-local.sh down

clean:
	rm -rf var/static var/test-*.sqlite3 var/test-media
