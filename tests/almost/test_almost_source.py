"""The `almost_rubric` source: recipe validation, and PG -> RG -> CS end to end on tiny sandbox models."""

from collections import Counter
from math import comb

import pytest
import yaml
from almost_tiny_world import save_models, tiny_world
from pydantic import ValidationError

from harness.config import RecipeError, load_recipe
from harness.feedback import SourceContext
from harness.generation import GenerationParams
from harness.registry import generators, sources
from judges.almost.filters import bad_reason, cut_continuation

FAITHFUL = "data:almost/assets/Faithful_prompt.txt"  # the shared data folder (harness.paths)
SANDBOX_BAD_FILTERS = ["too_short", "question_or_colon_ending", "dont_know", "role_leakage"]  # answers are "71"
CONFIGURATIONS = {
    "s_clean_3": {"model": "s", "shots": 3, "demos": "benchmark:clean"},
    "s_noisy_1": {"model": "s", "shots": 1, "demos": "benchmark:noisy"},
    "xs_noisy_1": {"model": "xs", "shots": 1, "demos": "benchmark:noisy"},
}
RUBRIC = ["s_clean_3", "s_noisy_1", "xs_noisy_1"]


def build(**params):
    return sources.build("almost_rubric", **{"configurations": CONFIGURATIONS, "rubric": RUBRIC, **params})


@pytest.mark.parametrize(
    ("params", "error", "message"),
    [
        ({"rubric": ["s_clean_3", "nope"]}, ValueError, "rubric: 'nope' is not a configuration"),
        pytest.param(
            {"configurations": {**CONFIGURATIONS, "s_clean_3": {"model": "s", "shots": 9, "demos": FAITHFUL}}},
            ValueError,
            r"configurations.s_clean_3.shots=9 but .* has 3 dialogues",
        ),
        (
            {"configurations": {**CONFIGURATIONS, "s_clean_3": {"model": "s", "shots": 1, "demos": "x.txt"}}},
            ValueError,
            "demos: file 'x.txt' not found",
        ),
        ({"configurations": {"a": {"model": "s", "shots": 1}}}, ValidationError, "demos"),
        ({"bad_filters": ["too_short", "rude"]}, ValidationError, "bad_filters"),
        ({"prompt_generation": {"n_prompts": 5}}, ValidationError, "prompt_generation.model is required"),
        (
            {"prompt_generation": {"model": "s", "n_prompts": 5, "seed_file": "x.txt"}},
            ValueError,
            "prompt_generation.seed_file: 'x.txt' not found",
        ),
    ],
)
def test_bad_parameters_fail_when_the_source_is_built(params, error, message):
    with pytest.raises(error, match=message):
        build(**params)


def test_heuristic_filter_is_a_recipe_switch(tmp_path):
    recipe = {
        "name": "almost",
        "models": {"s": {"path": "org/s"}, "xs": {"path": "org/xs"}},
        "policy": "s",
        "sources": ["almost_rubric"],
        "almost_rubric": {"configurations": CONFIGURATIONS, "rubric": RUBRIC},
    }
    path = tmp_path / "almost.yaml"
    path.write_text(yaml.safe_dump(recipe))
    from harness.config import build_source

    on = build_source(load_recipe(path), "almost_rubric")
    off = build_source(load_recipe(path, ["almost_rubric.heuristic_filter=false"]), "almost_rubric")
    assert (on.heuristic_filter, off.heuristic_filter) == (True, False)
    with pytest.raises(RecipeError, match=r"almost_rubric.heuristic_filter"):
        load_recipe(path, ["almost_rubric.heuristic_filter=maybe"])


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    """A sandbox world, two untrained models served by the real `hf` generator, and a context that records
    every generation request (the stage the pipeline would cache)."""
    world = tiny_world()
    paths = save_models(world, tmp_path_factory.mktemp("almost-models"), {"s": "S", "xs": "XS"})
    served = {name: generators.build("hf", path=str(path)) for name, path in paths.items()}
    requests = []

    def candidates(model, prompts, params):
        completions = served[model].generate(prompts, params)
        requests.append((model, list(prompts), params, completions))
        return completions

    ctx = SourceContext(
        policy="s",
        candidate_params=GenerationParams(n=4, temperature=1.0, max_new_tokens=20),
        seed=0,
        generators=served,
        candidates_fn=candidates,
        benchmark=world,
    )
    return world, ctx, requests


def test_pairs_come_out_in_trl_format_with_provenance_and_the_counts_add_up(sandbox):
    world, ctx, requests = sandbox
    requests.clear()
    prompts = world.prompts("feedback", 12)
    out = build(min_length=12, bad_filters=SANDBOX_BAD_FILTERS).build(prompts, ctx)

    # RG: one stage per configuration, n = 1, shots in front of the prompt, ids naming the configuration.
    assert [(model, params.n) for model, _, params, _ in requests] == [("s", 1), ("s", 1), ("xs", 1)]
    shot_prompts = requests[0][1]
    assert shot_prompts[0].id.startswith(f"{prompts[0].id}|s_clean_3@")
    assert [m.model_dump() for m in shot_prompts[0].messages[:6]] == [
        m for chat in world.demonstrations(3) for m in chat
    ]
    assert shot_prompts[0].messages[6:] == prompts[0].messages

    assert out.pairs and (out.n_prompts, out.n_candidates) == (12, 36)
    ranks = {name: rank for rank, name in enumerate(RUBRIC)}
    by_id = {p.id: p for p in prompts}
    for pair in out.pairs:
        row = pair.to_trl()
        assert row["prompt"] == [m.model_dump() for m in by_id[pair.prompt_id].messages]  # no shots in the pair
        assert [m["role"] for m in row["chosen"] + row["rejected"]] == ["assistant", "assistant"]
        better, worse = pair.judge.removeprefix("rubric:").split(">")
        assert ranks[better] < ranks[worse] and pair.source == "almost_rubric"
        assert pair.chosen_by.startswith(f"{better}=hf-") and pair.rejected_by.startswith(f"{worse}=hf-")

    # The counts add up, recomputed from the recorded generations.
    texts = {
        name: [cut_continuation(cs[0].text) for cs in completions]
        for name, (_, _, _, completions) in zip(CONFIGURATIONS, requests)
    }
    usable = [
        sum(bad_reason(texts[name][i], 12, SANDBOX_BAD_FILTERS) is None for name in CONFIGURATIONS)
        for i in range(len(prompts))
    ]
    family = lambda prefix: sum(n for key, n in out.dropped.items() if key.startswith(prefix))  # noqa: E731
    assert family("bad_response:") + sum(usable) == out.n_candidates
    assert family("pairing:") + family("heuristic:") + len(out.pairs) == sum(comb(m, 2) for m in usable)
    assert out.dropped["no_pair"] == len(prompts) - len({p.prompt_id for p in out.pairs})
    assert max(Counter(p.prompt_id for p in out.pairs).values()) <= len(RUBRIC) - 1

    # Beside its rubric rank, each configuration's gold score, regraded from the recorded generations.
    table = out.stats()["configurations"]
    for name in CONFIGURATIONS:
        graded = [world.grade(p, text) for p, text in zip(prompts, texts[name])]
        bad = sum(bad_reason(text, 12, SANDBOX_BAD_FILTERS) is not None for text in texts[name])
        assert (table[name]["rank"], table[name]["responses"], table[name]["bad"]) == (ranks[name] + 1, 12, bad)
        assert table[name]["gold_score"] == pytest.approx(sum(graded) / 12)


def test_prompt_generation_feeds_response_generation(sandbox):
    world, ctx, requests = sandbox
    requests.clear()
    seeds = world.prompts("feedback", 6)
    pg = {
        "model": "xs",
        "n_prompts": 4,
        "k": 2,
        "batch_size": 4,
        "max_rounds": 3,
        "min_length": 1,
        "instruction": "new task:",
        "sampling": {"max_new_tokens": 16},
    }
    out = build(min_length=1, bad_filters=SANDBOX_BAD_FILTERS, heuristic_filter=False, prompt_generation=pg).build(
        seeds, ctx
    )

    pg_rounds = [r for r in requests if r[1][0].id.startswith("almost-pg-request-")]
    assert pg_rounds and all(model == "xs" and params.temperature == 1.2 for model, _, params, _ in pg_rounds)
    mined = out.n_prompts
    assert mined + out.dropped["pg:unfilled"] == 4 and mined > 0
    assert out.n_candidates == 3 * mined
    seed_ids = {p.id for p in seeds}
    assert all(p.prompt_id.startswith("almost-pg-") and p.prompt_id not in seed_ids for p in out.pairs)
    assert "heuristic:too_short" not in out.dropped


def test_every_model_the_source_reads_is_declared_with_its_field():
    """`harness validate` checks these (tests/core/test_model_names.py); the source declares, never checks."""
    pg = {"model": "s", "n_prompts": 4}
    src = build(
        configurations={**CONFIGURATIONS, "xs_noisy_1": {"model": "m", "shots": 1, "demos": "benchmark:noisy"}},
        prompt_generation=pg,
    )
    uses = {u.field: u.model for u in src.model_uses()}
    assert uses["configurations.xs_noisy_1.model"] == "m" and uses["prompt_generation.model"] == "s"
    assert len(uses) == len(CONFIGURATIONS) + 1
