"""Online DPO with AI feedback (OAIF, Guo et al. 2024): at each step the current policy samples k candidates for a
batch of prompts, a judge scores them, and one DPO update is made on each prompt's best-vs-worst pair.

A loop of its own rather than TRL 1.16's `trl.experimental.online_dpo.OnlineDPOTrainer`, because that trainer
fixes two generations per prompt (`num_generations = 2`, so best-vs-worst of k cannot be expressed), hands reward
functions bare texts (a judge's Failure, which must remove a candidate rather than score it, has no place, and a
pair judge's comparisons none either), has no judge-call budget, and samples inside the trainer, beyond the
content-seeded generator and the judge-call cache that let a rerun after kill -9 re-ask nothing. What it shares
with the rest of training: the trainers' own tokenisation (`harness.train.logprobs`), DPO's sigmoid loss against a
frozen reference (the start model) with TRL's optional SFT term, the `hf` generator for sampling, the offline
sources' pair selection (`harness.judging.pair_selection`), and with online GRPO the whole loop of sampling, judging,
budget, judge-call cache and checkpoints (`harness.train.online_loop`), so only the update is DPO's own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.generation import GenerationParams
from harness.train.online_loop import Judged, JudgeFactory, OnlineResult, Trainee, run_online
from harness.train.online_spec import OnlineSpec
from harness.types import PreferencePair, Prompt

if TYPE_CHECKING:
    import torch


def online_dpo(
    model_path: str | Path,
    prompts: Sequence[Prompt],
    make_judge: JudgeFactory,
    spec: OnlineSpec,
    sampling: GenerationParams,
    out_dir: str | Path,
    *,
    source: str,
    seed: int,
    work: Path | None = None,
) -> OnlineResult:
    """Train from `model_path` online and save the final model (with its tokenizer) in `out_dir`; `work` is a folder
    that survives a crash (the stage's partial folder), None for no checkpoints and no judge-call cache."""
    return run_online(
        model_path, prompts, make_judge, spec, sampling, out_dir,
        update=DPOUpdate(spec), learning_rate=spec.learning_rate, source=source, seed=seed, work=work,
    )  # fmt: skip


@dataclass(frozen=True)
class DPOUpdate:
    """One optimizer step on the mean DPO sigmoid loss of the step's pairs (plus `sft_weight` x the chosen answer's
    per-token NLL); None on a step whose prompts gave no pair."""

    spec: OnlineSpec

    def __call__(self, trainee: Trainee, judged: Sequence[Judged], pairs: Sequence[PreferencePair]) -> float | None:
        return dpo_update(trainee, pairs, self.spec) if pairs else None


def _logps(model: Any, tokenizer: Any, pair: PreferencePair) -> tuple[torch.Tensor, torch.Tensor, int]:
    """Summed completion log-probs of chosen and rejected, and the chosen answer's token count."""
    from harness.train.logprobs import token_logprobs

    prompt = [m.model_dump() for m in pair.prompt]
    chosen = token_logprobs(model, tokenizer, prompt, pair.chosen[-1].content)
    rejected = token_logprobs(model, tokenizer, prompt, pair.rejected[-1].content)
    return chosen.sum(), rejected.sum(), len(chosen)


def dpo_update(trainee: Trainee, pairs: Sequence[PreferencePair], spec: OnlineSpec) -> float:
    import torch
    import torch.nn.functional as F

    policy, reference, tokenizer = trainee.policy, trainee.reference, trainee.tokenizer
    policy.train()
    trainee.optimizer.zero_grad()
    losses = []
    for pair in pairs:
        chosen, rejected, n_chosen = _logps(policy, tokenizer, pair)
        with torch.no_grad():
            ref_chosen, ref_rejected, _ = _logps(reference, tokenizer, pair)
        margin = (chosen - ref_chosen) - (rejected - ref_rejected)
        loss = -F.logsigmoid(spec.beta * margin)
        if spec.sft_weight:
            loss = loss - spec.sft_weight * chosen / max(n_chosen, 1)
        losses.append(loss)
    total = torch.stack(losses).mean()
    total.backward()
    trainee.optimizer.step()
    policy.eval()
    return float(total.detach())
