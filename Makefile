# The README's two commands, `make book` and `make test`, create .venv themselves:
# they need only Python 3.11+ and make. .venv is installed from requirements.lock
# (every package pinned with hashes) by uv, which pip bootstraps into .venv first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LOCK   := requirements.lock
UV     := $(BIN)/uv
# uv's version is pinned in requirements.txt like every other package.
UV_VERSION := $(shell sed -n 's/^uv==//p' requirements.txt)
CHAPTERS := $(wildcard book/[0-9][0-9]-*.ipynb)
NBVAL  := --nbval --nbval-current-env --nbval-sanitize-with tests/sanitize.cfg
# The repository the book is published from (owner/name on GitHub). Empty here;
# the publishing workflow passes the repository it runs in. See bookchain.repository.
BOOK_REPOSITORY ?=
export BOOK_REPOSITORY

.PHONY: bootstrap-uv help book test test-fast nbval lint execute sync lab bench lock colab assignments grade references check-references clean

help:
	@echo "make book     build the HTML from the stored outputs into _build/html"
	@echo "make test     lint, unit tests, doctests, chain checks, then nbval on every chapter"
	@echo "make execute  re-execute the chapters whose code or helpers changed; re-sync pairs"
	@echo "make lab      open the book in JupyterLab (chapters in book/, reader notebooks in notebooks/)"
	@echo "make bench    measure set-up, build and execution times into _build/bench.json"
	@echo "make lock     re-compile requirements.lock after editing requirements.txt"
	@echo "make colab    make the Colab cells and README badges follow the repository address"
	@echo "make assignments       student notebooks with checks, and autograders, into _build/assignments"
	@echo "make grade SUBMISSIONS=dir  grade every notebook in dir: a table, one row per student"
	@echo "make references        refit every real-data model with lme4 (needs R and lme4)"
	@echo "make check-references  fail if lme4 now computes anything other than the stored fits"

# The environment: created from the lock, re-synced when the lock or the package
# metadata change. `uv pip sync` makes .venv hold exactly the lock (it removes
# anything else), then the book's own package is installed on top, without deps.
$(STAMP): $(LOCK) pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv --without-pip $(VENV)
	@$(UV) --version 2>/dev/null | grep -qF "uv $(UV_VERSION) " || $(MAKE) --no-print-directory bootstrap-uv
	$(UV) pip sync --quiet --require-hashes --python $(BIN)/python $(LOCK)
	$(UV) pip install --quiet --no-deps --no-build-isolation --python $(BIN)/python -e .
	@touch $@

# uv into .venv, with the pip of the Python that runs make (no pip is needed in
# .venv); where that Python has no pip, .venv gets its own first.
bootstrap-uv:
	@$(PYTHON) -m pip --version >/dev/null 2>&1 \
	  && $(PYTHON) -m pip --python $(BIN)/python install --quiet --disable-pip-version-check "uv==$(UV_VERSION)" \
	  || { $(BIN)/python -m ensurepip --upgrade >/dev/null \
	       && $(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"; }

# The lock: compiled from the direct pins by uv, for every platform (--universal)
# and Python 3.11 and newer, with hashes. Then the reader's lock (Binder), a strict
# subset of it (src/bookchain/lockfile.py). Its first line records a hash of the pins
# (requirements.txt without comments), which tests/test_environment.py checks.
lock: $(STAMP)
	$(UV) pip compile --quiet --universal --generate-hashes --python-version 3.11 \
	  --custom-compile-command "make lock" requirements.txt -o $(LOCK).tmp
	$(BIN)/python -m bookchain.lockfile --finish $(LOCK).tmp $(LOCK)
	@mkdir -p _build
	$(BIN)/python -m bookchain.lockfile --constraints > _build/lock-constraints.txt
	$(UV) pip compile --quiet --universal --generate-hashes --python-version 3.11 \
	  --custom-compile-command "make lock" -c _build/lock-constraints.txt \
	  --override binder/overrides.txt binder/requirements.in -o binder/requirements.lock.tmp
	$(BIN)/python -m bookchain.lockfile --finish-reader binder/requirements.lock.tmp binder/requirements.lock

# Rendered from the stored outputs (execution is off in _config.yml): what nbval
# verified is what is published. Warnings are errors. The configuration passed to
# jupyter-book is _config.yml plus the repository address (launch buttons), if any.
book: $(STAMP)
	$(BIN)/python -m bookchain.repository --write-config _build/_config.yml
	$(BIN)/jupyter-book build . --config _build/_config.yml --warningiserror --nitpick --keep-going

# Lint, then two pytest runs, each on two workers: the Python tests (unit, doctest,
# chain, environment, browser; one test file per worker at a time), then nbval, which
# re-executes every chapter and compares every output (one chapter per worker).
test: lint test-fast nbval

lint: $(STAMP)
	$(BIN)/ruff check src tests

test-fast: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadfile

nbval: $(STAMP)
	$(BIN)/python -m pytest $(NBVAL) -n 2 --dist loadscope $(CHAPTERS)

execute: $(STAMP)
	$(BIN)/python -m bookchain.execute

# After setting the repository's address: the Colab cell of every chapter and the
# README's badges follow it (then `make execute`).
colab: $(STAMP)
	$(BIN)/python -m bookchain.colab --insert
	$(BIN)/python -m bookchain.repository --readme

# Course assignments (bookchain.assignments, book/instructors.md): from the chapters'
# exercises and checks, a student notebook (no solutions, no outputs) with otter-grader
# tests per chapter, zipped, and the instructors' autograders and solved notebooks.
# `make book` puts the student notebooks on the website too. `make grade` grades every
# notebook of a folder with `otter run` (no Docker) into a table, printed and in GRADES.
ASSIGNMENTS := _build/assignments
SUBMISSIONS ?=
GRADES ?= _build/grades.csv

assignments: $(STAMP)
	$(BIN)/python -m bookchain.assignments build $(ASSIGNMENTS)

grade: assignments
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=folder-of-notebooks" >&2; exit 2; }
	$(BIN)/python -m bookchain.assignments grade $(SUBMISSIONS) $(GRADES) --assignments $(ASSIGNMENTS)

# lme4's fits of every real-data model (R with lme4: apt-get install r-base-core
# r-cran-lme4). The data come from the book's own loaders, so both engines fit the same
# rows. `references` rewrites the stored fits and timings; `check-references` (CI) refits
# into _build and compares, allowing lme4's run-to-run noise (about 1e-7 relative).
REFDATA := _build/reference-data
FITS    := src/lmmbook/data/lme4_fits.csv

references: $(STAMP)
	$(BIN)/python tests/reference/export_data.py $(REFDATA)
	Rscript tests/reference/fit_lme4.R $(REFDATA) $(FITS) src/lmmbook/data/lme4_timings.csv

check-references: $(STAMP)
	$(BIN)/python tests/reference/export_data.py $(REFDATA)
	Rscript tests/reference/fit_lme4.R $(REFDATA) $(REFDATA)/lme4_fits.csv
	$(BIN)/python tests/reference/compare_fits.py $(FITS) $(REFDATA)/lme4_fits.csv

# Timings of set-up and of the edit loop, side by side in one run, into _build/bench.json.
bench: $(STAMP)
	$(BIN)/python -m bookchain.bench

# JupyterLab is not part of the lock (Binder and Colab bring their own); the next
# sync of .venv removes it again.
lab: $(STAMP)
	$(UV) pip install --quiet --python $(BIN)/python jupyterlab
	$(BIN)/jupyter lab .

clean:
	rm -rf _build
