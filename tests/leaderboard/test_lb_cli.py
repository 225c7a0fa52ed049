"""`harness leaderboard --recipe --format --by --metric --results` end to end through the CLI entry point."""

from __future__ import annotations

import csv

import pytest

from harness.cli import main


def test_all_formats_by_source(results, capsys):
    out = results / "leaderboards"
    assert (
        main(
            [
                "leaderboard",
                "--recipe",
                "sandbox",
                "--format",
                "md,csv,html,png",
                "--by",
                "source",
                "--metric",
                "diff",
                "--results",
                str(results),
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    for name in ("sandbox.md", "sandbox.csv", "sandbox.html", "sandbox.png"):
        assert f"wrote {out / name}" in printed and (out / name).stat().st_size > 0
    assert "judge-quality heatmap skipped" in printed
    with open(out / "sandbox.csv") as fh:
        assert [r["source"] for r in csv.DictReader(fh)] == ["parameter_contrast", "self_reward", "oracle"]
    assert printed.count("| M2-") == 3 and "| xs |" not in printed  # the markdown echo uses the same view
    assert 'data-sort-column="5"' in (out / "sandbox.html").read_text()  # the diff column


def test_default_formats_keep_md_and_csv(results):
    assert main(["leaderboard", "--results", str(results)]) == 0
    assert sorted(p.name for p in (results / "leaderboards").iterdir()) == ["sandbox.csv", "sandbox.md"]


def test_unknown_format_is_a_one_line_error(results, capsys):
    assert main(["leaderboard", "--format", "md,svg", "--results", str(results)]) == 2
    assert capsys.readouterr().err == "error: --format 'svg': choose from md, csv, html, png\n"


def test_unknown_metric_is_refused_by_the_parser(results, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["leaderboard", "--metric", "elo", "--results", str(results)])
    assert exc.value.code == 2 and "invalid choice: 'elo'" in capsys.readouterr().err


def test_missing_run_names_the_fix(tmp_path, capsys):
    assert main(["leaderboard", "--recipe", "nope", "--results", str(tmp_path)]) == 2
    assert "run `harness run recipes/nope.yaml` first" in capsys.readouterr().err
