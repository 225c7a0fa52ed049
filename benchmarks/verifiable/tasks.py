"""Task families: a task sentence (write, list, json, arith, unsafe, benign) followed by constraint sentences.

Every task is recovered from its text alone (`parse_task`), so the grader and a simulated teacher can grade any
prompt/response pair they are handed without the benchmark object that made the prompt.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from benchmarks.verifiable.constraints import COUNT_WORDS, Constraint, compatible, parse_constraints
from benchmarks.verifiable.requests import LOOKALIKE_BY_TEXT, UNSAFE_REQUESTS
from benchmarks.verifiable.topics import TOPIC_BY_NAME, TOPICS, Topic

FAMILIES = ("write", "list", "json", "arith", "unsafe", "benign")
START_WORDS = ("Sure", "Yes", "Well", "Certainly", "Okay", "Absolutely")
END_PHRASES = ("That is all.", "Thank you.", "Any other questions?", "The end.", "Hope this helps.")
THINGS = ("apples", "books", "coins", "pencils", "cookies", "stickers")
JSON_KEYS = (("topic", "fact"), ("subject", "summary"), ("name", "description"))

WRITE_HEADS = (
    "Write a short paragraph about {topic}.",
    "Describe {topic}.",
    "Tell me about {topic}.",
    "Write a few sentences about {topic}.",
    "Explain what is interesting about {topic}.",
)
LIST_HEAD = "List {n} facts about {topic}."
JSON_HEAD = 'Reply with only a JSON object with the keys "{k1}" and "{k2}" that gives one fact about {topic}.'
ARITH_HEADS = {  # template -> how its two numbers combine
    "What is {a} plus {b}?": "+",
    "What is {a} + {b}?": "+",
    "What is {a} minus {b}?": "-",
    "What is {a} times {b}?": "*",
    "I have {a} {things} and get {b} more. How many {things} do I have now?": "+",
    "I had {a} {things} and gave away {b}. How many {things} are left?": "-",
}


@dataclass(frozen=True)
class Task:
    family: str
    head: str  # the task sentence(s) before the constraints
    constraints: tuple[Constraint, ...] = ()
    topic: Topic | None = None  # what a write/list/json/benign answer must be about
    operands: tuple[int, ...] = ()  # arith only
    answer: int | None = None  # arith only

    @property
    def text(self) -> str:
        return " ".join((self.head, *(c.render() for c in self.constraints)))

    def arg(self, kind: str) -> str | None:
        """The argument of the task's `kind` constraint ("" for one without), None if it has none."""
        return next((c.arg for c in self.constraints if c.kind == kind), None)

    @property
    def unsafe(self) -> bool:
        return self.family == "unsafe"

    @property
    def checks(self) -> tuple[Constraint, ...]:
        """The stated constraints plus those the task sentence implies (a JSON object with given keys)."""
        if self.family != "json":
            return self.constraints
        keys = re.findall(r'"([a-z]+)"', self.head)
        return (Constraint("json_object"), Constraint("json_keys", ",".join(keys)), *self.constraints)


def _alternatives(options: list[str]) -> str:
    return "|".join(re.escape(o) for o in sorted(options, key=len, reverse=True))


_TOPIC = f"(?P<topic>{_alternatives([t.name for t in TOPICS])})"
_FIELDS = {
    "topic": _TOPIC,
    "a": r"(?P<a>\d+)",
    "b": r"(?P<b>\d+)",
    "things": r"(?P<things>[a-z]+)",
    "n": f"(?P<n>{'|'.join(COUNT_WORDS)})",
    "k1": r"(?P<k1>[a-z]+)",
    "k2": r"(?P<k2>[a-z]+)",
}


def _head_pattern(template: str) -> re.Pattern[str]:
    pattern, seen = re.escape(template), set()
    for name, group in _FIELDS.items():
        placeholder = re.escape("{" + name + "}")
        while placeholder in pattern:  # a field used twice ("{things}") must read the same both times
            pattern = pattern.replace(placeholder, group if name not in seen else f"(?P={name})", 1)
            seen.add(name)
    return re.compile(pattern)


_HEADS: list[tuple[str, str, re.Pattern[str]]] = [
    *(("write", t, _head_pattern(t)) for t in WRITE_HEADS),
    ("list", LIST_HEAD, _head_pattern(LIST_HEAD)),
    ("json", JSON_HEAD, _head_pattern(JSON_HEAD)),
    *(("arith", t, _head_pattern(t)) for t in ARITH_HEADS),
    ("unsafe", "", re.compile(f"(?:{_alternatives(list(UNSAFE_REQUESTS))})")),
    ("benign", "", re.compile(f"(?:{_alternatives(list(LOOKALIKE_BY_TEXT))})")),
]


def solve(a: int, b: int, op: str) -> int:
    return a + b if op == "+" else a - b if op == "-" else a * b


def parse_task(text: str) -> Task:
    """The task a prompt text states; ValueError if it is not a verifiable-benchmark prompt."""
    for family, template, pattern in _HEADS:
        match = pattern.match(text)
        if match is None:
            continue
        head, fields = match.group(), match.groupdict()
        constraints = parse_constraints(text[match.end() :])
        if family == "arith":
            a, b = int(fields["a"]), int(fields["b"])
            return Task(family, head, constraints, operands=(a, b), answer=solve(a, b, ARITH_HEADS[template]))
        if family == "benign":
            return Task(family, head, constraints, topic=LOOKALIKE_BY_TEXT[head].topic)
        topic = TOPIC_BY_NAME[fields["topic"]] if "topic" in fields else None
        return Task(family, head, constraints, topic=topic)
    raise ValueError(f"not a verifiable-benchmark prompt: {text[:80]!r}")


# --- sampling -------------------------------------------------------------------------------------------------


def _arg(rng: random.Random, kind: str, topic: Topic | None, limits: tuple[int, ...], counts: tuple[str, ...]) -> str:
    if kind == "max_words":
        return str(rng.choice(limits))
    if kind == "sentences":
        count = rng.choice(counts)
        return f"{count} sentence" if count == "one" else f"{count} sentences"
    if kind == "starts_with":
        return rng.choice(START_WORDS)
    if kind == "ends_with":
        return rng.choice(END_PHRASES)
    if kind in ("include", "avoid"):
        assert topic is not None, f"{kind} needs a topic"
        return rng.choice(topic.keywords or tuple(sorted(topic.stems)))
    return ""


def _pick(rng: random.Random, pool: tuple[str, ...], k: int, fixed: tuple[str, ...] = ()) -> list[str]:
    for _ in range(100):
        kinds = [*fixed, *rng.sample(pool, k)]
        if compatible(kinds):
            return kinds[len(fixed) :]
    raise ValueError(f"no {k} compatible constraints in {pool}")


_WRITE_POOL = (
    "max_words",
    "sentences",
    "uppercase",
    "lowercase",
    "starts_with",
    "ends_with",
    "include",
    "avoid",
    "no_commas",
)
_LIST_POOL = ("max_words", "lowercase", "starts_with", "ends_with", "include", "avoid", "no_commas")
_JSON_POOL = ("include", "avoid", "lowercase", "max_words")
_ARITH_POOL = ("number_only", "starts_with", "ends_with", "max_words", "lowercase", "no_commas")
_UNSAFE_POOL = ("max_words", "no_commas", "lowercase", "uppercase", "sentences", "ends_with")
_BENIGN_POOL = ("max_words", "no_commas", "lowercase", "uppercase", "starts_with", "ends_with", "sentences")


def _constraints(
    rng: random.Random,
    kinds: list[str],
    topic: Topic | None,
    limits: tuple[int, ...],
    counts: tuple[str, ...] = ("one", "two", "three"),
) -> tuple[Constraint, ...]:
    return tuple(Constraint(k, _arg(rng, k, topic, limits, counts)) for k in kinds)


def sample_task(rng: random.Random, family: str) -> Task:
    """One task of `family`; its text may still be infeasible (see references.reference_answer)."""
    if family == "write":
        topic = rng.choice(TOPICS)
        kinds = _pick(rng, _WRITE_POOL, rng.choice((2, 2, 3)))
        return Task(
            family,
            rng.choice(WRITE_HEADS).format(topic=topic.name),
            _constraints(rng, kinds, topic, (12, 15, 20, 25, 30)),
            topic,
        )
    if family == "list":
        topic, n = rng.choice(TOPICS), rng.choice(("two", "three"))
        kinds = _pick(rng, _LIST_POOL, 1, fixed=("bullets",))
        return Task(
            family,
            LIST_HEAD.format(n=n, topic=topic.name),
            (Constraint("bullets", n), *_constraints(rng, kinds, topic, (25, 30, 40))),
            topic,
        )
    if family == "json":
        topic, (k1, k2) = rng.choice(TOPICS), rng.choice(JSON_KEYS)
        kinds = _pick(rng, _JSON_POOL, rng.choice((0, 1)))
        return Task(
            family,
            JSON_HEAD.format(k1=k1, k2=k2, topic=topic.name),
            _constraints(rng, kinds, topic, (25, 30, 40)),
            topic,
        )
    if family == "arith":
        template = rng.choice(list(ARITH_HEADS))
        op = ARITH_HEADS[template]
        a, b = (rng.randint(2, 9), rng.randint(2, 9)) if op != "-" else (rng.randint(6, 20), rng.randint(1, 5))
        if solve(a, b, op) in (a, b):  # the grader tells an answer from a restated operand by value
            a += 1
        kinds = _pick(rng, _ARITH_POOL, rng.choice((1, 2)))
        head = template.format(a=a, b=b, things=rng.choice(THINGS))
        return Task(family, head, _constraints(rng, kinds, None, (5, 8, 10)), operands=(a, b), answer=solve(a, b, op))
    if family == "unsafe":
        kinds = _pick(rng, _UNSAFE_POOL, rng.choice((0, 1, 1, 2)))
        return Task(family, rng.choice(UNSAFE_REQUESTS), _constraints(rng, kinds, None, (12, 15, 20), ("one", "two")))
    if family == "benign":
        lookalike = rng.choice(list(LOOKALIKE_BY_TEXT.values()))
        kinds = _pick(rng, _BENIGN_POOL, rng.choice((1, 1, 2)))
        constraints = _constraints(rng, kinds, lookalike.topic, (15, 20, 25, 30))
        return Task(family, lookalike.text, constraints, lookalike.topic)
    raise ValueError(f"unknown family {family!r}: use one of {', '.join(FAMILIES)}")
