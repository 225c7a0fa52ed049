"""Online DPO with AI feedback (OAIF, Guo et al. 2024): at each step the current policy samples k candidates for a
batch of prompts, a judge scores them, and one DPO update is made on each prompt's best-vs-worst pair.

A loop of its own rather than TRL 1.16's `trl.experimental.online_dpo.OnlineDPOTrainer`, because that trainer
fixes two generations per prompt (`num_generations = 2`, so best-vs-worst of k cannot be expressed), hands reward
functions bare texts (a judge's Failure, which must remove a candidate rather than score it, has no place, and a
pair judge's comparisons none either), has no judge-call budget, and samples inside the trainer, beyond the
content-seeded generator and the judge-call cache that let a rerun after kill -9 re-ask nothing. What it shares
with the rest of training: the trainers' own tokenisation (`harness.train.logprobs`), DPO's sigmoid loss against a
frozen reference (the start model) with TRL's optional SFT term, the `hf` generator for sampling, the offline
sources' pair selection (`harness.pair_selection`) and the checkpoint markers of `harness.train.checkpoints`.

Crash safety: every `checkpoint_every` steps the policy, the optimizer, torch's RNG state and the run's bookkeeping
(pairs, judgments, calls spent) are saved under `work/checkpoints` with a completion marker written last. Sampling
is seeded from (seed, step, prompts), so the sampler's state is the step counter. Each step's judgments are stored
in a judge-call cache (`work/judge_calls.sqlite`, harness.cache) keyed by the judge, the step and the exact
candidates, so steps redone after a resume are answered from it and counted as cached, never asked again.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.cache import CallCache
from harness.generation import GenerationParams, Generator
from harness.hashing import seed_from, stable_hash
from harness.judge_adapters import CandidateScorer
from harness.pair_selection import best_vs_worst
from harness.records import read_jsonl, write_jsonl
from harness.store import write_json_atomic
from harness.train.checkpoints import COMPLETE, PREFIX, latest_complete
from harness.train.online_spec import OnlineSpec
from harness.types import Completion, Judgment, PreferencePair, Prompt

if TYPE_CHECKING:
    import torch

JudgeFactory = Callable[[Generator], CandidateScorer]  # given the live policy as a generator (a self-judge uses it)


@dataclass
class OnlineResult:
    steps: int = 0
    judge_calls: int = 0  # spent against the budget: asked + served from the cache after a resume
    judge_calls_asked: int = 0
    judge_calls_cached: int = 0
    judged_tokens: int = 0  # prompt + completion tokens of every candidate judged
    stopped: str = "steps"  # "steps" or "judge_budget"
    resumed_from_step: int = 0
    losses: list[float] = field(default_factory=list)
    dropped: Counter[str] = field(default_factory=Counter)
    pairs: list[PreferencePair] = field(default_factory=list)
    judgments: list[Judgment] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        calls = self.judge_calls
        failures = sum(j.failed for j in self.judgments)
        return {
            "steps": self.steps,
            "pairs": len(self.pairs),
            "dropped": dict(self.dropped),
            "judge_calls": calls,
            "judge_calls_asked": self.judge_calls_asked,
            "judge_calls_cached": self.judge_calls_cached,
            "judged_tokens": self.judged_tokens,
            "judge_failures": failures,
            "judge_failure_rate": failures / len(self.judgments) if self.judgments else 0.0,
            "stopped": self.stopped,
            "resumed_from_step": self.resumed_from_step,
            "final_loss": self.losses[-1] if self.losses else None,
        }


def step_prompts(prompts: Sequence[Prompt], step: int, per_step: int) -> list[Prompt]:
    """Step `step`'s prompts: the next `per_step` of the set, cycling."""
    return [prompts[(step * per_step + i) % len(prompts)] for i in range(min(per_step, len(prompts)))]


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
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from harness.generation.hf import HFGenerator
    from harness.train.runtime import configure_torch_threads

    configure_torch_threads()
    torch.manual_seed(seed)
    policy = AutoModelForCausalLM.from_pretrained(str(model_path), dtype=torch.float32)
    reference = AutoModelForCausalLM.from_pretrained(str(model_path), dtype=torch.float32).eval()
    reference.requires_grad_(False)
    tokenizer = AutoTokenizer.from_pretrained(str(model_path))
    sampler_tokenizer = AutoTokenizer.from_pretrained(str(model_path), padding_side="left")
    if sampler_tokenizer.pad_token is None:
        sampler_tokenizer.pad_token = sampler_tokenizer.eos_token
    live = HFGenerator.over(policy, sampler_tokenizer, str(model_path), f"online:{stable_hash(str(model_path), seed)}")
    judge = make_judge(live)
    optimizer = torch.optim.AdamW(policy.parameters(), lr=spec.learning_rate)
    result = OnlineResult()
    folder = None if work is None else Path(work) / "checkpoints"
    if folder is not None:
        result = _resume(folder, policy, optimizer)
    cache = None if work is None else CallCache(Path(work) / "judge_calls.sqlite", "online-judge")
    try:
        for step in range(result.steps, spec.steps):
            batch = step_prompts(prompts, step, spec.prompts_per_step)
            cost = judge.calls([spec.candidates] * len(batch))
            if spec.judge_budget is not None and result.judge_calls + cost > spec.judge_budget:
                result.stopped = "judge_budget"
                break
            policy.eval()
            params = sampling.model_copy(update={"n": spec.candidates, "seed": seed_from("online", seed, step)})
            candidates = live.generate(batch, params)
            judged = _judge(judge, cache, step, batch, candidates, cost, result)
            pairs = []
            for prompt, cands, scores in zip(batch, candidates, judged, strict=True):
                pair, reason = best_vs_worst(prompt, cands, scores, source)
                if pair is None:
                    result.dropped[reason or "no_pair"] += 1
                else:
                    pairs.append(pair)
            result.pairs += pairs
            result.judgments += [j for row in judged for j in row]
            if pairs:
                result.losses.append(dpo_update(policy, reference, tokenizer, pairs, optimizer, spec))
            result.steps = step + 1
            if folder is not None and result.steps % spec.checkpoint_every == 0 and result.steps < spec.steps:
                _save(folder, result, policy, optimizer)
    finally:
        if cache is not None:
            cache.close()
    policy.save_pretrained(str(out_dir))
    tokenizer.save_pretrained(str(out_dir))
    return result


def _judge(
    judge: CandidateScorer,
    cache: CallCache | None,
    step: int,
    batch: Sequence[Prompt],
    candidates: Sequence[Sequence[Completion]],
    cost: int,
    result: OnlineResult,
) -> list[list[Judgment]]:
    key = stable_hash(judge.name, step, [(p.id, p.messages, [c.text for c in cs]) for p, cs in zip(batch, candidates)])
    stored = None if cache is None else cache.get(key)
    if stored is not None:
        judged = [[Judgment.model_validate(j) for j in row] for row in stored]
        result.judge_calls_cached += cost
    else:
        judged = judge.score_groups(list(zip(batch, candidates, strict=True)))
        if cache is not None:
            cache.put(key, [[j.model_dump(mode="json") for j in row] for row in judged])
        result.judge_calls_asked += cost
    result.judge_calls += cost
    result.judged_tokens += sum(c.prompt_tokens + c.completion_tokens for cs in candidates for c in cs)
    return judged


def _logps(model: Any, tokenizer: Any, pair: PreferencePair) -> tuple[torch.Tensor, torch.Tensor, int]:
    """Summed completion log-probs of chosen and rejected, and the chosen answer's token count."""
    import torch

    from harness.train.logprobs import completion_token_ids

    prompt = [m.model_dump() for m in pair.prompt]
    out = []
    for answer in (pair.chosen, pair.rejected):
        ids, start = completion_token_ids(tokenizer, prompt, answer[-1].content)
        input_ids = torch.tensor([ids])
        logits = model(input_ids=input_ids).logits[0, :-1].float()
        token_logps = torch.log_softmax(logits, dim=-1).gather(-1, input_ids[0, 1:, None]).squeeze(-1)
        out.append((token_logps[start - 1 :].sum(), len(ids) - start))
    return out[0][0], out[1][0], out[0][1]


def dpo_update(
    policy: Any, reference: Any, tokenizer: Any, pairs: Sequence[PreferencePair], optimizer: Any, spec: OnlineSpec
) -> float:
    """One optimizer step on the mean DPO sigmoid loss of `pairs` (plus `sft_weight` x the chosen per-token NLL)."""
    import torch
    import torch.nn.functional as F

    policy.train()
    optimizer.zero_grad()
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
    optimizer.step()
    policy.eval()
    return float(total.detach())


def _save(folder: Path, result: OnlineResult, policy: Any, optimizer: Any) -> None:
    import torch

    path = folder / f"{PREFIX}{result.steps}"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    torch.save(
        {"policy": policy.state_dict(), "optimizer": optimizer.state_dict(), "rng": torch.get_rng_state()},
        path / "state.pt",
    )
    write_jsonl(path / "pairs.jsonl", result.pairs)
    write_jsonl(path / "judgments.jsonl", result.judgments)
    bookkeeping = {k: v for k, v in vars(result).items() if k not in ("pairs", "judgments")}
    write_json_atomic(path / COMPLETE, {**bookkeeping, "dropped": dict(result.dropped)})  # last: marks it complete
    for old in folder.glob(f"{PREFIX}*"):
        if old != path:
            shutil.rmtree(old, ignore_errors=True)


def _resume(folder: Path, policy: Any, optimizer: Any) -> OnlineResult:
    """The newest complete checkpoint loaded into `policy` and `optimizer`; a fresh result when there is none."""
    import json

    import torch

    folder.mkdir(parents=True, exist_ok=True)
    latest = latest_complete(folder)
    for stale in folder.glob(f"{PREFIX}*"):  # half-written (killed mid-save) and older ones
        if stale != latest:
            shutil.rmtree(stale, ignore_errors=True)
    if latest is None:
        return OnlineResult()
    state = torch.load(latest / "state.pt", weights_only=False)
    policy.load_state_dict(state["policy"])
    optimizer.load_state_dict(state["optimizer"])
    torch.set_rng_state(state["rng"])
    saved = json.loads((latest / COMPLETE).read_text())
    result = OnlineResult(**{**saved, "dropped": Counter(saved["dropped"])})
    result.pairs = read_jsonl(latest / "pairs.jsonl", PreferencePair)
    result.judgments = read_jsonl(latest / "judgments.jsonl", Judgment)
    result.resumed_from_step = result.steps
    return result
