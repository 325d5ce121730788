# amdx — `make run` sets up and runs the default exercise; `make test` sets up and runs every test.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: all setup console run test lint bench bench-tracking bench-engine bench-wta bench-server clean

all: setup console

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@echo "compiling amdx's numeric kernels (once per machine; two to three minutes)"
	$(BIN)/amdx compile
	touch $(STAMP)

# The browser console (TypeScript, Vite): built into web/dist and copied next to the server that serves it.
CONSOLE := src/amdx/server/static/index.html
console: $(CONSOLE)

$(CONSOLE): web/package.json web/package-lock.json web/index.html web/vite.config.ts $(shell find web/src -type f)
	cd web && npm ci --no-audit --no-fund --loglevel=error && npm test && npm run build
	rm -rf src/amdx/server/static
	cp -r web/dist src/amdx/server/static

run: setup
	$(BIN)/amdx run

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports

test: lint console
	$(BIN)/python -m pytest -n 2 -q -p no:cacheprovider

bench: setup
	$(BIN)/python bench/bench_flight.py

bench-tracking: setup
	$(BIN)/python bench/bench_tracking.py

bench-engine: setup
	$(BIN)/python bench/bench_engine.py --threats 100 500 --repeats 3
	$(BIN)/python bench/bench_engine.py --threats 2000

bench-wta: setup
	$(BIN)/python bench/bench_wta.py

bench-server: setup
	$(BIN)/python bench/bench_server.py

clean:
	rm -rf $(VENV) runs .pytest_cache .ruff_cache .hypothesis
