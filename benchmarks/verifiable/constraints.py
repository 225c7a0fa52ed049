"""IFEval-style constraints: each renders one sentence of a prompt, parses it back, and scores a reply 0..1.

Credit is partial where "nearly" means something (one word over a limit is better than forty, one comma
better than five), so four samples of one prompt rarely tie.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from benchmarks.verifiable import text as tx

COUNT_WORDS = ("zero", "one", "two", "three", "four", "five")


@dataclass(frozen=True)
class Kind:
    name: str
    template: str  # "{arg}" is the constraint's argument as it reads in the prompt
    pattern: re.Pattern[str]  # matches the rendered sentence at the start of a text; group "arg" if any
    credit: Callable[[str, str], float]  # (arg, reply) -> 0..1


@dataclass(frozen=True)
class Constraint:
    kind: str
    arg: str = ""

    def render(self) -> str:
        return KINDS[self.kind].template.format(arg=self.arg)

    def credit(self, reply: str) -> float:
        return KINDS[self.kind].credit(self.arg, reply)


def _max_words(arg: str, reply: str) -> float:
    limit, n = int(arg), len(tx.words(reply))
    return 1.0 if n <= limit else max(0.0, 1.0 - (n - limit) / limit)


def _sentences(arg: str, reply: str) -> float:
    miss = abs(len(tx.sentences(reply)) - COUNT_WORDS.index(arg.split()[0]))
    return {0: 1.0, 1: 0.5}.get(miss, 0.0)


def _uppercase(arg: str, reply: str) -> float:
    letters = [c for c in reply if c.isalpha()]
    share = sum(c.isupper() for c in letters) / len(letters) if letters else 0.0
    return 1.0 if share == 1.0 else 0.5 if share >= 0.8 else 0.0


def _lowercase(arg: str, reply: str) -> float:
    # No partial credit: ordinary sentence case is already over 90 % lowercase, so "mostly" would pay for nothing.
    letters = [c for c in reply if c.isalpha()]
    return float(bool(letters) and not any(c.isupper() for c in letters))


def _starts_with(arg: str, reply: str) -> float:
    ws = tx.lower_words(reply)
    if ws[:1] == [arg.lower()]:
        return 1.0
    return 0.5 if arg.lower() in ws[:5] else 0.0


def _ends_with(arg: str, reply: str) -> float:
    tail, phrase = reply.strip().lower(), arg.lower()
    if tail.endswith(phrase):
        return 1.0
    return 0.5 if phrase.rstrip(".!?") in tail else 0.0


def _no_commas(arg: str, reply: str) -> float:
    return {0: 1.0, 1: 0.5}.get(reply.count(","), 0.0)


_BULLET = re.compile(r"^\s*- \S", re.M)
_OTHER_BULLET = re.compile(r"^\s*(?:[*•]|\d+[.)])\s+\S", re.M)


def _bullets(arg: str, reply: str) -> float:
    want, dashes = COUNT_WORDS.index(arg), len(_BULLET.findall(reply))
    any_marker = dashes + len(_OTHER_BULLET.findall(reply))
    if dashes == want and any_marker == want:
        return 1.0
    if any_marker == want:
        return 0.6  # the right count with the wrong marker
    return 0.3 if min(abs(dashes - want), abs(any_marker - want)) == 1 else 0.0


def _number_only(arg: str, reply: str) -> float:
    bare = reply.strip().rstrip(".").strip()
    if re.fullmatch(r"-?\d+", bare) or bare.lower() in tx.NUMBER_WORDS:
        return 1.0
    return 0.5 if len(tx.words(bare)) <= 3 and tx.numbers(bare) else 0.0


def parse_json_object(reply: str) -> tuple[dict[str, Any] | None, float]:
    """The JSON object in a reply and how cleanly it is given: 1 alone (a code fence is fine), 0.6 inside
    other text, 0.2 for a brace that does not parse, 0 for none."""
    for candidate, quality in ((tx.strip_code_fence(reply), 1.0), (reply[reply.find("{") : reply.rfind("}") + 1], 0.6)):
        try:
            value = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value, quality
    return None, 0.2 if "{" in reply else 0.0


def _json_object(arg: str, reply: str) -> float:
    return parse_json_object(reply)[1]


def _json_keys(arg: str, reply: str) -> float:
    obj, _ = parse_json_object(reply)
    keys = arg.split(",")
    return 0.0 if obj is None else sum(k in obj for k in keys) / len(keys)


def _kind(name: str, template: str, credit: Callable[[str, str], float], arg: str = "") -> Kind:
    pattern = re.escape(template).replace(re.escape("{arg}"), f"(?P<arg>{arg})") if arg else re.escape(template)
    return Kind(name, template, re.compile(pattern), credit)


_COUNT = "|".join(COUNT_WORDS)
KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        _kind("max_words", "Answer in at most {arg} words.", _max_words, r"\d+"),
        _kind("sentences", "Answer in exactly {arg}.", _sentences, f"(?:{_COUNT}) sentences?"),
        _kind("uppercase", "Write your whole answer in capital letters.", _uppercase),
        _kind("lowercase", "Write your whole answer in lowercase letters.", _lowercase),
        _kind("starts_with", 'Start your answer with the word "{arg}".', _starts_with, r"[A-Za-z]+"),
        _kind("ends_with", 'End your answer with the exact phrase "{arg}"', _ends_with, r"[^\"]+"),
        _kind("include", 'Use the word "{arg}" in your answer.', lambda a, r: float(tx.has_word(r, a)), r"[a-z]+"),
        _kind("avoid", 'Do not use the word "{arg}".', lambda a, r: float(not tx.has_word(r, a)), r"[a-z]+"),
        _kind("no_commas", "Do not use any commas.", _no_commas),
        _kind("bullets", 'Format your answer as exactly {arg} bullet points that start with "- ".', _bullets, _COUNT),
        _kind("number_only", "Reply with the number only.", _number_only),
        # Implied by the json family's task sentence; never rendered on their own.
        _kind("json_object", "<json object>", _json_object),
        _kind("json_keys", "<json keys {arg}>", _json_keys, r"[a-z,]+"),
    )
}
IMPLICIT = frozenset({"json_object", "json_keys"})

# Pairs no single reply can satisfy, that make each other trivial, or whose reference answer would not fit 48
# tokens (several sentences in capitals: a word in capitals is several tokens).
CONFLICTS = frozenset(
    frozenset(p)
    for p in (
        ("uppercase", "lowercase"),
        ("sentences", "starts_with"),
        ("sentences", "ends_with"),
        ("sentences", "bullets"),
        ("uppercase", "sentences"),
        ("uppercase", "bullets"),
        ("include", "avoid"),
        *(
            ("number_only", k)
            for k in (
                "starts_with",
                "ends_with",
                "uppercase",
                "lowercase",
                "include",
                "avoid",
                "sentences",
                "bullets",
                "max_words",
                "no_commas",
            )
        ),
    )
)


def compatible(kinds: list[str]) -> bool:
    return len(set(kinds)) == len(kinds) and not any(
        frozenset((a, b)) in CONFLICTS for i, a in enumerate(kinds) for b in kinds[i + 1 :]
    )


def parse_constraints(text: str) -> tuple[Constraint, ...]:
    """The constraints a prompt's tail states, in order; ValueError naming the first sentence not understood."""
    found: list[Constraint] = []
    rest = text.strip()
    while rest:
        for kind in KINDS.values():
            match = kind.pattern.match(rest)
            if match and kind.name not in IMPLICIT:
                found.append(Constraint(kind.name, match.groupdict().get("arg") or ""))
                rest = rest[match.end() :].lstrip()
                break
        else:
            raise ValueError(f"not a verifiable constraint: {rest[:60]!r}")
    return tuple(found)
