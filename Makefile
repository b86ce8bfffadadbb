# Set-up and entry points. `make run` and `make test` install everything they need first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test bench golden mutation clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || \
		{ echo "Python 3.11 ou plus récent est requis (PYTHON=$(PYTHON))." >&2; exit 1; }
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || \
		sh scripts/system-packages.sh python3-venv
	sh scripts/system-packages.sh libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
	@# A PostgreSQL server for the second pass of make test (any found is used, else Debian's package).
	@command -v pg_ctl >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || \
		sh scripts/system-packages.sh postgresql || \
		echo "PostgreSQL non installé : la passe PostgreSQL de make test sera ignorée." >&2
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: install
	$(BIN)/veille init
	$(BIN)/veille crawl
	$(BIN)/veille status  # says which search engine is used, and why
	$(BIN)/veille items --limit 20
	$(BIN)/veille run

# The demo set in its own archive and index (./var/demo), whatever VEILLE_* the shell holds.
DEMO_ENV := env -u VEILLE_DATABASE_URL VEILLE_HOME=./var/demo VEILLE_INDEX_DIR=./var/demo/index

demo: install
	$(DEMO_ENV) $(BIN)/veille demo
	$(DEMO_ENV) $(BIN)/veille serve

test: install
	@# The browser tests drive Chromium through Playwright; without it they are skipped, saying why.
	sh scripts/system-packages.sh chromium || echo "Chromium non installé : les tests dans le navigateur seront ignorés." >&2
	@# Line and branch coverage of veille/ (subprocesses included) is printed before the summary.
	$(BIN)/python -m pytest --cov --cov-report=term
	@# Again on PostgreSQL, the tests that touch the database: a server they start in a temporary
	@# folder (tests/pgserver.py); skipped, saying why, when no server is installed.
	VEILLE_TEST_DATABASE=postgresql $(BIN)/python -m pytest --cov --cov-append --cov-report=term

golden: install
	@# The first run rewrites the golden files that differ (and fails, naming them); the second compares.
	-VEILLE_UPDATE_GOLDEN=1 $(BIN)/python -m pytest -q -p no:cacheprovider tests/test_bulletin_render.py -k golden
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/test_bulletin_render.py -k golden
	git diff --stat -- tests/golden/

mutation: install
	@# Slow (tens of minutes): not part of make test. Report in var/mutation/report.md.
	$(BIN)/python -m pip install --quiet mutmut==3.8.1
	$(BIN)/python scripts/mutation.py

bench: install
	$(BIN)/python bench/crawl.py

clean:
	rm -rf $(VENV) var build *.egg-info
