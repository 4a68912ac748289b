# OneTeam: `make run` starts the demo, `make test` runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint format schema messages clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "需要 Python 3.11 ($(PYTHON))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml package.json
	$(BIN)/python -m pip install --quiet -e '.[test]'
	npm install --no-audit --no-fund --silent
	@touch $(STAMP)

install: $(STAMP)
	@$(BIN)/python -m oneteam.core.compile_catalogs

run: install
	$(BIN)/oneteam demo

test: install
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .


format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Refresh the English catalogs from the code, then translate the new (empty)
# entries in oneteam/locale/en/LC_MESSAGES/*.po; `make install` compiles them
# (.mo files are build output). makemessages needs GNU gettext (apt-get install gettext).
MESSAGES_IGNORE := --ignore=.venv --ignore=node_modules --ignore=var --ignore=benchmarks
messages: install
	$(BIN)/python manage.py makemessages -l en --add-location file --no-obsolete $(MESSAGES_IGNORE)
	$(BIN)/python manage.py makemessages -d djangojs -l en --add-location file --no-obsolete $(MESSAGES_IGNORE)
	$(BIN)/python -m oneteam.core.compile_catalogs

schema: install
	$(BIN)/oneteam spectacular --file docs/openapi.yaml --validate --fail-on-warn

clean:
	rm -rf $(VENV) node_modules var/static
