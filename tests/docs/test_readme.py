"""The README is the front door: at most 250 lines, and every relative link in it leads to a file that exists."""

from __future__ import annotations

import re

from tests.docs.conftest import ROOT

README = ROOT / "README.md"
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def relative_links(markdown: str) -> list[str]:
    """Link and image targets that point into the repository (not web addresses, not anchors on the same page, not
    text inside code, which a reader cannot click)."""
    prose = re.sub(r"`[^`\n]*`", "", re.sub(r"```.*?```", "", markdown, flags=re.S))
    return [t for t in LINK.findall(prose) if not re.match(r"[a-z][a-z0-9+.-]*:", t) and not t.startswith("#")]


def test_readme_fits_250_lines():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 250, f"README.md has {len(lines)} lines; move detail to docs/"


def test_every_relative_link_in_the_readme_resolves():
    links = relative_links(README.read_text(encoding="utf-8"))
    assert len(links) >= 10  # the findings, the figure and the guides are all linked
    missing = [t for t in links if not (ROOT / t.split("#")[0]).exists()]
    assert not missing, f"README.md links to missing files: {missing}"


def test_the_link_finder_sees_what_a_reader_clicks():
    text = "[a](docs/x.md#part) ![b](img.png) [c](https://example.org) [d](#here) `[e](code)`\n```\n[f](g)\n```"
    assert relative_links(text) == ["docs/x.md#part", "img.png"]


def test_the_findings_come_first_and_link_to_their_results_pages():
    text = README.read_text(encoding="utf-8")
    findings = text.split("## What it has found so far", 1)[1].split("\n## ", 1)[0]
    bullets = [line for line in findings.splitlines() if line.startswith("- ")]
    assert 1 <= len(bullets) <= 6
    assert text.index("## What it has found so far") < text.index("## The two commands")
    for bullet in re.split(r"\n- ", findings)[1:]:
        assert "docs/results/" in bullet, bullet[:80]
