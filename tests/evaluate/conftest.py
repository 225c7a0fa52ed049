"""Published data the evaluation math is checked against (shared/ sits beside the repository clone)."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
ALPACA_EVAL = SHARED_DATA / "alpaca_eval"
AE2_ANNOTATOR = "weighted_alpaca_eval_gpt4_turbo"
AE2_LEADERBOARD = (
    ALPACA_EVAL / "src/alpaca_eval/leaderboards/data_AlpacaEval_2/weighted_alpaca_eval_gpt4_turbo_leaderboard.csv"
)


def require(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is absent: clone the shared data folder beside the repository to run this check")
    return path


@pytest.fixture(scope="session")
def ae2_annotations() -> dict[str, list[dict]]:
    """AlpacaEval 2.0 annotations (GPT-4-turbo weighted judge vs gpt4_1106_preview) for every model shipped."""
    files = sorted(require(ALPACA_EVAL / "results").glob(f"*/{AE2_ANNOTATOR}/annotations.json.gz"))
    with_model = {path.parents[1].name: path for path in files}
    return {model: json.load(gzip.open(path)) for model, path in with_model.items()}


@pytest.fixture(scope="session")
def ae2_leaderboard() -> dict[str, dict[str, str]]:
    """Published leaderboard rows by model name (the CSV lists NullModel twice, identically)."""
    with require(AE2_LEADERBOARD).open() as handle:
        return {row[""]: row for row in csv.DictReader(handle)}


@pytest.fixture(scope="session")
def self_reward_rlhf() -> Path:
    return require(SHARED_DATA / "self_reward_rlhf")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    return require(SHARED_DATA)
