"""`prompt_sets`: the pipeline's splits taken from named prompt sets, for runs on real data.

    benchmark:
      name: prompt_sets
      params:
        feedback: hf:HuggingFaceH4/ultrafeedback_binarized:train_prefs   # prompts the sources judge
        eval: alpaca_eval                                                 # held-out prompts
        sft: oasst                      # IFT demonstrations (prompt + reply) and `sft`-split prompts
        judging: /path/scores.jsonl     # EFT judging examples (prompt, response, score)

Each value is one of
- a registered benchmark (`harness benchmarks list`), optionally `name:split` (`hh_rlhf:harmless-base`);
  the sandbox's splits are the pipeline's own;
- a local file: JSON lines (optionally .gz), a JSON array or parquet, one row per prompt with a `prompt` (or
  `instruction`) field; a bad row is reported as `<file>:<line>: <field>: <problem>; <fix>`;
- `hf:<dataset id>[:<split>]` (default split `train`), read with `datasets.load_dataset` the first time the
  split is asked for, never at import or validation.

Demonstrations are a row's `messages` or `chosen` chat, or its prompt plus `response`/`output`; from a
registered set, OASST's best-ranked first reply, a set's reference answers, or the sandbox's demonstrations.
Judging examples are rows with `response` and `score`, or Self-Reward-RLHF score files (`completion`:
{"0": {content, score}, ...}; score -1, an unparsed judge output, is skipped). There is no gold grader:
a recipe on prompt sets evaluates with `evaluation.judge`.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from benchmarks.public.rows import Row, RowError, json_array_rows, jsonl_rows
from harness.benchmark import Demonstrations, Grader, JudgingExamples, NamedSplits, Rankings, References
from harness.commands.plugin_help import KeysOf
from harness.hashing import stable_hash
from harness.paths import DATA_PREFIX, data_file, where_to_get
from harness.registry import benchmark
from harness.types import Message, Prompt

Chat = list[dict[str, str]]
FILE_SUFFIXES = (".jsonl", ".json", ".parquet", ".gz")
PIPELINE_SPLITS = ("feedback", "eval", "sft", "judging")


def is_hub(spec: str) -> bool:
    return spec.startswith("hf:")


def _is_file(spec: str) -> bool:
    return spec.endswith(FILE_SUFFIXES) or "/" in spec or spec.startswith((".", "~", DATA_PREFIX))


def check_spec(spec: str) -> str:
    """A spec is valid without reading data: the hub is never contacted, a file only has to exist."""
    if is_hub(spec):
        rest = spec[3:]
        dataset = rest.split(":")[0]
        if not dataset or dataset.count("/") > 1 or len(rest.split(":")) > 2:
            raise ValueError(
                f"{spec!r} is not hf:<org/dataset>[:<split>], e.g. hf:HuggingFaceH4/ultrafeedback_binarized:train_prefs"
            )
    elif _is_file(spec):
        if not data_file(spec).is_file():
            raise ValueError(
                f"file {spec} not found; give a .jsonl/.json/.parquet file, a registered benchmark "
                "or hf:<dataset>" + where_to_get(spec)
            )
    else:
        from harness.registry import benchmarks

        name = spec.split(":")[0]
        if name == "prompt_sets" or name not in benchmarks:
            raise ValueError(
                f"{name!r} is not a registered benchmark (see `harness benchmarks list`), a file or hf:<dataset>"
            )
    return spec


class PromptSetsSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    feedback: str = Field(description="prompts the feedback sources judge")
    eval: str = Field(description="held-out evaluation prompts")
    sft: str | None = Field(None, description="IFT demonstrations (and the `sft` split's prompts)")
    judging: str | None = Field(None, description="EFT judging examples: prompt, response, score")

    @field_validator("feedback", "eval", "sft", "judging")
    @classmethod
    def _known(cls, value: str | None) -> str | None:
        return None if value is None else check_spec(value)


# --- one set --------------------------------------------------------------------------------------------


class _RowSet:
    """Rows of a file or a hub dataset, each a `Row` that can name its line in an error."""

    def __init__(self, spec: str):
        self.spec = spec

    def rows(self) -> list[Row]:
        return self._rows

    @cached_property
    def _rows(self) -> list[Row]:
        return list(self._read())

    def _read(self) -> Iterator[Row]:
        path = data_file(self.spec)
        if path.suffix == ".parquet":
            import pyarrow.parquet as pq

            for i, record in enumerate(pq.read_table(path).to_pylist(), 1):
                yield Row(path, i, record)
        elif path.suffix == ".json":
            yield from json_array_rows(path)
        else:
            yield from jsonl_rows(path)

    @property
    def label(self) -> str:
        return Path(self.spec).name.split(".")[0]

    def prompt(self, row: Row) -> Prompt:
        if isinstance(row.data, dict) and isinstance(row.data.get("messages"), list) and "prompt" not in row.data:
            chat = _chat(row, "messages")
            return Prompt(
                id=self._id(row, chat[0]["content"]), messages=(Message(**chat[0]),), metadata={"source": self.label}
            )
        field = (
            "instruction"
            if isinstance(row.data, dict) and "prompt" not in row.data and "instruction" in row.data
            else "prompt"
        )
        text = row.text(field)
        return Prompt.from_text(self._id(row, text), text, source=self.label)

    def _id(self, row: Row, text: str) -> str:
        given = row.data.get("prompt_id", row.data.get("id")) if isinstance(row.data, dict) else None
        return f"{self.label}-{given}" if given is not None else f"{self.label}-{stable_hash(text, length=12)}"

    def prompts(self, split: str, n: int) -> list[Prompt]:
        rows = self.rows()
        if n > len(rows):
            raise ValueError(f"{self.spec}: asked for {n} {split} prompts, it has {len(rows)}; ask for fewer")
        return [self.prompt(r) for r in rows[:n]]

    def chats(self, n: int) -> list[Chat]:
        out = []
        for row in self.rows():
            if len(out) == n:
                break
            for field in ("messages", "chosen"):
                if isinstance(row.data.get(field), list):
                    out.append(_chat(row, field))
                    break
            else:
                reply = next((f for f in ("response", "output") if f in row.data), "response")
                out.append(
                    [
                        {"role": "user", "content": self.prompt(row).text},
                        {"role": "assistant", "content": row.text(reply)},
                    ]
                )
        return _enough(out, n, self.spec, "demonstrations")

    def judged(self, n: int) -> list[tuple[str, str, int]]:
        out: list[tuple[str, str, int]] = []
        for row in self.rows():
            prompt = self.prompt(row).text
            if row.data.get("completion") is not None:  # Self-Reward-RLHF: {"0": {content, score}, ...}
                for key, _c in sorted(row.object("completion").data.items()):
                    item = row.object("completion").object(key)
                    score = item.integer("score")
                    if score >= 0:
                        out.append((prompt, item.text("content"), score))
            else:
                out.append((prompt, row.text("response"), row.integer("score")))
            if len(out) >= n:
                break
        return _enough(out, n, self.spec, "judging examples")[:n]


class _HubSet(_RowSet):
    @property
    def label(self) -> str:
        return self.spec[3:].split(":")[0].split("/")[-1]

    def _read(self) -> Iterator[Row]:
        from datasets import load_dataset  # first read of the split: the only place the hub is contacted

        dataset, _, split = self.spec[3:].partition(":")
        where = Path(self.spec)
        for i, record in enumerate(load_dataset(dataset, split=split or "train"), 1):
            yield Row(where, i, record)


class _Registered:
    """A registered benchmark as one prompt set (its `test` split unless named; the sandbox's are the pipeline's)."""

    def __init__(self, spec: str):
        from harness.registry import benchmarks

        self.spec = spec
        name, _, self.split = spec.partition(":")
        self.bench = benchmarks.build(name)

    def _split(self, pipeline_split: str) -> str:
        if self.split:
            return self.split
        return "test" if isinstance(self.bench, NamedSplits) else pipeline_split

    def prompts(self, split: str, n: int) -> list[Prompt]:
        return self.bench.prompts(self._split(split), n)

    def chats(self, n: int) -> list[Chat]:
        if isinstance(self.bench, Demonstrations):
            return list(self.bench.demonstrations(n))
        if isinstance(self.bench, Rankings):  # OASST: the best-ranked human reply to each first turn
            groups = [g for g in self.bench.rankings() if len(g.prompt) == 1]
            out = [
                [m.model_dump() for m in g.prompt] + [{"role": "assistant", "content": g.replies[0]}] for g in groups
            ]
        elif isinstance(self.bench, References):
            refs = self.bench.references()
            out = [
                [{"role": "user", "content": p.text}, {"role": "assistant", "content": refs[p.id].text}]
                for p in self.bench.prompts(self._split("sft"))
                if p.id in refs
            ]
        else:
            raise ValueError(
                f"{self.spec}: has no demonstrations; use a set with replies (oasst, a file with response fields)"
            )
        return _enough(out, n, self.spec, "demonstrations")[:n]

    def judged(self, n: int) -> list[tuple[str, str, int]]:
        if not isinstance(self.bench, JudgingExamples):
            raise ValueError(f"{self.spec}: has no judging examples; give a file with prompt, response and score")
        return [(e[0], e[1], e[2]) for e in self.bench.judging_examples(n)]


def _chat(row: Row, field: str) -> Chat:
    messages = row.objects(field)
    chat = [{"role": m.text("role"), "content": m.text("content", allow_empty=True)} for m in messages]
    if not chat or chat[0]["role"] != "user":
        raise row.error(field, "does not start with a user message", "give a chat of {role, content} from the user")
    return chat


def _enough(items: list, n: int, spec: str, what: str) -> list:
    if len(items) < n:
        raise ValueError(f"{spec}: asked for {n} {what}, it has {len(items)}; ask for fewer")
    return items[:n]


def open_set(spec: str) -> Any:
    if is_hub(spec):
        return _HubSet(spec)
    if _is_file(spec):
        return _RowSet(spec)
    return _Registered(spec)


class PromptSets:
    """The pipeline's splits from named sets; no gold grader, so recipes evaluate with `evaluation.judge`. It
    offers demonstrations with an `sft` set and judging examples with a `judging` set (`prompt_sets()` picks the
    class that declares them), so validation sees what a recipe's SFT stage can get."""

    def __init__(self, spec: PromptSetsSpec):
        self.spec = spec
        self._open: dict[str, Any] = {}

    def _set(self, split: str) -> Any:
        spec = {
            "feedback": self.spec.feedback,
            "eval": self.spec.eval,
            "sft": self.spec.sft,
            "judging": self.spec.judging,
        }[split]
        if spec is None:
            raise ValueError(
                f"benchmark.params.{split}: not set, but the recipe needs {split} data; "
                f"give a benchmark name, a file or hf:<dataset>"
            )
        if split not in self._open:
            self._open[split] = open_set(spec)
        return self._open[split]

    def prompts(self, split: str, n: int) -> list[Prompt]:
        if split not in PIPELINE_SPLITS:
            raise ValueError(f"split {split!r} is not a prompt_sets split: use one of {', '.join(PIPELINE_SPLITS)}")
        return self._set(split).prompts(split, n)

    def grader(self) -> Grader | None:
        """Named prompt sets carry no ground truth: evaluation needs `evaluation.judge` (the `Benchmark` contract)."""
        return None


class _WithDemonstrations(PromptSets):
    def demonstrations(self, n: int) -> list[Chat]:
        return self._set("sft").chats(n) if n else []


class _WithJudgingExamples(PromptSets):
    def judging_examples(self, n: int) -> list[tuple[str, str, int]]:
        return self._set("judging").judged(n) if n else []


class _WithBoth(_WithDemonstrations, _WithJudgingExamples):
    pass


_DECLARING = {
    (False, False): PromptSets,
    (True, False): _WithDemonstrations,
    (False, True): _WithJudgingExamples,
    (True, True): _WithBoth,
}


@benchmark("prompt_sets")
def prompt_sets(
    **params: Annotated[Any, KeysOf(PromptSetsSpec)],
) -> PromptSets:
    """Splits (feedback, eval, sft, judging) from registered benchmarks, local files or hf:<dataset> ids."""
    spec = PromptSetsSpec(**params)
    return _DECLARING[(spec.sft is not None, spec.judging is not None)](spec)


__all__ = ["PromptSets", "PromptSetsSpec", "RowError", "check_spec", "is_hub", "open_set"]
