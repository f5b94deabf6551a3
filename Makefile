# Two commands do everything on a fresh machine:
#   make sample   set up (first time only) and run newsx on the bundled sample corpus
#   make test     set up (first time only) and run the tests
# The environment comes from requirements.lock (exact versions and hashes).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | sha256sum | cut -c1-16)
OUT ?= out/sample

.PHONY: sample test setup lock schema clean-env browser reliability

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
# pip-tools with a current pip: pip 23's resolver drops extras' dependencies (lxml[html_clean] -> lxml-html-clean).
lock: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip pip-tools
	$(BIN)/pip-compile --quiet --generate-hashes --extra test --strip-extras --allow-unsafe -o requirements.lock pyproject.toml

schema: $(STAMP)
	$(BIN)/newsx schema

clean-env:
	rm -rf $(VENV)

# The long part of the reliability tests (RELIABILITY.md; `make test` runs the fast part): 24 kill -9
# trials, a long fuzz session, soak runs of 10 000 and 100 000 synthetic documents (hours on one core).
reliability: $(STAMP)
	@mkdir -p out
	NEWSX_KILL_TRIALS=24 NEWSX_KILL_REPORT=out/kill-trials.json $(BIN)/python -m pytest tests/test_faults.py -k kill_minus_9 -s
	NEWSX_FUZZ_EXAMPLES=5000 $(BIN)/python -m pytest tests/test_fuzz.py -k fuzz --hypothesis-show-statistics
	$(BIN)/newsx soak --documents 10000 --every 1000 --report out/soak-10000.json
	$(BIN)/newsx soak --documents 100000 --every 10000 --report out/soak-100000.json
