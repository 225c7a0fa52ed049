"""The legend of a figure, below its axes: grouped marks (bars, points with error bars) first, in drawing order,
then reference lines and bands, so the data reads before the guides."""

from __future__ import annotations

from typing import Any


def below(fig: Any, ax: Any, ncol: int | None = None) -> Any:
    from matplotlib.container import Container

    handles, labels = ax.get_legend_handles_labels()
    order = sorted(range(len(handles)), key=lambda i: not isinstance(handles[i], Container))
    return fig.legend(
        [handles[i] for i in order],
        [labels[i] for i in order],
        loc="outside lower center",
        ncol=ncol or len(handles),
        fontsize=8,
        frameon=False,
    )


__all__ = ["below"]
