"""Iterative rounds split the judge budget into near-equal shares of fresh prompts: the whole budget when the judge's
price per prompt divides it, never more, and no prompt judged twice while the set lasts."""

from __future__ import annotations

import pytest

from harness.steps.iterative import round_prompts
from harness.types import Prompt

PROMPTS = [Prompt(id=f"p{i}", messages=({"role": "user", "content": f"q{i}"},)) for i in range(250)]


@pytest.mark.parametrize(
    ("per_prompt", "rounds", "sizes", "spent"),
    [
        (4, 3, [83, 83, 84], 1000),  # 4 pointwise calls a prompt: 250 prompts, the whole budget
        (6, 3, [55, 55, 56], 996),  # a pair judge's 6 comparisons of 4 candidates: 166 prompts, 4 calls unspent
        (4, 1, [250], 1000),  # one round is the offline row's budget on M1's fresh candidates
    ],
)
def test_rounds_spend_the_budget_on_fresh_prompts(per_prompt, rounds, sizes, spent):
    shares = [round_prompts(PROMPTS, 1000, per_prompt, rounds, r) for r in range(1, rounds + 1)]
    assert [len(s) for s in shares] == sizes and sum(sizes) * per_prompt == spent
    ids = [p.id for share in shares for p in share]
    assert len(set(ids)) == len(ids) and ids == [p.id for p in PROMPTS[: len(ids)]]


def test_a_budget_beyond_the_prompt_set_cycles_through_it():
    shares = [round_prompts(PROMPTS[:10], 80, 4, 2, r) for r in (1, 2)]
    assert [p.id for p in shares[1]] == [p.id for p in PROMPTS[:10]]
