# triage: the two commands the README promises, plus the ones developers use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
DEMO_IMAGE := tests/data/images/seized_laptop.E01
DEMO_CASE := demo-case/demo.triage

.PHONY: install bytecode demo test lint exe bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

## bytecode: compile triage's modules ahead (an editable install leaves that to the first
## import, which cannot write it when PYTHONDONTWRITEBYTECODE is set)
bytecode: $(STAMP)
	$(PY) -m compileall -q triage >/dev/null

install: $(STAMP) bytecode

## demo: install, scan the bundled sample image, open the result (GUI when a display exists)
demo: install
	rm -rf demo-case && mkdir -p demo-case
	$(PY) -m triage scan $(DEMO_IMAGE) --case $(DEMO_CASE) --case-name "Demo case" --examiner demo
	$(PY) -m triage export $(DEMO_CASE) --format html -o demo-case/report
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then $(PY) -m triage gui $(DEMO_CASE); \
	else echo "No display: the HTML report is demo-case/report/index.html"; $(PY) -m triage info $(DEMO_CASE); fi

## test: the whole suite (Qt offscreen)
test: install
	QT_QPA_PLATFORM=offscreen $(VENV)/bin/pytest

lint: install
	$(VENV)/bin/ruff check triage tests benchmarks

exe: install
	$(VENV)/bin/pyinstaller --noconfirm --clean --distpath dist --workpath build build_spec/triage.spec

bench: install
	$(PY) benchmarks/run_benchmarks.py

clean:
	rm -rf build dist demo-case .pytest_cache
