# The course's commands. Everything runs in a project-local virtual environment
# (.venv), created and filled from requirements.txt on first use; the Debian packages the
# course needs are installed first when they are missing (scripts/system-packages).
# Debian's own Python 3.11 when there is one: every user of a class server can run it.
PYTHON ?= $(shell test -x /usr/bin/python3.11 && echo /usr/bin/python3.11 || echo python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HUB_PROXY := build/node/node_modules/.bin/configurable-http-proxy
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: help system install build demo test test-fast lint lab grade bench e2e hub hub-proxy clean

help:
	@echo "make demo      - install, grade three sample students on every assignment, print scores"
	@echo "make test      - install, then run the whole test suite (what CI runs)"
	@echo "make test-fast - the unit tests alone (under a minute)"
	@echo "make lab       - JupyterLab on the course, with nbgrader's extensions"
	@echo "make build     - regenerate references/, release/, solutions/ and the lectures' outputs"
	@echo "make grade     - grade every submission (all cores, or a dask cluster), report"
	@echo "make bench     - time nbgrader, make grade, the sandbox and 1 against 2 workers"
	@echo "make e2e       - the browser tests alone (JupyterLab + nbgrader extensions in Chromium)"
	@echo "make hub       - as root: the class's JupyterHub on loopback, an instructor, two students"

# Chromium (browser tests), PostgreSQL (gradebook server), bubblewrap (the grading
# sandbox), a CJK font (Korean in figures and screenshots), npm (the hub's proxy):
# installed when missing.
system:
	@scripts/system-packages

# The Debian packages (apt: downloading, unpacking) install while pip fills the virtual
# environment (scripts/python-packages: several pips side by side, mostly CPU), not before
# it; a missing package that cannot be installed (no root, no sudo) stops everything at
# once, with the command to run.
$(STAMP): requirements.txt pyproject.toml
	@scripts/system-packages --check
	@scripts/system-packages & apt=$$!; \
	scripts/python-packages $(PYTHON) $(VENV); pip=$$?; \
	wait $$apt; apt=$$?; test $$pip -eq 0 -a $$apt -eq 0
	touch $(STAMP)

install: $(STAMP)

build: $(STAMP)
	$(BIN)/python -m torchcourse build

demo: $(STAMP)
	$(BIN)/python -m torchcourse demo

test: $(STAMP) $(HUB_PROXY)
	@scripts/system-packages
	$(BIN)/ruff check torchcourse tests nbgrader_config.py
	$(BIN)/python -m pytest

test-fast: $(STAMP)
	$(BIN)/python -m pytest tests/unit -p no:xdist -o addopts="-p no:cacheprovider"

lint: $(STAMP)
	$(BIN)/ruff check torchcourse tests nbgrader_config.py

lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.root_dir=$(CURDIR)

clean:
	rm -rf build .pytest_cache

# The course in a real browser: JupyterLab with nbgrader's extensions on a scratch copy,
# driven by Debian's Chromium (student and instructor flows). Screenshots: build/e2e/.
# `make test` runs it too.
e2e: $(STAMP)
	$(BIN)/python -m pytest tests/browser

# Grade the whole class: autograde in the sandbox, feedback, grades.csv and a report in
# build/grading/. Options: ASSIGNMENTS="02_linear_regression ...", WORKERS=N,
# SCHEDULER=tcp://host:8786 (a dask cluster; needs DB=postgresql://...), FROM=<LMS download
# folder of zip/notebook files>, GRADE_ARGS="--force --timeout 60 ...".
grade: $(STAMP)
	$(BIN)/python -m torchcourse grade $(ASSIGNMENTS) $(if $(WORKERS),-j $(WORKERS)) $(if $(SCHEDULER),--scheduler $(SCHEDULER)) $(if $(DB),--db-url $(DB)) $(if $(FROM),--from $(FROM)) $(GRADE_ARGS)

# Time plain nbgrader autograde, `make grade` without and with the sandbox, and 1 against 2
# workers, on a synthetic class of STUDENTS (default 12) x every assignment; prints ratios.
bench: $(STAMP)
	$(BIN)/python -m torchcourse bench --students $(or $(STUDENTS),12) $(if $(WORKERS),-j $(WORKERS))

# The class's JupyterHub (deploy/jupyterhub/): its proxy, configurable-http-proxy, comes from
# npm at the versions deploy/jupyterhub/package-lock.json pins, into build/node/.
$(HUB_PROXY): deploy/jupyterhub/package.json deploy/jupyterhub/package-lock.json
	mkdir -p build/node
	cp deploy/jupyterhub/package.json deploy/jupyterhub/package-lock.json build/node/
	npm ci --prefix build/node --no-audit --no-fund --loglevel=error
	touch $(HUB_PROXY)

hub-proxy: $(HUB_PROXY)

# A try-out on loopback (as root): an instructor and two students with random passwords,
# printed with the addresses; Ctrl-C stops the hub and removes the users. State: build/hub/.
hub: $(STAMP) $(HUB_PROXY)
	$(BIN)/python deploy/jupyterhub/hub.py tryout
