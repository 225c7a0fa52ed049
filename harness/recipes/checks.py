"""What pydantic cannot check in a recipe: registered names, the models each source declares it reads, judge
prompts, generator parameters against the backend's signature, rows named outside `sources`, online sources without
a judge (`FeedbackSource.trains_online`), what stages and sources need of the benchmark
(`FeedbackSource.benchmark_needs`), and model paths on disk. Each problem is one line naming the field."""

from __future__ import annotations

import difflib
import inspect
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import TypeAdapter, ValidationError

from harness.generation.remote_settings import parse_settings
from harness.judging.prompt_folders import PROMPT_KEYS, load_judge_prompt
from harness.recipes.schema import ModelSpec, Recipe, RecipeError, first_error
from harness.run.names import M1, parse_row, rmsp_model, teacher_sft_model

if TYPE_CHECKING:
    from harness.feedback import FeedbackSource


def check_references(recipe: Recipe, where: str) -> None:
    """What pydantic cannot see: registered names, source parameters and model paths on disk."""
    from harness.registry import RegistryError, benchmarks, generators

    check_source_prompts(recipe, where)
    try:
        benchmarks.get(recipe.benchmark.name)
        for spec in recipe.models.values():
            generators.get(spec.generator)
        check_generator_params(recipe.models, where)
        sources: dict[str, FeedbackSource] = {}
        for name in recipe.sources:
            try:
                sources[name] = built = build_source(recipe, name)
            except RecipeError as exc:
                raise RecipeError(f"{where}: {exc}") from None
            for use in built.model_uses():
                if use.model not in recipe.models:
                    raise RecipeError(
                        f"{where}: {name}.{use.field}: model {use.model!r} is not in models "
                        f"({', '.join(recipe.models)}); add it or fix the name"
                    )
            if recipe.online is not None and name in recipe.online.sources and not built.trains_online:
                raise RecipeError(
                    f"{where}: online.sources: {name!r} ({recipe.source_type(name)}) has no judge over the policy's "
                    "candidates to train online with; list a judge-backed source (oracle, noisy_oracle, "
                    "self_reward, llm_judge, judged) or remove it"
                )
    except RegistryError as exc:
        raise RecipeError(f"{where}: {exc}") from None
    _check_benchmark_params(recipe, where)
    _check_evaluation_judge(recipe, where)
    check_stage_needs(recipe, where, sources)
    _check_generator_needs(recipe, where, sources)
    _check_judge_prompts(recipe, where)
    _check_named_rows(recipe, where)
    check_model_files(recipe.models, where)


def check_model_files(models: Mapping[str, ModelSpec], where: str) -> None:
    """Each model's GGUF file is found, and an `hf` model's local path exists (a hub id is checked elsewhere)."""
    for name, spec in models.items():
        if spec.gguf is not None:
            from harness.steps.model_import import ModelImportError, locate_gguf

            try:
                locate_gguf(spec.gguf)
            except ModelImportError as exc:
                raise RecipeError(f"{where}: models.{name}.gguf: {exc}") from None
        if spec.generator == "hf" and spec.path is not None and looks_local(spec.path) and not Path(spec.path).exists():
            raise RecipeError(
                f"{where}: models.{name}.path: {spec.path!r} does not exist; "
                "give an existing directory or a Hugging Face id like 'org/name'"
            )


def check_source_prompts(recipe: Recipe, where: str) -> None:
    """Each listed source's judge prompt keys (`prompt`, `judge_prompt`, as the loader resolved them) name a prompt
    folder that loads; a judged source's prompted judge reads its prompt only when the run reaches it."""
    for name in recipe.sources:
        for key, value in recipe.source_kwargs(name).items():
            if key in PROMPT_KEYS and isinstance(value, str):
                try:
                    load_judge_prompt(value)
                except ValueError as exc:
                    raise RecipeError(f"{where}: {name}.{key}: {exc}") from None


def check_generator_params(models: Mapping[str, ModelSpec], where: str) -> None:
    """Each model's `generator_params` against its backend's signature, as the run will call it: an unknown or
    misspelt name, one the harness sets itself, or a value of the wrong type is an error here, not at model build."""
    from harness.registry import generators

    for name, spec in models.items():
        accepts = generators.get(spec.generator).parameters
        hints = _type_hints(generators.get(spec.generator).factory)
        open_ended = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in accepts.values())
        named = [p for p, v in accepts.items() if v.kind is not inspect.Parameter.VAR_KEYWORD and p not in SET_BY_RUN]
        for key, value in spec.generator_params.items():
            field = f"models.{name}.generator_params.{key}"
            if key in SET_BY_HARNESS and key in accepts:
                raise RecipeError(f"{where}: {field}: set from the model's own fields (path/gguf); remove it here")
            if key in SET_BY_RUN and key in accepts:
                raise RecipeError(f"{where}: {field}: the run passes its own {key} display; remove it here")
            if key not in accepts and not open_ended:
                close = difflib.get_close_matches(key, named, n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                raise RecipeError(
                    f"{where}: {field}: backend {spec.generator!r} takes no such parameter; {hint}"
                    f"it takes {', '.join(p for p in named if p not in SET_BY_HARNESS)}"
                )
            if key not in accepts:
                continue  # an open-ended backend's own keywords: checked below as a whole
            if key in hints:
                try:
                    TypeAdapter(hints[key]).validate_python(value)
                except ValidationError as exc:
                    msg = exc.errors()[0]["msg"]
                    raise RecipeError(f"{where}: {field}: {msg} (got {value!r}); fix the value") from None

        extra = {k: v for k, v in spec.generator_params.items() if k not in accepts}
        if extra and REMOTE_KEYWORDS in accepts:
            try:
                parse_settings(f"models.{name}.generator_params", extra)
            except ValueError as exc:
                raise RecipeError(f"{where}: {exc}") from None


# A remote backend's `**remote` keywords are RemoteSettings fields (harness/generation/remote_settings.py)
REMOTE_KEYWORDS = "remote"
# The parameters a run fills from the model spec (harness/run/generators.py), never from generator_params
SET_BY_HARNESS = ("path", "model")
# Objects a run hands every generator it builds (harness/run/generators.py): not recipe values
SET_BY_RUN = ("progress",)


def _type_hints(factory: Any) -> dict[str, Any]:
    try:
        return typing.get_type_hints(factory)
    except (NameError, TypeError):  # a plug-in's annotation that does not resolve: its names are still checked
        return {}


def _check_benchmark_params(recipe: Recipe, where: str) -> None:
    # Loaders read nothing at construction, so building one here only checks its parameters.
    from harness.registry import benchmarks

    try:
        benchmarks.build(recipe.benchmark.name, **recipe.benchmark.params)
    except ValidationError as exc:
        raise RecipeError(f"{where}: benchmark.params.{first_error(exc)}") from None
    except TypeError as exc:
        raise RecipeError(f"{where}: benchmark.params: {exc}; check the benchmark's parameters") from None
    except FileNotFoundError as exc:  # a public set whose data is not where it looks
        raise RecipeError(f"{where}: benchmark: {exc}") from None


def check_stage_needs(recipe: Recipe, where: str, sources: Mapping[str, FeedbackSource]) -> None:
    """Every stage gets what it needs of the benchmark (harness/recipes/stage_needs.py): SFT demonstrations, judging
    examples, a pretraining corpus, and what each of the built `sources` declares (a gold grader, demonstrations)."""
    from harness.recipes.stage_needs import unmet_need
    from harness.registry import benchmarks

    bench = benchmarks.build(recipe.benchmark.name, **recipe.benchmark.params)
    problem = unmet_need(recipe, bench, sources)
    if problem is not None:
        raise RecipeError(f"{where}: {problem}")


def _check_generator_needs(recipe: Recipe, where: str, sources: Mapping[str, FeedbackSource]) -> None:
    """Each source's declared generator needs (`FeedbackSource.generator_needs`) against its model's backend."""
    for name, built in sources.items():
        for need in built.generator_needs():
            model = need.model or recipe.policy
            if model not in recipe.models:
                continue  # a model not in `models` was named by the model_uses check
            whose = f"model {model!r}" if need.model else f"the policy {model!r}"
            field = f"{name}.{need.field}" if need.field else name
            problem = generator_lacks(field, whose, recipe.models[model].generator, need.need, need.fix)
            if problem is not None:
                raise RecipeError(f"{where}: {problem}")


def generator_lacks(field: str, whose: str, backend: str, need: type, fix: str) -> str | None:
    """ "<field>: needs <capability> of <whose>, and its backend <backend> gives none; <fix>" where the class the
    backend's factory declares it returns lacks `need` (a generator capability protocol); None where it has it, or
    declares no class (a plug-in's generator is then checked by the judge when it is built)."""
    from harness.generation.next_token import GENERATOR_CAPABILITIES
    from harness.registry import generators

    returned = _type_hints(generators.get(backend).factory).get("return")
    if not inspect.isclass(returned) or issubclass(returned, need):
        return None
    named = GENERATOR_CAPABILITIES.get(need, need.__name__)
    return f"{field}: needs {named} of {whose}, and its backend {backend!r} gives none; {fix}"


def _check_evaluation_judge(recipe: Recipe, where: str) -> None:
    from harness.registry import benchmarks

    judge = recipe.evaluation.judge
    if judge is None:
        bench = benchmarks.build(recipe.benchmark.name, **recipe.benchmark.params)
        if bench.grader() is None:
            raise RecipeError(
                f"{where}: evaluation.judge: benchmark {recipe.benchmark.name!r} has no gold grader, so "
                "evaluation needs a judge; add evaluation: {judge: {model: <name in models>, "
                "prompt: pairwise_abc}}"
            )
        return
    if judge.model not in recipe.models:
        raise RecipeError(
            f"{where}: evaluation.judge.model: {judge.model!r} is not in models "
            f"({', '.join(recipe.models)}); add it or fix the name"
        )
    try:
        spec = load_judge_prompt(judge.prompt)
    except ValueError as exc:
        raise RecipeError(f"{where}: evaluation.judge.prompt: {exc}") from None
    if spec.kind != "pairwise":
        raise RecipeError(
            f"{where}: evaluation.judge.prompt: {judge.prompt!r} is a {spec.kind} prompt; "
            "use a pairwise one such as pairwise_abc"
        )


def _check_judge_prompts(recipe: Recipe, where: str) -> None:
    stages = [("sft", recipe.sft)] + [(f"models.{n}.sft", m.sft) for n, m in recipe.models.items() if m.sft]
    for field, stage in stages:
        try:
            load_judge_prompt(stage.judge_prompt)
        except ValueError as exc:
            raise RecipeError(f"{where}: {field}.judge_prompt: {exc}") from None


def _check_named_rows(recipe: Recipe, where: str) -> None:
    """Sources named outside `sources` may be left out of a run (`--set sources=[oracle]`) and are then
    skipped, so a misspelt one would be skipped silently: each must at least be a source this recipe knows."""
    from harness.registry import sources

    named = [("judge_quality.reward_models", n) for n in recipe.judge_quality.reward_models]
    if recipe.rmsp is not None:
        named.append(("rmsp.source", recipe.rmsp.source))
    for field, name in named:
        if recipe.source_type(name) not in sources:
            raise RecipeError(
                f"{where}: {field}: {name!r} is not a registered source or a source block of this "
                f"recipe; use one of {', '.join(recipe.sources)} or fix the spelling"
            )
    baseline = recipe.evaluation.baseline
    made = parse_row(baseline)
    rows = {
        *recipe.models,
        M1,
        *([rmsp_model(recipe.rmsp.source)] if recipe.rmsp else []),
        *([teacher_sft_model(recipe.teacher_sft.teacher)] if recipe.teacher_sft else []),
    }
    trained = made is not None and made.stage not in ("RMSP", "SFT") and made.source in recipe.sources
    if baseline not in rows and not trained:
        raise RecipeError(
            f"{where}: evaluation.baseline: {baseline!r} is not a row of this run; use M1, a name in "
            f"`models` ({', '.join(recipe.models)}) or M2-<source> for a listed source"
        )


def looks_local(path: str) -> bool:
    """A hub id is `name` or `org/name`; anything rooted or deeper is a directory that must exist."""
    return path.startswith((".", "/", "~")) or path.count("/") > 1


def build_source(recipe: Recipe, name: str) -> FeedbackSource:
    """Build a listed source; factories are pydantic-validated, so bad parameters fail here, early."""
    from harness.registry import sources

    try:
        return sources.build(recipe.source_type(name), **recipe.source_kwargs(name))
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"] if not isinstance(p, int))
        hint = "remove it or check its spelling" if err["type"] == "unexpected_keyword_argument" else err["msg"]
        raise RecipeError(f"{name}.{field}: {hint} (got {err.get('input')!r})") from None
    except (ValueError, TypeError) as exc:  # a factory's own check (a missing file, a bad rubric)
        raise RecipeError(f"{name}: {exc}") from None
