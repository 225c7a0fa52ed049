"""The teacher as SFT (a pipeline step, `teacher_sft:` in a recipe): Sharma et al. 2024's baseline for AI feedback.

M1 is fine-tuned on the teacher's answers to the feedback prompts, the same prompt budget the feedback sources
spend. The answers are the teacher's candidate stage at the sources' sampling parameters with one sample each,
the very answers `llm_teacher` makes its chosen side, so the row SFT-<teacher> differs from M2-llm_teacher (the
teacher as chosen) and M2-llm_judge (the teacher as judge) only in how the teacher's work is used. The stage
records how many teacher calls the demonstrations took (`teacher_calls`, one per prompt; shared with llm_teacher's
candidate stage when both run) and how many prompts got no answer (`missing`, a remote call that failed).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harness import names
from harness.run_context import ModelRef, RunContext, prompt_set_key
from harness.run_metrics import FeedbackMetrics
from harness.store import write_json_atomic
from harness.types import Prompt

# Fields of the stage's summary copied onto the row in metrics.json.
ROW_FIELDS = ("demonstrations", "teacher_calls", "missing")


def train_teacher_sft(pipe: RunContext, prompts: Sequence[Prompt]) -> ModelRef:
    """Train the row SFT-<teacher> from M1 on the teacher's answers to `prompts`, add it to the run's models, and
    return its reference."""
    cfg = pipe.recipe.teacher_sft
    assert cfg is not None
    m1, teacher = pipe.models[names.M1], pipe.models[cfg.teacher]
    params = pipe.candidate_params().model_copy(update={"n": 1})
    label = names.candidates_label(cfg.teacher)
    answers = pipe.completions(cfg.teacher, prompts, params, label, retry_missing=True)
    answered = pipe.stages[label]
    demos = [
        [*(m.model_dump() for m in p.messages), {"role": "assistant", "content": cs[0].text}]
        for p, cs in zip(prompts, answers, strict=True)
        if cs
    ]
    if not demos:  # a remote teacher that failed every call: nothing to train on, and a rerun asks again
        raise RuntimeError(
            f"teacher_sft: the teacher {cfg.teacher!r} answered none of the {len(prompts)} feedback prompts (see the "
            "run's ledger); rerun to ask again, or set teacher_sft: null"
        )
    spec = (cfg.train or pipe.recipe.sft.train).model_copy(update={"seed": pipe.recipe.training_seed})

    def build(out: Path) -> dict[str, Any]:
        write_json_atomic(out / "demonstrations.json", demos)
        result = pipe.train("sft", m1.path, demos, spec, out / "model")
        return {
            "demonstrations": len(demos),
            "teacher_calls": len(prompts) * params.n,
            "missing": len(prompts) - len(demos),
            **result.metrics,
        }

    config = {
        "teacher_sft": {"teacher": teacher.key, "train": spec},
        "params": params,
        "prompts": prompt_set_key(prompts),
        **pipe.train_key(),
    }
    result = pipe.stage(names.teacher_sft_label(cfg.teacher), "teacher_sft", config, [m1.key, answered.content], build)
    name = names.teacher_sft_model(cfg.teacher)
    pipe.models[name] = ModelRef(name, str(result.path / "model"), result.content, m1.generator, m1.generator_params)
    return pipe.models[name]


def add_row_fields(pipe: RunContext, metrics: FeedbackMetrics) -> None:
    """Copy the teacher-SFT stage's demonstration and teacher-call counts onto its row of `metrics`."""
    cfg = pipe.recipe.teacher_sft
    if cfg is None:
        return
    summary = pipe.stages[names.teacher_sft_label(cfg.teacher)].summary
    row = metrics.row(names.teacher_sft_model(cfg.teacher))
    if row is not None:
        for k in ROW_FIELDS:
            if k in summary:
                setattr(row, k, summary[k])
