# Fenghuo's tasks. On a fresh machine with only python3 (3.11+), `make run` and `make test`
# do all the set-up: a virtualenv, uv from PyPI, the locked dependencies, and (for the
# browser tests, as root) Debian's chromium and CJK fonts. `make help` lists the targets.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
UV_VERSION ?= 0.13.9
CONSTRAINTS := requirements/constraints.txt
INSTALL := $(BIN)/uv pip install --quiet --python $(BIN)/python -c $(CONSTRAINTS)
PYTEST_ARGS ?=
APT_PACKAGES := chromium fonts-noto-cjk

.PHONY: help run install dev browser test lint fmt migrate docs lock

help:     ## list the targets
	@grep -E '^[a-z]+: .*## ' $(MAKEFILE_LIST) | sed -E 's/:[^#]*## /\t/' | expand -t 10

run: install     ## venv, install, migrate, seed demo, serve console+API on :8000 (SQLite, in-process bus)
	$(BIN)/fenghuo run

install: $(BIN)/uv     ## the venv with Fenghuo and its locked runtime dependencies
	$(INSTALL) -e .

dev: $(BIN)/uv     ## the venv with the dev and test extras as well
	$(INSTALL) -e '.[dev]'

$(BIN)/uv:
	$(BIN)/python -m pip --version >/dev/null 2>&1 || $(PYTHON) -m venv --clear $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

browser:     ## Debian's chromium + CJK fonts for the browser tests (apt-get when root)
	@if command -v chromium >/dev/null && { ! command -v dpkg >/dev/null || dpkg -s fonts-noto-cjk >/dev/null 2>&1; }; then \
		echo "browser: chromium and fonts-noto-cjk are installed"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		DEBIAN_FRONTEND=noninteractive apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $(APT_PACKAGES); \
	else \
		echo "browser: install Debian's $(APT_PACKAGES) (sudo apt-get install $(APT_PACKAGES));" \
			"without them the browser tests skip here and fail in CI"; \
	fi

test: dev browser     ## dev extras + whole suite incl. PostgreSQL, NATS, browser
	$(BIN)/pytest $(PYTEST_ARGS)

lint: dev     ## ruff check, ruff format --check, mypy, import contracts
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy
	$(BIN)/lint-imports

fmt: dev     ## ruff --fix + ruff format
	$(BIN)/ruff check --fix src tests
	$(BIN)/ruff format src tests

migrate: install     ## alembic upgrade head (fenghuo db upgrade)
	$(BIN)/fenghuo db upgrade

docs: dev     ## check docs/: every command, setting and action documented; every link resolves
	$(BIN)/pytest -q tests/test_docs.py tests/cli/test_docs.py

lock: $(BIN)/uv     ## re-pin requirements/constraints.txt from pyproject.toml (then commit it)
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
		--upgrade -o $(CONSTRAINTS)
