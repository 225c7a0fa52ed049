"""Leaderboard notes on a rubric source's premise: each configuration's measured gold score beside its rubric rank.

Read from the run's source stats (`metrics.json` -> sources -> <source> -> configurations, written by
judges/almost/configuration_scores.py), so any source that ranks configurations by a rubric gets the same line.
"""

from __future__ import annotations

from harness.run.record_schema import FeedbackMetrics


def _score(value: float | None, stderr: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.2f}" if stderr is None else f"{value:.2f} ± {stderr:.2f}"


def configuration_lines(metrics: FeedbackMetrics) -> list[str]:
    """One line per source with per-configuration scores, configurations in rubric order (best rank first)."""
    lines = []
    for source, stats in metrics.sources.items():
        # Each configuration's row is judges/almost/configuration_scores.py's, kept as that plug-in wrote it.
        table = stats.configurations
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
