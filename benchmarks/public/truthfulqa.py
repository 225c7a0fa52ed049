"""TruthfulQA's CSV: Type, Category, Question, Best Answer, Correct Answers, Incorrect Answers, Source.

Answer lists are "; "-separated cells; they go to the prompt's metadata for judges that grade truthfulness.
The 2025 revision's extra "Best Incorrect Answer" column is kept when present. Prompt ids are the 0-based
row index, the order every published copy (and its mc_task.json) uses.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Annotated

from pydantic import Field

from benchmarks.public.base import PublicSet, Reference, resolve
from benchmarks.public.rows import csv_rows
from harness.registry import benchmark
from harness.types import Prompt

COLUMNS = ("Type", "Category", "Question", "Best Answer", "Correct Answers", "Incorrect Answers")


def answer_list(cell: str) -> list[str]:
    return [a.strip() for a in cell.split(";") if a.strip()]


class TruthfulQA(PublicSet):
    name = "truthfulqa"

    def __init__(self, path: Path):
        self.path = path

    @cached_property
    def _rows(self) -> list[tuple[Prompt, str]]:
        rows = []
        for index, row in enumerate(csv_rows(self.path, COLUMNS)):
            metadata = {
                "source": self.name,
                "type": row.text("Type"),
                "category": row.text("Category"),
                "correct_answers": answer_list(row.text("Correct Answers")),
                "incorrect_answers": answer_list(row.text("Incorrect Answers")),
            }
            if row.data.get("Best Incorrect Answer"):
                metadata["best_incorrect_answer"] = row.text("Best Incorrect Answer")
            rows.append(
                (Prompt.from_text(f"truthfulqa-{index}", row.text("Question"), **metadata), row.text("Best Answer"))
            )
        return rows

    def _load_prompts(self) -> list[Prompt]:
        return [prompt for prompt, _ in self._rows]

    def references(self) -> dict[str, Reference]:
        """The "Best Answer" of each question."""
        return {p.id: Reference(prompt_id=p.id, turns=(best,), author="truthfulqa") for p, best in self._rows}


@benchmark("truthfulqa")
def truthfulqa(
    path: Annotated[
        str | None,
        Field(
            description="TruthfulQA.csv of another version (v0 or v2025); null = the shared "
            "data's truthfulqa/TruthfulQA.csv"
        ),
    ] = None,
) -> TruthfulQA:
    """TruthfulQA: 817 questions with best, correct and incorrect answers (pass path= for v0 or v2025)."""
    return TruthfulQA(resolve(path, "truthfulqa/TruthfulQA.csv", "truthfulqa"))
