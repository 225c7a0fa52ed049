"""How good each ALMoST configuration's responses really are, beside where the rubric ranks it.

ALMoST assumes its rubric's order (bigger model, more and better demonstrations first) is the order of response
quality. Where the benchmark has a gold grader, this measures that assumption per configuration: the mean gold score
of its responses to the source's prompts (every response, and the ones the BAD filters kept), with standard errors.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from statistics import fmean
from typing import Any

from harness.evaluate import mean_se
from harness.types import Prompt
from judges.almost.response_generation import Response

Gold = Callable[[Prompt, str], float | None]


def configuration_scores(
    prompts: Sequence[Prompt], responses: Mapping[str, Sequence[Response]], ranks: Mapping[str, int], gold: Gold
) -> dict[str, dict[str, Any]]:
    """configuration -> rubric rank (1 = best), gold score ± SE of all its responses and of the kept ones, BAD count
    and mean length in characters; {} without a gold grader (`gold` returns None)."""
    if not prompts or gold(prompts[0], "") is None:
        return {}
    table: dict[str, dict[str, Any]] = {}
    for name, answers in responses.items():
        graded = [float(gold(p, r.text)) for p, r in zip(prompts, answers, strict=True)]  # type: ignore[arg-type]
        kept = [g for g, r in zip(graded, answers) if r.bad is None]
        every, good = mean_se(graded), mean_se(kept) if kept else None
        table[name] = {
            "rank": ranks[name] + 1,
            "gold_score": every.value, "gold_score_se": every.stderr,
            "kept_gold_score": good.value if good else None, "kept_gold_score_se": good.stderr if good else None,
            "responses": len(answers), "bad": len(answers) - len(kept),
            "mean_length": fmean(len(r.text) for r in answers),
        }  # fmt: skip
    return table
