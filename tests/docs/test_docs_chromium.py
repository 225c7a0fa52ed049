"""The built site in a real browser: headless Chromium paints the home page and the judge-evaluation guide (a
screenshot with content, not one flat colour) and the DOM it builds carries each page's title."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.leaderboard.test_lb_chromium import browse, chromium  # noqa: F401  (the session fixture)

PAGES = [
    ("index.html", "feedback-harness", "What it has found so far"),
    ("guides/judge-evaluation/index.html", "Judge evaluation on human labels", "kind: judge_eval"),
]


def colours(png: Path) -> int:
    """How many distinct colours the screenshot holds (a blank or failed page paints one)."""
    image = pytest.importorskip("PIL.Image")
    with image.open(png) as shot:
        rgb = shot.convert("RGB")
        return len(set(rgb.getdata()))


@pytest.mark.parametrize(("page", "title", "text"), PAGES)
def test_page_renders_with_content_and_title(built, chromium, tmp_path, page, title, text):  # noqa: F811
    assert built.result.returncode == 0, built.result.stderr[-2000:]
    url = (built.site / page).as_uri()
    shot = tmp_path / "page.png"
    browse(chromium, tmp_path / "profile", f"--screenshot={shot}", "--window-size=1280,2000", url)
    assert shot.is_file() and shot.stat().st_size > 10_000
    assert colours(shot) > 50  # text, navigation and code blocks, not a flat page
    dom = browse(chromium, tmp_path / "profile", "--dump-dom", url).stdout
    assert f"<title>{title}" in dom and text in dom
    assert "md-nav" in dom and "md-search" in dom  # Material's navigation and its offline search box
