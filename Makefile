# The quick start: `make demo` and `make test` each create .venv and install what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.ready

.PHONY: demo test docs clean

$(READY): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(READY)

demo: $(READY)
	rm -f demo.db demo.db-wal demo.db-shm
	$(BIN)/zs demo --store sqlite:///demo.db

test: $(READY)
	$(BIN)/python -m pytest

docs: $(READY)
	$(BIN)/python -m cli.reference > docs/cli-reference.md
	$(BIN)/python -m cli.catalogue > docs/events.md

clean:
	rm -rf $(VENV) demo.db demo.db-wal demo.db-shm .pytest_cache .hypothesis
