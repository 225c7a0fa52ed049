"""A handwritten results page's provenance is front matter MkDocs reads, not text: YAML that does not parse would
fall into the page as a paragraph and leave its provenance table saying "not recorded"."""

from __future__ import annotations

import re

import yaml

from tests.docs.conftest import ROOT

RESULTS = ROOT / "docs" / "results"


def front_matter(text: str) -> str | None:
    found = re.match(r"---\n(.*?)\n---\n", text, flags=re.S)
    return found.group(1) if found else None


def test_every_results_page_front_matter_parses_and_names_machine_and_command():
    pages = [p for p in sorted(RESULTS.glob("*.md")) if p.name != "index.md"]
    assert len(pages) >= 8
    for page in pages:
        block = front_matter(page.read_text(encoding="utf-8"))
        assert block is not None, f"{page.name}: no front matter with its provenance"
        meta = yaml.safe_load(block)  # a YAMLError here names the page's line
        provenance = meta["provenance"]
        assert provenance.get("machine") and provenance.get("command"), page.name


def test_front_matter_that_does_not_parse_is_caught():
    broken = "---\nprovenance:\n  wall time: seeds 1 and 2: 303 s\n---\n# x\n"
    try:
        yaml.safe_load(front_matter(broken) or "")
    except yaml.YAMLError:
        return
    raise AssertionError("a colon inside a plain value should not parse")


def test_no_results_page_shows_its_front_matter_as_text(built):
    for page in sorted(RESULTS.glob("*.md")):
        html = (built.site / "results" / (page.stem if page.stem != "index" else "") / "index.html").read_text(
            encoding="utf-8"
        )
        assert "provenance: machine:" not in html and "provenance:\n" not in html, page.name
