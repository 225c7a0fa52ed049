"""The HTML leaderboard in a real browser: headless Chromium runs its JS, renders one row per source, and
paints a non-blank page."""

from __future__ import annotations

import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from harness.report import leaderboard

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        if shutil.which(name):
            return shutil.which(name)
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


@pytest.fixture(scope="session")
def chromium() -> str:
    """Chromium from Debian, installed on first use (as root) and found again afterwards without reinstalling."""
    found = find_chromium()
    if found:
        return found
    if not shutil.which("apt-get") or os.geteuid() != 0:
        pytest.skip("chromium is absent and cannot be installed here (needs apt-get as root): apt-get install chromium")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "chromium"]
    result = subprocess.run(install, env=env, capture_output=True, text=True, timeout=900)
    if result.returncode != 0:  # a stale package index is the usual cause
        subprocess.run(["apt-get", "update"], env=env, capture_output=True, timeout=600)
        result = subprocess.run(install, env=env, capture_output=True, text=True, timeout=900)
    found = find_chromium()
    if result.returncode != 0 or not found:
        tail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
        pytest.skip(f"chromium could not be installed with apt-get: {tail[0]}")
    return found


def browse(chromium: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [chromium, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True, text=True, timeout=120
    )


class LeaderboardTable(HTMLParser):
    """The #leaderboard table's attributes and the first cell of each body row, as the browser left them."""

    def __init__(self) -> None:
        super().__init__()
        self.attrs: dict[str, str | None] = {}
        self.heads: list[dict[str, str | None]] = []
        self.models: list[str] = []
        self._depth = 0  # > 0 inside the leaderboard table
        self._in_body = self._want_cell = self._in_cell = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and dict(attrs).get("id") == "leaderboard":
            self.attrs, self._depth = dict(attrs), 1
        elif tag == "table" and self._depth:
            self._depth += 1
        elif self._depth and tag == "th":
            self.heads.append(dict(attrs))
        elif self._depth and tag == "tbody":
            self._in_body = True
        elif self._in_body and tag == "tr":
            self._want_cell = True
        elif self._want_cell and tag == "td":
            self._want_cell, self._in_cell = False, True
            self.models.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self._in_cell = False
        elif tag == "tbody":
            self._in_body = False
        elif tag == "table" and self._depth:
            self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._in_cell:
            self.models[-1] += data


def test_browser_renders_one_sorted_row_per_source(chromium, results, tmp_path):
    page = leaderboard.write(results, "sandbox", ["html"], out_dir=tmp_path, by="source")[0]
    shown = browse(chromium, tmp_path / "profile", "--dump-dom", page.as_uri())
    assert shown.returncode == 0, shown.stderr[-2000:]
    table = LeaderboardTable()
    table.feed(shown.stdout)
    assert table.attrs.get("data-ready") == "1", "the page's script did not run"
    sources = [r for r in leaderboard.latest_run(results, "sandbox").feedback.rows if r.stage == "M2"]
    assert sorted(table.models) == sorted(r.model for r in sources)
    assert len(table.models) == len({r.source for r in sources}) == 3
    assert table.models[0] == "M2-parameter_contrast"  # the only source with a win rate sorts first
    assert [h.get("aria-sort") for h in table.heads][4] == "descending"  # the win-rate column


def test_browser_screenshot_is_not_blank(chromium, results, tmp_path):
    page = leaderboard.write(results, "sandbox", ["html"], out_dir=tmp_path, by="model")[0]
    shot = tmp_path / "page.png"
    taken = browse(chromium, tmp_path / "profile", f"--screenshot={shot}", "--window-size=1200,800", page.as_uri())
    assert taken.returncode == 0 and shot.exists(), taken.stderr[-2000:]
    from PIL import Image

    with Image.open(shot) as image:
        rgb = image.convert("RGB")
        assert rgb.size == (1200, 800)
        colours = rgb.getcolors(maxcolors=1 << 20) or []
    white = sum(n for n, c in colours if c == (255, 255, 255))
    assert len(colours) > 50 and white < 0.97 * 1200 * 800
