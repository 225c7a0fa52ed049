"""Loaders for public benchmark files (FastChat, AlpacaEval, HH-RLHF, OpenAssistant, TruthfulQA).

Importing this package registers them in `harness.registry.benchmarks`; no file is read until asked.
Every factory takes `path` (default: the copy under `<repo>/../shared/data`). A bad row raises
`RowError`: `<file>:<line>: <field>: <problem>; <fix>`.
"""

from benchmarks.public import alpaca_eval, fastchat, hh_rlhf, oasst, truthfulqa  # noqa: F401
from benchmarks.public.base import DATA_ROOT, PublicSet, Reference
from benchmarks.public.oasst import RankedReplies
from benchmarks.public.rows import RowError

__all__ = ["DATA_ROOT", "PublicSet", "RankedReplies", "Reference", "RowError"]
