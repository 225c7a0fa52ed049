"""A judge in a separate package: shorter answers score higher (a rule judge, useful as a length-bias probe)."""

from harness.registry import judge
from harness.types import Judgment, Score


class LengthJudge:
    name = "concise"

    def __init__(self, max_chars: int):
        self.max_chars = max_chars

    def score(self, items):
        return [Judgment(judge=self.name, prompt_id=p.id, candidates=(f"{c.producer}#{c.sample}",),
                         verdict=Score(value=max(0.0, 5.0 * (1 - len(c.text) / self.max_chars))))
                for p, c in items]


@judge("concise")
def concise(max_chars: int = 200) -> LengthJudge:
    """Scores 5 for an empty answer down to 0 at `max_chars` characters."""
    return LengthJudge(max_chars)
