# The README's two commands. Both create .venv on a fresh machine and keep it up to date.
PY := .venv/bin/python
PIP := $(PY) -m pip
STAMP := .venv/.installed

.PHONY: demo test install clean-runs

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || python3 -m venv .venv
	$(PIP) install -q --upgrade "pip>=24"
	$(PIP) install -q -c constraints.txt -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	.venv/bin/harness run recipes/sandbox.yaml

test: $(STAMP)
	.venv/bin/pytest

clean-runs:
	rm -rf results/runs results/store results/cache
