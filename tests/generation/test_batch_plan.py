"""Batches of a local model: length-sorted, capped in rows and, with a budget, in prompt positions."""

from __future__ import annotations

import pytest

from harness.generation.batch_plan import length_batches


def test_without_a_budget_batches_are_consecutive_chunks_of_the_sorted_prompts():
    lengths = [30, 10, 20, 10, 50]
    assert length_batches(lengths, max_rows=2) == [[1, 3], [2, 0], [4]]


def test_a_token_budget_cuts_batches_of_long_prompts_and_leaves_short_ones_whole():
    lengths = [10] * 6 + [100] * 4 + [400]
    batches = length_batches(lengths, max_rows=8, max_tokens=240)
    assert batches == [[0, 1, 2, 3, 4, 5], [6, 7], [8, 9], [10]]  # 6x10; 2x100 each; 400 alone, over budget
    assert all(len(b) * max(lengths[i] for i in b) <= 240 for b in batches[:-1])
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))


def test_rows_per_prompt_count_against_the_budget():
    # n samples read without a shared prompt cache: each prompt is read n times by the prompt pass
    assert length_batches([50] * 4, max_rows=4, max_tokens=200, rows_per_prompt=2) == [[0, 1], [2, 3]]


def test_a_budget_or_row_cap_below_one_is_refused():
    with pytest.raises(ValueError, match="max_tokens >= 1"):
        length_batches([1], max_rows=4, max_tokens=0)
