"""The judge leaderboard figure: one panel per labelled set, each judge's headline measure with its 95% CI, the
chance level as a dashed line, and the n behind each bar printed at the panel's right edge."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from harness.figures import legend
from harness.figures.bars import REFERENCE_COLOR, draw_bars
from harness.figures.save import Caption


@dataclass(frozen=True)
class JudgeBar:
    judge: str
    value: float | None
    ci: tuple[float, float] | None = None  # the 95% CI's ends
    n: int | None = None


@dataclass(frozen=True)
class Panel:
    set_name: str
    measure: str  # the x label: "agreement with humans, no ties" or "pairwise accuracy vs human ranks"
    chance: float
    bars: list[JudgeBar]  # top to bottom, the same judges in every panel


def draw(title: str, panels: list[Panel], measure_label: str) -> Any:
    from matplotlib.figure import Figure

    judges = [b.judge for b in panels[0].bars]
    fig = Figure(figsize=(2.2 + 2.9 * len(panels), 1.9 + 0.36 * len(judges)), layout="constrained")
    axes = fig.subplots(1, len(panels), sharey=True, squeeze=False)[0]
    ys = list(range(len(judges)))[::-1]
    for k, (ax, panel) in enumerate(zip(axes, panels, strict=True)):
        draw_bars(ax, ys, [(b.value, b.ci) for b in panel.bars], measure_label, "95% CI", capsize=3)
        ax.axvline(panel.chance, color=REFERENCE_COLOR, linestyle="--", linewidth=1, label="chance")
        for y, b in zip(ys, panel.bars, strict=True):
            # the n sits right of the axes (x in axes fraction), clear of bars and intervals that reach 1.0
            text = f"n={b.n}" if b.value is not None else "no value"
            ax.text(1.03, y, text, va="center", fontsize=7, color="#333", transform=ax.get_yaxis_transform())
        ax.set_xlim(0, 1)
        ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0], ["0", ".25", ".5", ".75", "1"])
        ax.set_title(panel.set_name, fontsize=9)
        ax.set_xlabel(f"{panel.measure} (0–1)", fontsize=8)
        if k == 0:
            ax.set_yticks(ys, judges)
    fig.suptitle(title, fontsize=11)
    fig.supylabel("judge", fontsize=9)
    legend.below(fig, axes[0])
    return fig


def figure(name: str, panels: list[Panel], provenance: str) -> tuple[Any, Caption]:
    """The judge leaderboard figure of recipe `name` and its caption."""
    title = f"{name}: judges held to human labels"
    measures = sorted({p.measure for p in panels})
    chance = sorted({f"{p.chance:.2f}" for p in panels})
    caption = Caption(
        title,
        f"One panel per human-labelled set ({provenance}). Bars: each judge's headline measure on the whole set "
        "(agreement with the human label, ties left out; on a ranked set, pairwise accuracy against the human "
        "ranking, a per-prompt mean); n, printed right of each panel, is the number of items (ranked set: prompts) "
        "behind the bar, failures and ties left out. Error bars: 95% confidence intervals (Wilson's interval for "
        "agreement; mean ± 1.96 SE, clipped to [0, 1], for pairwise accuracy). Dashed line: chance "
        f"({', '.join(chance)}). 'no value': no item counted (every verdict a tie or a failure).",
    )
    return draw(title, panels, " / ".join(measures)), caption


__all__ = ["JudgeBar", "Panel", "draw", "figure"]
