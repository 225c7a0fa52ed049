"""Offline batched generation with vLLM (optional extra `vllm`, GPU only).

vLLM is imported only when this backend is built, so registering it costs nothing; without the extra the
error names it. The engine is created on the first `generate`, so building a recipe loads no weights.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from typing import Annotated, Any

from pydantic import Field

from harness.generation import GenerationParams, LocalGenerator, producer_id
from harness.hashing import seed_from, stable_hash
from harness.registry import generator
from harness.types import Completion, Prompt

INSTALL_HINT = "pip install 'feedback-harness[vllm]' (needs a CUDA GPU)"


class MissingExtraError(ImportError):
    pass


class VLLMGenerator(LocalGenerator):
    def __init__(self, model: str, engine_args: dict[str, Any]):
        self.model = model
        self.engine_args = engine_args
        # Tensor parallelism and memory settings change where the model runs, not what it says.
        identity = {k: v for k, v in engine_args.items() if k in ("dtype", "max_model_len", "seed")}
        self.spec_id = f"vllm-{stable_hash('vllm', model, identity)}"
        self._llm: Any = None

    def _engine(self) -> Any:
        if self._llm is None:
            from vllm import LLM

            self._llm = LLM(model=self.model, **self.engine_args)
        return self._llm

    def generate(self, prompts: Sequence[Prompt], params: GenerationParams) -> list[list[Completion]]:
        from vllm import SamplingParams

        llm = self._engine()
        tokenizer = llm.get_tokenizer()
        texts = [
            tokenizer.apply_chat_template(
                [m.model_dump() for m in p.messages], tokenize=False, add_generation_prompt=True
            )
            for p in prompts
        ]
        sampling = SamplingParams(
            n=params.n,
            temperature=params.temperature,
            top_p=params.top_p,
            max_tokens=params.max_new_tokens,
            seed=seed_from(params.seed) if not params.greedy else None,
        )
        producer = producer_id(self.spec_id, params)
        # Token ids, not text: the chat template already placed BOS, and vLLM would add a second one to text.
        token_prompts = [{"prompt_token_ids": tokenizer(t, add_special_tokens=False)["input_ids"]} for t in texts]
        results = llm.generate(token_prompts, sampling)
        return [
            [
                Completion(
                    prompt_id=prompt.id,
                    text=output.text,
                    producer=producer,
                    sample=i,
                    prompt_tokens=len(result.prompt_token_ids or ()),
                    completion_tokens=len(output.token_ids),
                )
                for i, output in enumerate(result.outputs)
            ]
            for prompt, result in zip(prompts, results)
        ]


@generator("vllm")
def vllm_generator(
    model: Annotated[str, Field(description="Hugging Face id or local directory; set from the recipe model's `path`")],
    tensor_parallel_size: Annotated[int, Field(description="GPUs one model is split over")] = 1,
    dtype: Annotated[str, Field(description="auto (the checkpoint's), bfloat16, float16, float32")] = "auto",
    gpu_memory_utilization: Annotated[float, Field(description="share of each GPU's memory vLLM may take")] = 0.9,
    max_model_len: Annotated[int | None, Field(description="context length; null = the model's own")] = None,
    seed: Annotated[int, Field(description="the engine's sampling seed")] = 0,
) -> VLLMGenerator:
    """vLLM offline engine (`LLM.generate`); tensor_parallel_size comes from the recipe."""
    if importlib.util.find_spec("vllm") is None:
        raise MissingExtraError(f"vllm generator {model!r}: the optional extra `vllm` is not installed; {INSTALL_HINT}")
    if tensor_parallel_size < 1:
        raise ValueError(f"vllm generator {model!r}: tensor_parallel_size must be >= 1 (got {tensor_parallel_size})")
    engine_args: dict[str, Any] = {
        "tensor_parallel_size": tensor_parallel_size,
        "dtype": dtype,
        "gpu_memory_utilization": gpu_memory_utilization,
        "seed": seed,
    }
    if max_model_len is not None:
        engine_args["max_model_len"] = max_model_len
    return VLLMGenerator(model, engine_args)
