# The README's two commands, `make book` and `make test`, create .venv themselves.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CHAPTERS := $(wildcard book/[0-9][0-9]-*.ipynb)
NBVAL  := --nbval --nbval-current-env --nbval-sanitize-with tests/sanitize.cfg

.PHONY: help book test test-fast nbval execute sync lab bench clean

help:
	@echo "make book     build the HTML from the stored outputs into _build/html"
	@echo "make test     unit tests, doctests, chain checks, then nbval on every chapter"
	@echo "make execute  re-execute the chapters whose code or helpers changed; re-sync pairs"
	@echo "make lab      open the chapters in JupyterLab"
	@echo "make bench    measure build and execution times into _build/bench.json"

# The environment: re-made when the pins or the package metadata change.
$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -e .
	@touch $@

# Rendered from the stored outputs (execution is off in _config.yml): what nbval
# verified is what is published. Warnings are errors.
book: $(STAMP)
	$(BIN)/jupyter-book build . --warningiserror --nitpick --keep-going

# Two pytest runs: the Python tests (unit, doctest, chain), then nbval, which
# re-executes every chapter on two workers (one chapter per worker).
test: test-fast nbval

test-fast: $(STAMP)
	$(BIN)/python -m pytest

nbval: $(STAMP)
	$(BIN)/python -m pytest $(NBVAL) -n 2 --dist loadscope $(CHAPTERS)

execute: $(STAMP)
	$(BIN)/python -m bookchain.execute

# Timings of the edit loop, side by side in one run, into _build/bench.json.
bench: $(STAMP)
	$(BIN)/python -m bookchain.bench

lab: $(STAMP)
	$(BIN)/python -m pip install --quiet jupyterlab
	$(BIN)/jupyter lab book/

clean:
	rm -rf _build
