"""Put a set's items to a judge and keep, per item, what the measures need: the verdict in each order shown,
the combined verdict, and the scores of a pointwise judge.

A pointwise judge scores each reply alone, so its verdict cannot depend on the order (no position probe).
An ordered pair judge is asked in both orders; the combined verdict is harness' rule (harness/judging/pair_verdicts.py): a
verdict that flips with the order is a tie. A pair judge without an order hook gives its combined verdict only.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations
from typing import Any

from harness.judge_eval.items import LabelledPair, RankedGroup
from harness.judging.contract import AnyJudge, OrderedPairJudge, PairJudge, PointwiseJudge
from harness.judging.pair_verdicts import combine_orders, copeland_scores
from harness.types import Completion, Failure, Judgment, Preference, Prompt, Record, Score


class PairOutcome(Record):
    id: str
    subset: str
    label: str
    len_a: int
    len_b: int
    model_a: str = ""
    model_b: str = ""
    final: str | None  # the judge's verdict on (a, b); None = failure
    first: str | None = None  # asked as (a, b), by position shown
    swapped: str | None = None  # asked as (b, a), by position shown ("a" = b won)
    score_a: float | None = None
    score_b: float | None = None
    failure: str = ""


class GroupOutcome(Record):
    id: str
    subset: str
    reference: tuple[float, ...]
    scores: tuple[float | None, ...]
    failures: int = 0


def _prompt(item: LabelledPair | RankedGroup) -> Prompt:
    return Prompt(id=item.id, messages=item.prompt)


def _reply(item_id: str, tag: str, text: str) -> Completion:
    return Completion(prompt_id=item_id, text=text, producer=tag)


def _label(verdict: Any) -> str | None:
    return verdict.winner if isinstance(verdict, Preference) else None


def _score(judgment: Judgment) -> float | None:
    return judgment.verdict.value if isinstance(judgment.verdict, Score) else None


def _from_scores(a: float | None, b: float | None) -> str | None:
    if a is None or b is None:
        return None
    return "a" if a > b else "b" if b > a else "tie"


def _reason(*judgments: Judgment) -> str:
    return next((j.verdict.reason for j in judgments if isinstance(j.verdict, Failure)), "")


def judge_pairs(judge: AnyJudge, pairs: Sequence[LabelledPair]) -> list[PairOutcome]:
    base = [
        {
            "id": p.id,
            "subset": p.subset,
            "label": p.label,
            "len_a": len(p.a),
            "len_b": len(p.b),
            "model_a": p.model_a,
            "model_b": p.model_b,
        }
        for p in pairs
    ]
    prompts = [_prompt(p) for p in pairs]
    a = [_reply(p.id, "a", p.a) for p in pairs]
    b = [_reply(p.id, "b", p.b) for p in pairs]
    if isinstance(judge, OrderedPairJudge):
        first = judge.judge_in_order(list(zip(prompts, a, b)))
        swapped = judge.judge_in_order(list(zip(prompts, b, a)))
        return [
            PairOutcome(
                **row,
                first=_label(f.verdict),
                swapped=_label(s.verdict),
                final=_label(combine_orders(f.verdict, s.verdict)),
                failure=_reason(f, s),
            )
            for row, f, s in zip(base, first, swapped, strict=True)
        ]
    if isinstance(judge, PairJudge):
        verdicts = judge.compare(list(zip(prompts, a, b)))
        return [PairOutcome(**row, final=_label(v.verdict), failure=_reason(v)) for row, v in zip(base, verdicts)]
    if isinstance(judge, PointwiseJudge):
        scores = judge.score([*zip(prompts, a), *zip(prompts, b)])
        sa, sb = scores[: len(pairs)], scores[len(pairs) :]
        return [
            PairOutcome(
                **row,
                score_a=_score(x),
                score_b=_score(y),
                final=_from_scores(_score(x), _score(y)),
                failure=_reason(x, y),
            )
            for row, x, y in zip(base, sa, sb, strict=True)
        ]
    raise TypeError(f"judge {judge!r} has neither score() nor compare(); see harness/judging/contract.py")


def judge_groups(judge: AnyJudge, groups: Sequence[RankedGroup]) -> list[GroupOutcome]:
    """Scores per reply: a pointwise judge's own, or a pair judge's share of won comparisons (ties half)."""
    replies = [[_reply(g.id, f"r{i}", text) for i, text in enumerate(g.replies)] for g in groups]
    if isinstance(judge, PointwiseJudge) and not isinstance(judge, PairJudge):
        flat = judge.score([(_prompt(g), r) for g, rs in zip(groups, replies) for r in rs])
        per_group, cursor = [], 0
        for rs in replies:
            per_group.append(flat[cursor : cursor + len(rs)])
            cursor += len(rs)
    elif isinstance(judge, PairJudge):
        jobs = [
            (_prompt(g), rs[i], rs[j]) for g, rs in zip(groups, replies) for i, j in combinations(range(len(rs)), 2)
        ]
        verdicts = judge.compare(jobs)
        per_group, cursor = [], 0
        for g, rs in zip(groups, replies):
            n = len(rs) * (len(rs) - 1) // 2
            per_group.append(copeland_scores(_prompt(g), rs, verdicts[cursor : cursor + n], judge.name))
            cursor += n
    else:
        raise TypeError(f"judge {judge!r} has neither score() nor compare(); see harness/judging/contract.py")
    return [
        GroupOutcome(
            id=g.id,
            subset=g.subset,
            reference=g.reference,
            scores=tuple(_score(j) for j in js),
            failures=sum(j.failed for j in js),
        )
        for g, js in zip(groups, per_group, strict=True)
    ]
