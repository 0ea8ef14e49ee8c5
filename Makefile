# The two commands a newcomer needs: `make lab` and `make test`.
# Both create .venv when missing and install the pinned environment.

# PYTHON: any CPython PY_MIN..PY_MAX (make PYTHON=python3.12 lab); .venv keeps the one it was made with.
PYTHON ?= python3
PY_MIN := 3.10
PY_MAX := 3.13
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
ARGS   ?=
# WITH_TORCH=1 also installs torch (CPU) so the torch.optim comparison runs;
# without it those tests are skipped with a reason. .ci/run sets it.
WITH_TORCH ?= 0
TORCH_SPEC ?= torch==2.13.0

.PHONY: help install python-check torch lab test test-browser test-portability test-pythons notebooks exercises bench pins clean

help:
	@echo "make lab        - install (first time) and open JupyterLab on the series (ARGS=... passes options)"
	@echo "make test       - install (first time) and run the tests to run before every change: unit tests, nbval over every notebook"
	@echo "make test-browser - the browser-driven tests: JupyterLab, the static site and its accessibility audit, JupyterLite"
	@echo "make notebooks  - re-execute every notebook (and the worked solutions) in place, in the pinned environment"
	@echo "make exercises  - write the student notebooks (notebooks/exercises/) from the solutions; ARGS=--force overwrites edited ones"
	@echo "make bench      - measure the performance goals against their peers (benchmarks/README.md); ARGS=--skip-tests is quicker"
	@echo "make test-portability - nbval over every notebook under other BLAS kernels, SIMD levels and a user's matplotlibrc"
	@echo "make test-pythons - make test (no browser) in a fresh clone for every other CPython $(PY_MIN)-$(PY_MAX) found here"
	@echo "make test-colab  - the notebooks in Colab's versions (ipywidgets 7.7, IPython 7.34, numpy 2.0) and an ipywidgets-7 front end"
	@echo "make pins       - re-resolve requirements.in into requirements.txt for every Python (UPGRADE=1: newest releases)"

install: $(STAMP)

# One clear line, not a pip error, for a Python outside PY_MIN..PY_MAX or a PYTHON other than .venv's.
python-check:
	@tools/check_python.sh "$(PYTHON)" $(VENV) $(PY_MIN) $(PY_MAX) \
	  $(if $(filter file default,$(origin PYTHON)),0,$(if $(filter environment%,$(origin PYTHON)),2,1)) "$(or $(firstword $(MAKECMDGOALS)),test)"

$(STAMP): requirements.txt pyproject.toml | python-check
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --no-deps -r requirements.txt
	@# setuptools' 'Editable installation' warning is about this very layout: shown only if the install fails
	$(BIN)/python -m pip install --quiet --no-deps -e . >$(VENV)/editable.log 2>&1 || { cat $(VENV)/editable.log; exit 1; }
	@touch $(STAMP)

torch: $(STAMP)
	@if [ "$(WITH_TORCH)" = "1" ]; then \
	  $(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/python -m pip install --quiet "$(TORCH_SPEC)" \
	  || echo "torch could not be installed: the torch.optim comparison will be skipped"; \
	fi

# JupyterLab settings for the series (tools/lab-overrides.json): no news pop-up, no update checks, no requests out.
LAB_OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.json
$(LAB_OVERRIDES): tools/lab-overrides.json | $(STAMP)
	@mkdir -p $(dir $@) && cp $< $@

# One BLAS thread per kernel (unless OPENBLAS_NUM_THREADS is set): the series' matrices are tiny, and a
# second thread only fights the browser and the server for the cores (benchmarks/README.md, the slider rows).
lab: $(STAMP) $(LAB_OVERRIDES)
	OPENBLAS_NUM_THREADS=$${OPENBLAS_NUM_THREADS:-1} $(BIN)/jupyter lab notebooks/00_start_here.ipynb $(ARGS)

# JOBS: pytest-xdist workers (auto: one per core; JOBS=0 runs in one process). Each notebook's cells stay together.
# `make test`: the loop to run before every change - every test but the browser-driven ones (marker `browser`):
# unit tests, nbval over every notebook and worked solution, the student notebooks, every explorer's extremes.
JOBS ?= auto
PYTEST := $(BIN)/python -m pytest -n $(JOBS) --dist loadscope --no-loadscope-reorder
test: $(STAMP) torch
	$(PYTEST) -m "not browser" $(ARGS)

# `make test-browser`: the browser-driven tests (headless Chromium; skipped with a reason without it): every
# notebook in JupyterLab with every control moved, the static site built and every page loaded and audited
# (axe-core, WCAG 2.1 A/AA), one page's explorers made live, a quick JupyterLite run. `.ci/run` runs it after
# `make test`; `make test-lite` runs the whole JupyterLite and live-site matrix.
test-browser: $(STAMP) $(LAB_OVERRIDES)
	$(PYTEST) -m browser $(ARGS)

notebooks: $(STAMP)
	@$(BIN)/python -c "import sys; v = sys.version_info[:2]; sys.exit(0 if v == (3, 11) else \
	  f'make notebooks: stored outputs are produced on Python 3.11 (the pins of environment.yml); .venv has {v[0]}.{v[1]}')"
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	  --ExecutePreprocessor.timeout=120 --ExecutePreprocessor.record_timing=False notebooks/[0-9]*.ipynb notebooks/solutions/*.ipynb

# Student notebooks: solution regions become stubs; edited student notebooks are left alone.
exercises: $(STAMP)
	$(BIN)/python tools/make_exercises.py $(ARGS)

# Performance table (benchmarks/README.md); the browser row needs chromium, the torch row torch.
bench: $(STAMP) torch
	$(BIN)/python benchmarks/bench.py $(ARGS)

# Stored outputs must hold on any machine: nbval under forced OpenBLAS kernels, one thread, narrowed SIMD, a user rc.
test-portability: $(STAMP)
	$(BIN)/python tools/portability.py $(ARGS)

# The tests (unit + nbval, no browser) on a fresh venv in build/pythons/ for every supported CPython present.
test-pythons:
	SKIP_PYTHON=$(abspath $(BIN)/python) tools/test_pythons.sh $(PY_MIN) $(PY_MAX)

# A universal lock: one file, environment markers pick each Python's versions (uv, in a throwaway venv).
# Keeps the current pins where they still fit; UPGRADE=1 takes the newest releases.
UV_SPEC ?= uv==0.13.9
# Left out of every lock (installed with --no-deps, so they never arrive): rfc3987-syntax builds a parser when
# imported, which cost ~3.7 s at every import of nbformat or jupyter_server (jsonschema issue #1392) for an
# optional IRI format check nothing here uses; lark is there only for it.
NO_EMIT := --no-emit-package rfc3987-syntax --no-emit-package lark
UPGRADE ?= 0
pins:
	rm -rf build/pins-venv && $(PYTHON) -m venv build/pins-venv
	build/pins-venv/bin/python -m pip install --quiet "$(UV_SPEC)"
	@for lock in requirements lite/requirements site/requirements; do \
	  echo "resolving $$lock.in"; \
	  build/pins-venv/bin/uv pip compile --quiet --universal --python-version $(PY_MIN) --no-header \
	    --annotation-style line $(if $(filter 1,$(UPGRADE)),--upgrade) $(NO_EMIT) $$lock.in -o $$lock.txt || exit 1; \
	  { echo "# Pinned for every Python $(PY_MIN)-$(PY_MAX): pip picks each line whose marker fits its Python."; \
	    echo "# Generated by 'make pins' (uv pip compile --universal) from $$(basename $$lock).in; do not edit."; \
	    cat $$lock.txt; } > build/lock.txt && mv build/lock.txt $$lock.txt; \
	done
	rm -rf build/pins-venv
	@echo "Locks refreshed: update environment.yml to match (tests/test_environment.py checks), then run 'make notebooks'."

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info

# --------------------------------------------------------------------------- the series in the browser
# `make lite` builds the JupyterLite site (build/lite/) in its own venv (.venv-lite, lite/requirements.txt):
# the notebook environment never changes. PYODIDE=DIR takes Pyodide from a local folder (offline room, tests);
# without it the site loads Pyodide's packages from the public CDN. `make test-browser` runs a quick JupyterLite
# check when a Pyodide folder is there (PYODIDE=DIR or ../shared/pyodide-0.27.7); `make test-lite` runs all.
PYODIDE       ?=
LITE_VENV     := .venv-lite
LITE_STAMP    := $(LITE_VENV)/.installed
LITE_PYODIDE  := $(or $(PYODIDE),$(wildcard ../shared/pyodide-0.27.7),$(wildcard /work/shared/pyodide-0.27.7))
LITE_QUICK    ?= 01

.PHONY: lite lite-venv test-lite

$(LITE_STAMP): lite/requirements.txt
	@test -x $(LITE_VENV)/bin/python || $(PYTHON) -m venv $(LITE_VENV)
	$(LITE_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LITE_VENV)/bin/python -m pip install --quiet --no-deps -r lite/requirements.txt
	@touch $(LITE_STAMP)

lite-venv: $(LITE_STAMP)

lite: $(LITE_STAMP)
	$(LITE_VENV)/bin/python tools/build_lite.py $(if $(PYODIDE),--pyodide $(PYODIDE)) $(ARGS)

test-browser: $(if $(LITE_PYODIDE),$(LITE_STAMP))
test-browser: export PYODIDE := $(LITE_PYODIDE)
test-browser: export LITE_NOTEBOOKS ?= $(LITE_QUICK)

# ... and every page's live explorers (make test-browser makes those of one page live: LIVE_PAGES=06 in tests/test_site.py).
test-lite: $(STAMP) $(LITE_STAMP) $(SITE_STAMP)
	PYODIDE=$(LITE_PYODIDE) LITE_NOTEBOOKS= $(BIN)/python -m pytest tests/test_lite.py $(ARGS)
	PYODIDE=$(LITE_PYODIDE) LIVE_PAGES= $(BIN)/python -m pytest tests/test_site_live.py tests/test_site.py -k "test_each_program or test_every_explorer" $(ARGS)

# `make site`: the static pages of the series (Sphinx + myst-nb, .venv-site, site/requirements.txt) and the
# JupyterLite site beside them (build/site/lite/): one folder for any static host. PYODIDE=DIR as for `make lite`.
SITE_VENV  := .venv-site
SITE_STAMP := $(SITE_VENV)/.installed

.PHONY: site site-venv

$(SITE_STAMP): site/requirements.txt
	@test -x $(SITE_VENV)/bin/python || $(PYTHON) -m venv $(SITE_VENV)
	$(SITE_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(SITE_VENV)/bin/python -m pip install --quiet --no-deps -r site/requirements.txt
	@touch $(SITE_STAMP)

site-venv: $(SITE_STAMP)

# The JupyterLite copy first: the pages' live explorers take its Pyodide, and the site build compiles the
# modules they import with it (tools/live_bytecode.mjs, needs node).
site: $(SITE_STAMP) $(LITE_STAMP)
	$(LITE_VENV)/bin/python tools/build_lite.py --out build/site/lite $(if $(PYODIDE),--pyodide $(PYODIDE))
	$(SITE_VENV)/bin/python tools/build_site.py --out build/site

test-browser: $(SITE_STAMP)

# `make bench` also times the JupyterLite site (cold load -> first explorer image, key press -> new image).
.PHONY: bench-lite
bench-lite: $(STAMP) $(LITE_STAMP)
	$(if $(LITE_PYODIDE),PYODIDE=$(LITE_PYODIDE)) $(BIN)/python benchmarks/lite_latency.py \
	  || echo "| 5 | JupyterLite rows | failed (see above) | | | | | **no** |"

bench: bench-lite

# `make bench` also times the site's live explorers (click -> live explorer, key press -> new image; cold).
.PHONY: bench-site
bench-site: $(STAMP) $(LITE_STAMP) $(SITE_STAMP)
	$(if $(LITE_PYODIDE),PYODIDE=$(LITE_PYODIDE)) $(BIN)/python benchmarks/site_latency.py \
	  || echo "| 18 | live explorers on the site | failed (see above) | | | | | **no** |"

bench: bench-site

# `make test-colab`: the series as Google Colab runs it (tools/test_colab.sh; versions and their source in
# tests/colab/colab-versions.txt). A fresh build/colab/venv with Colab's Python and packages, the library
# pip-installed from a wheel without changing any of them, nbval over every notebook, and every notebook in
# ipywidgets 7's own front end (Notebook 6.5) in headless Chromium, driven from .venv's Playwright.
.PHONY: test-colab
test-colab: $(STAMP)
	UV_SPEC="$(UV_SPEC)" tools/test_colab.sh $(BIN)/python
