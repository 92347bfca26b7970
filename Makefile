# producerkit: two commands on a fresh machine.
#   make lab    set everything up and open the course in JupyterLab
#   make test   set everything up and run every test (lint, unit, property, notebooks, browser)
#   make bench  producerkit against its references (pedalboard, pyloudnorm, scipy), as ratios

PYTHON   ?= python3
VENV     ?= .venv
PY       := $(VENV)/bin/python
PIP      := $(PY) -m pip
LAB_ARGS ?=
PYTEST_ARGS ?=
# Two workers on two cores; set JOBS=0 to run in one process.
JOBS     ?= 2

.PHONY: lab test lint unit notebooks browser bench venv test-deps lab-deps chromium clean help

help:
	@echo "make lab     open the course in JupyterLab (LAB_ARGS=--no-browser for a server only)"
	@echo "make test    lint and run every test"
	@echo "make bench   benchmarks against pedalboard, pyloudnorm and scipy"

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# Stamps re-run the install whenever pyproject.toml changes.
$(VENV)/.lab-installed: pyproject.toml | $(PY)
	$(PIP) install --quiet -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(PY)
	$(PIP) install --quiet -e ".[test,dev]"
	touch $@ $(VENV)/.lab-installed

venv: $(PY)
lab-deps: $(VENV)/.lab-installed
test-deps: $(VENV)/.test-installed

lab: lab-deps
	$(VENV)/bin/jupyter lab course/00-welcome.ipynb $(LAB_ARGS)

# Debian's chromium for the browser tests (Playwright cannot download browsers here).
chromium:
	@if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then \
		echo "chromium: $$(chromium --version 2>/dev/null || echo present)"; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	else \
		echo "chromium is missing and this user cannot apt-get it: the browser tests will be skipped"; \
		echo "(run 'sudo apt-get install chromium' to include them)"; \
	fi

lint: test-deps
	$(VENV)/bin/ruff check producerkit tests bench

test: test-deps chromium lint
	$(PY) -m pytest $(if $(filter 0,$(JOBS)),,-n $(JOBS) --dist loadgroup) \
		--nbval-lax --nbval-current-env -p no:cacheprovider tests course $(PYTEST_ARGS)

unit: test-deps
	$(PY) -m pytest -m "not browser" tests $(PYTEST_ARGS)

notebooks: test-deps
	$(PY) -m pytest --nbval-lax --nbval-current-env course $(PYTEST_ARGS)

browser: test-deps chromium
	$(PY) -m pytest -m browser tests $(PYTEST_ARGS)

bench: test-deps
	@for script in bench/*.py; do \
		echo "== $$script"; $(PY) $$script || exit 1; \
	done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis test-artifacts *.egg-info
