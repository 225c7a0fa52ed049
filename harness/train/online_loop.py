"""The online loop both online methods share (harness/train/online_dpo.py, harness/train/online_grpo.py): at each
step the current policy samples k candidates for a batch of prompts, a judge scores them, the judge's best-vs-worst
pair of each prompt is recorded, and the method's update takes one optimizer step on the fresh judgments. Online DPO
and GRPO differ only in that update (`Update`), so a table comparing them compares the losses, not two loops.

Crash safety: every `checkpoint_every` steps the policy, the optimizer, torch's RNG state and the run's bookkeeping
(pairs, judgments, calls spent) are saved under `work/checkpoints` with a completion marker written last. Sampling
is seeded from (seed, step, prompts), so the sampler's state is the step counter. Each step's judgments are stored
in a judge-call cache (`work/judge_calls.sqlite`, harness.run.cache) keyed by the judge, the step and the exact
candidates, so steps redone after a resume are answered from it and counted as cached, never asked again.
Iterative rounds (harness/steps/iterative.py) judge through the same cache and account (`judge_batch`).
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from harness.generation import GenerationParams, Generator
from harness.hashing import seed_from, stable_hash
from harness.judging.adapters import CandidateScorer
from harness.judging.pair_selection import best_vs_worst
from harness.run.cache import CallCache
from harness.run.records import read_jsonl, write_jsonl
from harness.run.store import write_json_atomic
from harness.train.checkpoints import COMPLETE, PREFIX, latest_complete
from harness.train.online_spec import OnlineSpec
from harness.types import Completion, Judgment, PreferencePair, Prompt

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


@dataclass(frozen=True)
class Judged:
    """One prompt's candidates as sampled and the judge's judgment of each (a Score or a Failure), in order."""

    prompt: Prompt
    candidates: Sequence[Completion]
    judgments: Sequence[Judgment]


@dataclass
class Trainee:
    """What an update reads and changes: the policy, its frozen start (the reference), the tokenizer, the optimizer."""

    policy: Any
    reference: Any
    tokenizer: Any
    optimizer: Any


class Update(Protocol):
    """One optimizer step on a step's fresh judgments; the loss, or None where they gave nothing to learn from."""

    def __call__(self, trainee: Trainee, judged: Sequence[Judged], pairs: Sequence[PreferencePair]) -> float | None: ...


def step_prompts(prompts: Sequence[Prompt], step: int, per_step: int) -> list[Prompt]:
    """Step `step`'s prompts: the next `per_step` of the set, cycling."""
    return [prompts[(step * per_step + i) % len(prompts)] for i in range(min(per_step, len(prompts)))]


def load_sampler(model_path: str | Path, policy: Any, seed: int) -> Generator:
    """`policy` (loaded from `model_path`) as the `hf` generator, so it samples as the offline candidates do."""
    from transformers import AutoTokenizer

    from harness.generation.hf import HFGenerator

    tokenizer = AutoTokenizer.from_pretrained(str(model_path), padding_side="left")
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return HFGenerator.over(policy, tokenizer, str(model_path), f"online:{stable_hash(str(model_path), seed)}")


def run_online(
    model_path: str | Path,
    prompts: Sequence[Prompt],
    make_judge: JudgeFactory,
    spec: OnlineSpec,
    sampling: GenerationParams,
    out_dir: str | Path,
    *,
    update: Update,
    learning_rate: float,
    source: str,
    seed: int,
    work: Path | None = None,
) -> OnlineResult:
    """Train from `model_path` online with `update` and save the final model (with its tokenizer) in `out_dir`;
    `work` is a folder that survives a crash (the stage's partial folder), None for no checkpoints and no cache."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from harness.train.runtime import configure_torch_threads

    configure_torch_threads()
    torch.manual_seed(seed)
    policy = AutoModelForCausalLM.from_pretrained(str(model_path), dtype=torch.float32)
    reference = AutoModelForCausalLM.from_pretrained(str(model_path), dtype=torch.float32).eval()
    reference.requires_grad_(False)
    tokenizer = AutoTokenizer.from_pretrained(str(model_path))
    live = load_sampler(model_path, policy, seed)
    judge = make_judge(live)
    trainee = Trainee(policy, reference, tokenizer, torch.optim.AdamW(policy.parameters(), lr=learning_rate))
    result = OnlineResult()
    folder = None if work is None else Path(work) / "checkpoints"
    if folder is not None:
        result = _resume(folder, trainee)
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
            judged = judge_batch(judge, cache, step, batch, candidates, result)
            pairs = record_pairs(judged, source, result)
            loss = update(trainee, judged, pairs)
            if loss is not None:
                result.losses.append(loss)
            result.steps = step + 1
            if folder is not None and result.steps % spec.checkpoint_every == 0 and result.steps < spec.steps:
                _save(folder, result, trainee)
    finally:
        if cache is not None:
            cache.close()
    policy.save_pretrained(str(out_dir))
    tokenizer.save_pretrained(str(out_dir))
    return result


def judge_batch(
    judge: CandidateScorer,
    cache: CallCache | None,
    step: int,
    batch: Sequence[Prompt],
    candidates: Sequence[Sequence[Completion]],
    result: OnlineResult,
) -> list[Judged]:
    """The judge's verdicts on each prompt's candidates, from the cache where this step was judged before a crash;
    the calls are charged to `result` either way (asked or cached), so a resumed run spends what a straight one does."""
    cost = judge.calls([len(cs) for cs in candidates])
    key = stable_hash(judge.name, step, [(p.id, p.messages, [c.text for c in cs]) for p, cs in zip(batch, candidates)])
    stored = None if cache is None else cache.get(key)
    if stored is not None:
        verdicts = [[Judgment.model_validate(j) for j in row] for row in stored]
        result.judge_calls_cached += cost
    else:
        verdicts = judge.score_groups(list(zip(batch, candidates, strict=True)))
        if cache is not None:
            cache.put(key, [[j.model_dump(mode="json") for j in row] for row in verdicts])
        result.judge_calls_asked += cost
    result.judge_calls += cost
    result.judged_tokens += sum(c.prompt_tokens + c.completion_tokens for cs in candidates for c in cs)
    result.judgments += [j for row in verdicts for j in row]
    return [Judged(p, cs, js) for p, cs, js in zip(batch, candidates, verdicts, strict=True)]


def record_pairs(judged: Sequence[Judged], source: str, result: OnlineResult) -> list[PreferencePair]:
    """Each prompt's best-vs-worst pair by the judge (the offline sources' selection), kept in `result` with the
    reason of every prompt that gave none: DPO trains on them, and every method's judge is checked against gold
    on them."""
    pairs = []
    for group in judged:
        pair, reason = best_vs_worst(group.prompt, group.candidates, group.judgments, source)
        if pair is None:
            result.dropped[reason or "no_pair"] += 1
        else:
            pairs.append(pair)
    result.pairs += pairs
    return pairs


def _save(folder: Path, result: OnlineResult, trainee: Trainee) -> None:
    import torch

    path = folder / f"{PREFIX}{result.steps}"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    state = {"policy": trainee.policy.state_dict(), "optimizer": trainee.optimizer.state_dict()}
    torch.save({**state, "rng": torch.get_rng_state()}, path / "state.pt")
    write_jsonl(path / "pairs.jsonl", result.pairs)
    write_jsonl(path / "judgments.jsonl", result.judgments)
    bookkeeping = {k: v for k, v in vars(result).items() if k not in ("pairs", "judgments")}
    write_json_atomic(path / COMPLETE, {**bookkeeping, "dropped": dict(result.dropped)})  # last: marks it complete
    for old in folder.glob(f"{PREFIX}*"):
        if old != path:
            shutil.rmtree(old, ignore_errors=True)


def _resume(folder: Path, trainee: Trainee) -> OnlineResult:
    """The newest complete checkpoint loaded into the trainee; a fresh result when there is none."""
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
    trainee.policy.load_state_dict(state["policy"])
    trainee.optimizer.load_state_dict(state["optimizer"])
    torch.set_rng_state(state["rng"])
    saved = json.loads((latest / COMPLETE).read_text())
    result = OnlineResult(**{**saved, "dropped": Counter(saved["dropped"])})
    result.pairs = read_jsonl(latest / "pairs.jsonl", PreferencePair)
    result.judgments = read_jsonl(latest / "judgments.jsonl", Judgment)
    result.resumed_from_step = result.steps
    return result
