# Everything runs from a local virtual environment built from pyproject.toml.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test bench quality lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,lab]'
	touch $(STAMP)

install: $(STAMP)

## The whole edge site, embedded: five modules, in-memory transport, simulated assets.
run: $(STAMP)
	$(BIN)/energy-edge up

## All tests with branch coverage; the domain must stay at >= 90 %.
test: $(STAMP)
	$(BIN)/lint-imports
	$(BIN)/python -m pytest --cov=energy_edge --cov-branch --cov-report=term-missing:skip-covered --cov-report=json:coverage.json $(PYTEST_ARGS)
	$(BIN)/python tools/check_domain_coverage.py coverage.json 90

## Benchmarks: prints a table and writes bench-results.json.
bench: $(STAMP)
	$(BIN)/python -m benchmarks

## Control quality over every shipped scenario (figures also go into bench-results.json).
quality: $(STAMP)
	$(BIN)/energy-edge-lab quality

lint: $(STAMP)
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) .pytest_cache coverage.json .coverage bench-results.json
