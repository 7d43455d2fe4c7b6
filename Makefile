# plankg — `make run` serves the sample plans, `make test` runs the tests; both set up .venv first.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PLANKG := $(VENV)/bin/plankg
BUILD  := build
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: venv runtime run ingest test eval lint format bench soak sheets docs-sheets wheelhouse clean

# what running needs (the runtime dependencies only)
$(VENV)/.runtime: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip setuptools wheel
	$(PY) -m pip install -q -e .
	touch $@

# what testing needs too (the dev extra: pytest, ruff, schemathesis, playwright …)
$(VENV)/.installed: $(VENV)/.runtime
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

runtime: $(VENV)/.runtime
venv: $(VENV)/.installed

$(BUILD)/plankg.nt: $(VENV)/.runtime $(wildcard data/plans/*)
	$(PLANKG) ingest data/plans --out $(BUILD)

ingest: $(BUILD)/plankg.nt

run: ingest
	$(PLANKG) serve --data $(BUILD) --host $(HOST) --port $(PORT)

test: venv
	$(PY) -m pytest

eval: venv
	$(PLANKG) eval data/plans --gold tests/gold
	$(PLANKG) eval --gold tests/realplans

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Neo4j figures: NEO4J_URI if set, else Neo4j's Community test server (tools/neo4j.sh) for the run.
bench: venv
	@# start-up is measured as installed: bytecode compiled (a wheel install does it; an
	@# editable one with PYTHONDONTWRITEBYTECODE set would compile every module at each start)
	@$(PY) -m compileall -q api graph ingest ontology viz bench >/dev/null
	@if [ -n "$$NEO4J_URI" ]; then $(PY) -m bench.run; else \
	  d=$$(mktemp -d); bash tools/neo4j.sh run "$$d" $(PY) -m bench.run; rc=$$?; \
	  rm -rf "$$d"; exit $$rc; fi

# Hostile requests and real faults against `plankg serve` on loopback, ~5 min (bench/soak.py)
soak: venv
	$(PY) -m bench.soak

# Print the sheets as an office would (LibreOffice → PDF → page 1 PNG): tools/install_sheets.sh
sheets: venv ingest
	$(PY) tools/sheets.py --data $(BUILD) --out $(BUILD)/sheets

docs-sheets: venv ingest
	$(PY) tools/sheets.py --data $(BUILD) --out $(BUILD)/sheets --docs docs

# a folder of wheels (plankg and every runtime dependency) for a machine without a package
# index: pip install --no-index --find-links wheelhouse plankg
wheelhouse: $(VENV)/.runtime
	rm -rf wheelhouse
	$(PY) -m pip wheel -q -w wheelhouse .
	@ls wheelhouse | wc -l | xargs echo "wheels in wheelhouse/:"

clean:
	rm -rf $(BUILD) .pytest_cache .ruff_cache
