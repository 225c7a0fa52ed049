"""Pair selection lives in the core (harness/judging/pair_selection.py), where the online step uses it too."""

from harness.judging.pair_selection import best_vs_worst

__all__ = ["best_vs_worst"]
