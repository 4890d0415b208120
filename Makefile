# Two entry points: `make demo` and `make test`. Both set up everything they need.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_APT := libharfbuzz-subset0
TEST_APT := libharfbuzz-subset0 chromium poppler-utils
PIP := $(BIN)/python -m pip install -q --disable-pip-version-check

.PHONY: demo test setup test-setup lint bench clean docs gallery

# A current pip: the one Python 3.11 bundles (23.2) checks each of the thousands of files PyPI
# lists for a package against every tag this Python supports, ~20 s of CPU an install (pip 23.3
# made that a set look-up).
$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(PIP) "pip>=24"

# Install Debian packages that are missing, when apt-get is there (root or sudo).
define apt_ensure
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if command -v apt-get >/dev/null 2>&1; then \
	    if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	    echo "installing Debian packages:$$missing"; \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else echo "warning: missing Debian packages:$$missing (no apt-get here)"; fi; \
	fi
endef

setup: $(BIN)/python
	$(call apt_ensure,$(DEMO_APT))
	$(PIP) -e ./fonts-cjk -e ".[cjk]"

test-setup: $(BIN)/python
	$(call apt_ensure,$(TEST_APT))
	$(PIP) -e ./fonts-cjk -e ".[cjk,test]"

demo: setup
	$(BIN)/cvbuild render profiles/example.yaml -o out
	$(BIN)/cvbuild render profiles/resume.yaml -o out --theme modern

lint: test-setup
	$(BIN)/ruff check cvbuild tests bench
	$(BIN)/ruff format --check cvbuild tests bench
	$(BIN)/mypy

# One worker per core (pytest-xdist); work-stealing evens out the few long render tests. The
# slowest tests are listed at the end, to see where CI time goes.
test: lint
	$(BIN)/pytest -q -n auto --dist worksteal --durations=25

# Generated references for theme authors: docs/document.md from cvbuild/document/model.py,
# docs/helpers.md from the Typst package, the Jinja filters and the base theme's templates.
docs: $(BIN)/python
	$(BIN)/python -m cvbuild.document.reference docs/document.md
	$(BIN)/python -m cvbuild.themes.reference docs/helpers.md
	$(BIN)/python -m cvbuild.cli.usage

# The README's previews of the built-in themes (page 1 of the example), same bytes on every run.
gallery: $(BIN)/python
	$(BIN)/python -m cvbuild.themes.gallery docs/gallery

bench: setup
	$(BIN)/python bench/run.py

clean:
	rm -rf out .pytest_cache .mypy_cache .ruff_cache dist build
