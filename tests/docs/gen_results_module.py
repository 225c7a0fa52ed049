"""docs/gen_results.py (an MkDocs hook, loaded by path, not a package module) imported for the tests."""

from __future__ import annotations

import importlib.util

from tests.docs.conftest import ROOT

_spec = importlib.util.spec_from_file_location("gen_results", ROOT / "docs" / "gen_results.py")
assert _spec is not None and _spec.loader is not None
gen_results = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gen_results)
