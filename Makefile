# Two entry points for a fresh machine: `make report` (set up, then the main job) and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
SU     := $(BIN)/spectral-universality
OUT    ?= report

.PHONY: setup report report-quick test lean bench clean

# torch is pinned to the CPU wheel this machine carries; a bare `torch` would pull a multi-GB CUDA build.
$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e ".[dev]"
	touch $@

setup: $(BIN)/.installed

report: setup
	$(SU) report --out $(OUT)

report-quick: setup
	$(SU) report --quick --out $(OUT)

lean: setup
	$(SU) verify --json build/lean-inventory.json

# The Lean check runs once here; the tests reuse its inventory (cached by content hash).
test: setup lean
	$(BIN)/python -m pytest

bench: setup
	$(SU) bench

clean:
	rm -rf $(VENV) build $(OUT) .pytest_cache .hypothesis
