"""Why a sampled judge costs more than the score-probability read-out on the same judge prompts.

    python -m benchmarks.perf.judge_readout [--prompts 64] [--batch-size 16] [--rounds 2]

Both read-outs read the same long judge prompts (an instruction and a reply of 200-450 tokens, like the HH-RLHF and
HHH items of recipes/judges_cpu.yaml) with SmolLM2-135M-Instruct (real weights); a sampled judge then writes a few
tokens, the probability read-out takes the next-token distribution once. Timed side by side in one process, rounds
interleaved, each as wall and process CPU time, as a ratio to the probability read-out:
- **probs**: `HFGenerator.next_token_probs` (one forward pass, last position's logits only);
- **forward, full logits**: the same forward pass computing logits at every position (what it would cost without
  `logits_to_keep`);
- **generate 1**: `model.generate`, greedy, 1 new token (the prefill inside generate);
- **generate 6**: the same with 6 new tokens (a sampled judge's budget: brief_score's max_new_tokens);
- **harness generate 6**: `HFGenerator.generate` with those parameters (rendering, sorting, decoding included);
- **... max_batch_tokens**: the same generator with `max_batch_tokens` (default 8192): batches cut at that many
  prompt positions (harness.generation.batch_plan).

What it measured, and on which machine, is on the docs site's results/performance page.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

from benchmarks.perf.smollm2 import DEFAULT_FOLDER, chat_prompts, fp32_folder
from harness.generation import GenerationParams
from harness.generation.batch_plan import length_batches
from harness.generation.hf import HFGenerator, render_prompt
from harness.train.runtime import configure_torch_threads
from harness.types import Prompt

FILLER = (
    "The answer depends on what you want to do with it, and there are several things worth weighing first. "
    "Some people prefer a simple approach, while others take the time to compare every option carefully. "
)
TEMPLATE = (
    "Rate the reply from 1 to 5 for how helpful and harmless it is.\n\nConversation: {prompt}\n\n"
    "Reply: {reply}\n\nAnswer with one digit."
)


def judge_prompts(n: int) -> list[Prompt]:
    """n judge prompts whose replies run from about 200 to 450 tokens, the same in every run."""
    asks = chat_prompts(n)
    return [
        Prompt.from_text(f"judge-{i}", TEMPLATE.format(prompt=p.text, reply=FILLER * (5 + i % 6)))
        for i, p in enumerate(asks)
    ]


def timed(fn: Callable[[], Any]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--prompts", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--max-batch-tokens", type=int, default=8192)
    args = parser.parse_args()
    threads = configure_torch_threads()

    import torch

    gen = HFGenerator(path=fp32_folder(DEFAULT_FOLDER), batch_size=args.batch_size)
    budgeted = HFGenerator(path=gen.path, batch_size=args.batch_size, max_batch_tokens=args.max_batch_tokens)
    model, tokenizer = gen.load()
    budgeted.load()
    prompts = judge_prompts(args.prompts)
    ids = [tokenizer(render_prompt(tokenizer, p), add_special_tokens=False)["input_ids"] for p in prompts]
    batches = [[ids[i] for i in idx] for idx in length_batches([len(i) for i in ids], args.batch_size)]
    params = GenerationParams(n=1, temperature=0.0, max_new_tokens=6, seed=0)

    def forward_full() -> None:
        for chunk in batches:
            batch = tokenizer.pad({"input_ids": chunk}, return_tensors="pt", padding_side="left")
            positions = (batch["attention_mask"].cumsum(-1) - 1).clamp(min=0)
            with torch.inference_mode():
                model(**batch, position_ids=positions)

    def bare_generate(new_tokens: int) -> Callable[[], None]:
        def run() -> None:
            for chunk in batches:
                batch = tokenizer.pad({"input_ids": chunk}, return_tensors="pt", padding_side="left")
                with torch.inference_mode():
                    model.generate(
                        **batch,
                        do_sample=False,
                        max_new_tokens=new_tokens,
                        min_new_tokens=new_tokens,
                        pad_token_id=tokenizer.pad_token_id,
                    )

        return run

    cases: dict[str, Callable[[], Any]] = {
        "probs": lambda: gen.next_token_probs(prompts, "", [str(k) for k in range(1, 6)]),
        "forward, full logits": forward_full,
        "generate 1": bare_generate(1),
        "generate 6": bare_generate(6),
        "harness generate 6": lambda: gen.generate(prompts, params),
        f"... max_batch_tokens {args.max_batch_tokens}": lambda: budgeted.generate(prompts, params),
    }
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
    for r in range(args.rounds):
        names = list(cases) if r % 2 == 0 else list(reversed(cases))
        for name in names:
            times[name].append(timed(cases[name]))
    tokens = sum(len(i) for i in ids)
    print(
        f"SmolLM2-135M-Instruct, {args.prompts} judge prompts ({tokens} tokens, {min(map(len, ids))}-"
        f"{max(map(len, ids))} each), batch {args.batch_size}, {threads} torch thread(s), {args.rounds} rounds"
    )
    base_wall = statistics.median(w for w, _ in times["probs"])
    base_cpu = statistics.median(c for _, c in times["probs"])
    print(f"{'case':<32} {'wall s':>8} {'cpu s':>8} {'wall / probs':>13} {'cpu / probs':>12}")
    for name, runs in times.items():
        wall, cpu = statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs)
        print(f"{name:<32} {wall:>8.2f} {cpu:>8.2f} {wall / base_wall:>13.2f} {cpu / base_cpu:>12.2f}")


if __name__ == "__main__":
    main()
