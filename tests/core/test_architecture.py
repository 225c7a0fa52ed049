"""The package's shape, checked: no import cycles among harness/, judges/ and benchmarks/ (imports inside functions
and under TYPE_CHECKING count too), no module over 400 lines, and the core never reaching into the plug-ins from
the pipeline. Reads the source with `ast`; imports nothing of the project."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("harness", "judges", "benchmarks")
MAX_LINES = 400


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imported(module: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The project modules `module` imports anywhere in its file, by their longest known dotted name."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            targets.add(base)
            targets.update(f"{base}.{alias.name}" for alias in node.names)
    resolved = set()
    for target in targets:
        while target and target not in known:
            target = target.rpartition(".")[0]
        # A submodule importing its own package's __init__ (for a sibling) is not an edge back to itself.
        if target and target != module and not module.startswith(target + "."):
            resolved.add(target)
    return resolved


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (iterative Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_cycle_finder_finds_a_cycle_and_only_that():
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(edges) == [["a", "b", "c"]]


def test_no_import_cycles_among_the_packages():
    known = modules()
    edges = {m: imported(m, p, known) for m, p in known.items()}
    assert edges["harness.run.pipeline"], "the walker found no imports at all"
    assert cycles(edges) == []


def test_no_module_is_over_400_lines():
    lengths = {m: len(p.read_text(encoding="utf-8").splitlines()) for m, p in modules().items()}
    assert {m: n for m, n in lengths.items() if n > MAX_LINES} == {}


def test_the_pipeline_imports_no_plugin_module():
    known = modules()
    plugins = sorted(
        m
        for m in imported("harness.run.pipeline", known["harness.run.pipeline"], known)
        if m.split(".")[0] != "harness"
    )
    assert plugins == []


# --- plug-ins are reached through the registry ------------------------------------------------------------------

GENERATOR_BACKENDS = {f"harness.generation.{b}" for b in ("hf", "openai", "gemini", "vllm", "simulated")}
# Core modules that import a plug-in module directly, each with the plug-in modules it may import and why.
CORE_IMPORTS_OF_PLUGINS = {
    "harness.steps.zoo": (
        {"benchmarks.sandbox.tokenizer", "benchmarks.sandbox.models"},
        "the sandbox's own model builders",
    ),
    "harness.run.smoke": (
        {"benchmarks.sandbox.tokenizer", "benchmarks.prompt_sets"},
        "--smoke: the sandbox tokenizer's special tokens, and which prompt-set specs name the hub",
    ),
    "harness.local_api.server": (
        {"benchmarks.sandbox.teacher", "benchmarks.verifiable.teacher"},
        "the local test server answers as the sandbox and verifiable teachers",
    ),
    "harness.local_api.rules": (
        {"benchmarks.sandbox.teacher", "benchmarks.verifiable.teacher"},
        "the local test server's answer rules: the sandbox and verifiable teachers",
    ),
    "harness.judge_eval.sets": (
        {"benchmarks.public.base", "benchmarks.public.hh_rlhf", "benchmarks.public.rows"},
        "human-labelled sets are read from the public sets' files with their row readers",
    ),
    "harness.judge_eval.pairwise_file": ({"benchmarks.public.rows"}, "a pairwise file is read with the row readers"),
    "harness.train.online_loop": (
        {"harness.generation.hf"},
        "online training samples from the policy it trains, a transformers model in memory, not one built by name",
    ),
}


def is_plugin(module: str) -> bool:
    return module.split(".")[0] in ("judges", "benchmarks") or module in GENERATOR_BACKENDS


def test_nothing_in_the_core_imports_a_plugin_outside_the_registry():
    known = modules()
    core = [m for m in known if m.split(".")[0] == "harness" and not is_plugin(m) and m != "harness.registry"]
    assert "harness.run.pipeline" in core and "harness.steps.judge_quality" in core
    found = {m: {t for t in imported(m, known[m], known) if is_plugin(t)} for m in core}
    allowed = {m: mods for m, (mods, _) in CORE_IMPORTS_OF_PLUGINS.items()}
    assert {m: sorted(t - allowed.get(m, set())) for m, t in found.items() if t - allowed.get(m, set())} == {}


# --- capabilities are declared, never probed ----------------------------------------------------------------------

# Every getattr/hasattr in harness/, judges/ and benchmarks/, as "<file>: <call without its default>", with why it
# is not a probe of one of our own objects for a capability. Anything else is: declare it (a protocol, a field).
ALLOWED_PROBES = {
    "harness/generation/batches.py: getattr(getattr(model, 'config', None), '_commit_hash')": "a HF model's config",
    "harness/generation/batches.py: getattr(model, 'config')": "a HF model (transformers' duck typing)",
    "harness/generation/context.py: getattr(model, 'config')": "a HF model (transformers' duck typing)",
    "harness/generation/context.py: getattr(config, name)": "a HF config's context-length field, by its name",
    "harness/generation/context.py: getattr(tokenizer, 'model_max_length')": "a HF tokenizer",
    "harness/generation/hf.py: getattr(tokenizer, 'chat_template')": "a HF tokenizer",
    "harness/generation/hf.py: getattr(torch, dtype)": "a torch dtype by its recipe name",
    "harness/steps/model_import.py: getattr(torch, dtype)": "a torch dtype by its name",
    "harness/train/spec.py: getattr(torch, self.compute_dtype)": "a torch dtype by its recipe name",
    "harness/train/spec.py: getattr(trl, _CONFIG_CLASSES[stage])": "a TRL config class by name",
    "harness/train/spec.py: getattr(trl, config_class)": "a TRL config class by name",
    "harness/train/checkpoints.py: getattr(torch, saved['tr_loss_dtype'])": "a torch dtype saved by name",
    "harness/train/checkpoints.py: hasattr(t, '_metrics')": "a TRL trainer's private state, version-dependent",
    "harness/train/checkpoints.py: getattr(t, '_metrics')": "a TRL trainer's private state, version-dependent",
    "harness/train/checkpoints.py: getattr(t, '_total_train_tokens')": "a TRL trainer's private state",
    "harness/train/result.py: hasattr(model, 'merge_and_unload')": "a PEFT model or a plain one",
    "harness/train/result.py: getattr(base, 'is_loaded_in_4bit')": "a HF model's quantization flags",
    "harness/train/result.py: getattr(base, 'is_loaded_in_8bit')": "a HF model's quantization flags",
    "harness/train/result.py: getattr(quantization, 'bnb_4bit_compute_dtype')": "a bitsandbytes config",
    "harness/train/runtime.py: hasattr(os, 'sched_getaffinity')": "the platform (absent on macOS)",
    "harness/hashing.py: hasattr(obj, '__fspath__')": "any path-like value (os.PathLike)",
    "harness/recipes/yamlfile.py: getattr(exc, 'problem_mark')": "a PyYAML error's position",
    "harness/recipes/yamlfile.py: getattr(exc, 'problem')": "a PyYAML error's message",
    "harness/reward_model/recipe.py: getattr(module, 'get_model_path')": "a third-party model package's module",
    "harness/reward_model/recipe.py: getattr(recipe, field)": "a recipe field named by a table of fields",
    "harness/evaluate/lc.py: getattr(self, field)": "its own fields by name, to check their lengths",
    "harness/report/export.py: getattr(p, c)": "provenance fields named by a column list",
    "harness/sweep/view.py: getattr(row, x)": "the field a plot's axis names",
    "harness/sweep/view.py: getattr(row, f'{x}_sd')": "the spread beside the field a plot's axis names",
    "harness/sweep/view.py: getattr(row, metric)": "the field a table names",
    "harness/sweep/view.py: getattr(row, f'{metric}_sd')": "the spread beside the field a table names",
    "judges/reward_model.py: getattr(model.config, 'max_position_embeddings')": "a HF config",
    "judges/almost/source.py: getattr(self, name)": "its own optional fields by name, in a validator",
    "benchmarks/sandbox/corpus.py: getattr(shares, split)": "a split's share by the split's name",
    "benchmarks/perf/smollm2.py: getattr(config, 'head_dim')": "a HF config",
}


def probes() -> list[str]:
    found = []
    for path in modules().values():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("getattr", "hasattr")
            ):
                call = f"{node.func.id}({', '.join(ast.unparse(a) for a in node.args[:2])})"
                found.append(f"{path.relative_to(ROOT)}: {call}")
    return found


def test_the_probe_finder_sees_every_getattr_and_hasattr():
    assert "harness/hashing.py: hasattr(obj, '__fspath__')" in probes()


def test_no_getattr_or_hasattr_on_our_own_objects_for_capabilities():
    assert sorted(set(probes()) - set(ALLOWED_PROBES)) == []
