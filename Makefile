# Two entry points for a fresh machine: `make report` (set up, then the main job) and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
SU     := $(BIN)/spectral-universality
OUT    ?= report

.PHONY: setup report report-quick test lean bench clean browser-deps

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

# Headless Chromium (the browser test of the report pages) and Graphviz (the blueprint's dependency graph),
# installed with apt where this runs as root with apt-get; otherwise it says why it skips (the browser test is
# then skipped with its reason, and the graph falls back to the built-in layout).
browser-deps:
	@if command -v chromium >/dev/null 2>&1 && command -v dot >/dev/null 2>&1; then \
	  echo "browser-deps: chromium and graphviz present"; \
	elif [ "$$(id -u)" != 0 ]; then \
	  echo "browser-deps: skipped (not root; install chromium and graphviz to run the browser test)"; \
	elif ! command -v apt-get >/dev/null 2>&1; then \
	  echo "browser-deps: skipped (no apt-get; install chromium and graphviz to run the browser test)"; \
	else \
	  echo "browser-deps: apt-get install chromium graphviz"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	     chromium graphviz) >/dev/null 2>&1 \
	    || echo "browser-deps: apt-get failed; the browser test will be skipped"; \
	fi

# The Lean check runs once here; the tests reuse its inventory (cached by content hash).
test: setup lean browser-deps
	$(BIN)/python -m pytest

bench: setup
	$(SU) bench

clean:
	rm -rf $(VENV) build $(OUT) .pytest_cache .hypothesis
