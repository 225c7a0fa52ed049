"""AlpacaEval-format instruction sets: a JSON array of {instruction[, output, generator, dataset, datasplit]}.

The default file is AlpacaEval 2.0's baseline (gpt4_1106_preview's outputs on the 805 instructions), so
`references()` gives the outputs a model is compared with there. Any `model_outputs.json` loads the same
way. Prompt ids hash the instruction text, so the same instruction has the same id in every generator's file.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Annotated

from pydantic import Field

from benchmarks.public.base import PublicSet, Reference, resolve
from benchmarks.public.rows import Row, json_array_rows
from harness.hashing import stable_hash
from harness.registry import benchmark
from harness.types import Prompt


def instruction_id(instruction: str) -> str:
    return f"alpaca_eval-{stable_hash(instruction, length=12)}"


class AlpacaEvalSet(PublicSet):
    name = "alpaca_eval"

    def __init__(self, path: Path):
        self.path = path

    @cached_property
    def _rows(self) -> list[tuple[Row, Prompt]]:
        parsed, seen = [], set()
        for row in json_array_rows(self.path):
            instruction = row.text("instruction")
            pid = instruction_id(instruction)
            if pid in seen:
                raise row.error("instruction", "repeats an earlier instruction", "keep one row per instruction")
            seen.add(pid)
            metadata = {"source": self.name, "dataset": row.optional_text("dataset") or ""}
            parsed.append((row, Prompt.from_text(pid, instruction, **metadata)))
        return parsed

    def _load_prompts(self) -> list[Prompt]:
        return [prompt for _, prompt in self._rows]

    def references(self) -> dict[str, Reference]:
        """The file's outputs by prompt id (rows without an `output` have none)."""
        found = {}
        for row, prompt in self._rows:
            output = row.optional_text("output")
            if output is not None:
                found[prompt.id] = Reference(
                    prompt_id=prompt.id, turns=(output,), author=row.optional_text("generator") or ""
                )
        return found


@benchmark("alpaca_eval")
def alpaca_eval(
    path: Annotated[
        str | None,
        Field(
            description="a copy of the data elsewhere; null = the shared data's "
            "alpaca_eval/results/gpt4_1106_preview/model_outputs.json"
        ),
    ] = None,
) -> AlpacaEvalSet:
    """AlpacaEval instructions (805 by default) with the baseline's outputs as references."""
    return AlpacaEvalSet(resolve(path, "alpaca_eval/results/gpt4_1106_preview/model_outputs.json", "alpaca_eval"))
