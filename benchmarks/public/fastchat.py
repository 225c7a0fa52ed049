"""FastChat llm_judge question sets: MT-bench (80 two-turn questions) and Vicuna-80 (single-turn).

Layout as in FastChat's `llm_judge/data/<bench>/`: `question.jsonl` rows {question_id, category, turns
[, reference]} and `reference_answer/<model>.jsonl` rows {question_id, model_id, choices[{index, turns}]}.
A prompt holds the first turn as its message; all turns are in `metadata["turns"]` for multi-turn runs.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Annotated

from pydantic import Field

from benchmarks.public.base import PublicSet, Reference, resolve
from benchmarks.public.rows import jsonl_rows
from harness.registry import benchmark
from harness.types import Prompt


class FastChatQuestions(PublicSet):
    def __init__(self, name: str, questions: Path):
        self.name = name
        self.questions = questions

    def prompt_id(self, question_id: int) -> str:
        return f"{self.name}-{question_id}"

    def _load_prompts(self) -> list[Prompt]:
        prompts, seen = [], set()
        for row in jsonl_rows(self.questions):
            qid = row.integer("question_id")
            if qid in seen:
                raise row.error("question_id", f"{qid} appears twice", "give every question its own id")
            seen.add(qid)
            turns = row.texts("turns")
            metadata = {"source": self.name, "question_id": qid, "category": row.text("category"), "turns": turns}
            if row.data.get("reference") is not None:
                metadata["reference"] = row.texts("reference")
            prompts.append(Prompt.from_text(self.prompt_id(qid), turns[0], **metadata))
        return prompts

    @cached_property
    def _references(self) -> dict[str, Reference]:
        known = {p.id for p in self._prompts}
        found: dict[str, Reference] = {}
        for path in sorted((self.questions.parent / "reference_answer").glob("*.jsonl")):
            for row in jsonl_rows(path):
                pid = self.prompt_id(row.integer("question_id"))
                if pid not in known:
                    raise row.error(
                        "question_id",
                        f"{row.data['question_id']} is not in {self.questions.name}",
                        "drop the row or add the question",
                    )
                choices = row.objects("choices")
                if not choices:
                    raise row.error("choices", "is empty", "give at least one choice with its turns")
                found[pid] = Reference(
                    prompt_id=pid, turns=tuple(choices[0].texts("turns")), author=row.text("model_id")
                )
        return found

    def references(self) -> dict[str, Reference]:
        """Reference answers by prompt id (GPT-4's, which FastChat shows the judge for math/reasoning/coding)."""
        return dict(self._references)


@benchmark("mt_bench")
def mt_bench(
    path: Annotated[
        str | None,
        Field(
            description="a copy of the data elsewhere; null = the shared data's "
            "fastchat_mt_bench/mt_bench/question.jsonl"
        ),
    ] = None,
) -> FastChatQuestions:
    """MT-bench: 80 two-turn questions in 8 categories, GPT-4 reference answers for 30."""
    return FastChatQuestions("mt_bench", resolve(path, "fastchat_mt_bench/mt_bench/question.jsonl", "mt_bench"))


@benchmark("vicuna80")
def vicuna80(
    path: Annotated[
        str | None,
        Field(
            description="a copy of the data elsewhere; null = the shared data's "
            "fastchat_mt_bench/vicuna_bench/question.jsonl"
        ),
    ] = None,
) -> FastChatQuestions:
    """Vicuna-80: 80 single-turn questions in 9 categories, GPT-4 reference answers for 10."""
    return FastChatQuestions("vicuna80", resolve(path, "fastchat_mt_bench/vicuna_bench/question.jsonl", "vicuna80"))
