"""The site builds in strict mode, offline, with every page of the nav and a results page per example."""

from __future__ import annotations

import re
import shutil

import pytest

from tests.docs.conftest import ROOT, build_site

EXAMPLES = ROOT / "results" / "examples"


def test_the_site_builds_in_strict_mode(built):
    assert built.result.returncode == 0, built.result.stderr[-3000:]
    for page in ("index.html", "getting-started/index.html", "guides/judge-evaluation/index.html",
                 "glossary/index.html", "architecture/index.html", "results/index.html"):  # fmt: skip
        assert (built.site / page).is_file(), page


def test_pages_reference_nothing_remote(built):
    """Scripts, styles, fonts and images all come from the site itself, so it reads offline."""
    for page in built.site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        remote = re.findall(r'(?:src|<link[^>]*href)="(https?://[^"]+)"', html)
        assert not remote, f"{page.relative_to(built.site)} loads {remote}"


def test_every_example_gets_a_results_page_with_its_provenance(built):
    kinds = {".md", ".csv", ".png", ".svg"}
    stems = {p.stem for p in EXAMPLES.iterdir() if p.suffix in kinds and not p.name.endswith(".caption.md")}
    assert stems - {"README"}
    for stem in stems - {"README"}:
        html = (built.site / "results" / stem / "index.html").read_text(encoding="utf-8")
        assert "measured with" in html and "machine" in html and "torch" in html, stem
        if (EXAMPLES / f"{stem}.png").exists():
            assert f"examples/{stem}.png" in html and (built.site / "results" / "examples" / f"{stem}.png").is_file()
            # the figure's caption is printed under it (its first words, past the bold title)
            caption = (EXAMPLES / f"{stem}.caption.md").read_text(encoding="utf-8").split(".** ")[1]
            assert caption[:40] in html, stem
    assert not (built.site / "results" / "sandbox.caption").exists()  # a caption is no example of its own


def test_the_demo_page_carries_its_command_and_the_example_table(built):
    html = (built.site / "results" / "sandbox" / "index.html").read_text(encoding="utf-8")
    assert "harness run recipes/sandbox.yaml" in html and "4e8f291" in html
    # the row and the run id of the committed example table (read from it: a regenerated table names another run)
    run_id = re.search(r"— run (\S+)", (EXAMPLES / "sandbox.md").read_text(encoding="utf-8")).group(1)
    assert "M2-almost_rubric" in html and run_id in html


def test_a_broken_link_fails_the_build(tmp_path):
    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "docs", docs, ignore=shutil.ignore_patterns("__pycache__"))
    page = docs / "glossary.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nSee [a page](guides/no-such-page.md).\n", encoding="utf-8")
    broken = build_site(tmp_path / "site", docs_dir=docs)
    assert broken.result.returncode != 0
    assert "no-such-page.md" in broken.result.stderr


def test_an_example_without_a_write_up_gets_a_page_saying_what_is_not_recorded(tmp_path):
    """A new file in results/examples/ needs no hand-written page: it is generated, provenance 'not recorded'."""
    from tests.docs.gen_results_module import gen_results

    examples = tmp_path / "examples"
    examples.mkdir()
    (examples / "fresh.md").write_text("## fresh — run 20990101-000000-abc\n\n| a |\n|---|\n| 1 |\n", encoding="utf-8")
    assert gen_results.example_stems(examples) == ["fresh"]
    assert gen_results.recorded_run(examples, "fresh") == "20990101-000000-abc"
    table = gen_results.provenance_table({}, gen_results.recorded_run(examples, "fresh"))
    assert "| run | 20990101-000000-abc |" in table
    assert table.count("not recorded") == len(gen_results.PROVENANCE) - 1
    section = gen_results.example_markdown(examples, "fresh")
    assert "### fresh — run" in section  # its heading sits below the page's own


def test_the_build_needs_no_network(built):
    """Built inside a network namespace with no interfaces: nothing in the theme or plug-ins fetched anything."""
    if not built.offline:
        pytest.skip("this machine cannot drop a command's network (unshare -rn); the build ran with it")
    assert built.result.returncode == 0, built.result.stderr[-3000:]
