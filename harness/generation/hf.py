"""The `hf` generator: any causal LM that transformers can load, from a hub id or a local path.

Prompts are rendered with the tokenizer's chat template, sorted by length so each batch pads little,
left-padded (decoder-only models continue from the right edge), and sampled with a seed derived from
the batch's content, so the same prompts give the same completions whatever else is in the run.
With `max_batch_tokens`, a batch also stops growing at that many prompt positions (harness.generation.batch_plan:
long judge prompts read faster in smaller batches on a CPU; measured by benchmarks.perf.judge_readout).
With `share_prompt`, a batch's prompts are read once and their attention cache copied for each of the n samples
(generate would otherwise read every prompt n times: a third of the work for 40-token prompts and 48 new tokens).
With `batch_cache` (a SQLite file; the pipeline passes one under the run's results) every finished batch is
stored, and a rerun after a crash skips the batches already there (harness.generation.batches); score-token
probabilities (`next_token_probs`) are stored there per context, so a judge read twice is computed once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import Field

from harness.generation import GenerationParams, LocalGenerator, producer_id
from harness.generation.batch_plan import length_batches
from harness.generation.context import check_prompts_fit, context_length
from harness.hashing import seed_from, stable_hash
from harness.progress import NULL_PROGRESS, Progress
from harness.registry import generator
from harness.types import Completion, Prompt


def render_prompt(tokenizer: Any, prompt: Prompt) -> str:
    messages = [m.model_dump() for m in prompt.messages]
    if getattr(tokenizer, "chat_template", None):
        return tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    return "\n".join(m["content"] for m in messages) + "\n"


@dataclass
class HFGenerator(LocalGenerator):
    path: str
    batch_size: int = 64
    device: str = "auto"
    dtype: str = "auto"
    progress: Progress = NULL_PROGRESS
    revision: str | None = None
    batch_cache: str | None = None
    identity: str | None = None
    share_prompt: bool = False
    max_batch_tokens: int | None = None
    _model: Any = field(default=None, repr=False)
    _tokenizer: Any = field(default=None, repr=False)
    _batches: Any = field(default=None, repr=False)
    _batch_model_id: str | None = field(default=None, repr=False)

    @classmethod
    def over(cls, model: Any, tokenizer: Any, path: str, identity: str) -> HFGenerator:
        """A generator over a model already in memory (online training's policy, which changes as it trains),
        sampled as any hf model; `tokenizer` must pad on the left."""
        return cls(path=path, identity=identity, _model=model, _tokenizer=tokenizer)

    @property
    def spec_id(self) -> str:
        # A model the run trained is named by its stage key, not its folder: the same model in two results
        # folders must give byte-identical datasets (provenance included).
        return f"hf-{stable_hash(self.identity or self.path, self.revision)}"

    def load(self) -> tuple[Any, Any]:
        if self._model is None:
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer
            from transformers.utils import logging as hf_logging

            if not self.progress.verbose:
                hf_logging.disable_progress_bar()  # per-model "Loading weights" bars drown the stage log

            device = self.device
            if device == "auto":
                device = "cuda" if torch.cuda.is_available() else "cpu"
            dtype = self.dtype
            if dtype == "auto":
                dtype = torch.bfloat16 if device == "cuda" else torch.float32
            else:
                dtype = getattr(torch, dtype)
            tokenizer = AutoTokenizer.from_pretrained(self.path, revision=self.revision)
            tokenizer.padding_side = "left"
            if tokenizer.pad_token is None:
                tokenizer.pad_token = tokenizer.eos_token
            model = AutoModelForCausalLM.from_pretrained(self.path, revision=self.revision, dtype=dtype)
            # transformers types `to` as a wrapped method that takes the model first; it is the bound nn.Module.to
            self._model, self._tokenizer = model.to(device).eval(), tokenizer  # type: ignore[arg-type]
        return self._model, self._tokenizer

    @property
    def tokenizer(self) -> Any:
        return self.load()[1]

    def generate(self, prompts: Sequence[Prompt], params: GenerationParams) -> list[list[Completion]]:
        model, tokenizer = self.load()
        texts = [render_prompt(tokenizer, p) for p in prompts]
        encoded = [tokenizer(t, add_special_tokens=False)["input_ids"] for t in texts]
        # Before any generation: a prompt too long for the model is an error, never a silent truncation
        lengths = [len(ids) for ids in encoded]
        check_prompts_fit(prompts, lengths, params.max_new_tokens, context_length(model, tokenizer), self.path)
        producer = producer_id(self.spec_id, params)
        results: list[list[Completion]] = [[] for _ in prompts]
        reads = 1 if self.share_prompt and params.n > 1 else params.n  # rows a prompt pass reads per prompt
        batches = length_batches(lengths, self.batch_size, self.max_batch_tokens, reads)
        bar = self.progress.task(len(prompts), "prompt", "generate")
        for idx in batches:
            rows = self._batch([prompts[i].id for i in idx], [encoded[i] for i in idx], params)
            for row, (text, n_new) in enumerate(rows):
                i = idx[row // params.n]
                results[i].append(
                    Completion(
                        prompt_id=prompts[i].id,
                        text=text,
                        producer=producer,
                        sample=row % params.n,
                        prompt_tokens=len(encoded[i]),
                        completion_tokens=n_new,
                    )
                )
            bar.advance(len(idx))
        bar.close()
        return results

    def next_token_probs(self, prompts: Sequence[Prompt], prefix: str, options: Sequence[str]) -> list[list[float]]:
        """Per prompt, the probability of each option as the next token after the chat's answer prefix `prefix`
        (harness.generation.next_token): a judge's score distribution without sampling."""
        from harness.generation.next_token import option_token_ids

        model, tokenizer = self.load()
        prefix_ids, option_ids = option_token_ids(tokenizer, prefix, options)
        contexts = [
            tokenizer(render_prompt(tokenizer, p), add_special_tokens=False)["input_ids"] + prefix_ids for p in prompts
        ]
        check_prompts_fit(prompts, [len(c) for c in contexts], 1, context_length(model, tokenizer), self.path)
        with self.progress.task(len(contexts), "item", "score") as bar:
            return self._cached_probs(model, tokenizer, contexts, option_ids, bar.advance)

    def _cached_probs(
        self, model: Any, tokenizer: Any, contexts: list[list[int]], option_ids: list[int], done: Callable[[int], None]
    ) -> list[list[float]]:
        from harness.generation.next_token import next_token_probs

        if self.batch_cache is None:
            return next_token_probs(
                model, tokenizer, contexts, option_ids, max_tokens=self.max_batch_tokens, on_batch=done
            )
        batches, model_id, runtime = self._batch_store()
        keys = [batches.probs_key(model_id, runtime, option_ids, c) for c in contexts]
        found = batches.get_probs(keys)
        todo: dict[str, int] = {}  # one forward pass per distinct context not yet stored
        for i, key in enumerate(keys):
            if key not in found:
                todo.setdefault(key, i)
        done(len(keys) - len(todo))
        if todo:
            computed = next_token_probs(
                model,
                tokenizer,
                [contexts[i] for i in todo.values()],
                option_ids,
                max_tokens=self.max_batch_tokens,
                on_batch=done,
            )
            new = dict(zip(todo, computed))
            batches.put_probs(new)
            found.update(new)
        return [list(found[k]) for k in keys]

    def _batch_store(self) -> tuple[Any, str, str]:
        """The run's batch cache, this model's identity in it and its runtime (device and dtype, which move the
        numbers), opened on first use."""
        model, _ = self.load()
        if self._batches is None:
            from harness.generation.batches import BatchCache, model_identity

            assert self.batch_cache is not None  # callers ask for the store only when a batch cache is set
            self._batches = BatchCache(self.batch_cache)
            self._batch_model_id = model_identity(self.path, self.revision, model)
        return self._batches, self._batch_model_id, f"{model.device.type}:{model.dtype}"

    def _batch(
        self, prompt_ids: list[str], input_ids: list[list[int]], params: GenerationParams
    ) -> list[tuple[str, int]]:
        """(text, new tokens) per output row, prompt-major then sample; read from the batch cache when stored."""
        if self.batch_cache is None:
            return self._sample(prompt_ids, input_ids, params)
        batches, model_id, runtime = self._batch_store()
        key = batches.key(model_id, runtime, params, prompt_ids, input_ids)
        rows = batches.get(key)
        if rows is None:
            rows = self._sample(prompt_ids, input_ids, params)
            batches.put(key, rows)
        return rows

    def _sample(
        self, prompt_ids: list[str], input_ids: list[list[int]], params: GenerationParams
    ) -> list[tuple[str, int]]:
        import torch

        model, tokenizer = self.load()
        batch = tokenizer.pad({"input_ids": input_ids}, return_tensors="pt")
        batch = {k: v.to(model.device) for k, v in batch.items()}
        torch.manual_seed(seed_from(params.seed, prompt_ids))
        with torch.inference_mode():
            if self.share_prompt and params.n > 1 and batch["input_ids"].shape[1] > 1:
                batch["cache"] = self._prompt_cache(batch, params.n)
            out = model.generate(
                **batch,
                do_sample=not params.greedy,
                temperature=params.temperature if not params.greedy else None,
                top_p=params.top_p if not params.greedy else None,
                top_k=0 if not params.greedy else None,
                max_new_tokens=params.max_new_tokens,
                num_return_sequences=params.n,
                pad_token_id=tokenizer.pad_token_id,
                eos_token_id=tokenizer.eos_token_id,
            )
        new_tokens = out[:, batch["input_ids"].shape[1] :]
        decoded = tokenizer.batch_decode(new_tokens, skip_special_tokens=True)
        rows = []
        for row, text in enumerate(decoded):
            ids = new_tokens[row].tolist()
            n_new = ids.index(tokenizer.eos_token_id) + 1 if tokenizer.eos_token_id in ids else len(ids)
            rows.append((text.strip(), n_new))
        return rows

    def _prompt_cache(self, batch: dict[str, Any], n: int) -> Any:
        """The attention cache of every prompt but its last token, read once and repeated for n samples; generate
        then feeds only the last token (it resumes from a cache given the full input ids)."""
        from transformers import DynamicCache

        model, _ = self.load()
        ids, mask = batch["input_ids"], batch["attention_mask"]
        positions = (mask.cumsum(-1) - 1).masked_fill(mask == 0, 0)  # as generate numbers left-padded rows
        cache = DynamicCache(config=model.config)
        model(
            input_ids=ids[:, :-1],
            attention_mask=mask[:, :-1],
            position_ids=positions[:, :-1],
            cache=cache,
            use_cache=True,
            logits_to_keep=1,
        )
        cache.batch_repeat_interleave(n)
        return cache


@generator("hf")
def hf(
    path: Annotated[
        str, Field(description="Hugging Face id or local model directory; set from the recipe model's `path`")
    ],
    batch_size: Annotated[int, Field(description="prompts per generate() call")] = 64,
    device: Annotated[
        str, Field(description="torch device (cpu, cuda, cuda:1); auto = CUDA when available, else CPU")
    ] = "auto",
    dtype: Annotated[
        str,
        Field(description="torch dtype by name (float32, bfloat16, float16); auto = bfloat16 on CUDA, else float32"),
    ] = "auto",
    progress: Annotated[
        Progress, Field(description="where each batch is reported; a run passes its display, never a recipe")
    ] = NULL_PROGRESS,
    revision: Annotated[str | None, Field(description="hub revision (branch, tag or commit) of `path`")] = None,
    batch_cache: Annotated[
        str | None,
        Field(
            description="SQLite file where finished batches are kept, so a rerun after a crash "
            "regenerates only the batch in flight; runs set it beside their results"
        ),
    ] = None,
    identity: Annotated[
        str | None,
        Field(
            description="the model's name in provenance; runs set a trained model's stage key, "
            "so moving a results folder does not rename it"
        ),
    ] = None,
    share_prompt: Annotated[
        bool,
        Field(
            description="read each prompt once for its n samples (faster for n > 1; off by "
            "default: the different summation order may flip a rare sampled token)"
        ),
    ] = False,
    max_batch_tokens: Annotated[
        int | None,
        Field(
            description="also cap each batch's rows x longest prompt, e.g. 8192 for long judge "
            "prompts on a CPU; null = no cap"
        ),
    ] = None,
) -> HFGenerator:
    """A transformers causal LM from a Hugging Face id or a local directory, sampled in length-sorted batches.

    `share_prompt` and `max_batch_tokens` are off by default because either may change which rare token is
    sampled, and the sandbox demo's numbers must not move."""
    return HFGenerator(
        path=path,
        batch_size=batch_size,
        device=device,
        dtype=dtype,
        progress=progress,
        revision=revision,
        batch_cache=batch_cache,
        identity=identity,
        share_prompt=share_prompt,
        max_batch_tokens=max_batch_tokens,
    )
