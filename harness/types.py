"""The vocabulary every stage speaks: prompts, completions, judgments and preference pairs.

Records are pydantic models so they validate at every boundary (files, remote replies, plug-ins)
and serialise to JSON lines without custom code.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Role = Literal["system", "user", "assistant"]


class Message(Record):
    role: Role
    content: str


class Prompt(Record):
    """One instruction. `messages` is the chat form; `text` is the user turn, kept for judges and logs."""

    id: str
    messages: tuple[Message, ...]
    metadata: dict[str, Any] = Field(default_factory=dict)

    @property
    def text(self) -> str:
        return next(m.content for m in reversed(self.messages) if m.role == "user")

    @classmethod
    def from_text(cls, id: str, text: str, **metadata: Any) -> Prompt:
        return cls(id=id, messages=(Message(role="user", content=text),), metadata=metadata)


class Completion(Record):
    """One response to one prompt, with enough provenance to regenerate it."""

    prompt_id: str
    text: str
    producer: str  # model spec hash + generation params + sample index, see generation.producer_id
    sample: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def ref(self) -> str:
        """What judgments (`Judgment.candidates`) and pairs (`chosen_by`, `rejected_by`) name this completion by."""
        return f"{self.producer}#{self.sample}"


# --- judgments: typed results, never a magic number -------------------------------------------------


class Score(Record):
    kind: Literal["score"] = "score"
    value: float
    rationale: str = ""


class Preference(Record):
    """Pairwise verdict. `prob` is P(a is better), 0.5 for a tie."""

    kind: Literal["preference"] = "preference"
    winner: Literal["a", "b", "tie"]
    prob: float = 0.5
    consistent: bool | None = None  # both orders agreed (None: judged in one order only)


class Ranking(Record):
    kind: Literal["ranking"] = "ranking"
    order: tuple[int, ...]  # candidate indices, best first


class Failure(Record):
    """A judge output that could not be turned into a verdict. It is counted, never used as a score."""

    kind: Literal["failure"] = "failure"
    reason: str
    raw: str = ""


Verdict = Annotated[Score | Preference | Ranking | Failure, Field(discriminator="kind")]


class Judgment(Record):
    judge: str  # judge spec hash-name
    prompt_id: str
    verdict: Verdict
    raw: str = ""
    candidates: tuple[str, ...] = ()  # producers of the judged completions
    cost_usd: float = 0.0
    latency_s: float = 0.0

    @property
    def failed(self) -> bool:
        return isinstance(self.verdict, Failure)


class PreferencePair(Record):
    """TRL's standard preference format plus provenance.

    `prompt`/`chosen`/`rejected` are conversational (lists of messages) so TRL applies the chat template;
    `to_trl()` gives exactly the three columns a DPOTrainer or RewardTrainer reads.
    """

    prompt_id: str
    prompt: tuple[Message, ...]
    chosen: tuple[Message, ...]
    rejected: tuple[Message, ...]
    source: str
    chosen_by: str
    rejected_by: str
    chosen_score: float | None = None
    rejected_score: float | None = None
    judge: str = ""

    @property
    def margin(self) -> float | None:
        if self.chosen_score is None or self.rejected_score is None:
            return None
        return self.chosen_score - self.rejected_score

    def to_trl(self) -> dict[str, list[dict[str, str]]]:
        dump = lambda msgs: [m.model_dump() for m in msgs]  # noqa: E731
        return {"prompt": dump(self.prompt), "chosen": dump(self.chosen), "rejected": dump(self.rejected)}


def assistant(text: str) -> tuple[Message, ...]:
    return (Message(role="assistant", content=text),)
