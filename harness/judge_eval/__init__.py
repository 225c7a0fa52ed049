"""Judges held to human labels: `kind: judge_eval` recipes (recipe.py), the labelled sets (sets.py, the generic
pairwise format in pairwise_file.py), judging (judging.py), measures (measures.py), the run (run.py) and the
judge leaderboard (board.py)."""
