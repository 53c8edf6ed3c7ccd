# Two commands a fresh clone needs: `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

$(STAMP): pyproject.toml Makefile
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,runpod,agents,watch,console]'
	touch $(STAMP)

.PHONY: venv demo test bench golden test-services
venv: $(STAMP)

# Debian packages the tests start themselves: nginx (the remote-cache tests' WebDAV server),
# Chromium and its driver (the console's browser test). Installed once, when missing.
test-services:
	@( command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] ) && command -v chromium >/dev/null \
	  && command -v chromedriver >/dev/null \
	  || (apt-get update && apt-get install -y nginx chromium chromium-driver)

demo: $(STAMP)
	$(BIN)/cmfc check specs/alpha
	$(BIN)/cmfc check specs/resilience
	$(BIN)/cmfc build specs/resilience -j 2

test: $(STAMP) test-services
	$(BIN)/python -m pytest -n 2 -p no:cacheprovider

bench: $(STAMP) test-services
	$(BIN)/python bench/bench_check.py 1000
	$(BIN)/python bench/bench_build.py
	$(BIN)/python bench/bench_analysis.py
	$(BIN)/python bench/bench_mix.py
	$(BIN)/python bench/bench_segment.py
	$(BIN)/python bench/bench_render.py
	$(BIN)/python bench/bench_render_costs.py
	$(BIN)/python bench/bench_stage1.py
	$(BIN)/python bench/bench_remote_cache.py
	$(BIN)/python bench/bench_batch.py
