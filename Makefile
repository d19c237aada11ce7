# Quick start: `make run` serves the demo registry on http://127.0.0.1:5000; `make test` runs
# the whole suite (on PostgreSQL when TEST_DATABASE_URL is set, else on SQLite).
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
STAMP = $(VENV)/.installed-$(shell sha256sum requirements.txt | cut -c1-12)
FLASK = $(BIN)/flask --app wsgi

.PHONY: run test install migrate seed lint bench clean

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

migrate: $(STAMP)
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) registry seed-demo

run: seed
	$(FLASK) run --host 127.0.0.1 --port 5000

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check registry tests bench migrations docs config.py wsgi.py gunicorn.conf.py

bench: $(STAMP)
	$(BIN)/python bench/import.py
	$(BIN)/python bench/audit.py

clean:
	rm -rf $(VENV) instance .pytest_cache
