"""Exports round-trip: alpaca_eval model_outputs.json, FastChat answer jsonl, TRL preference datasets."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from harness.registry import benchmarks
from harness.report import export
from harness.types import Completion, Message, PreferencePair, Prompt, assistant


def completions_for(prompts: list[Prompt], samples: int = 2) -> list[Completion]:
    return [
        Completion(prompt_id=p.id, text=f"answer {k} to {p.id} <b>&", producer=f"model:{k}", sample=k)
        for p in prompts
        for k in reversed(range(samples))
    ]


def test_alpaca_eval_outputs_match_the_published_format_and_load_back(data_root, tmp_path):
    prompts = benchmarks.build("alpaca_eval").prompts("test", 5)
    rows = export.alpaca_eval_outputs(completions_for(prompts), prompts, "M2-oracle")
    published = json.loads((data_root / "alpaca_eval/results/phi-2/model_outputs.json").read_text())[0]
    assert set(rows[0]) == set(published) - {"datasplit"} == {"instruction", "output", "generator", "dataset"}
    assert rows[0]["dataset"] == published["dataset"] == "helpful_base"
    assert [r["output"] for r in rows] == [f"answer 0 to {p.id} <b>&" for p in prompts]  # sample 0, not file order
    path = export.write_alpaca_eval_outputs(tmp_path / "model_outputs.json", rows)
    reread = benchmarks.build("alpaca_eval", path=str(path))
    assert [p.id for p in reread.prompts()] == [p.id for p in prompts]
    assert {r.author for r in reread.references().values()} == {"M2-oracle"}
    assert reread.references()[prompts[2].id].text == f"answer 0 to {prompts[2].id} <b>&"


def test_alpaca_eval_outputs_refuse_missing_and_stray_completions():
    prompts = [Prompt.from_text("p1", "one"), Prompt.from_text("p2", "two")]
    with pytest.raises(ValueError, match=r"completions: none for prompt 'p2' \(1 prompts lack one\)"):
        export.alpaca_eval_outputs(completions_for(prompts[:1]), prompts, "g")
    with pytest.raises(ValueError, match=r"completions: prompt id 'p2' is not among the prompts given"):
        export.alpaca_eval_outputs(completions_for(prompts), prompts[:1], "g")


def test_fastchat_answers_use_mt_bench_question_ids_and_fastchat_fields(data_root, tmp_path):
    prompts = benchmarks.build("mt_bench").prompts("test", 3)
    answers = export.fastchat_answers(completions_for(prompts, samples=3), prompts, "m2-oracle", tstamp=1.5)
    published = json.loads((data_root / "fastchat_mt_bench/mt_bench/model_answer/gpt-4.jsonl").open().readline())
    assert set(answers[0]) == set(published) and set(answers[0]["choices"][0]) == set(published["choices"][0])
    assert [a["question_id"] for a in answers] == [81, 82, 83]
    assert answers[0]["choices"] == [{"index": k, "turns": [f"answer {k} to mt_bench-81 <b>&"]} for k in range(3)]
    again = export.fastchat_answers(completions_for(prompts, samples=3), prompts, "m2-oracle", tstamp=9.0)
    assert [a["answer_id"] for a in again] == [a["answer_id"] for a in answers]  # deterministic ids
    assert len({a["answer_id"] for a in answers}) == 3
    path = export.write_fastchat_answers(tmp_path / "m2-oracle.jsonl", answers)
    assert [json.loads(line) for line in path.read_text().splitlines()] == answers


def test_fastchat_answers_fall_back_to_prompt_ids():
    prompts = [Prompt.from_text("sandbox-eval-1", "2+2")]
    answer = export.fastchat_answers(completions_for(prompts, 1), prompts, "m", tstamp=0.0)[0]
    assert answer["question_id"] == "sandbox-eval-1" and answer["tstamp"] == 0.0


def pair(i: int, source: str, judge: str, margin: float | None) -> PreferencePair:
    return PreferencePair(
        prompt_id=f"p{i}",
        prompt=(Message(role="user", content=f"q{i}"),),
        chosen=assistant(f"good {i}"),
        rejected=assistant(f"bad {i}"),
        source=source,
        chosen_by="m:0",
        rejected_by="m:1",
        chosen_score=None if margin is None else 4.0,
        rejected_score=None if margin is None else 4.0 - margin,
        judge=judge,
    )


def test_trl_preference_dataset_loads_with_datasets_and_has_a_card(tmp_path):
    import datasets

    pairs = [pair(0, "oracle", "oracle", 2.0), pair(1, "oracle", "oracle", 1.0), pair(2, "self_reward", "", None)]
    out = export.trl_preference_dataset(pairs, tmp_path / "ds", provenance={"run": "r1", "stage key": "abc"})
    loaded = datasets.load_dataset(str(out), split="train", cache_dir=str(tmp_path / "cache"))
    assert loaded.num_rows == 3 and loaded.column_names == export.PARQUET_COLUMNS
    assert loaded[0]["chosen"] == [{"role": "assistant", "content": "good 0"}]
    assert loaded[1]["rejected_score"] == 3.0 and loaded[2]["chosen_score"] is None
    card = (out / "README.md").read_text()
    assert card.startswith("---\nconfigs:") and "3 pairs over 3 prompts" in card
    assert "| oracle | oracle | 2 | 1.500 |" in card and "| self_reward | — | 1 | — |" in card
    assert "- run: r1" in card and "- stage key: abc" in card


def test_trl_preference_dataset_refuses_no_pairs(tmp_path):
    with pytest.raises(ValueError, match="pairs: empty"):
        export.trl_preference_dataset([], tmp_path)


def test_pipeline_exports_through_harness_export_even_with_no_pairs(tmp_path):
    from harness.run.pipeline import export_trl_parquet

    assert export_trl_parquet is export.export_trl_parquet
    export_trl_parquet(tmp_path / "preferences.parquet", [])
    assert list(pd.read_parquet(tmp_path / "preferences.parquet").columns) == export.PARQUET_COLUMNS
