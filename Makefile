# Two commands: `make lab` opens the course, `make test` runs every test.
# Both create (or reuse) a virtual environment in .venv/ and install the course into it.
# Needs Python 3.11 or newer and nothing else. Without make (e.g. on Windows), see README.md.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PORT   ?= 8888
# Test processes side by side (each takes whole test files, so module fixtures are built once).
TEST_WORKERS ?= 2
# The environment's scripts come first on PATH for everything make starts (nbgrader runs
# `alembic` from PATH; the package also arranges this for plain `jupyter lab`).
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: lab lab-lecturer test setup check release site site-deps clean help

help:
	@echo "make lab           set up .venv/ and open the course in JupyterLab (student mode)"
	@echo "make lab-lecturer  the same with the grader's tools (formgrader, Create Assignment)"
	@echo "make test   set up .venv/ and run every test (units, content, notebooks, grading, browser)"
	@echo "make check  check all course content (mhsw check)"
	@echo "make site   build the course website into build/site/ (offline)"
	@echo "make site-deps  fetch once (network on) what the site's practice tier needs"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found " + sys.version.split()[0] + ")")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

setup: $(STAMP)

lab: setup
	$(BIN)/mhsw lab --port=$(PORT)

lab-lecturer: setup
	$(BIN)/mhsw lab --lecturer --port=$(PORT)

test: setup
	$(BIN)/python -m pytest --nbval-lax -n $(TEST_WORKERS) --dist loadfile

check: setup
	$(BIN)/mhsw check

release: setup
	$(BIN)/mhsw release

# The website: every notebook executed, case files, quizzes, dataset catalogue, and the practice
# tier (lite/: cases and quizzes in the browser, JupyterLite). Needs no network. Without
# `make site-deps` first it builds everything but the practice tier, and says so.
site: setup
	$(BIN)/python -m helpers.site -o build/site

# What the practice tier needs, fetched once with the network on (Python 3.12+ and npm): a build
# environment .venv-lite/ and Pyodide's core and pure-Python wheels in build/cache/lite/.
site-deps: setup
	$(BIN)/python -m helpers.site.lite setup

clean:
	rm -rf $(VENV) .venv-lite build dist .pytest_cache
