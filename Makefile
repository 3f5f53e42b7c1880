# The course's commands. Everything runs in a project-local virtual environment
# (.venv), created and filled from requirements.txt on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: help install build demo test lab grade bench e2e clean

help:
	@echo "make demo   - install, grade three sample students on every assignment, print their scores"
	@echo "make test   - install, then run the whole test suite"
	@echo "make lab    - JupyterLab on the course, with nbgrader's extensions"
	@echo "make build  - regenerate release/, solutions/ and the lectures' outputs from source/"
	@echo "make grade  - autograde every submission on all cores: feedback, grades.csv, report"
	@echo "make bench  - time nbgrader, make grade's engine and the floor on a synthetic class"
	@echo "make e2e    - the browser tests alone (JupyterLab + nbgrader extensions in Chromium)"

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# pip byte-compiles what it installs: keep it so (no --no-compile). Where
	# PYTHONDONTWRITEBYTECODE is set, as on our CI machines, nothing else writes .pyc files
	# and every kernel would compile torch's sources again (+4 CPU-s per notebook).
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

build: $(STAMP)
	$(BIN)/python -m torchcourse build

demo: $(STAMP)
	$(BIN)/python -m torchcourse demo

test: $(STAMP)
	$(BIN)/python -m pytest

lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.root_dir=$(CURDIR)

clean:
	rm -rf build .pytest_cache

# The course in a real browser: JupyterLab with nbgrader's extensions on a scratch copy,
# driven by Debian's Chromium (student and instructor flows). Screenshots: build/e2e/.
# `make test` runs it too.
e2e: $(STAMP)
	$(BIN)/python -m pytest tests/e2e

# Grade the whole class on all cores: autograde, feedback, grades.csv and a report in
# build/grading/. Options: ASSIGNMENTS="02_linear_regression ...", WORKERS=N, FROM=<LMS
# download folder of zip/notebook files>, GRADE_ARGS="--force --timeout 60 --db-url ...".
grade: $(STAMP)
	$(BIN)/python -m torchcourse grade $(ASSIGNMENTS) $(if $(WORKERS),-j $(WORKERS)) $(if $(FROM),--from $(FROM)) $(GRADE_ARGS)

# Time plain nbgrader autograde, `make grade`'s engine and the floor (kernels only) on a
# synthetic class of STUDENTS (default 12) x every assignment; prints the ratios.
bench: $(STAMP)
	$(BIN)/python -m torchcourse bench --students $(or $(STUDENTS),12) $(if $(WORKERS),-j $(WORKERS))
