"""Regenerates tests/data/shared (a small mirror of the shared data folder) and tests/data/derived from a full
copy of the shared data folder, so the tests that read public data run in any clone.

    python tests/data/make_samples.py [path/to/shared/data]      (default: <repo>/../shared/data)

What is copied whole, cut to its first rows, or reduced to the fields a test reads is listed in tests/data/README.md;
rerunning this script on the same shared folder reproduces every file byte for byte.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
MIRROR, DERIVED = HERE / "shared", HERE / "derived"

WHOLE = [  # small files the loaders read in full, and every licence of a folder something is taken from
    "almost/LICENSE", "almost/NOTICE", "almost/assets/Faithful_prompt.txt", "almost/assets/HHH_prompt.txt",
    "almost/assets/seed_prompts.txt", "almost/eval/data/hhh_eval.json",
    "alpaca_eval/LICENSE",
    "alpaca_eval/src/alpaca_eval/leaderboards/data_AlpacaEval_2/weighted_alpaca_eval_gpt4_turbo_leaderboard.csv",
    "faireval/review/review_gpt35_vicuna-13b_human.txt", "faireval/question.jsonl",
    "faireval/answer/answer_gpt35.jsonl", "faireval/answer/answer_vicuna-13b.jsonl",
    "fastchat_mt_bench/LICENSE", "fastchat_mt_bench/mt_bench/question.jsonl",
    "fastchat_mt_bench/mt_bench/reference_answer/gpt-4.jsonl", "fastchat_mt_bench/vicuna_bench/question.jsonl",
    "fastchat_mt_bench/vicuna_bench/reference_answer/gpt-4.jsonl",
    "fastchat_vicuna80_eval/LICENSE",
    "fastchat_vicuna80_eval/table/review/vicuna-13b_20230322-clean-lang/review_gpt35_vicuna-13b.jsonl",
    "hh-rlhf/LICENSE", "oasst_en100/LICENSE_code_Apache-2.0", "self_reward_rlhf/LICENSE", "truthfulqa/LICENSE",
]
JSONL_HEAD = {  # file -> first rows kept (lines copied byte for byte)
    "fastchat_mt_bench/mt_bench/model_answer/gpt-4.jsonl": 2,
    "oasst_en100/en_100_tree.jsonl": 12,
    "self_reward_rlhf/gbt_scores.jsonl": 8,
}
HH_SUBSETS = ("harmless-base", "helpful-base", "helpful-online", "helpful-rejection-sampled")
HH_ROWS = 210  # reaches one chosen == rejected row in helpful-online (row 199) and one in rejection-sampled (201)
# The baseline's first 140 instructions; phi-2's file lacks the baseline's 132nd, so its first 139 rows match them.
ALPACA_HEAD = {"alpaca_eval/results/gpt4_1106_preview/model_outputs.json": 140,
               "alpaca_eval/results/phi-2/model_outputs.json": 139}
CSV_HEAD = {"truthfulqa/TruthfulQA.csv": 60, "truthfulqa/v2025/TruthfulQA.csv": 60}
SELF_REWARD_SCORES = ("gbt_scores.jsonl", "scores_M1.jsonl", "scores_M2.jsonl", "scores_gemini200.jsonl")
AE2_ANNOTATOR = "weighted_alpaca_eval_gpt4_turbo"


def out(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def write_gzip(path: Path, data: bytes) -> None:
    # mtime=0 and no file name in the header: the same input gives the same bytes on every machine
    with open(out(path), "wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as fh:
        fh.write(data)


def jsonl_head(src: Path, dst: Path, rows: int) -> None:
    with open(src, "rb") as fh:
        out(dst).write_bytes(b"".join(line for _, line in zip(range(rows), fh)))


def pandas_json(value: object) -> str:
    return json.dumps(value).replace("/", "\\/")  # pandas' to_json escapes "/" and non-ASCII


def alpaca_head(src: Path, dst: Path, rows: int) -> None:
    """A prefix of a JSON array, written the way the upstream files are (pandas' to_json, indent 2)."""
    records = json.loads(src.read_text(encoding="utf-8"))[:rows]
    body = ",\n".join("  {\n" + ",\n".join(f"    {pandas_json(k)}:{pandas_json(v)}" for k, v in r.items()) + "\n  }"
                       for r in records)
    out(dst).write_text("[\n" + body + "\n]", encoding="utf-8")


def csv_head(src: Path, dst: Path, rows: int) -> None:
    raw = src.read_bytes()
    bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
    reader = csv.reader(io.StringIO(raw[len(bom):].decode("utf-8"), newline=""))
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\n").writerows(r for _, r in zip(range(rows + 1), reader))  # + header
    out(dst).write_bytes(bom + buffer.getvalue().encode("utf-8"))


def hh_head(src: Path, dst: Path, rows: int) -> None:
    with gzip.open(src, "rb") as fh:
        write_gzip(dst, b"".join(line for _, line in zip(range(rows), fh)))


def self_reward_scores(src: Path, dst: Path) -> None:
    """Every row, only the fields the ranking metrics read: prompt_id and each candidate's score."""
    lines = []
    for line in src.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        completion = {c: {"score": v["score"]} for c, v in row["completion"].items()}
        lines.append(json.dumps({"prompt_id": row["prompt_id"], "completion": completion}))
    out(dst).write_text("\n".join(lines) + "\n", encoding="utf-8")


def ae2_annotations(alpaca: Path, dst: Path) -> None:
    """Every AlpacaEval 2.0 annotation, only what win rates and LC read: which instruction (a hash), the judge's
    preference, and both outputs' lengths in characters."""
    models = {}
    for path in sorted(alpaca.glob(f"results/*/{AE2_ANNOTATOR}/annotations.json.gz")):
        rows = json.load(gzip.open(path))
        models[path.parents[1].name] = [
            {"instruction": hashlib.sha256(a["instruction"].encode()).hexdigest()[:16], "preference": a["preference"],
             "output_1_chars": len(a["output_1"]), "output_2_chars": len(a["output_2"])} for a in rows]
    write_gzip(dst, json.dumps(models, sort_keys=True).encode())


def hh_lengths(hh: Path, dst: Path) -> None:
    """Every HH-RLHF test pair's chosen and rejected length in characters, by subset, in file order."""
    lengths = {}
    for subset in HH_SUBSETS:
        with gzip.open(hh / f"{subset}_test.jsonl.gz", "rt", encoding="utf-8") as fh:
            pairs = [json.loads(line) for line in fh]
        lengths[subset] = [[len(p["chosen"]), len(p["rejected"])] for p in pairs]
    write_gzip(dst, json.dumps(lengths).encode())


def main(shared: Path) -> None:
    if not shared.is_dir():
        sys.exit(f"{shared} is not a folder: pass the path of a full copy of the shared data folder")
    for folder in (MIRROR, DERIVED):
        shutil.rmtree(folder, ignore_errors=True)
    for name in WHOLE:
        shutil.copyfile(shared / name, out(MIRROR / name))
    for name, rows in JSONL_HEAD.items():
        jsonl_head(shared / name, MIRROR / name, rows)
    for subset in HH_SUBSETS:
        name = f"hh-rlhf/{subset}_test.jsonl.gz"
        hh_head(shared / name, MIRROR / name, HH_ROWS)
    for name, rows in ALPACA_HEAD.items():
        alpaca_head(shared / name, MIRROR / name, rows)
    for name, rows in CSV_HEAD.items():
        csv_head(shared / name, MIRROR / name, rows)
    for name in SELF_REWARD_SCORES:
        self_reward_scores(shared / "self_reward_rlhf" / name, DERIVED / "self_reward_rlhf_scores" / name)
    ae2_annotations(shared / "alpaca_eval", DERIVED / "ae2_annotations.json.gz")
    hh_lengths(shared / "hh-rlhf", DERIVED / "hh_rlhf_lengths.json.gz")
    total = sum(p.stat().st_size for p in HERE.rglob("*") if p.is_file() and p.parent != HERE)
    print(f"wrote {MIRROR} and {DERIVED}: {total / 1e6:.2f} MB")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parents[2].parent / "shared" / "data")
