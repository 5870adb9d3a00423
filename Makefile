# Two commands set up and check everything: `make book` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SHARED ?= ../shared/data-sources
# Optional edition overrides, e.g. `make book PARTNER=CHN` or `make book PARAMS=params/kazakhstan-china.yml`
PARTNER ?=
PARAMS ?=
BUILD_ARGS := $(if $(PARAMS),--params $(PARAMS)) $(if $(PARTNER),--partner $(PARTNER))

.PHONY: book test data validate lint bench vendor clean

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet uv==0.13.9
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -r requirements.txt
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python --no-deps -e .
	touch $(STAMP)

book: $(STAMP)
	$(BIN)/tradebook build --pdf $(BUILD_ARGS)

test: lint
	$(BIN)/python -m pytest -n 2 --dist loadgroup

data: $(STAMP)
	$(BIN)/tradebook data --shared $(SHARED)

validate: $(STAMP)
	$(BIN)/tradebook validate

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks notebooks
	$(BIN)/ruff format --check src tests benchmarks notebooks
	$(BIN)/lint-imports --no-cache

bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py

# The Vega bundle pages with live charts load, from the pinned vl-convert wheel (assets/vendor/vega/VENDORED.md).
vendor: $(STAMP)
	$(BIN)/python -m tradebook.book.vega assets/vendor/vega/tradebook-vega.js

clean:
	rm -rf _build
