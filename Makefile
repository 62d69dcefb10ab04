# TrainingOps: `make run` serves the app with demo data, `make test` runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# `make run PORT=8001` serves on another port when 8000 is taken.
PORT ?= 8000

.PHONY: run test lint format install migrate messages bench clean vendor-js

$(BIN)/activate: requirements.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r requirements.txt
	touch $(BIN)/activate

install: $(BIN)/activate

messages: install
	@if [ -z "$$(find locale -name '*.po' 2>/dev/null | head -n 1)" ]; then echo "No translation catalogs under locale/ yet: nothing to compile"; \
	elif command -v msgfmt >/dev/null 2>&1; then DEBUG=true $(BIN)/python manage.py compilemessages --ignore=.venv -v 0; \
	else echo "gettext's msgfmt not found: install the 'gettext' package to compile translations"; exit 1; fi

migrate: install messages
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py migrate --noinput -v 0

run: migrate
	DEBUG=true $(BIN)/python manage.py seed_demo
	DEBUG=true PORT=$(PORT) $(BIN)/python bin/devserver.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: install messages lint
	DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run -v 0
	$(BIN)/pytest $(PYTEST_ARGS)

bench: install messages
	$(BIN)/python bench/run.py

# Front-end packages: installed with npm from the versions pinned in package.json, their built files and
# licences copied into static/vendor/ (committed; served by our static files, never from a CDN).
vendor-js:
	rm -rf var/npm && mkdir -p var/npm && cp package.json var/npm/
	cd var/npm && npm install --ignore-scripts --no-audit --no-fund --no-package-lock
	mkdir -p static/vendor/jsqr
	cp var/npm/node_modules/jsqr/dist/jsQR.js var/npm/node_modules/jsqr/LICENSE static/vendor/jsqr/

clean:
	rm -rf var staticfiles .pytest_cache
