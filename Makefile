# Two commands a fresh clone needs: `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,runpod,agents]'
	touch $(STAMP)

.PHONY: venv demo test bench golden
venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/cmfc check specs/alpha
	$(BIN)/cmfc check specs/resilience
	$(BIN)/cmfc build specs/resilience -j 2

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 -p no:cacheprovider

bench: $(STAMP)
	$(BIN)/python bench/bench_check.py 1000
	$(BIN)/python bench/bench_build.py
	$(BIN)/python bench/bench_analysis.py
	$(BIN)/python bench/bench_mix.py
	$(BIN)/python bench/bench_segment.py
	$(BIN)/python bench/bench_render.py
	$(BIN)/python bench/bench_render_costs.py
	$(BIN)/python bench/bench_stage1.py
