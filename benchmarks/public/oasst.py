"""OpenAssistant conversation trees with human sibling rankings (`en_100_tree.jsonl` format).

Each row is {message_tree_id, tree_state, prompt}; `prompt` is the root message and every message nests
its `replies`. Assistant replies under one parent carry `rank` (0 = best) when humans ranked them.
`prompts()` gives the tree roots; `rankings()` gives every sibling group with at least two ranked replies,
its prompt being the conversation from the root down to the parent, so a judge sees what the rankers saw.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Annotated

from pydantic import Field

from benchmarks.public.base import PublicSet, resolve
from benchmarks.public.rows import Row, jsonl_rows
from harness.registry import benchmark
from harness.types import Message, Prompt, Record, Role

ROLES: dict[str, Role] = {"prompter": "user", "assistant": "assistant"}


class RankedReplies(Record):
    """Sibling replies to one conversation with their human rank (0 = best)."""

    prompt_id: str
    prompt: tuple[Message, ...]
    reply_ids: tuple[str, ...]
    replies: tuple[str, ...]
    ranks: tuple[int, ...]
    synthetic: tuple[bool, ...]

    @property
    def reference_scores(self) -> list[float]:
        """Higher is better, as `harness.evaluate.ranking_metrics` reads reference scores."""
        return [-float(r) for r in self.ranks]


def _message(row: Row) -> tuple[Message, str]:
    role = row.text("role")
    if role not in ROLES:
        raise row.error("role", f"is {role!r}", f"use one of {', '.join(ROLES)}")
    return Message(role=ROLES[role], content=row.text("text", allow_empty=True)), row.text("message_id")


def _replies(row: Row) -> list[Row]:
    return row.objects("replies") if row.data.get("replies") is not None else []


def _rank(row: Row) -> int | None:
    return None if row.data.get("rank") is None else row.integer("rank")


class OasstTrees(PublicSet):
    name = "oasst"

    def __init__(self, path: Path):
        self.path = path

    @cached_property
    def _roots(self) -> list[Row]:
        return [row.object("prompt") for row in jsonl_rows(self.path)]

    def _load_prompts(self) -> list[Prompt]:
        prompts = []
        for root in self._roots:
            message, message_id = _message(root)
            if message.role != "user":
                raise root.error("role", "of a tree root is not 'prompter'", "start each tree with a prompter message")
            prompts.append(
                Prompt(
                    id=f"oasst-{message_id}",
                    messages=(message,),
                    metadata={"source": self.name, "synthetic": bool(root.data.get("synthetic"))},
                )
            )
        return prompts

    def rankings(self, include_synthetic: bool = False) -> list[RankedReplies]:
        """Every sibling group with >= 2 ranked assistant replies; model-written replies dropped unless asked."""
        self._load_prompts()  # validates the roots
        groups: list[RankedReplies] = []
        for root in self._roots:
            self._collect(root, [], groups, include_synthetic)
        return groups

    def _collect(self, node: Row, history: list[Message], groups: list[RankedReplies], synthetic_ok: bool) -> None:
        message, message_id = _message(node)
        history = [*history, message]
        replies = _replies(node)
        ranked = [
            (r, _rank(r))
            for r in replies
            if not r.data.get("deleted") and (synthetic_ok or not r.data.get("synthetic"))
        ]
        ordered = sorted(
            [(r, k) for r, k in ranked if k is not None and r.text("role") == "assistant"], key=lambda rk: rk[1]
        )
        if len(ordered) >= 2:
            groups.append(
                RankedReplies(
                    prompt_id=f"oasst-{message_id}",
                    prompt=tuple(history),
                    reply_ids=tuple(r.text("message_id") for r, _ in ordered),
                    replies=tuple(r.text("text", allow_empty=True) for r, _ in ordered),
                    ranks=tuple(k for _, k in ordered),
                    synthetic=tuple(bool(r.data.get("synthetic")) for r, _ in ordered),
                )
            )
        for reply in replies:
            self._collect(reply, history, groups, synthetic_ok)


@benchmark("oasst")
def oasst(
    path: Annotated[
        str | None,
        Field(description="a copy of the data elsewhere; null = the shared data's oasst_en100/en_100_tree.jsonl"),
    ] = None,
) -> OasstTrees:
    """OpenAssistant: 100 English trees; sibling replies ranked by humans (212 groups, 207 human-only)."""
    return OasstTrees(resolve(path, "oasst_en100/en_100_tree.jsonl", "oasst"))
