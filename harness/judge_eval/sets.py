"""The human-labelled sets a judge_eval recipe can name, each a `type:` with its own fields.

Pairwise sets give `LabelledPair`s; OASST gives `RankedGroup`s. Where a source knows only chosen/rejected
(HH-RLHF, the HHH set, TruthfulQA), which reply is shown first is decided from the pair's content, so about half
the human labels are "a" and a judge that always says "a" scores chance, not 100%.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from benchmarks.public.hh_rlhf import parse_row
from benchmarks.public.rows import Row, json_array_rows, jsonl_rows, read_text
from harness.hashing import seed_from
from harness.judge_eval.items import LabelledPair, RankedGroup
from harness.judge_eval.pairwise_file import Columns, LabelValues, read_pairwise_file
from harness.paths import data_file
from harness.recipes.exact_scalars import ExactScalars
from harness.registry import benchmarks
from harness.types import Message


class SetSpec(ExactScalars):
    model_config = ConfigDict(extra="forbid", frozen=True)
    pairs: int | None = Field(
        None,
        gt=0,
        description="at most the first N items of each subset (a cap: a smaller subset is used whole); null = all",
    )

    def capped(self, items: Sequence) -> list:
        """At most the first `pairs` items of every subset, subsets in order of first appearance."""
        by_subset: dict[str, list] = defaultdict(list)
        for item in items:
            by_subset[item.subset].append(item)
        return [i for rows in by_subset.values() for i in rows[: self.pairs]]


def shown_order(
    pair_id: str, prompt: tuple[Message, ...], chosen: str, rejected: str, subset: str, **models: str
) -> LabelledPair:
    """Chosen first or second, decided by the content, so the labels are balanced and reruns agree."""
    if seed_from(pair_id, chosen, rejected) % 2:
        return LabelledPair(id=pair_id, subset=subset, prompt=prompt, a=rejected, b=chosen, label="b", **models)
    return LabelledPair(id=pair_id, subset=subset, prompt=prompt, a=chosen, b=rejected, label="a", **models)


class HHRLHFSet(SetSpec):
    """Anthropic HH-RLHF test pairs, one subset per file (helpful-base, harmless-base, ...)."""

    type: Literal["hh_rlhf"]
    subsets: tuple[str, ...] = Field(min_length=1, description="HH-RLHF subsets, each reported alone")
    path: str | None = Field(None, description="folder of <subset>_test.jsonl.gz; null = shared data")

    def load(self) -> list[LabelledPair]:
        data = benchmarks.build("hh_rlhf", path=self.path)
        out = []
        for subset in self.subsets:
            for p in data.pairs(subset)[: self.pairs]:
                prompt = tuple(Message(**m) for m in p["prompt"])
                out.append(
                    shown_order(
                        p["prompt_id"], prompt, p["chosen"][-1]["content"], p["rejected"][-1]["content"], subset
                    )
                )
        return out


class HHHSet(SetSpec):
    """ALMoST's static HHH alignment set (221 pairs in HH-RLHF dialogue form), per category."""

    type: Literal["hhh"]
    path: str = Field("data:almost/eval/data/hhh_eval.json", description="the hhh_eval.json file")

    def load(self) -> list[LabelledPair]:
        out = []
        for row in json_array_rows(data_file(self.path)):
            turns, chosen, rejected = parse_row(row)
            out.append(shown_order(f"hhh-{row.line}", tuple(turns), chosen, rejected, row.text("type")))
        return self.capped(out)


class TruthfulQASet(SetSpec):
    """TruthfulQA as pairs: the best answer against the best incorrect one (else the first incorrect), per type."""

    type: Literal["truthfulqa"]
    path: str | None = Field(None, description="TruthfulQA.csv; null = shared data")

    def load(self) -> list[LabelledPair]:
        data = benchmarks.build("truthfulqa", path=None if self.path is None else str(data_file(self.path)))
        best = data.references()
        out = []
        for prompt in data.prompts():
            wrong = prompt.metadata.get("best_incorrect_answer") or prompt.metadata["incorrect_answers"][0]
            out.append(
                shown_order(prompt.id, prompt.messages, best[prompt.id].text, wrong, prompt.metadata["type"].lower())
            )
        return self.capped(out)


class OasstSet(SetSpec):
    """OASST en100: sibling replies with human ranks (human-written replies only); `pairs` caps the groups."""

    type: Literal["oasst"]
    path: str | None = Field(None, description="en_100_tree.jsonl; null = shared data")

    def load(self) -> list[RankedGroup]:
        data = benchmarks.build("oasst", path=None if self.path is None else str(data_file(self.path)))
        groups = [
            RankedGroup(
                id=g.prompt_id, subset="en100", prompt=g.prompt, replies=g.replies, reference=tuple(g.reference_scores)
            )
            for g in data.rankings()
        ]
        return self.capped(groups)


FAIREVAL_LABELS = {"CHATGPT": "a", "VICUNA13B": "b", "TIE": "tie"}


class FairEvalSet(SetSpec):
    """FairEval (Wang et al. 2023): human verdicts on gpt-3.5 vs vicuna-13b answers to the Vicuna-80 questions,
    ties included; one subset per question category."""

    type: Literal["faireval"]
    path: str = Field("data:faireval", description="the FairEval folder (question.jsonl, answer/, review/)")

    def load(self) -> list[LabelledPair]:
        root = data_file(self.path)
        questions = {r.integer("question_id"): r for r in jsonl_rows(root / "question.jsonl")}
        answers = {
            name: {r.integer("question_id"): r.text("text") for r in jsonl_rows(root / "answer" / f"{file}.jsonl")}
            for name, file in (("a", "answer_gpt35"), ("b", "answer_vicuna-13b"))
        }
        review = root / "review" / "review_gpt35_vicuna-13b_human.txt"
        out = []
        for line, label in enumerate(read_text(review).split(), 1):
            if label not in FAIREVAL_LABELS:
                raise Row(review, line, label).error(
                    "label", f"is {label!r}", f"use one of {', '.join(FAIREVAL_LABELS)}"
                )
            q = questions[line]
            out.append(
                LabelledPair(
                    id=f"faireval-{line}",
                    subset=q.text("category"),
                    prompt=(Message(role="user", content=q.text("text")),),
                    a=answers["a"][line],
                    b=answers["b"][line],
                    label=FAIREVAL_LABELS[label],  # type: ignore[arg-type]
                    model_a="gpt-3.5-turbo",
                    model_b="vicuna-13b",
                )
            )
        return self.capped(out)


class PairwiseFileSet(SetSpec):
    """Any JSON or JSONL file of labelled pairs, read through a column mapping (harness/judge_eval/pairwise_file.py)."""

    type: Literal["pairwise"]
    path: str = Field(
        description="a .json (array) or .jsonl file, optionally .gz, relative to the recipe; data:<path> for the shared folder"
    )
    columns: Columns
    labels: LabelValues = Field(default_factory=LabelValues)

    def load(self) -> list[LabelledPair]:
        path = data_file(self.path)
        return self.capped(read_pairwise_file(Path(path), self.columns, self.labels, path.stem.split(".")[0]))


LabelledSet = Annotated[
    HHRLHFSet | HHHSet | TruthfulQASet | OasstSet | FairEvalSet | PairwiseFileSet, Field(discriminator="type")
]
