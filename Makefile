# Two commands do everything on a fresh machine:
#   make sample   set up (first time only) and run newsx on the bundled sample corpus
#   make test     set up (first time only) and run the tests
# The environment comes from requirements.lock (exact versions and hashes).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | sha256sum | cut -c1-16)
OUT ?= out/sample

.PHONY: sample test setup lock schema clean-env browser

setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@rm -f $(VENV)/.installed-* && touch $@

sample: $(STAMP)
	$(BIN)/newsx run sample/corpus --out $(OUT)

test: $(STAMP) browser
	$(BIN)/python -m pytest

# The report test renders the page in headless Chromium (Debian's package), installed here when missing.
browser:
	@command -v chromium >/dev/null 2>&1 || { (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-noto-cjk) >/dev/null 2>&1 || echo "chromium could not be installed: the browser test will say so and skip"; }

# Maintainers: re-resolve the lock file after changing pyproject.toml.
lock: $(STAMP)
	$(BIN)/pip-compile --quiet --generate-hashes --extra test --strip-extras --allow-unsafe -o requirements.lock pyproject.toml

schema: $(STAMP)
	$(BIN)/newsx schema

clean-env:
	rm -rf $(VENV)
