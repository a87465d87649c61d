# Two commands on a fresh Debian/Ubuntu machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
SYSTEM_PACKAGES := libsqlite3-mod-spatialite
# Debian's Chromium for the browser tests (playwright cannot download browsers here), and
# GDAL's ogrinfo to read /ogc as GIS clients do.
TEST_SYSTEM_PACKAGES := chromium gdal-bin

.PHONY: demo test lint fuzz serve clean

$(INSTALLED): pyproject.toml scripts/map-assets.lock.json scripts/test-assets.lock.json
	scripts/ensure-system-packages.sh $(SYSTEM_PACKAGES)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	# Leaflet and its plugins from the npm registry (pinned, integrity-checked): the maps
	# are served from the app itself, for closed networks without CDNs.
	$(BIN)/python scripts/fetch_map_assets.py
	# axe-core for the browser tests' accessibility checks, the same way (never served).
	$(BIN)/python scripts/fetch_map_assets.py --lock scripts/test-assets.lock.json --dest build/test-vendor
	touch $(INSTALLED)

## Migrate, seed the demo municipality if empty, serve on http://127.0.0.1:8000
demo: $(INSTALLED)
	$(BIN)/beredskap demo

## The whole suite: lint, schemathesis against a seeded server on each backend, then pytest
## (import contracts, tests on SpatiaLite and PostGIS). pytest runs last so that its summary
## is the last one printed: schemathesis prints a pytest-like summary line of its own.
test: $(INSTALLED)
	scripts/ensure-system-packages.sh $(TEST_SYSTEM_PACKAGES)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@if [ -z "$$BEREDSKAP_TEST_POSTGRES_URL" ]; then \
		url=$$(scripts/postgis-test-db.sh beredskap_test || true); \
		if [ -n "$$url" ]; then export BEREDSKAP_TEST_POSTGRES_URL=$$url; \
		else echo "No PostgreSQL reachable: PostGIS tests will be skipped" >&2; fi; \
	fi; \
	$(BIN)/python scripts/fuzz_api.py --backend $$([ -n "$$BEREDSKAP_TEST_POSTGRES_URL" ] && echo both || echo spatialite) && \
	$(BIN)/python -m pytest -n auto --dist loadfile

## schemathesis alone (part of `make test`): at least 2,000 generated requests per backend
fuzz: $(INSTALLED)
	$(BIN)/python scripts/fuzz_api.py --backend both

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports pyproject.toml

serve: $(INSTALLED)
	$(BIN)/beredskap serve

clean:
	rm -rf $(VENV) var build .pytest_cache .ruff_cache
