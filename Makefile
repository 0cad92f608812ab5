# The two commands a person needs: `make demo` and `make test`. Both set up everything first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test install browser axe proxy lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/focuskit demo
	$(BIN)/focuskit serve

# Debian's chromium for the browser tests, and poppler-utils (pdftotext, pdftoppm) for the
# report tests that read PDF pages, installed only where we are root and they are missing.
browser: axe
	@if command -v chromium >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian's chromium and poppler-utils for the browser and report tests..."; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils >/dev/null) \
		|| echo "WARNING: could not install chromium or poppler-utils; browser tests will skip (and fail under CI=true)"; \
	else \
		echo "WARNING: chromium is missing and we are not root; browser tests will skip (and fail under CI=true)"; \
	fi

# axe-core, the accessibility checker the browser tests load into each page: fetched from the
# npm registry at a pinned version, its tarball checked against a known sha256, never committed.
AXE_VERSION := 4.11.0
AXE_SHA256  := 39bed7d72308f6d620789c169d699bfd7e8da80f65b545821a6b2215c3e83107
AXE_DIR     := $(VENV)/share/axe-core-$(AXE_VERSION)
AXE_JS      := $(AXE_DIR)/axe.min.js

axe: $(AXE_JS)

$(AXE_JS):
	@mkdir -p $(AXE_DIR)
	@tgz=$(AXE_DIR)/axe-core-$(AXE_VERSION).tgz; \
	if command -v npm >/dev/null 2>&1; then \
		npm pack --silent --pack-destination $(AXE_DIR) axe-core@$(AXE_VERSION) >/dev/null; \
	else \
		curl -fsSL -o $$tgz https://registry.npmjs.org/axe-core/-/axe-core-$(AXE_VERSION).tgz; \
	fi \
	&& echo "$(AXE_SHA256)  $$tgz" | sha256sum -c --quiet - \
	&& tar -xzf $$tgz -C $(AXE_DIR) --strip-components=1 package/axe.min.js \
	&& rm -f $$tgz \
	|| { rm -rf $(AXE_DIR); echo "WARNING: could not fetch axe-core $(AXE_VERSION); the accessibility checks will skip (and fail under CI=true)"; }
# Debian's nginx for the scale-out test (tests/serving/test_scale_out.py), installed only where
# we are root and it is missing; the test runs it unprivileged, on its own config and ports.
proxy:
	@if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian's nginx for the scale-out test..."; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null) \
		|| echo "WARNING: could not install nginx; the scale-out test will skip (and fail under CI=true)"; \
	else \
		echo "WARNING: nginx is missing and we are not root; the scale-out test will skip (and fail under CI=true)"; \
	fi

lint: install
	$(BIN)/ruff check .

# pytest exits 5 when it collected nothing; that is not a failure of the code.
test: install browser proxy lint
	$(BIN)/python -m pytest; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; exit 0; fi; exit $$rc

# Each script prints a markdown table of figures and ratios against a baseline in the same run.
bench: install browser
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

# Every plot drawn on the demo data, as PNG files under docs/gallery/ (the README shows some).
.PHONY: gallery
gallery: install
	$(BIN)/python -m focuskit.plots.gallery docs/gallery

clean:
	rm -rf $(VENV) test-artifacts .pytest_cache
