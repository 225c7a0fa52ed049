"""Published data the evaluation math is checked against: the vendored samples (tests/shared_data.py), with the
AlpacaEval 2.0 annotations and Self-Reward-RLHF scores reduced to the fields the metrics read, every row kept."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import pytest

from harness.paths import DATA_ROOT
from tests.shared_data import DERIVED

AE2_LEADERBOARD = (
    DATA_ROOT / "alpaca_eval/src/alpaca_eval/leaderboards/data_AlpacaEval_2/"
    "weighted_alpaca_eval_gpt4_turbo_leaderboard.csv"
)


@pytest.fixture(scope="session")
def ae2_annotations() -> dict[str, list[dict]]:
    """AlpacaEval 2.0 annotations (GPT-4-turbo weighted judge vs gpt4_1106_preview) for every model shipped:
    per row the instruction (hashed), the preference, and output_1_chars / output_2_chars (baseline / model)."""
    with gzip.open(DERIVED / "ae2_annotations.json.gz", "rt", encoding="utf-8") as handle:
        return json.load(handle)


@pytest.fixture(scope="session")
def ae2_leaderboard() -> dict[str, dict[str, str]]:
    """Published leaderboard rows by model name (the CSV lists NullModel twice, identically)."""
    with AE2_LEADERBOARD.open() as handle:
        return {row[""]: row for row in csv.DictReader(handle)}


@pytest.fixture(scope="session")
def self_reward_rlhf() -> Path:
    """The four score files, every row, with prompt_id and each candidate's score only."""
    return DERIVED / "self_reward_rlhf_scores"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    return DATA_ROOT
