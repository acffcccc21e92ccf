# Two commands on a fresh machine: `make serve` (set up and serve the site) and `make test`.
# Every step is idempotent: a second run reuses the venv, the fetched assets and the figure cache.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
KATEX  := docs/assets/katex
ADDR   ?= 127.0.0.1:8000
export NO_MKDOCS_2_WARNING := 1

.PHONY: setup serve site test pytest linkcheck bench notebooks clean-artifacts clean

## setup: venv with pinned dependencies, KaTeX for offline math, the Shakespeare corpus
setup: $(VENV)/.installed $(KATEX)/.version .cache/corpus/.ready

# TORCH_INDEX_URL (optional): a package index serving the CPU build of torch, installed first so
# that requirements.txt's torch==2.13.0 is already satisfied (PyPI's Linux wheel is the CUDA build).
$(VENV)/.installed: requirements.txt
	$(PY) -m pip --version >/dev/null 2>&1 || $(PYTHON) -m venv --clear $(VENV)
	$(if $(TORCH_INDEX_URL),$(PY) -m pip install --quiet --index-url "$(TORCH_INDEX_URL)" torch==2.13.0)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(KATEX)/.version: scripts/fetch_katex.sh
	bash scripts/fetch_katex.sh $(KATEX)

.cache/corpus/.ready: $(VENV)/.installed lesson_code/day03/corpus.py
	$(PY) -m lesson_code.day03.corpus
	touch $@

## serve: set up, build the figures and serve the site at http://$(ADDR)
serve: setup
	$(PY) -m mkdocs serve --strict -a $(ADDR)

## site: strict static build into site/ (figures rebuilt only where their code changed)
site: setup
	$(PY) -m mkdocs build --strict --clean --site-dir site

## test: strict site build, every test, link check of the built site
test: site pytest linkcheck

pytest: setup
	$(PY) -m pytest

## linkcheck: internal links and anchors of every built page, offline (site served on 127.0.0.1)
linkcheck: site
	$(PY) scripts/linkcheck_site.py site

## notebooks: regenerate the committed notebooks/ from the lesson pages (then commit them)
notebooks: setup
	$(PY) -m scripts.notebooks write

## bench: speed of the from-scratch LSTM model vs nn.LSTM, side by side
bench: setup
	$(PY) benchmarks/lstm_speed.py

## clean-artifacts: forget every cached figure and result (the next build rebuilds them all)
clean-artifacts:
	rm -rf .cache/artifacts

clean: clean-artifacts
	rm -rf site
