# Two commands a fresh clone needs: `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

.PHONY: venv demo test bench golden
venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/cmfc check specs/alpha
	$(BIN)/cmfc check specs/resilience
	$(BIN)/cmfc ir specs/resilience > /dev/null && echo "IR of specs/resilience: ok"

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 -p no:cacheprovider

bench: $(STAMP)
	$(BIN)/python bench/run_all.py
