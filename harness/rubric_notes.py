"""Leaderboard notes on a rubric source's premise: each configuration's measured gold score beside its rubric rank.

Read from the run's source stats (`metrics.json` -> sources -> <source> -> configurations, written by
judges/almost/configuration_scores.py), so any source that ranks configurations by a rubric gets the same line.
"""

from __future__ import annotations

from typing import Any


def _score(value: float | None, stderr: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.2f}" if stderr is None else f"{value:.2f} ± {stderr:.2f}"


def configuration_lines(metrics: dict[str, Any]) -> list[str]:
    """One line per source with per-configuration scores, configurations in rubric order (best rank first)."""
    lines = []
    for source, stats in (metrics.get("sources") or {}).items():
        table = stats.get("configurations") if isinstance(stats, dict) else None
        if not table:
            continue
        cells = [
            f"{row['rank']}. {name} {_score(row['gold_score'], row['gold_score_se'])}"
            + (f" ({row['bad']} BAD)" if row["bad"] else "")
            for name, row in sorted(table.items(), key=lambda item: item[1]["rank"])
        ]
        lines.append(
            f"Rubric of {source}, rank: configuration, gold score of its responses ± SE — " + "; ".join(cells) + "."
        )
    return lines
