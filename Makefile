# Everything runs from a local virtual environment built from pyproject.toml.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test bench quality fuzz lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,lab]'
	touch $(STAMP)

install: $(STAMP)

## The whole edge site, embedded: every module of the site file, in-memory transport, simulated assets.
## `make run SITE=examples/sites/factory.toml` runs another site.
SITE ?= examples/sites/home.toml
run: $(STAMP)
	$(BIN)/energy-edge up --site $(SITE)

## All tests with branch coverage; the domain must stay at >= 90 %.
test: $(STAMP)
	$(BIN)/lint-imports
	$(BIN)/python -m pytest --cov=energy_edge --cov-branch --cov-report=term-missing:skip-covered --cov-report=json:coverage.json $(PYTEST_ARGS)
	$(BIN)/python tools/check_domain_coverage.py coverage.json 90

## Benchmarks: prints a table and writes bench-results.json.
bench: $(STAMP)
	$(BIN)/python -m benchmarks

## Control quality: every shipped scenario, then the seeded generated days (their distribution:
## min, p10, median); figures also go into bench-results.json. Fails when a target is missed.
quality: $(STAMP)
	$(BIN)/energy-edge-lab quality; shipped=$$?; \
	$(BIN)/energy-edge-lab quality --generated 40 --seed 2026; generated=$$?; \
	test $$shipped -eq 0 -a $$generated -eq 0

## The fuzz suite (issue 11): EE_FUZZ_COUNT hostile inputs per port (default 10000; `make test` runs
## 300), seeded by EE_FUZZ_SEED, through the in-memory hub, a real Mosquitto and real pymodbus servers.
fuzz: $(STAMP)
	rm -f fuzz-results.jsonl; EE_FUZZ_RESULTS=$(CURDIR)/fuzz-results.jsonl EE_FUZZ_COUNT=$${EE_FUZZ_COUNT:-10000} $(BIN)/python -m pytest tests/fuzz -p no:randomly -q --show-capture=no $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) .pytest_cache coverage.json .coverage bench-results.json fuzz-results.jsonl
