# Relance — the two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
UV := $(PYTHON) -m uv
RELANCE := $(UV) run --frozen relance
# `--dist load` keeps each worker in pytest-django's order (plain tests first, transactional tests last),
# so a transactional test's flush never empties the data that migrations ship before a plain test runs.
PYTEST_ARGS ?= -n 2 --dist load
export UV_LINK_MODE := copy

.PHONY: install system-deps run test test-sqlite test-postgres bench lint typecheck clean

install:
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet "uv>=0.5"
	@$(UV) sync --frozen --quiet

# Debian packages the product and its tests use: Chromium (browser tests), poppler (pdftotext),
# zbar (QR decoding), Pango (WeasyPrint), dovecot (the IMAP test starts its own server), gettext (catalogue tests). Installed only when missing and when we may.
system-deps:
	@missing=""; \
	for p in chromium:chromium pdftotext:poppler-utils zbarimg:zbar-tools dovecot:dovecot-imapd xgettext:gettext; do \
	  command -v $${p%%:*} >/dev/null 2>&1 || missing="$$missing $${p##*:}"; done; \
	ldconfig -p | grep -q libpango-1.0 || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "Paquets Debian manquants :$$missing (sudo apt-get install$$missing)"; exit 1; fi; fi

run: install system-deps
	@$(RELANCE) migrate --no-input -v 0
	@$(RELANCE) demo --if-empty
	@$(RELANCE) dunning run || echo "La relance du jour n'a pas pu être lancée (voir ci-dessus)."
	@$(RELANCE) serve

# `make test` runs the whole suite on SQLite; `make test TEST_DATABASE_URL=postgres://…` on PostgreSQL.
test: install system-deps
	@if [ -n "$(TEST_DATABASE_URL)" ]; then export DATABASE_URL="$(TEST_DATABASE_URL)"; fi; \
	RELANCE_VAR_DIR=$${RELANCE_VAR_DIR:-$$(mktemp -d)} $(UV) run --frozen pytest $(PYTEST_ARGS)

bench: install
	@for script in bench/[!_]*.py; do echo "== $$script"; $(UV) run --frozen python $$script || exit 1; done

lint: install
	@$(UV) run --frozen ruff check .
	@$(UV) run --frozen ruff format --check src bench || true

typecheck: install
	@$(UV) run --frozen mypy src/relance

clean:
	rm -rf .venv var/static
