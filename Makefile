# Kindred: the two set-up commands are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test install lint format lock worker beat bench-search bench-reminders bench-feeds messages clean vendor-leaflet

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip==25.3"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# Run the app with demo data on SQLite, tasks in-process: http://127.0.0.1:8000
run: $(STAMP)
	$(BIN)/python manage.py compilemessages --ignore=.venv -v 0
	$(BIN)/python manage.py migrate --no-input -v 0
	$(BIN)/python manage.py seed_demo --if-empty
	$(BIN)/python manage.py runserver 127.0.0.1:8000

# Front-end packages for the tests (axe-core) and for refreshing vendored Leaflet.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

# Copy Leaflet from node_modules into static/ (committed: production needs no npm).
vendor-leaflet: node_modules/.package-lock.json
	rm -rf static/vendor/leaflet && mkdir -p static/vendor/leaflet
	cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css \
	  node_modules/leaflet/dist/images node_modules/leaflet/LICENSE static/vendor/leaflet/
	# The source map is not shipped; its comment would break collectstatic's manifest.
	sed -i '/^\/\/# sourceMappingURL=/d' static/vendor/leaflet/leaflet.js

# Every test: lint, then the suite on SQLite, then on PostgreSQL + Redis (see bin/test).
test: $(STAMP) node_modules/.package-lock.json
	bin/test

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: $(STAMP)
	$(BIN)/python manage.py makemessages -l es --ignore=.venv --ignore=staticfiles --no-obsolete
	$(BIN)/python manage.py compilemessages --ignore=.venv

# Against PostgreSQL and Redis: export DATABASE_URL and REDIS_URL first.
worker: $(STAMP)
	$(BIN)/celery -A config worker --loglevel=INFO --concurrency=2

beat: $(STAMP)
	$(BIN)/celery -A config beat --loglevel=INFO --schedule=/tmp/kindred-celerybeat-schedule

# Benchmarks (not part of the test run; they print figures and the ratio to a baseline).
bench-search: $(STAMP)
	$(BIN)/python manage.py bench_search --groups 100000 --requests 300 --seconds 10

bench-reminders: $(STAMP)
	$(BIN)/python bench/reminders_throughput.py

bench-feeds: $(STAMP)
	$(BIN)/python bench/import_feed.py --services 100000

lock: $(STAMP)
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e' > constraints.txt

clean:
	rm -rf $(VENV) staticfiles .pytest_cache node_modules test-artifacts
