"""Every plot writer leaves PNG (at least 200 dpi), SVG and PDF with its caption, and the committed example
figures are the ones the committed tables draw."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from harness.figures import examples
from harness.figures.check import png_dpi
from harness.figures.save import DPI, caption_path
from harness.judge_eval import board
from harness.report import plots
from harness.sweep.plot import sweep_plot
from tests.figures.conftest import dev_run, judge_eval_run, sweep_table

STEMS = ("sandbox", "judges_cpu", *examples.CURVES)


def assert_figure_files(png: Path) -> str:
    """Checks the PNG, SVG, PDF and caption of one figure; returns the caption."""
    caption = caption_path(png).read_text()
    title = caption.split(".**")[0].removeprefix("**")
    assert title and len(caption) > len(title) + 40
    assert png_dpi(png) >= 200
    with Image.open(png) as image:
        assert image.size[0] >= 5 * 200 and image.size[1] >= 2 * 200  # every figure is 5+ by 2+ inches
        assert image.info["Title"] == title
    svg = png.with_suffix(".svg").read_text()
    assert svg.startswith("<?xml") and f"<dc:title>{title}</dc:title>" in svg
    pdf = png.with_suffix(".pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and b"/Title" in pdf and b"/Subject" in pdf
    return caption


def test_every_plot_writer_writes_png_svg_pdf_and_a_caption(tmp_path):
    run = dev_run()
    written = plots.write_plots(run, tmp_path, "sandbox", by="source", metric="diff", log=print)
    written += board.png(judge_eval_run(), tmp_path / "tiny_judges.png")
    table, _ = sweep_table()
    written += sweep_plot(table, tmp_path / "curve.png", "gold_pair_accuracy", "diff")
    pngs = [p for p in written if p.suffix == ".png"]
    assert [p.name for p in pngs] == ["sandbox.png", "sandbox-judges.png", "tiny_judges.png", "curve.png"]
    assert {p.suffix for p in written} == {".png", ".svg", ".pdf", ".md"} and len(written) == 4 * len(pngs)
    for png in pngs:
        caption = assert_figure_files(png)
        assert ("Error bars: 95% confidence intervals" in caption) != ("No error bars" in caption)
    assert DPI >= 200


def test_regenerating_the_examples_gives_the_committed_figures_and_captions(example_copy):
    written = examples.regenerate(example_copy)
    assert sorted(p.name for p in written if p.suffix == ".png") == sorted(f"{s}.png" for s in STEMS)
    for stem in STEMS:
        committed = examples.EXAMPLES / f"{stem}.png"
        for ext in ("png", "svg", "pdf"):
            assert committed.with_suffix(f".{ext}").exists(), f"{stem}.{ext} is not committed"
        assert caption_path(committed).read_text() == caption_path(example_copy / f"{stem}.png").read_text()
        assert "Redrawn from the committed table" in assert_figure_files(committed)
