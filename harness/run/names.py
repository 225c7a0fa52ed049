"""Every name the run gives its own models and stages, built and parsed here and nowhere else.

Rows: `M1` (SFT of the policy), `M{r+1}-<source>` (the model after round r of a source's feedback + DPO:
M2 after round 1, M3 after round 2, ...), `M2-<source>-online` (online DPO with the source's judge;
`-online-frozen` when a self-judge is a frozen M1 rather than the policy as it trains), `M2-<source>-grpo[-frozen]`
(online GRPO with the judge's score as reward), `M2-<source>-iter<k>[-frozen]` (k rounds of offline DPO on fresh
candidates at the online rows' judge budget), `RMSP-<source>` (SFT on
reward-model-guided self-play picks), `SFT-<teacher>` (M1 after SFT on the teacher's demonstrations for the
feedback prompts).
Recipe models may not take these shapes (`reserved_reason`). Stage labels (the keys of run.json's `stages`)
are built by the functions below; metrics.json records each row's labels (`row_stages`), so readers
(leaderboards, plots) look stages up instead of rebuilding labels.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

M1 = "M1"
_ROUND = re.compile(r"^M(\d+)-(.+)$")
_RMSP = "RMSP-"
_TEACHER_SFT = "SFT-"

Stage = Literal["M0", "SFT", "M1", "M2", "RMSP"]  # M2 stands for every round's model (stage "M3" etc. in rows)


def round_model(source: str, round_: int) -> str:
    """The model trained by round `round_` (1-based) of `source`: M2-<source>, M3-<source>, ..."""
    if round_ < 1:
        raise ValueError(f"round {round_}: rounds count from 1")
    return f"M{round_ + 1}-{source}"


ONLINE = "-online"
GRPO = "-grpo"
FROZEN = "-frozen"
OnlineMethod = Literal["dpo", "grpo"]
_METHOD_SUFFIX: dict[str, str] = {"dpo": ONLINE, "grpo": GRPO}
_ONLINE_ROW = re.compile(r"(-online|-grpo)(-frozen)?$")
_ITERATIVE_ROW = re.compile(r"-iter(\d+)(-frozen)?$")


def online_source(source: str, frozen_self_judge: bool = False, method: OnlineMethod = "dpo") -> str:
    """The `source` of an online row (its key in metrics.json `sources`): `<source>-online[-frozen]` for online DPO,
    `<source>-grpo[-frozen]` for GRPO."""
    return f"{source}{_METHOD_SUFFIX[method]}{FROZEN if frozen_self_judge else ''}"


def online_model(source: str, frozen_self_judge: bool = False, method: OnlineMethod = "dpo") -> str:
    """The model online training with `source`'s judge trains from M1: M2-<source>-online[-frozen], M2-<source>-grpo."""
    return round_model(online_source(source, frozen_self_judge, method), 1)


def is_online(row_source: str) -> bool:
    """A row trained by one online stage (DPO or GRPO), which both judges and trains."""
    return _ONLINE_ROW.search(row_source) is not None


def iterative_source(source: str, rounds: int, frozen_self_judge: bool = False) -> str:
    """The `source` of an iterative row: `<source>-iter<rounds>[-frozen]`."""
    return f"{source}-iter{rounds}{FROZEN if frozen_self_judge else ''}"


def iterative_model(source: str, rounds: int, frozen_self_judge: bool = False) -> str:
    """M1 after `rounds` rounds of offline DPO on fresh candidates judged by `source`'s judge: M2-<source>-iter<k>."""
    return round_model(iterative_source(source, rounds, frozen_self_judge), 1)


def iterative_rounds(row_source: str) -> int | None:
    """The rounds of an iterative row's source (`oracle-iter3` -> 3); None for any other row."""
    found = _ITERATIVE_ROW.search(row_source)
    return int(found[1]) if found else None


def rmsp_model(source: str) -> str:
    return f"{_RMSP}{source}"


def teacher_sft_model(teacher: str) -> str:
    """M1 fine-tuned on `teacher`'s demonstrations for the feedback prompts (Sharma et al. 2024's baseline)."""
    return f"{_TEACHER_SFT}{teacher}"


@dataclass(frozen=True)
class RowName:
    """A run-made model's name, parsed: its stage ("M2", "M3", ..., "RMSP"), source, and round (RMSP: 0)."""

    stage: str
    source: str
    round: int


def parse_row(name: str) -> RowName | None:
    """The parts of a run-made model name (M{r}-source, RMSP-source); None for M1 and recipe models."""
    found = _ROUND.match(name)
    if found and int(found[1]) >= 2:
        return RowName(stage=f"M{found[1]}", source=found[2], round=int(found[1]) - 1)
    if name.startswith(_RMSP) and len(name) > len(_RMSP):
        return RowName(stage="RMSP", source=name[len(_RMSP) :], round=0)
    if name.startswith(_TEACHER_SFT) and len(name) > len(_TEACHER_SFT):  # `source` is the teacher
        return RowName(stage="SFT", source=name[len(_TEACHER_SFT) :], round=0)
    return None


def reserved_reason(name: str) -> str | None:
    """Why a recipe model may not be called `name` (it would collide with a row the run makes), or None."""
    if name == M1 or _ROUND.match(name) or name.startswith((_RMSP, _TEACHER_SFT)):
        return "names M1, M<digits>-*, RMSP-* and SFT-* are the run's own models; rename it"
    return None


# --- stage labels (keys of run.json `stages`) ---------------------------------------------------------------


def feedback_label(source: str, round_: int = 1) -> str:
    """Round 1 is `feedback <source>`; round r > 1 is named by the model it trains: `feedback M{r+1}-<source>`."""
    return f"feedback {source}" if round_ == 1 else f"feedback {round_model(source, round_)}"


def dpo_label(model: str) -> str:
    return f"dpo {model}"


def evaluate_label(model: str) -> str:
    return f"evaluate {model}"


def candidates_label(model: str) -> str:
    return f"candidates {model}"


def generate_label(model: str) -> str:
    return f"generate {model}"


def judging_samples_label(model: str) -> str:
    return f"judging samples {model}"


def sft_label(model: str) -> str:
    return f"sft {model}"


def pretrain_label(model: str) -> str:
    return f"pretrain {model}"


def import_label(model: str) -> str:
    return f"import {model}"


def reward_model_label(source: str) -> str:
    return f"reward model {source}"


def rmsp_label(source: str) -> str:
    return f"rmsp {source}"


def online_label(model: str) -> str:
    return f"online {model}"


def iterative_label(model: str, round_: int) -> str:
    """Round `round_` of an iterative row (one stage: sample from the round's model, judge, offline DPO)."""
    return f"iterative {model} round {round_}"


def teacher_sft_label(teacher: str) -> str:
    return f"teacher sft {teacher}"


def judge_quality_label(judge: str) -> str:
    return f"judge quality {judge}"


def judged_eval_label(model: str, baseline: str) -> str:
    return f"judge {model} vs {baseline}"


TOKENIZER_LABEL = "tokenizer"


# --- judge labels (rows of the judge-quality table) ---------------------------------------------------------


def _readout(readout: str) -> str:
    return "" if readout == "sampled" else f", {readout}"


def self_judge(model: str, readout: str = "sampled") -> str:
    """`self (M1)`; a judge read by its score-token probabilities is `self (M1, expected)`."""
    return f"self ({model}{_readout(readout)})"


def teacher_judge(model: str, readout: str = "sampled") -> str:
    return f"teacher ({model}{_readout(readout)})"


def source_judge(judge: str, source: str) -> str:
    """A registered judge a `judged` source uses, e.g. `concise (judged)`."""
    return f"{judge} ({source})"


def reward_model_judge(source: str) -> str:
    return f"RM ({source})"


# --- what metrics.json records per row ----------------------------------------------------------------------


def row_stages(model: str, baseline: str | None = None, judged: bool = False) -> dict[str, str]:
    """Labels of the stages behind a row's numbers: its evaluation, and for a run-made model the feedback and
    training stages it came from. Judged rows (no gold grader) name their judging stage vs the baseline."""
    stages = {"evaluate": evaluate_label(model)}
    if judged and baseline is not None and model != baseline:
        stages["judge"] = judged_eval_label(model, baseline)
    row = parse_row(model)
    if row is not None and row.stage == "RMSP":
        stages["rmsp"] = rmsp_label(row.source)
    elif row is not None and is_online(row.source):  # one stage both judges and trains
        stages["feedback"] = stages["dpo"] = online_label(model)
    elif row is not None and iterative_rounds(row.source) is not None:  # its last round's stage
        stages["feedback"] = stages["dpo"] = iterative_label(model, iterative_rounds(row.source) or 1)
    elif row is not None and row.stage == "SFT":
        stages["teacher_sft"] = teacher_sft_label(row.source)
    elif row is not None:
        stages["feedback"] = feedback_label(row.source, row.round)
        stages["dpo"] = dpo_label(model)
    return stages


def source_stages(source: str) -> dict[str, str]:
    """Labels of a source's round-1 stages (the `sources` table of metrics.json)."""
    return {"feedback": feedback_label(source), "dpo": dpo_label(round_model(source, 1))}
