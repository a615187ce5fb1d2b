# ASN uppföljning: `make run` serves the demo, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000

.PHONY: run test bench venv lint format messages clean

$(BIN)/.installed: requirements/base.txt requirements/dev.txt requirements/prod.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements/dev.txt -r requirements/prod.txt
	touch $@

venv: $(BIN)/.installed

run: venv
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	@echo "Serving on http://$(HOST)/ (stop with Ctrl-C)"
	SITE_NAME="$${SITE_NAME:-ASN uppföljning}" $(BIN)/python manage.py runserver $(HOST)

test: venv
	scripts/test.sh $(ARGS)

# Figures for the department pages on a synthetic city of 15 committees (not a test).
bench: venv
	scripts/bench.sh

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Extract new UI strings into locale/sv and compile; translate them in django.po.
messages: venv
	$(BIN)/python manage.py makemessages -l sv --no-location --no-obsolete -i ".venv/*"
	$(BIN)/python manage.py compilemessages -l sv -i ".venv"

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm media staticfiles
