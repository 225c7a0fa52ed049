"""ALMoST's BAD-response filters: responses that no rubric should rank, removed before any pair is made.

A vanilla LM prompted with dialogues keeps writing the dialogue, so a response is first cut where the
model starts a new turn (`cut_continuation`), then checked by the rules below in ALMoST's order; the
first rule that fires names the reason. Length is counted in characters, as ALMoST does (`len(text)`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Literal, get_args

BadRule = Literal[
    "too_short", "question_or_colon_ending", "starts_with_well", "no_final_period", "dont_know", "role_leakage",
    "image_placeholder",
]  # fmt: skip
BAD_RULES: tuple[BadRule, ...] = get_args(BadRule)  # ALMoST's order, all on by default

ALMOST_MIN_LENGTH = 50  # characters; ALMoST's default for responses

# Where a prompted vanilla LM starts the next dialogue or turn (ALMoST: the "-----" splitter, then the
# text before "Assistant:" and before "Human:", case-sensitive).
_CONTINUATION = re.compile(r"\n\n-----|Assistant:|Human:")
_DONT_KNOW = re.compile(r"(don('|’)t|do not)\s+know", re.IGNORECASE)
# After cutting, a role marker can still leak in another case ("human:") or as a chat-style "User:".
_ROLE_LEAK = re.compile(r"\b(human|assistant|user)\s*:", re.IGNORECASE)
_IMAGE = re.compile(r"<image>", re.IGNORECASE)

_Check = Callable[[str, int], bool]
_CHECKS: dict[BadRule, _Check] = {
    "too_short": lambda text, min_length: len(text) < min_length,
    "question_or_colon_ending": lambda text, _: text.endswith(("?", ":")),  # asks back, or announces and stops
    "starts_with_well": lambda text, _: text.lower().startswith("well"),  # ALMoST found these evasive
    "no_final_period": lambda text, _: text[-1:] not in (".", "!"),  # cut off mid-sentence
    "dont_know": lambda text, _: _DONT_KNOW.search(text) is not None,
    "role_leakage": lambda text, _: _ROLE_LEAK.search(text) is not None,
    "image_placeholder": lambda text, _: _IMAGE.search(text) is not None,
}


def cut_continuation(text: str) -> str:
    """The response up to where the model starts another dialogue or turn, stripped of blank edges."""
    return _CONTINUATION.split(text, maxsplit=1)[0].strip("\n ")


def bad_reason(text: str, min_length: int = ALMOST_MIN_LENGTH, rules: Sequence[BadRule] = BAD_RULES) -> BadRule | None:
    """The first of `rules` (in ALMoST's order) that marks `text` BAD, or None for a usable response.

    An empty response is always too short, whatever `rules` says: no rule below can judge it.
    """
    if not text:
        return "too_short"
    for rule in BAD_RULES:
        if rule in rules and _CHECKS[rule](text, min_length):
            return rule
    return None
