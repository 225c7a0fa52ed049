"""Exports in the formats other tools read, so our outputs can be re-judged with tools users already trust.

- alpaca_eval `model_outputs.json`: a JSON list of {instruction, output, generator, dataset}.
- FastChat llm_judge answer files: JSON lines of {question_id, answer_id, model_id, choices[{index, turns}], tstamp}.
- TRL preference datasets: `preferences.parquet` (prompt/chosen/rejected + provenance) and a README.md card.
"""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from statistics import fmean
from typing import Any

from harness.hashing import stable_hash
from harness.run.store import write_text_atomic
from harness.types import Completion, PreferencePair, Prompt

PROVENANCE_COLUMNS = ["prompt_id", "source", "chosen_by", "rejected_by", "chosen_score", "rejected_score", "judge"]
PARQUET_COLUMNS = ["prompt", "chosen", "rejected", *PROVENANCE_COLUMNS]


def _by_prompt(completions: Sequence[Completion], prompts: Sequence[Prompt]) -> dict[str, list[Completion]]:
    grouped: dict[str, list[Completion]] = defaultdict(list)
    known = {p.id for p in prompts}
    for c in completions:
        if c.prompt_id not in known:
            raise ValueError(
                f"completions: prompt id {c.prompt_id!r} is not among the prompts given; "
                "pass the prompts the completions answer"
            )
        grouped[c.prompt_id].append(c)
    missing = [p.id for p in prompts if not grouped[p.id]]
    if missing:
        raise ValueError(
            f"completions: none for prompt {missing[0]!r} ({len(missing)} prompts lack one); "
            "generate them or leave those prompts out"
        )
    return {pid: sorted(cs, key=lambda c: c.sample) for pid, cs in grouped.items()}


def alpaca_eval_outputs(
    completions: Sequence[Completion], prompts: Sequence[Prompt], generator_name: str
) -> list[dict[str, str]]:
    """One row per prompt, in prompt order; alpaca_eval takes one output per instruction, so sample 0 is used."""
    grouped = _by_prompt(completions, prompts)
    return [
        {
            "instruction": p.text,
            "output": grouped[p.id][0].text,
            "generator": generator_name,
            "dataset": str(p.metadata.get("dataset") or p.metadata.get("source") or ""),
        }
        for p in prompts
    ]


def write_alpaca_eval_outputs(path: Path, rows: Sequence[Mapping[str, str]]) -> Path:
    write_text_atomic(path, json.dumps(list(rows), indent=2, ensure_ascii=False) + "\n")
    return path


def fastchat_answers(
    completions: Sequence[Completion], prompts: Sequence[Prompt], model_id: str, tstamp: float | None = None
) -> list[dict[str, Any]]:
    """One answer per prompt with every sample as a choice (one turn each). `question_id` is the benchmark's
    own id where the prompt carries one (mt_bench, vicuna80), else the prompt id."""
    grouped = _by_prompt(completions, prompts)
    stamp = time.time() if tstamp is None else tstamp
    answers = []
    for p in prompts:
        choices = [{"index": c.sample, "turns": [c.text]} for c in grouped[p.id]]
        answers.append(
            {
                "question_id": p.metadata.get("question_id", p.id),
                # Deterministic where FastChat uses a random shortuuid: the same answers get the same id.
                "answer_id": stable_hash(model_id, p.id, choices, length=22),
                "model_id": model_id,
                "choices": choices,
                "tstamp": stamp,
            }
        )
    return answers


def write_fastchat_answers(path: Path, answers: Sequence[Mapping[str, Any]]) -> Path:
    write_text_atomic(path, "".join(json.dumps(a, ensure_ascii=False) + "\n" for a in answers))
    return path


def export_trl_parquet(path: Path, pairs: Sequence[PreferencePair]) -> None:
    """TRL's prompt/chosen/rejected columns plus provenance, readable by `datasets.load_dataset('parquet')`."""
    import pandas as pd

    rows = [{**p.to_trl(), **{c: getattr(p, c) for c in PROVENANCE_COLUMNS}} for p in pairs]
    tmp = path.with_name(f".{path.name}.tmp")
    pd.DataFrame(rows, columns=PARQUET_COLUMNS).to_parquet(tmp, index=False)
    tmp.rename(path)


def trl_preference_dataset(
    pairs: Sequence[PreferencePair], out_dir: Path, provenance: Mapping[str, str] | None = None
) -> Path:
    """`out_dir/preferences.parquet` plus a dataset card; `datasets.load_dataset(str(out_dir))` reads it."""
    if not pairs:
        raise ValueError("pairs: empty; a preference dataset needs at least one pair")
    out_dir.mkdir(parents=True, exist_ok=True)
    export_trl_parquet(out_dir / "preferences.parquet", pairs)
    write_text_atomic(out_dir / "README.md", dataset_card(pairs, provenance or {}))
    return out_dir


def dataset_card(pairs: Sequence[PreferencePair], provenance: Mapping[str, str]) -> str:
    per_source = Counter(p.source for p in pairs)
    lines = [
        "---",
        "configs:",
        "- config_name: default",
        "  data_files:",
        "  - split: train",
        "    path: preferences.parquet",
        "tags: [trl, dpo, preference, feedback-harness]",
        "---",
        "",
        f"# Preference pairs from {', '.join(sorted(per_source))}",
        "",
        f"{len(pairs)} pairs over {len({p.prompt_id for p in pairs})} prompts, written by feedback-harness.",
        "",
        "| source | judge | pairs | mean score margin |",
        "|---|---|---|---|",
    ]
    for (source, judge), group in sorted(_groups(pairs).items()):
        margins = [p.margin for p in group if p.margin is not None]
        lines.append(
            f"| {source} | {judge or '—'} | {len(group)} | {fmean(margins):.3f} |"
            if margins
            else f"| {source} | {judge or '—'} | {len(group)} | — |"
        )
    lines += [
        "",
        "## Columns",
        "",
        "- `prompt`, `chosen`, `rejected`: TRL's conversational preference format (lists of {role, content});",
        "  `DPOTrainer` and `RewardTrainer` read these three.",
        "- `prompt_id`: the benchmark's prompt id. `source`: the feedback source that built the pair.",
        "- `chosen_by`, `rejected_by`: producer of each answer (model spec hash + generation params + sample).",
        "- `chosen_score`, `rejected_score`: the judge's scores where it gives scores (empty otherwise).",
        "- `judge`: the judge spec that decided the pair.",
    ]
    if provenance:
        lines += ["", "## Provenance", "", *(f"- {k}: {v}" for k, v in sorted(provenance.items()))]
    return "\n".join(lines) + "\n"


def _groups(pairs: Sequence[PreferencePair]) -> dict[tuple[str, str], list[PreferencePair]]:
    grouped: dict[tuple[str, str], list[PreferencePair]] = defaultdict(list)
    for p in pairs:
        grouped[(p.source, p.judge)].append(p)
    return grouped
