"""`pairs:` on a judge-evaluation set is a cap, as the README says: a subset smaller than it is used whole, and the
run's metrics record how many items of each subset were judged."""

from __future__ import annotations

import json

from harness.cli import main


def test_pairs_above_a_subsets_size_runs_on_the_whole_subset_and_records_it(tmp_path, capsys):
    rows = [
        {
            "q": f"question {i}",
            "a": "a longer reply" * (1 + i % 2),
            "b": "short",
            "y": "a",
            "s": "one" if i < 3 else "two",
        }
        for i in range(7)
    ]
    (tmp_path / "pairs.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    (tmp_path / "recipe.yaml").write_text(
        "kind: judge_eval\nname: pairs_cap\njudges:\n  longer: {type: length}\nsets:\n"
        "  mine: {type: pairwise, path: pairs.jsonl, pairs: 4,\n"
        "         columns: {prompt: q, response_a: a, response_b: b, label: y, subset: s}}\n",
        encoding="utf-8",
    )
    results = tmp_path / "results"
    assert main(["run", str(tmp_path / "recipe.yaml"), "--results", str(results)]) == 0, capsys.readouterr().err
    (metrics_file,) = (results / "runs" / "pairs_cap").glob("*/metrics.json")
    sets = json.loads(metrics_file.read_text(encoding="utf-8"))["sets"]
    assert sets["mine"]["subset_items"] == {"one": 3, "two": 4}  # 3 < 4: the whole subset; 4 of 4
    assert sets["mine"]["items"] == 7
