"""`--smoke`: any recipe, shrunk to run on CPU in minutes, so a recipe is checked before GPU time is paid for.

What changes (every change is logged as a `[smoke]` line):
- every local model (`hf`, `vllm`) becomes a tiny randomly initialised model of the same architecture family
  (Qwen2, Llama, Phi), built here and cached in the stage store, with a byte-level tokenizer that has a chat
  template. The family comes from the model's local config.json, else its hub id, else `smoke.families`;
- every API model (`openai`, `gemini`) is served by a local OpenAI/Gemini-compatible server on 127.0.0.1
  (harness/local_api/server.py) for the length of the run;
- prompt counts, samples, training steps, lengths and max_new_tokens are capped;
- prompt sets on the hub (`hf:...`) are replaced by the sandbox's prompts;
- the recipe is renamed `<name>-smoke`, so its results never mix with real ones.

Nothing of the recipe's structure changes: the same sources, stages, rows and evaluation run.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.hashing import seed_from
from harness.recipes.loader import Recipe, RecipeError, check_references

LOCAL_GENERATORS = ("hf", "vllm")
API_GENERATORS = ("openai", "gemini")
FAMILIES = {"qwen2": "Qwen2ForCausalLM", "llama": "LlamaForCausalLM", "phi": "PhiForCausalLM"}
MODEL_TYPES = {"qwen2": "qwen2", "llama": "llama", "phi": "phi"}  # config.json model_type -> family
ID_MARKERS = (("qwen", "qwen2"), ("llama", "llama"), ("phi-2", "phi"), ("phi-1", "phi"))
SMOKE_KEY_ENV = "HARNESS_SMOKE_API_KEY"  # the local server accepts any key; the generators still want one

CAPS = {
    "feedback.prompts": 4,
    "candidates": 2,
    "max_new_tokens": 16,
    "evaluation.prompts": 4,
    "evaluation.samples": 2,
    "demonstrations": 8,
    "judging_examples": 8,
    "rmsp.prompts": 4,
    "steps": 2,
    "batch": 2,
    "max_length": 256,
    "pg.n_prompts": 4,
    "pg.max_rounds": 2,
    "pg.batch_size": 4,
}
TINY = {
    "hidden_size": 64,
    "intermediate_size": 128,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "max_position_embeddings": 16384,
}


def infer_family(name: str, path: str, hints: dict[str, str]) -> str:
    """Qwen2, Llama or Phi: from a local config.json, else the hub id, else the recipe's `smoke.families`."""
    config = Path(path).expanduser() / "config.json"
    if config.is_file():
        model_type = json.loads(config.read_text(encoding="utf-8")).get("model_type", "")
        if model_type in MODEL_TYPES:
            return MODEL_TYPES[model_type]
    else:
        lowered = path.lower()
        for marker, family in ID_MARKERS:
            if marker in lowered and "phi-3" not in lowered and "phi3" not in lowered:
                return family
    if name in hints:
        return hints[name]
    raise RecipeError(
        f"models.{name}.path: --smoke cannot tell the architecture family of {path!r}; set "
        f"smoke.families.{name} to one of {', '.join(FAMILIES)}"
    )


@dataclass
class SmokePlan:
    data: dict[str, Any]  # the capped recipe, model paths not yet replaced
    families: dict[str, str] = field(default_factory=dict)  # local model -> family
    api_models: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _cap(node: dict[str, Any], key: str, limit: int, where: str, notes: list[str]) -> None:
    if key in node and node[key] is not None and node[key] > limit:
        notes.append(f"{where}.{key}: {node[key]} -> {limit}")
        node[key] = limit


def _cap_train(spec: dict[str, Any], where: str, notes: list[str]) -> None:
    spec["max_steps"] = CAPS["steps"]
    spec["warmup_ratio"] = 0.0
    spec["logging_steps"] = 1
    spec["gradient_accumulation_steps"] = 1
    _cap(spec, "per_device_train_batch_size", CAPS["batch"], where, notes)
    _cap(spec, "max_length", CAPS["max_length"], where, notes)
    notes.append(f"{where}: {CAPS['steps']} optimizer steps")


def _cap_sft(sft: dict[str, Any], where: str, notes: list[str]) -> None:
    _cap(sft, "demonstrations", CAPS["demonstrations"], where, notes)
    _cap(sft, "judging_examples", CAPS["judging_examples"], where, notes)
    _cap_train(sft["train"], f"{where}.train", notes)


def plan_smoke(recipe: Recipe) -> SmokePlan:
    """The rewrite, decided without building anything (so `validate --smoke` can show it)."""
    data = recipe.model_dump(mode="json")
    plan = SmokePlan(data=data)
    notes = plan.notes
    data["name"] = f"{recipe.name}-smoke"
    notes.append(f"recipe name: {recipe.name} -> {data['name']} (results kept apart from real runs)")
    for name, spec in recipe.models.items():
        if spec.path is not None and spec.generator in LOCAL_GENERATORS:
            plan.families[name] = infer_family(name, spec.path, recipe.smoke.families)
            notes.append(f"models.{name}: {spec.path} -> tiny random {FAMILIES[plan.families[name]]}")
        elif spec.path is not None and spec.generator in API_GENERATORS:
            plan.api_models.append(name)
            notes.append(f"models.{name}: {spec.generator} API model {spec.path} -> local server on 127.0.0.1")
        if data["models"][name].get("sft"):
            _cap_sft(data["models"][name]["sft"], f"models.{name}.sft", notes)
    _cap_sft(data["sft"], "sft", notes)
    _cap(data["feedback"], "prompts", CAPS["feedback.prompts"], "feedback", notes)
    _cap(data["feedback"]["candidates"], "n", CAPS["candidates"], "feedback.candidates", notes)
    _cap(data["feedback"]["candidates"], "max_new_tokens", CAPS["max_new_tokens"], "feedback.candidates", notes)
    ev = data["evaluation"]
    _cap(ev, "prompts", CAPS["evaluation.prompts"], "evaluation", notes)
    _cap(ev, "samples", CAPS["evaluation.samples"], "evaluation", notes)
    _cap(ev, "max_new_tokens", CAPS["max_new_tokens"], "evaluation", notes)
    ev["bootstrap"] = 100
    _cap_train(data["dpo"], "dpo", notes)
    _cap_train(data["judge_quality"]["reward_train"], "judge_quality.reward_train", notes)
    if data.get("rmsp"):
        _cap(data["rmsp"], "prompts", CAPS["rmsp.prompts"], "rmsp", notes)
        _cap(data["rmsp"], "samples", CAPS["candidates"], "rmsp", notes)
        _cap_train(data["rmsp"]["train"], "rmsp.train", notes)
    for source, params in data["source_params"].items():
        _cap_source(source, params, notes)
    if data["benchmark"]["name"] == "prompt_sets":
        from benchmarks.prompt_sets import is_hub

        for split, spec in list(data["benchmark"]["params"].items()):
            if isinstance(spec, str) and is_hub(spec):
                data["benchmark"]["params"][split] = "sandbox"
                notes.append(f"benchmark.params.{split}: {spec} lives on the hub -> local sandbox prompts")
    return plan


def _cap_source(source: str, params: dict[str, Any], notes: list[str]) -> None:
    where = source
    if isinstance(params.get("generation"), dict):
        _cap(params["generation"], "max_new_tokens", CAPS["max_new_tokens"], f"{where}.generation", notes)
    pg = params.get("prompt_generation")
    if isinstance(pg, dict):
        _cap(pg, "n_prompts", CAPS["pg.n_prompts"], f"{where}.prompt_generation", notes)
        _cap(pg, "max_rounds", CAPS["pg.max_rounds"], f"{where}.prompt_generation", notes)
        _cap(pg, "batch_size", CAPS["pg.batch_size"], f"{where}.prompt_generation", notes)
        sampling = pg.setdefault("sampling", {})
        _cap(sampling, "max_new_tokens", CAPS["max_new_tokens"], f"{where}.prompt_generation.sampling", notes)
    for name, config in (params.get("configurations") or {}).items():
        # one demonstration keeps few-shot prompts within what a tiny model attends over on CPU
        if isinstance(config, dict) and config.get("shots", 0) > 1:
            notes.append(f"{where}.configurations.{name}.shots: {config['shots']} -> 1")
            config["shots"] = 1
    # Random tiny models write a few bytes; a length floor would drop every answer (and PG prompt) and leave
    # the stages after it untested.
    if "configurations" in params and params.get("min_length", 0) != 1:
        notes.append(f"{where}.min_length: {params.get('min_length', 'default')} -> 1")
        params["min_length"] = 1
    if "configurations" in params and params.get("bad_filters") != []:
        notes.append(f"{where}.bad_filters: {params.get('bad_filters', 'default')} -> [] (random bytes fail them all)")
        params["bad_filters"] = []
    if isinstance(pg, dict) and pg.get("min_length") != 1:
        notes.append(f"{where}.prompt_generation.min_length: {pg.get('min_length', 'default')} -> 1")
        pg["min_length"] = 1


# --- building ---------------------------------------------------------------------------------------------


def build_tokenizer() -> Any:
    """One token per byte (Qwen2-style byte-level alphabet) plus the sandbox's special and role tokens and chat
    template. Byte-level on purpose: AutoTokenizer loads a directory with a Qwen2 config.json as Qwen2Tokenizer,
    which rebuilds a byte-level pre-tokenizer; with one token per byte and no merges that rebuild gives the
    same ids, where a character-level vocabulary would lose every space."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    from benchmarks.sandbox.tokenizer import BOS, CHAT_TEMPLATE, EOS, PAD, ROLE_MARKERS, SPECIAL_TOKENS, UNK

    vocab = {t: i for i, t in enumerate((*SPECIAL_TOKENS, *sorted(pre_tokenizers.ByteLevel.alphabet())))}
    core = Tokenizer(models.BPE(vocab=vocab, merges=[], unk_token=UNK))
    core.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)
    core.decoder = decoders.ByteLevel()
    core.add_special_tokens(list(SPECIAL_TOKENS))
    return PreTrainedTokenizerFast(
        tokenizer_object=core,
        bos_token=BOS,
        eos_token=EOS,
        pad_token=PAD,
        unk_token=UNK,
        additional_special_tokens=list(ROLE_MARKERS.values()),
        chat_template=CHAT_TEMPLATE,
        model_max_length=TINY["max_position_embeddings"],
        padding_side="left",
    )


def tiny_config(family: str, tokenizer: Any) -> Any:
    import transformers

    ids = {
        "vocab_size": len(tokenizer),
        "bos_token_id": tokenizer.bos_token_id,
        "eos_token_id": tokenizer.eos_token_id,
        "pad_token_id": tokenizer.pad_token_id,
    }
    if family == "phi":
        dims = {k: v for k, v in TINY.items() if k != "num_key_value_heads"}
        return transformers.PhiConfig(**dims, **ids, partial_rotary_factor=0.5)
    cls = {"qwen2": transformers.Qwen2Config, "llama": transformers.LlamaConfig}[family]
    return cls(**TINY, **ids, tie_word_embeddings=True)


def build_tiny_model(family: str, seed: int, out: Path) -> None:
    import torch
    from transformers import AutoModelForCausalLM

    tokenizer = build_tokenizer()
    torch.manual_seed(seed)
    model = AutoModelForCausalLM.from_config(tiny_config(family, tokenizer))
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)


def tiny_model(store: Any, name: str, path: str, family: str) -> str:
    """A tiny model for `name`, cached in the stage store; each original model gets its own weights."""
    seed = seed_from("smoke", name, path) % 2**31
    config = {"family": family, "dims": TINY, "tokenizer": "bytes-v1", "seed": seed}
    result = store.run(
        "smoke_model", config, [], lambda out: build_tiny_model(family, seed, out / "model") or {"family": family}
    )
    return str(result.path / "model")


@contextmanager
def smoke_session(recipe: Recipe, results: str | Path, log: Callable[[str], None] = print) -> Iterator[Recipe]:
    """The smoke recipe, its tiny models built and its local API server running until the block ends."""
    from harness.local_api.rules import smoke_rule
    from harness.local_api.server import FakeLLMServer
    from harness.run.store import StageStore

    plan = plan_smoke(recipe)
    data, store = plan.data, StageStore(Path(results) / "store")
    for name, family in plan.families.items():
        spec = data["models"][name]
        spec.update(path=tiny_model(store, name, spec["path"], family), generator="hf", generator_params={})
        plan.notes.append(f"models.{name}: tiny model at {spec['path']}")
    server = FakeLLMServer(answer=smoke_rule).start() if plan.api_models else None
    had_key = os.environ.get(SMOKE_KEY_ENV)
    try:
        if server is not None:
            os.environ[SMOKE_KEY_ENV] = "smoke"  # not a secret: the local server checks no key
            for name in plan.api_models:
                spec = data["models"][name]
                url = server.openai_base_url if spec["generator"] == "openai" else server.url
                spec["generator_params"] = {**spec["generator_params"], "base_url": url, "api_key_env": SMOKE_KEY_ENV}
                plan.notes.append(f"models.{name}: served at {url}")
        for note in plan.notes:
            log(f"[smoke] {note}")
        smoke = Recipe.model_validate(data)
        check_references(smoke, where="--smoke")
        yield smoke
    finally:
        if server is not None:
            server.stop()
        if had_key is None:
            os.environ.pop(SMOKE_KEY_ENV, None)
        else:
            os.environ[SMOKE_KEY_ENV] = had_key


def validate_smoke(recipe: Recipe) -> list[str]:
    """`validate --smoke`: the rewrite as it would run (hub ids kept, nothing built or served)."""
    plan = plan_smoke(recipe)
    check_references(Recipe.model_validate(plan.data), where="--smoke")
    return plan.notes
