"""Online GRPO with the judge's score as reward (Shao et al. 2024; Tülu 3's RLVR with a judge for the verifier): at
each step the current policy samples k candidates for a batch of prompts, the judge scores them, and one policy-
gradient step is made with group-normalised advantages, A_i = (r_i - mean(r)) / (std(r) + 1e-4) over a prompt's
scored candidates, plus a per-token KL estimate to the frozen start model (k3, as TRL's GRPO).

A loop of its own rather than TRL 1.16's `trl.GRPOTrainer`, although that one takes reward functions (callables
whose None marks a sample unscorable) and k generations per prompt, because:
- the judge budget and its accounting: the trainer's length is `max_steps`, and a reward function cannot decline a
  step the budget does not afford before its samples are drawn; ours stops before sampling (`run_online`);
- the judge-call cache and resume: the trainer samples inside `_generate_and_score_completions` with its own
  generation path, so a run resumed from its checkpoint does not redraw the same candidates and a cache keyed by
  them would miss; ours samples with the content-seeded `hf` generator the offline candidates and online DPO use;
- the judges: a pair judge must see all k candidates of a prompt together (`PairShares`), and a current self-judge
  is the live policy as a generator; a reward function sees a flat batch of texts and no generator;
- the comparison: online DPO and GRPO rows then differ only in the update (harness/train/online_loop.py shares
  sampling, judging, budget, cache and checkpoints), not in two trainers' sampling and bookkeeping.
With one update per batch of fresh samples (TRL's default `num_iterations=1`) the clipped ratio is 1, so the
surrogate's gradient is the plain policy gradient A_i * grad log p(token); that is the loss written here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from harness.generation import GenerationParams
from harness.train.online_loop import Judged, JudgeFactory, OnlineResult, Trainee, run_online
from harness.train.online_spec import GRPOSpec, OnlineSpec
from harness.types import PreferencePair, Prompt, Score

STD_EPS = 1e-4  # TRL's GRPO adds it to the group's standard deviation


def online_grpo(
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
    """Train from `model_path` with GRPO on the judge's scores and save the final model in `out_dir`; `work` as in
    `run_online` (checkpoints and the judge-call cache)."""
    rate = spec.grpo.learning_rate if spec.grpo.learning_rate is not None else spec.learning_rate
    return run_online(
        model_path, prompts, make_judge, spec, sampling, out_dir,
        update=GRPOUpdate(spec.grpo), learning_rate=rate, source=source, seed=seed, work=work,
    )  # fmt: skip


def advantages(rewards: Sequence[float]) -> list[float] | None:
    """Group-normalised advantages of one prompt's scored candidates; None when they carry no signal (fewer than two,
    or all equal: every advantage would be zero)."""
    import torch

    if len(rewards) < 2:
        return None
    r = torch.tensor(rewards, dtype=torch.float64)
    std = float(r.std())
    if std == 0.0:
        return None
    return [float(a) for a in (r - r.mean()) / (std + STD_EPS)]


@dataclass(frozen=True)
class GRPOUpdate:
    """One optimizer step on the mean over the step's scored candidates of -A_i x (mean token log-prob) plus `kl` x
    the mean per-token KL estimate; a failed judgment removes its candidate, as in pair selection. None on a step
    whose groups all tie (no signal)."""

    spec: GRPOSpec

    def __call__(self, trainee: Trainee, judged: Sequence[Judged], pairs: Sequence[PreferencePair]) -> float | None:
        import torch

        from harness.train.logprobs import token_logprobs

        policy, reference, tokenizer = trainee.policy, trainee.reference, trainee.tokenizer
        policy.train()
        trainee.optimizer.zero_grad()
        terms = []
        for group in judged:
            scored = [
                (c.text, j.verdict.value)
                for c, j in zip(group.candidates, group.judgments, strict=True)
                if isinstance(j.verdict, Score)
            ]
            adv = advantages([r for _, r in scored])
            if adv is None:
                continue
            prompt = [m.model_dump() for m in group.prompt.messages]
            for (text, _), a in zip(scored, adv, strict=True):
                logps = token_logprobs(policy, tokenizer, prompt, text)
                term = -a * logps
                if self.spec.kl:
                    with torch.no_grad():
                        ref = token_logprobs(reference, tokenizer, prompt, text)
                    delta = ref - logps  # k3 estimate of KL(policy || reference): exp(d) - d - 1, >= 0
                    term = term + self.spec.kl * (torch.exp(delta) - delta - 1)
                terms.append(term.mean())
        if not terms:
            policy.eval()
            return None
        total = torch.stack(terms).mean()
        total.backward()
        trainee.optimizer.step()
        policy.eval()
        return float(total.detach())
