# The README's two commands: `make demo` and `make test`. Both set up .venv themselves.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEMO   := examples/kyiv-independent.html

.PHONY: demo test lint typecheck check clean

# pip 23 (what many Pythons ship) cannot resolve lxml[html-clean]: upgrade pip first.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# pip byte-compiles a wheel when it installs it, not an editable install: compiled here, or
# where PYTHONDONTWRITEBYTECODE is set (containers, CI images) every narrate command compiles
# the package again (0.12 s of a 1.1 s render of the example).
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	$(BIN)/python -m compileall -q narrate
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m compileall -q narrate
	touch $(VENV)/.installed $@

demo: $(VENV)/.installed
	@mkdir -p out
	$(BIN)/narrate article $(DEMO) -o out/kyiv-independent.mp3 --artwork examples/cover.png

test: $(VENV)/.installed-dev
	$(BIN)/ruff check narrate tests bench
	$(BIN)/mypy narrate
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check narrate tests bench
	$(BIN)/ruff format --check narrate tests bench

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy narrate

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
