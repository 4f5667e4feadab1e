# Development and test entry points for netbox-hedgehog (GNU make).
#
#   make demo         run NetBox with the plugin, a worker, the scheduler sidecar and a test fabric (Ctrl-C stops)
#   make demo-env     print the demo's environment, e.g. `eval "$(make -s demo-env)"` then `netbox nbshell`
#   make test         create/refresh .venv, start PostgreSQL and Redis if needed, run the test suite
#   make lint         ruff check
#   make bench        benchmark the sync at ~1k, 10k and 50k objects against the REST API (BENCH_ARGS='--repeat 3');
#                     BENCH_ARGS='--inventory' measures it with the fabric projected into NetBox's own inventory
#   make migrations   generate plugin migrations after model changes
#   make env          print the environment used here, e.g. `eval "$(make -s env)"` then `netbox shell`
#   make clean        remove .venv and .netbox
#
# Extra pytest arguments: `make test PYTEST_ARGS='-k fabric -x'`.
# The interpreter for a new venv is found by deploy/dev/find-python.sh (Python >= 3.12); pick one with
# `make PYTHON=/path/to/python3.13 venv`.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := test

VENV := $(CURDIR)/.venv
VENV_BIN := $(VENV)/bin
# Touched after a successful install; pip runs again only when pyproject.toml is newer.
VENV_STAMP := $(VENV)/.netbox-hedgehog-installed
FIND_PYTHON := $(CURDIR)/deploy/dev/find-python.sh
DEV_DIR := $(CURDIR)/deploy/dev
PYTEST_ARGS ?=

# find-python.sh honours PYTHON from the environment or the make command line.
ifdef PYTHON
export PYTHON
endif

# The environment of every NetBox command run from here (tests, migrations, `make env`). Connection settings
# (PGHOST, REDIS_PORT, ...) pass through from the caller; deploy/dev/netbox_configuration.py has the defaults.
export NETBOX_CONFIGURATION := netbox_configuration
export NETBOX_ROOT := $(CURDIR)/.netbox
export DJANGO_SETTINGS_MODULE := netbox.settings
export PYTHONPATH := $(DEV_DIR):$(CURDIR)$(if $(PYTHONPATH),:$(PYTHONPATH))

.PHONY: venv services browser demo demo-env test bench lint migrations env clean

venv: $(VENV_STAMP)

$(VENV_BIN)/python:
	python="$$($(FIND_PYTHON))"; \
	echo "Creating $(VENV) with $$python"; \
	"$$python" -m venv "$(VENV)"

$(VENV_STAMP): pyproject.toml | $(VENV_BIN)/python
	"$(VENV_BIN)/python" -m pip install --quiet -e '.[test]'
	touch "$@"

services:
	"$(DEV_DIR)/services.sh"

$(NETBOX_ROOT):
	mkdir -p "$@"

# The demo's preflight (seconds, any Python >= 3.12) runs before the long steps: the venv, migrations, processes.
demo: | $(NETBOX_ROOT)
	@python="$$($(FIND_PYTHON))" && "$$python" "$(DEV_DIR)/demo.py" --preflight
	@$(MAKE) --no-print-directory venv
	"$(VENV_BIN)/python" "$(DEV_DIR)/demo.py"

# The browser test drives Debian's Chromium through Playwright (which downloads no browser of its own).
browser:
	@command -v chromium >/dev/null || { \
	  [ "$$(id -u)" = 0 ] || { echo "The browser test needs Debian's chromium package: apt-get install chromium" >&2; exit 1; }; \
	  echo "Installing Debian's chromium for the browser test"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

test: venv services browser | $(NETBOX_ROOT)
	"$(VENV_BIN)/pytest" $(PYTEST_ARGS)

bench: venv services | $(NETBOX_ROOT)
	"$(VENV_BIN)/python" -m bench $(BENCH_ARGS)

lint: venv
	"$(VENV_BIN)/ruff" check .

migrations: venv services | $(NETBOX_ROOT)
	"$(VENV_BIN)/netbox" makemigrations netbox_hedgehog

env:
	@echo 'export NETBOX_CONFIGURATION=$(NETBOX_CONFIGURATION)'
	@echo 'export NETBOX_ROOT=$(NETBOX_ROOT)'
	@echo 'export DJANGO_SETTINGS_MODULE=$(DJANGO_SETTINGS_MODULE)'
	@echo 'export PYTHONPATH=$(PYTHONPATH)'
	@echo 'export PATH=$(VENV_BIN):$$PATH'

# `make env` plus the demo's database, Redis databases and NETBOX_ROOT (deploy/dev/demo.py is their one source).
demo-env: env
	@python="$$($(FIND_PYTHON))" && "$$python" "$(DEV_DIR)/demo.py" --print-env

clean:
	rm -rf "$(VENV)" "$(NETBOX_ROOT)"
