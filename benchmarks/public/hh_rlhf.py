"""Anthropic HH-RLHF preference pairs: JSON lines (often gzip'd) of {chosen, rejected} dialogue strings.

Each string is "\\n\\nHuman: ...\\n\\nAssistant: ..."; the two should differ only in the last Assistant turn.
`path` is one file or a folder of `<subset>_test.jsonl[.gz]` files; each subset is also a split.
The prompt is the two dialogues' common prefix up to its last Assistant turn. Rows whose reply runs on into
another "\\n\\nHuman:" turn ("extra_turns": 19 in the shipped test splits) or whose dialogues are identical (36)
give a prompt but no pair; `skipped()` counts them, so a preference-accuracy number says what it left out.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field

from benchmarks.public.base import PublicSet, resolve, take
from benchmarks.public.rows import Row, jsonl_rows
from harness.registry import benchmark
from harness.types import Message, Prompt, Role

HUMAN, ASSISTANT = "\n\nHuman:", "\n\nAssistant:"
TURN = re.compile(r"\n\n(Human|Assistant):")
ROLES: dict[str, Role] = {"Human": "user", "Assistant": "assistant"}


@dataclass(frozen=True)
class HHRow:
    prompt: Prompt
    chosen: str
    rejected: str
    problem: str | None  # why the row gives no pair


def parse_row(row: Row) -> tuple[list[Message], str, str]:
    """Prompt turns and the two final replies, split where the dialogues' common prefix last hands to the Assistant."""
    chosen, rejected = row.text("chosen"), row.text("rejected")
    for field, text in (("chosen", chosen), ("rejected", rejected)):
        if not text.startswith(HUMAN):
            raise row.error(
                field,
                "does not start with '\\n\\nHuman:'",
                "write the dialogue as '\\n\\nHuman: ...\\n\\nAssistant: ...'",
            )
    # The shared dialogue prefix, character by character (commonpath would split on '/', which is wrong here).
    cut = os.path.commonprefix([chosen, rejected]).rfind(ASSISTANT)  # noqa: RUF071
    if cut < 0:
        raise row.error(
            "rejected",
            "shares no Assistant turn with 'chosen'",
            "both dialogues must continue the same prompt with an Assistant turn",
        )
    parts = TURN.split(chosen[:cut])
    turns = [Message(role=ROLES[who], content=text.strip()) for who, text in zip(parts[1::2], parts[2::2])]
    reply = len(ASSISTANT)
    return turns, chosen[cut + reply :].strip(), rejected[cut + reply :].strip()


def subset_name(path: Path) -> str:
    return path.name.split(".")[0].removesuffix("_test")


class HHRLHF(PublicSet):
    name = "hh_rlhf"

    def __init__(self, path: Path):
        self.files = sorted(f for f in path.iterdir() if ".jsonl" in f.name) if path.is_dir() else [path]
        if not self.files:
            raise FileNotFoundError(f"hh_rlhf: no *.jsonl or *.jsonl.gz files in {path}; point path= at the data")

    def splits(self) -> tuple[str, ...]:
        return ("test", *(subset_name(f) for f in self.files))

    def _in_split(self, prompt: Prompt, split: str) -> bool:
        return split == "test" or prompt.metadata["subset"] == split

    @cached_property
    def _rows(self) -> list[HHRow]:
        rows = []
        for path in self.files:
            subset = subset_name(path)
            for row in jsonl_rows(path):
                turns, chosen, rejected = parse_row(row)
                problem = (
                    "identical"
                    if chosen == rejected
                    else "extra_turns"
                    if TURN.search(chosen) or TURN.search(rejected)
                    else None
                )
                prompt = Prompt(
                    id=f"hh_rlhf-{subset}-{row.line}",
                    messages=tuple(turns),
                    metadata={"source": self.name, "subset": subset},
                )
                rows.append(HHRow(prompt, chosen, rejected, problem))
        return rows

    def _load_prompts(self) -> list[Prompt]:
        return [r.prompt for r in self._rows]

    def pairs(self, split: str = "test", n: int | None = None) -> list[dict[str, Any]]:
        """Human-labelled pairs as `harness.types.PreferencePair` fields (rows in `skipped()` left out)."""
        in_split = {p.id for p in self.prompts(split)}
        usable = [r for r in self._rows if r.problem is None and r.prompt.id in in_split]
        return [_pair(r) for r in usable[: take(n, len(usable), f"hh_rlhf split {split!r} pairs")]]

    def skipped(self, split: str = "test") -> dict[str, int]:
        in_split = {p.id for p in self.prompts(split)}
        return dict(Counter(r.problem for r in self._rows if r.problem and r.prompt.id in in_split))


def _pair(row: HHRow) -> dict[str, Any]:
    producer = f"hh_rlhf:{row.prompt.metadata['subset']}"
    return {
        "prompt_id": row.prompt.id,
        "prompt": [m.model_dump() for m in row.prompt.messages],
        "chosen": [{"role": "assistant", "content": row.chosen}],
        "rejected": [{"role": "assistant", "content": row.rejected}],
        "source": "hh_rlhf",
        "chosen_by": producer,
        "rejected_by": producer,
        "judge": "human",
    }


@benchmark("hh_rlhf")
def hh_rlhf(
    path: Annotated[
        str | None, Field(description="folder of <subset>_test.jsonl.gz files; null = the shared data's hh-rlhf/")
    ] = None,
) -> HHRLHF:
    """HH-RLHF test pairs (4 subsets, 8,552 rows): dialogues with a human-preferred and a dispreferred reply."""
    return HHRLHF(resolve(path, "hh-rlhf", "hh_rlhf"))
