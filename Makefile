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

.PHONY: lab test lint unit notebooks browser bench venv test-deps lab-deps chromium renderer clean help data pins test-binder binder-venv course-map

help:
	@echo "make lab     open the course in JupyterLab (LAB_ARGS=--no-browser for a server only)"
	@echo "make test    lint and run every test"
	@echo "make bench   benchmarks against pedalboard, pyloudnorm and scipy"
	@echo "make data    re-render the course audio in datasets/ (needs fluid-soundfont-gm, avldrums.lv2-soundfont)"
	@echo "make test-binder   run the course in a fresh environment built like Binder's"
	@echo "make course-map    rewrite the course maps, Next links, README table and lesson list from producerkit/lessons.py"

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# Stamps re-run the install whenever pyproject.toml changes.
# binder/requirements.txt pins the runtime closure; using it as constraints here means students,
# CI and Binder all run the versions the test suite passed with.
$(VENV)/.lab-installed: pyproject.toml binder/requirements.txt | $(PY)
	$(PIP) install --quiet -c binder/requirements.txt -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml binder/requirements.txt | $(PY)
	$(PIP) install --quiet -c binder/requirements.txt -e ".[test,dev]"
	touch $@ $(VENV)/.lab-installed

venv: $(PY)
lab-deps: $(VENV)/.lab-installed $(VENV)/.lab-warm
test-deps: $(VENV)/.test-installed

# numba compiles producerkit's and librosa's kernels on first use (half a minute, cold). Compile
# them once, before anything runs in parallel (two processes that share no kernel: see producerkit/_warmup.py).
# The lessons use numba's default cache (next to the code); the tests use their own copy.
NUMBA_TEST_CACHE := $(CURDIR)/$(VENV)/numba-cache
TEST_ENV := NUMBA_CACHE_DIR=$(NUMBA_TEST_CACHE)
PK_SOURCES := $(wildcard producerkit/*.py)

$(VENV)/.lab-warm: $(VENV)/.lab-installed $(PK_SOURCES)
	$(PY) -m producerkit._warmup
	touch $@

$(VENV)/.test-warm: $(VENV)/.test-installed $(PK_SOURCES)
	$(TEST_ENV) $(PY) -m producerkit._warmup
	touch $@

# JupyterLab refuses to run as root (containers, cloud VMs) without --allow-root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

# The browser sends a file uploaded in lesson 10 in one websocket message: let a whole mix through
# (512 MiB, as producerkit lab and binder/postBuild do; tornado's default is 10 MiB).
UPLOAD_FLAG := --ServerApp.tornado_settings='{"websocket_max_message_size": 536870912}'

lab: lab-deps
	$(VENV)/bin/jupyter lab course/00-welcome.ipynb $(ROOT_FLAG) $(UPLOAD_FLAG) $(LAB_ARGS)

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
	$(VENV)/bin/ruff check producerkit tests bench binder

# The lessons under nbval first, two at a time and nothing else running, so each lesson's time
# against its budget is its own (loadfile keeps a notebook's cells on one kernel); NOTEBOOKS_DONE, if
# given, is a file touched when they have passed (.ci/run starts its background work then). Then the
# unit and property tests in parallel; then the browser tests on two workers, each with its own
# JupyterLab and chromium, and last the one that measures frame timing ("solo"), alone.
# nbval's cell timeout turns a kernel that died into a failure instead of a hang.
NBVAL := --nbval-lax --nbval-current-env --nbval-cell-timeout=300

test: test-deps chromium renderer lint $(VENV)/.test-warm
	$(TEST_ENV) $(PY) -m pytest $(if $(filter 0,$(JOBS)),,-n $(JOBS) --dist loadfile) $(NBVAL) \
		-p no:cacheprovider course $(PYTEST_ARGS)
	$(if $(NOTEBOOKS_DONE),touch $(NOTEBOOKS_DONE))
	$(TEST_ENV) $(PY) -m pytest $(if $(filter 0,$(JOBS)),,-n $(JOBS) --dist loadfile) -m "not browser" \
		-p no:cacheprovider tests $(PYTEST_ARGS)
	$(TEST_ENV) $(PY) -m pytest $(if $(filter 0,$(JOBS)),,-n $(JOBS) --dist loadgroup) -m "browser and not solo" \
		-p no:cacheprovider tests/browser $(PYTEST_ARGS)
	$(TEST_ENV) $(PY) -m pytest -m "browser and solo" -p no:cacheprovider tests/browser $(PYTEST_ARGS) \
		|| [ $$? -eq 5 ]  # 5: PYTEST_ARGS selected none of them

unit: test-deps $(VENV)/.test-warm
	$(TEST_ENV) $(PY) -m pytest -m "not browser" tests $(PYTEST_ARGS)

notebooks: test-deps $(VENV)/.test-warm
	$(TEST_ENV) $(PY) -m pytest $(NBVAL) course $(PYTEST_ARGS)

browser: test-deps chromium $(VENV)/.test-warm
	$(TEST_ENV) $(PY) -m pytest -m browser tests/browser $(PYTEST_ARGS)

bench: test-deps $(VENV)/.test-warm
	@for script in bench/*.py; do \
		echo "== $$script"; $(TEST_ENV) $(PY) $$script || exit 1; \
	done

# The renderer behind datasets/: Debian's FluidR3 GM soundfont, the AVL Drumkits' recorded kit
# (avldrums.lv2-soundfont) and tinysoundfont, installed with
# --no-deps (its pyaudio dependency does not build here and is not needed to render to files).
# make test installs it when it can, so the byte-identical rebuild test runs rather than skips.
SOUNDFONT_DEB := /usr/share/sounds/sf2/FluidR3_GM.sf2
KIT_SOUNDFONT_DEB := /usr/share/sounds/sf2/Black_Pearl_4_LV2.sf2
renderer: test-deps
	@if [ ! -f "$(SOUNDFONT_DEB)" ] && [ -z "$$PRODUCERKIT_SOUNDFONT" ]; then \
		if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
			echo "installing Debian's fluid-soundfont-gm for the dataset rebuild test"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fluid-soundfont-gm; \
		else echo "fluid-soundfont-gm is missing (sudo apt-get install fluid-soundfont-gm): the rebuild test will skip"; fi; \
	fi
	@if [ ! -f "$(KIT_SOUNDFONT_DEB)" ] && [ -z "$$PRODUCERKIT_KIT_SOUNDFONT" ]; then \
		if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
			echo "installing Debian's avldrums.lv2-soundfont (the recorded drum kit) for the dataset rebuild test"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq avldrums.lv2-soundfont; \
		else echo "avldrums.lv2-soundfont is missing (sudo apt-get install avldrums.lv2-soundfont): the rebuild test will skip"; fi; \
	fi
	$(PIP) install --quiet --no-deps "tinysoundfont>=0.3.7"

# The lesson registry (producerkit/lessons.py) is the one list of lessons: this rewrites what is made
# from it (each notebook's course map and Next link, the README's course table, docs/teaching.md's list).
# It needs only Python: the registry is plain data, run from this checkout.
course-map: | $(PY)
	$(PY) -m producerkit.lessons --write

# Re-render datasets/ from the composition.
data: renderer
	$(PY) -c "from producerkit import datasets; datasets.build(); print('verified', len(datasets.verify()), 'files')"

# Binder: a fresh environment from binder/requirements.txt and binder/postBuild, as repo2docker
# builds it, then the whole course through nbval. HOME is redirected so postBuild's Jupyter
# config lands in the throwaway folder, not in yours.
BINDER_VENV ?= .venv-binder
binder-venv:
	rm -rf $(BINDER_VENV)
	$(PYTHON) -m venv $(BINDER_VENV)
	$(BINDER_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BINDER_VENV)/bin/python -m pip install --quiet -r binder/requirements.txt
	mkdir -p $(BINDER_VENV)/home
	HOME=$(abspath $(BINDER_VENV))/home PATH=$(abspath $(BINDER_VENV))/bin:$$PATH bash binder/postBuild
	test -f $(BINDER_VENV)/home/.jupyter/jupyter_server_config.py
	touch $(BINDER_VENV)/.built

# BINDER_PREBUILT=1: use the environment binder-venv just built (.ci/run builds it while make test runs).
test-binder:
	$(if $(BINDER_PREBUILT),test -f $(BINDER_VENV)/.built,$(MAKE) binder-venv)
	$(BINDER_VENV)/bin/python -m pytest $(if $(filter 0,$(JOBS)),,-n $(JOBS) --dist loadfile) $(NBVAL) \
		-p no:cacheprovider course

# Regenerate binder/requirements.txt: the runtime closure plus the notebook test runner, pinned
# to the versions installed in .venv (the ones the test suite passed with).
pins: test-deps
	$(PY) binder/pin.py

clean:
	rm -rf $(VENV) $(BINDER_VENV) .pytest_cache .ruff_cache .hypothesis test-artifacts *.egg-info
