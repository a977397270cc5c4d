# Two commands do everything on a fresh machine: `make demo` and `make test`.
# Both bootstrap .venv themselves (Python >= 3.11 must be on PATH as python3).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test test-ha lint typecheck unit console bench bench-fleet clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -U pip
	$(BIN)/pip install -q -e '.[dev]'
	$(BIN)/pip install -q --no-deps mediapipe==0.10.14  # only its BlazeFace .tflite files (docs/face.md)
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/smartlock demo $(ARGS)

console: $(STAMP)
	$(BIN)/smartlock console $(ARGS)

# lint: ruff, the layer contracts (import-linter), and no block of 6 or more lines
# written twice in src/ (comments, docstrings, imports and signatures aside: pylint's
# duplicate-code check alone).
lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports  # the layer contracts in pyproject.toml
	$(BIN)/pylint --disable=all --enable=duplicate-code --min-similarity-lines=6 \
		--score=n src/smartlock

typecheck: $(STAMP)
	$(BIN)/mypy src

unit: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint typecheck unit

# A real Home Assistant against the demo (tests/ha): its own virtualenv outside the
# repo, made once by tests/ha/ensure_ha.sh and reused.
HA_VENV ?= $(HOME)/.cache/smartlock/ha-venv
test-ha: $(STAMP)
	SMARTLOCK_HA_PYTHON=$$(tests/ha/ensure_ha.sh $(HA_VENV)) \
		$(BIN)/pytest tests/ha -q -s -p no:randomly $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python bench/pin_bench.py
	$(BIN)/python bench/face_bench.py

# Issue 11: 10,000 locks on PostgreSQL + a private Mosquitto, ~5 min (ARGS=--quick: small).
bench-fleet: $(STAMP)
	$(BIN)/smartlock bench fleet $(ARGS)

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .import_linter_cache
