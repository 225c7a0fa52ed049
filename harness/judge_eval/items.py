"""What a human-labelled set holds: pairs with a human verdict, or groups of replies with human ranks."""

from __future__ import annotations

from typing import Literal

from harness.types import Message, Record

Label = Literal["a", "b", "tie"]


class LabelledPair(Record):
    """Two replies to one prompt and the human verdict: "a" (first shown is better), "b" or "tie".

    `model_a` / `model_b` name who wrote each reply where the set says so (for self-preference)."""

    id: str
    subset: str
    prompt: tuple[Message, ...]
    a: str
    b: str
    label: Label
    model_a: str = ""
    model_b: str = ""


class RankedGroup(Record):
    """Sibling replies to one prompt with human scores, higher is better (OASST: minus the rank)."""

    id: str
    subset: str
    prompt: tuple[Message, ...]
    replies: tuple[str, ...]
    reference: tuple[float, ...]
