# Two commands for a fresh clone (see README):
#   make reproduce   set up .venv, fetch and verify MNIST, run the main job
#   make test        set up .venv, run the test suite (what CI runs)
#   make test-fast   the unit tier for development: no real MNIST, nothing slow
#   make test-faults the long tier of the fault suite (kill -9, fuzz), which CI also runs
#   make test-boundscheck  the compiled kernels' tests with Numba's bounds checks on (CI too)
#   make test-install  the lean install: the bare package in a fresh venv trains and names extras
#   make docs        the documentation site into docs/_build/html (warnings are errors, as in CI;
#                    MathJax comes with it, fetched with npm once; formulas checked offline)
# Both build their own virtual environment (no system site-packages), so nothing installed by
# hand can hide a missing install step.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: venv browser reproduce reproduce-quick bench wann-xor wann-swingup test test-fast test-faults test-boundscheck test-install test-all lint docs docs-offline results results-check clean

# the first install takes about 4 minutes (NumPy, SciPy, Numba, matplotlib, Optuna, gymnasium,
# scikit-learn, ...): each step says what it does; pip's own output stays quiet
$(STAMP): pyproject.toml
	@echo "==> [1/4] creating the virtual environment $(VENV) (pyproject.toml changed or no $(VENV) yet)"
	@rm -rf $(VENV)
	@$(PYTHON) -m venv $(VENV)
	@echo "==> [2/4] upgrading pip in $(VENV)"
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	@echo "==> [3/4] installing scratchnn (editable) with its dependencies and the dev tools: about 4 minutes the first time"
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)
	@echo "==> [4/4] $(VENV) is ready: $$($(BIN)/python -m pip list --disable-pip-version-check 2>/dev/null | tail -n +3 | wc -l) packages installed"

venv: $(STAMP)

reproduce: $(STAMP)
	@echo "==> fetching and verifying MNIST (cached after the first time)"
	$(BIN)/scratchnn data fetch
	@echo "==> the main job: the writeup's experiments and the report in reports/writeup (about 7 minutes on 2 vCPUs)"
	$(BIN)/scratchnn reproduce --out reports/writeup

reproduce-quick: $(STAMP)
	$(BIN)/scratchnn data fetch
	$(BIN)/scratchnn reproduce --quick --seeds 1 --out reports/quick

# the report page test drives Debian's chromium (through Playwright's Python package, no browser
# download): installed here with apt-get when missing and we are root; otherwise that test skips
# and says why
browser:
	@if command -v chromium >/dev/null 2>&1 || [ -n "$${CHROMIUM:-}" ]; then \
	  echo "==> chromium for the report page test: $$(command -v chromium || echo $$CHROMIUM)"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "==> installing Debian's chromium for the report page test (apt-get, about a minute)"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	    || echo "==> apt-get could not install chromium: the report page test will be skipped"; \
	else \
	  echo "==> no chromium and no root apt-get: the report page test will be skipped"; \
	fi

test: $(STAMP) browser
	@echo "==> running the test suite (not slow; fetches MNIST on first use)"
	$(BIN)/python -m pytest -m "not slow"

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow and not mnist"

# the long tier of the fault suite (CI runs it after `make test`): kill -9 at 20 seeded points
# per command, 400 fuzz examples per reader; about 10 minutes on 2 vCPUs
test-faults: $(STAMP)
	@echo "==> the long fault tier: kill -9 at 20 points per command, 400 fuzz examples per reader"
	$(BIN)/python -m pytest -m slow tests/test_kill.py tests/test_fuzz.py

# the compiled (Numba) kernels' tests once more with Numba's bounds checks on, compiled afresh
# (a cache of their own), so that an index out of range fails a test instead of corrupting
# memory; CI runs it after `make test` (about 2 minutes on 2 vCPUs)
KERNEL_TESTS := tests/test_kernels.py tests/test_fused_property.py tests/wann/test_packed.py \
  tests/wann/test_population.py tests/wann/test_elementary.py tests/wann/test_backprop.py \
  tests/wann/test_swingup.py tests/wann/test_activations.py tests/wann/test_mutations.py
test-boundscheck: $(STAMP)
	@echo "==> the kernel tests with Numba's bounds checks on (NUMBA_BOUNDSCHECK=1)"
	cache=$$(mktemp -d) && NUMBA_BOUNDSCHECK=1 NUMBA_CACHE_DIR=$$cache \
	  $(BIN)/python -m pytest -m "not slow" -p no:cacheprovider $(KERNEL_TESTS); \
	  status=$$?; rm -rf $$cache; exit $$status

# the lean install: `pip install .` (no extra) into a fresh virtual environment, its core
# dependencies from PyPI; it trains a model on the fused path, runs `scratchnn theory`, and
# `scratchnn tune` says in one line which extra installs Optuna. CI runs it after `make test`
# (about 1 minute with a warm pip cache, 2 to 3 without)
test-install: $(STAMP)
	@echo "==> the lean install: the bare package in a fresh virtual environment"
	$(BIN)/python -m pytest -m slow tests/test_install.py

test-all: $(STAMP) browser
	$(BIN)/python -m pytest

# the benchmark's optional peers: PyTorch (CPU build, torch==2.13.0) and scikit-learn; both
# batch sizes' runs go into one run record ($(BENCH_OUT)/run.json), the speed table on
# docs/results/mlp.md is generated from it; on a quiet machine (about 2 minutes on 2 vCPUs)
BENCH_OUT    ?= results/mlp-bench
BENCH_EPOCHS ?= 3
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,bench]'
	$(BIN)/scratchnn data fetch --quiet
	mkdir -p $(BENCH_OUT)
	rm -f $(BENCH_OUT)/bench-*.json $(BENCH_OUT)/run.json
	$(BIN)/scratchnn bench --epochs $(BENCH_EPOCHS) --batch-size 32 --json $(BENCH_OUT)/bench-b32.json
	$(BIN)/scratchnn bench --epochs $(BENCH_EPOCHS) --batch-size 64 --json $(BENCH_OUT)/bench-b64.json
	$(BIN)/python scripts/make_records.py --bench $(BENCH_OUT) "make bench"
	$(BIN)/python scripts/publication

# WANN: XOR by topology search; the swingup laptop preset (GENERATIONS=1024 for the full run;
# resumable: run the same command again after an interruption) and the paper-style evaluation
GENERATIONS ?= 128
wann-xor: $(STAMP)
	rm -rf runs/wann-xor  # a fresh search each time (it takes under a minute)
	$(BIN)/scratchnn wann search --task xor --out runs/wann-xor

wann-swingup: $(STAMP)
	if [ -f runs/wann-swingup/checkpoint.npz ]; then \
	  $(BIN)/scratchnn wann search --task swingup --resume --generations $(GENERATIONS) --out runs/wann-swingup; \
	else \
	  $(BIN)/scratchnn wann search --task swingup --preset laptop --generations $(GENERATIONS) --out runs/wann-swingup; \
	fi
	$(BIN)/scratchnn wann eval runs/wann-swingup/best.json --task swingup --json runs/wann-swingup/eval.json

# the documentation site: docs/_build/html/index.html (Sphinx; the tutorials run at build time,
# about a minute; SCRATCHNN_DOCS_FAST=1 skips running them). CI builds it with warnings as errors
docs: $(STAMP)
	$(BIN)/sphinx-build -W --keep-going -n -b html docs docs/_build/html
	@! grep -rl 'class="problematic"' docs/_build/html --include='*.html' || \
	  (echo "==> the pages above show reStructuredText errors"; exit 1)
	$(MAKE) --no-print-directory docs-offline
	@echo "==> the site: docs/_build/html/index.html"

# formulas render with the network blocked (MathJax comes with the site), in headless Chromium
# (`make browser`); skipped, and said so, without a chromium
MATH_PAGE := docs/_build/html/auto_tutorials/plot_gradient_check.html
docs-offline: $(STAMP)
	@if command -v chromium >/dev/null 2>&1 || [ -n "$${CHROMIUM:-}" ]; then \
	  echo "==> formulas offline: $(MATH_PAGE) with the network blocked"; \
	  $(BIN)/python scripts/page_check.py $(MATH_PAGE) --offline-math >/dev/null || \
	  { $(BIN)/python scripts/page_check.py $(MATH_PAGE) --offline-math; exit 1; }; \
	else \
	  echo "==> no chromium (make browser): the offline formula check is skipped"; \
	fi

# this repository's publication (scripts/publication): every results table
# (docs/results/_generated/*.md, README.md's headline block, the model zoo's zoo.json and
# MODEL_CARD.md) from the run records results/**/run.json; results-check writes nothing and
# fails when a committed file differs from what the records give (make test checks it too)
results: $(STAMP)
	$(BIN)/python scripts/publication

results-check: $(STAMP)
	$(BIN)/python scripts/publication --check

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

clean:
	rm -rf $(VENV) runs .pytest_cache docs/_build docs/auto_tutorials docs/reference/generated
