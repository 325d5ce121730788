# amdx — `make run` sets up and runs the default exercise; `make test` sets up and runs every test.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup run test lint bench bench-tracking bench-engine bench-wta bench-server clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: setup
	$(BIN)/amdx run

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports

test: lint
	$(BIN)/python -m pytest -n 2 -q -p no:cacheprovider

bench: setup
	$(BIN)/python bench/bench_flight.py

bench-tracking: setup
	$(BIN)/python bench/bench_tracking.py

bench-engine: setup
	$(BIN)/python bench/bench_engine.py

bench-wta: setup
	$(BIN)/python bench/bench_wta.py

bench-server: setup
	$(BIN)/python bench/bench_server.py

clean:
	rm -rf $(VENV) runs .pytest_cache .ruff_cache .hypothesis
