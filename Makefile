# Two commands do everything on a fresh machine: `make demo` and `make test`.
# Both bootstrap .venv themselves (Python >= 3.11 must be on PATH as python3).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint typecheck unit console bench clean

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

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy src

unit: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint typecheck unit

bench: $(STAMP)
	$(BIN)/python bench/pin_bench.py
	$(BIN)/python bench/face_bench.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
