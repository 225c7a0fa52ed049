"""Pair selection from scored candidates: best vs worst, as in Self-Rewarding LMs (Yuan et al., 2024); offline
sources (judges/) and the online step (harness/train/online_dpo.py) share it."""

from __future__ import annotations

from collections.abc import Sequence

from harness.types import Completion, Judgment, PreferencePair, Prompt, Score, assistant


def best_vs_worst(
    prompt: Prompt, candidates: Sequence[Completion], judgments: Sequence[Judgment], source: str
) -> tuple[PreferencePair, None] | tuple[None, str]:
    """Return (pair, None) or (None, reason the prompt gives no pair).

    A failed judgment removes its candidate; it never counts as a score. Equal best and worst scores
    give no pair ("tie"); among equal maxima (or minima) the earliest sample wins, so reruns match.
    """
    scored = [
        (c, j.verdict.value, j.judge)
        for c, j in zip(candidates, judgments, strict=True)
        if isinstance(j.verdict, Score)
    ]
    if len(scored) < 2:
        return None, "judge_failure" if len(scored) < len(candidates) else "too_few_candidates"
    best = max(scored, key=lambda cs: cs[1])  # max/min keep the first of equals
    worst = min(scored, key=lambda cs: cs[1])
    if best[1] == worst[1]:
        return None, "tie"
    if best[0].text == worst[0].text:
        return None, "identical_text"
    return PreferencePair(
        prompt_id=prompt.id,
        prompt=prompt.messages,
        chosen=assistant(best[0].text),
        rejected=assistant(worst[0].text),
        source=source,
        chosen_by=best[0].ref,
        rejected_by=worst[0].ref,
        chosen_score=best[1],
        rejected_score=worst[1],
        judge=best[2],
    ), None
