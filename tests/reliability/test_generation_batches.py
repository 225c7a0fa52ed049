"""The hf generator's batch cache: a rerun reads finished batches back, bit-identical, and keys them exactly."""

from __future__ import annotations

import sqlite3
import string

import pytest

from benchmarks.sandbox.models import build_model
from benchmarks.sandbox.tokenizer import build_tokenizer
from harness.generation import GenerationParams
from harness.registry import generators
from harness.types import Prompt

PARAMS = GenerationParams(n=2, temperature=0.9, max_new_tokens=6, seed=3)


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    tokenizer = build_tokenizer([string.ascii_lowercase + string.digits + " "])
    path = tmp_path_factory.mktemp("model")
    build_model("XS", tokenizer, seed=0).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


def prompts(n: int) -> list[Prompt]:
    return [Prompt.from_text(f"p{i}", "add " + " ".join(["7"] * (i % 4 + 1))) for i in range(n)]


def rows(db) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT COUNT(*) FROM entries").fetchone()[0]


def test_a_rerun_reads_finished_batches_and_gets_identical_outputs(model_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    db = tmp_path / "generation.sqlite"
    build = lambda **kw: generators.build("hf", path=str(model_dir), batch_size=3, **kw)  # noqa: E731
    plain = build().generate(prompts(7), PARAMS)
    first = build(batch_cache=str(db)).generate(prompts(7), PARAMS)
    assert first == plain and rows(db) == 3  # 7 prompts in batches of 3: one row per batch
    # Overwrite one stored batch: a generator that reads the cache must return the stored text, not sample again.
    with sqlite3.connect(db) as conn:
        key, value = conn.execute("SELECT key, value FROM entries LIMIT 1").fetchone()
        conn.execute("UPDATE entries SET value=? WHERE key=?", (value.replace('[["', '[["STORED ', 1), key))
    again = build(batch_cache=str(db)).generate(prompts(7), PARAMS)
    assert sum(c.text.startswith("STORED ") for cs in again for c in cs) == 1
    assert [c.text.removeprefix("STORED ") for cs in again for c in cs] == [c.text for cs in first for c in cs]
    assert rows(db) == 3


def test_batches_are_keyed_by_params_composition_and_model_files(model_dir, tmp_path):
    db = tmp_path / "generation.sqlite"
    gen = generators.build("hf", path=str(model_dir), batch_size=3, batch_cache=str(db))
    gen.generate(prompts(6), PARAMS)
    assert rows(db) == 2
    gen.generate(prompts(6), PARAMS.model_copy(update={"seed": 4}))  # other sampling seed: other batches
    assert rows(db) == 4
    gen.generate(prompts(5), PARAMS)  # the last batch holds other prompts: only it is new
    assert rows(db) == 5
    (model_dir / "config.json").touch()  # the model folder changed on disk: nothing stored before applies
    other = generators.build("hf", path=str(model_dir), batch_size=3, batch_cache=str(db))
    other.generate(prompts(6), PARAMS)
    assert rows(db) == 7
