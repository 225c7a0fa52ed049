"""Pair selection lives in the core (harness/pair_selection.py), where the online step uses it too."""

from harness.pair_selection import best_vs_worst

__all__ = ["best_vs_worst"]
