# Latent-space explorer: `make venv | run | test | pretrained | bench`.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
# A local wheel of torch 2.13.0 (CPU build) is used when the machine has one.
WHEELS := /opt/wheels
FIND_LINKS := $(if $(wildcard $(WHEELS)),--find-links $(WHEELS),)
EPOCHS ?= 10
# The suite in two pytest-xdist workers, one test file each at a time (a file's server and browser stay
# together), the heaviest files first (tests/conftest.py orders them; xdist's own order, fewest tests first, is
# turned off), the 30 slowest tests listed at the end (the suite must stay under 10 minutes); PYTEST_ARGS= runs it
# in one process.
PYTEST_ARGS ?= -n 2 --dist loadfile --no-loadscope-reorder --durations=30

.PHONY: venv run test chromium datasets pretrained bench

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install $(FIND_LINKS) -r requirements-dev.txt
	# The project itself (editable, versions pinned above): Streamlit finds the explorer component's
	# assets through its pyproject.toml, and `latent-explorer` becomes a command.
	$(PY) -m pip install --no-deps --no-build-isolation -e . --config-settings editable_mode=compat
	# numba compiles umap-learn's cached functions once per install, here rather than at the first UMAP map.
	$(PY) -c "from vae.projection import warm_up; print(f'numba cache for UMAP warmed in {warm_up():.0f} s')"
	touch $@

run: venv datasets
	$(PY) -m vae.ui.serve

# Fashion-MNIST's 70,000 images from Debian's package (IDX files in /usr/share/datasets/fashion-mnist/), read
# offline by vae/data.py; elsewhere, set VAE_FASHION_MNIST_DIR to a folder holding the four files.
datasets:
	@if [ ! -f /usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz ] && [ -z "$$VAE_FASHION_MNIST_DIR" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y dataset-fashion-mnist; \
	  else \
	    echo "warning: apt-get install dataset-fashion-mnist (or set VAE_FASHION_MNIST_DIR) for the Fashion-MNIST models" >&2; \
	  fi; \
	fi

# Browser tests use Debian's Chromium (Playwright cannot download its own browser here);
# the scale-out test puts nginx in front of two replicas; the Redis tests start their own redis-server.
chromium:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/sbin/nginx ] || [ ! -x /usr/bin/redis-server ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium nginx redis-server; \
	  else \
	    echo "warning: install Debian's chromium, nginx and redis-server for the browser, scale-out and Redis tests" >&2; \
	  fi; \
	fi

test: venv chromium datasets
	$(PY) -m pytest $(PYTEST_ARGS)

pretrained: venv
	bash scripts/train_pretrained.sh $(PY)

bench: venv
	$(PY) bench/reference_vae.py --epochs $(EPOCHS)
