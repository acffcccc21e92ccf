# Two commands on a fresh machine: `make serve` (set up and serve the site) and `make test`.
# Every step is idempotent: a second run reuses the venv, the fetched assets and the figure cache.
# Set-up needs Python 3.11 and make only; a missing prerequisite stops make with one line naming it
# and the fix (scripts/check_setup.py).

PYTHON ?= $(shell command -v python3.11 2>/dev/null || echo python3)
VENV   := .venv
PY     := $(VENV)/bin/python
KATEX  := docs/assets/katex
AXE    := .cache/axe
ADDR   ?= 127.0.0.1:8000
TEST_JOBS ?= 2   # pytest workers (pytest-xdist), one per core; a test file stays on one worker
export NO_MKDOCS_2_WARNING := 1

.PHONY: setup serve site site-properdocs compare-builds workflows test pytest linkcheck bench notebooks notebook-times jupyter clean-artifacts clean

# Prerequisites, checked when make reads this file (one line and a stop, before any work): the
# interpreter that creates the venv (only while there is none), and Chromium for the tests.
GOALS := $(or $(MAKECMDGOALS),setup)
ifneq ($(filter setup serve site site-properdocs compare-builds workflows test pytest linkcheck bench jupyter,$(GOALS)),)
ifeq ($(wildcard $(VENV)/.installed),)
PY_PROBLEM := $(shell if command -v $(PYTHON) >/dev/null 2>&1; then $(PYTHON) scripts/check_setup.py python 2>&1; \
  else echo "error: $(PYTHON) not found; install Python 3.11 (Debian: apt-get install python3.11 python3.11-venv) or run make PYTHON=/path/to/python3.11"; fi)
ifneq ($(PY_PROBLEM),)
$(error $(PY_PROBLEM))
endif
endif
endif
ifneq ($(filter test pytest,$(GOALS)),)
ifeq ($(shell test -x /usr/bin/chromium && echo yes),)
$(error error: /usr/bin/chromium is missing (the browser test drives it); install Debian's Chromium: apt-get install chromium (never `playwright install`))
endif
endif

## setup: venv with pinned dependencies and the course package (editable), KaTeX for offline math, the
## Shakespeare corpus (Python and make only; the tests also need axe-core, fetched with npm by `make pytest`)
setup: $(VENV)/.installed $(KATEX)/.version .cache/corpus/.ready

# TORCH_INDEX_URL (optional): a package index serving the CPU build of torch, installed first so
# that requirements.txt's torch==2.13.0 is already satisfied (PyPI's Linux wheel is the CUDA build).
# Then the course package itself, editable (no dependencies: requirements.txt pins them): the venv's
# Python, and so a notebook kernel started anywhere, imports this checkout's lesson_code.
$(VENV)/.installed: requirements.txt pyproject.toml
	@$(PY) -m pip --version >/dev/null 2>&1 || $(PYTHON) -m venv --clear $(VENV)
	$(if $(TORCH_INDEX_URL),@$(PY) scripts/check_setup.py pip --quiet --index-url "$(TORCH_INDEX_URL)" torch==2.13.0)
	@$(PY) scripts/check_setup.py pip --quiet -r requirements.txt
	@$(PY) scripts/check_setup.py pip --quiet --no-deps --editable .
	@touch $@

# KaTeX from the Python package index (no Node.js), every file checked against scripts/katex.sha256
$(KATEX)/.version: scripts/fetch_katex.py scripts/katex.sha256 $(VENV)/.installed
	@$(PY) scripts/fetch_katex.py $(KATEX)

$(AXE)/.version: scripts/fetch_axe.sh
	bash scripts/fetch_axe.sh $(AXE)

.cache/corpus/.ready: $(VENV)/.installed lesson_code/day03/corpus.py
	$(PY) -m lesson_code.day03.corpus
	touch $@

## serve: set up, build the figures and serve the site at http://$(ADDR)
serve: setup
	$(PY) -m mkdocs serve --strict -a $(ADDR)

## site: strict static build into site/ (figures rebuilt only where their code changed)
site: setup
	$(PY) -m mkdocs build --strict --clean --site-dir site

## site-properdocs: the same mkdocs.yml built by ProperDocs (the maintained fork of MkDocs 1.6), strict
site-properdocs: setup
	$(PY) -m properdocs build --strict --clean -f mkdocs.yml --site-dir .cache/site-properdocs

## compare-builds: the MkDocs and ProperDocs builds agree page by page (generator metadata aside)
compare-builds: site site-properdocs
	$(PY) scripts/compare_builds.py site .cache/site-properdocs

## workflows: GitHub workflows valid against the workflow schema, and zizmor finds nothing (offline)
workflows: setup
	$(PY) -m check_jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
	$(VENV)/bin/zizmor --offline --min-severity=medium --no-progress .github/workflows

## test: strict site build, ProperDocs comparison, workflow checks, every test, link check
test: workflows site compare-builds pytest linkcheck

pytest: setup $(AXE)/.version
	$(PY) -m pytest -n $(TEST_JOBS) --dist loadfile

## linkcheck: internal links and anchors of every built page, offline (site served on 127.0.0.1)
linkcheck: site
	$(PY) scripts/linkcheck_site.py site

## notebooks: regenerate the committed notebooks/ from the lesson pages (then commit them); with
## REPO_URL=https://github.com/OWNER/REPO (and SITE_URL=the published site) they install from that
## repository and link that site (else they keep what they record)
notebooks: setup
	$(PY) -m scripts.notebooks write

## notebook-times: run each notebook in its folder and record each cell's time (then `make notebooks`)
notebook-times: setup
	$(PY) -m scripts.notebooks time

## jupyter: open the notebooks in JupyterLab (installed into .venv the first time)
jupyter: setup
	@$(PY) -c "import jupyterlab" 2>/dev/null || $(PY) scripts/check_setup.py pip --quiet "jupyterlab>=4.2,<5"
	$(VENV)/bin/jupyter lab notebooks/

## bench: speed of the from-scratch LSTM model vs nn.LSTM, side by side
bench: setup
	$(PY) benchmarks/lstm_speed.py

## clean-artifacts: forget every cached figure and result (the next build rebuilds them all)
clean-artifacts:
	rm -rf .cache/artifacts

clean: clean-artifacts
	rm -rf site .cache/site-properdocs
