"""The figure checks hold on every figure the harness draws, and each check can fail."""

from __future__ import annotations

import pytest
from matplotlib.container import ErrorbarContainer
from matplotlib.figure import Figure
from matplotlib.text import Text

from harness.figures.check import legend_labels, overlaps, unlabelled_marks, unnamed_parts
from harness.figures.place import Label, place


def test_every_figure_is_titled_labelled_legended_and_has_no_overlapping_text(figures):
    assert len(figures) >= 14
    problems = {}
    for name, (fig, _) in figures.items():
        found = unnamed_parts(fig) + unlabelled_marks(fig) + overlaps(fig)
        if found:
            problems[name] = found
    assert problems == {}


def test_each_figure_states_one_error_bar_meaning_in_its_caption(figures):
    for name, (fig, caption) in figures.items():
        has_bars = any(isinstance(c, ErrorbarContainer) for ax in fig.axes for c in ax.containers)
        assert caption.title and caption.text, name
        if has_bars:
            assert caption.text.count("Error bars: 95% confidence intervals") == 1, name
            words = " ".join(legend_labels(fig)) + " ".join(ax.get_xlabel() + ax.get_ylabel() for ax in fig.axes)
            assert " SD" not in words and "SE" not in words, (name, words)
        else:
            assert "No error bars" in caption.text, name


def test_each_point_carries_its_n(figures):
    def texts(fig):
        return [t.get_text() for t in fig.findobj(Text)]

    fig, _ = figures["metric source win_rate"]
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    # a bar names its n; the rows of this run never trained carry a note instead of a bar (and have no n)
    assert ticks == ["M2-parameter_contrast (n=10)", "M2-self_reward", "M2-oracle"]
    assert [t.get_text() for t in fig.axes[0].texts] == ["not trained: no pairs"] * 2
    fig, _ = figures["judge board"]
    assert {"n=80", "n=12", "no value"} <= set(texts(fig))
    fig, _ = figures["example sandbox_judge_curve"]
    assert "M2-noisy_oracle, mean of 3 seeds per point" in legend_labels(fig)
    assert "other variants, one run each (1 seed)" in legend_labels(fig)


def bare(width: float = 4, height: float = 3) -> tuple[Figure, object]:
    fig = Figure(figsize=(width, height), layout="constrained")
    ax = fig.subplots()
    ax.set(title="t", xlabel="x (units)", ylabel="y (units)")
    return fig, ax


def test_the_overlap_check_fails_on_overlapping_labels():
    fig, ax = bare()
    ax.text(0.5, 0.5, "first label")
    ax.text(0.52, 0.5, "second label")
    assert overlaps(fig) == ["'first label' overlaps 'second label'"]


def test_the_overlap_check_fails_on_a_title_wider_than_the_figure_and_a_label_on_a_marker():
    fig, ax = bare(width=2)
    ax.set_title("a title far too long to fit across a figure two inches wide")
    ax.plot([0.5], [0.5], "s", markersize=8, label="point")
    ax.text(0.5, 0.5, "on it", ha="center", va="center")
    found = overlaps(fig)
    assert any("leaves the figure" in f for f in found)
    assert "'on it' sits on a marker of point" in found


def test_the_legend_check_fails_on_a_band_and_a_line_without_an_entry():
    fig, ax = bare()
    ax.plot([0, 1], [0, 1], "o-", label="curve")
    ax.axvspan(0.2, 0.4, alpha=0.2)
    ax.axhline(0.5, linestyle=":")
    ax.legend()
    assert len(unlabelled_marks(fig)) == 2
    assert unnamed_parts(Figure().add_subplot().figure) == [
        "axes 0: no title",
        "axes 0: no x label",
        "axes 0: no y label",
    ]


def test_placed_labels_do_not_overlap_where_fixed_offsets_do():
    points = [(0.50, 0.50), (0.52, 0.51), (0.54, 0.49), (0.51, 0.47)]
    names = ["parameter_contrast", "self_reward", "llm_judge", "llm_teacher"]

    fixed, ax = bare(6, 4)
    ax.plot(*zip(*points, strict=True), "s", label="sources")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    for name, (x, y) in zip(names, points, strict=True):
        ax.annotate(name, (x, y), textcoords="offset points", xytext=(6, 5), fontsize=8)
    assert overlaps(fixed)

    placed, ax = bare(6, 4)
    ax.plot(*zip(*points, strict=True), "s", label="sources")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    place(ax, [Label(n, x, y) for n, (x, y) in zip(names, points, strict=True)])
    assert overlaps(placed) == []


@pytest.mark.parametrize("name", ["example sandbox", "example judges_cpu", "example sandbox_judge_curve"])
def test_the_three_paper_figures_are_among_the_examples(figures, name):
    fig, caption = figures[name]
    assert fig.axes and caption.title.split(":")[0] == name.split()[1]
