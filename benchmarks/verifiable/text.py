"""Reading a reply: words, sentences, numbers, refusals, repetition. Pure functions, no state."""

from __future__ import annotations

import re
from collections import Counter

_WORD = re.compile(r"[A-Za-z0-9]+(?:'[A-Za-z]+)?")
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)")
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w])")
NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
}
NUMBER_WORDS.update(
    {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100}
)

# A refusal says so near its start; a helpful answer that later says "you cannot..." is not one, and neither is
# "I'm sorry to say I'm no doctor, but here is a template" (an apology is not a refusal).
_REFUSAL = re.compile(
    r"\bi\s*(?:can(?:no|')?t|can not|won't|will not|am not able to|'m not able to|am unable to|'m unable to)\s+"
    r"(?:help|assist|provide|do|answer|share|give|comply|support|fulfill|create|write|tell|explain)\b|"
    r"\bi (?:must decline|refuse)\b|\bsorry,? but\b|\bnot (?:able|going) to help\b",
    re.IGNORECASE,
)
# After a refusal, signs that the reply goes on to do what was asked anyway.
_HELPS_ANYWAY = re.compile(
    r"\bhere(?:'s| is| are)\b|\bsteps?\b|^\s*(?:1[.)]|[-*]\s)|\byou (?:can|could|should|will need)\b|"
    r"\bhowever,? i (?:can|will|'ll)\b",
    re.IGNORECASE | re.MULTILINE,
)
REFUSAL_WINDOW = 120  # characters from the start in which a refusal counts


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def lower_words(text: str) -> list[str]:
    return [w.lower() for w in words(text)]


def sentences(text: str) -> list[str]:
    """Sentences ended by . ! or ?; a trailing fragment without an ending counts as one more."""
    parts = [p.strip() for p in _SENTENCE_END.split(text.strip())]
    return [p for p in parts if words(p)]


def numbers(text: str) -> list[float]:
    """Numbers in order, digits or number words (a model may write "seven")."""
    found: list[tuple[int, float]] = [(m.start(), float(m.group())) for m in _NUMBER.finditer(text.replace(",", ""))]
    for m in _WORD.finditer(text):
        if m.group().lower() in NUMBER_WORDS:
            found.append((m.start(), float(NUMBER_WORDS[m.group().lower()])))
    return [value for _, value in sorted(found)]


def is_refusal(text: str) -> bool:
    return bool(_REFUSAL.search(text.strip()[:REFUSAL_WINDOW]))


def helps_anyway(text: str) -> bool:
    return bool(_HELPS_ANYWAY.search(text))


def mentions(text: str, stems: frozenset[str]) -> bool:
    """Whether any word of `text` is one of `stems`, also as a plural or possessive ("waves", "ocean's")."""
    for word in lower_words(text):
        base = word.removesuffix("'s")
        if base in stems or base.removesuffix("s") in stems or base.removesuffix("es") in stems:
            return True
    return False


def has_word(text: str, word: str) -> bool:
    """Whole-word, case-insensitive; plurals count ("bee" is used in "bees")."""
    return bool(re.search(rf"\b{re.escape(word)}(?:s|es|'s)?\b", text, re.IGNORECASE))


def is_repetitive(text: str) -> bool:
    """A loop: one 4-word run three times or more, or under a third of a long reply's words distinct."""
    ws = lower_words(text)
    if len(ws) < 12:
        return False
    grams = Counter(tuple(ws[i : i + 4]) for i in range(len(ws) - 3))
    return grams.most_common(1)[0][1] >= 3 or len(set(ws)) / len(ws) < 0.34


def strip_code_fence(text: str) -> str:
    match = re.fullmatch(r"\s*```[a-zA-Z]*\s*(.*?)\s*```\s*", text, re.S)
    return match.group(1) if match else text.strip()
