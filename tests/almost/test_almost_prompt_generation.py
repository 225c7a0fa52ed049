"""PG: seed file, k-shot requests, candidate extraction and acceptance, the mining loop."""

import random

import pytest

from harness.paths import DATA_ROOT
from harness.types import Message
from judges.almost.prompt_generation import (
    SeedPrompts,
    extract_prompt,
    kshot_messages,
    mine_prompts,
    read_seed_file,
    rejection_reason,
)  # fmt: skip
from judges.almost.rouge import tokens

SEED_FILE = str(DATA_ROOT / "almost" / "assets" / "seed_prompts.txt")
SEEDS = SeedPrompts(instruction="Ask the bot something.", prompts=(
    "how do i bake bread at home?", "what is the tallest mountain on earth?",
    "can you recommend a good book about history?"))  # fmt: skip


def test_almost_seed_file_first_line_is_the_instruction():
    seeds = read_seed_file(SEED_FILE)
    assert seeds.instruction == "### Instruction: Please generate initial query to start conversation with bot."
    assert len(seeds.prompts) == 100
    assert seeds.prompts[0] == "Can you help me figure out how to create an online store for my small business?"


def test_missing_seed_file_names_the_field():
    with pytest.raises(ValueError, match=r"prompt_generation.seed_file: 'nope.txt' not found"):
        read_seed_file("nope.txt")


def test_kshot_request_alternates_instruction_and_shots_and_ends_asking_again():
    messages = kshot_messages("Ask.", ["q1?", "q2?"])
    assert [(m.role, m.content) for m in messages] == [
        ("user", "Ask."),
        ("assistant", "q1?"),
        ("user", "Ask."),
        ("assistant", "q2?"),
        ("user", "Ask."),
    ]


@pytest.mark.parametrize(
    ("reply", "prompt"),
    [
        ("Query: What is a black hole?\nQuery: another one", "What is a black hole?"),
        ("\n  What is a black hole? query: and more", "What is a black hole?"),
        ("QUERY:What is a black hole?", "What is a black hole?"),
        ("what is a black hole", "what is a black hole"),
        ("\n\n", ""),
    ],
)
def test_extract_prompt(reply, prompt):
    assert extract_prompt(reply) == prompt


def test_rejection_rules():
    kept = [tokens("x y")]
    assert rejection_reason("", kept) == "empty"
    assert rejection_reason("tell me a joke", kept) == "too_short"  # 14 < 30 chars, ends with a letter
    assert rejection_reason("A joke?", kept) is None  # short, but a complete sentence
    # ROUGE-L F("a c", "a b") = 0.5 exactly: at the threshold counts as a duplicate.
    assert rejection_reason("a c.", [tokens("a b.")], min_length=1) == "overlap"
    assert rejection_reason("a c.", [tokens("a b.")], min_length=1, threshold=0.51) is None


def scripted(replies):
    """A generator stand-in that answers requests with fixed replies, in order, and records the requests."""
    queue, seen = iter(replies), []

    def generate(requests):
        seen.append(requests)
        return [next(queue) for _ in requests]

    return generate, seen


def test_mining_loop_on_scripted_replies():
    generate, seen = scripted([
        # round 1: near-duplicate of a seed (F = 0.8), a fragment, nothing
        "Query: how do i bake bread at home quickly?", "hi", "\n",
        # round 2: kept; kept (short but punctuated); same-batch near duplicate of the first (F = 0.78)
        "Which planets in our solar system have rings around them?", "Ok.",
        "which planets in our solar system have rings?",
        # round 3: kept -> 3 prompts, so the loop stops before looking at the other two replies
        "Query: Why do cats purr when they are happy or hurt?", "never looked at", "never looked at",
    ])  # fmt: skip
    mined = mine_prompts(generate, SEEDS, n_prompts=3, k=2, rng=random.Random(0), batch_size=3)
    assert mined.prompts == [
        "Which planets in our solar system have rings around them?",
        "Ok.",
        "Why do cats purr when they are happy or hurt?",
    ]
    assert mined.rejected == {"overlap": 2, "too_short": 1, "empty": 1}
    assert mined.rounds == 3
    mined_before = [0, 0, 2]  # prompts kept before each round: shots come from the seeds plus these
    for requests, n_mined in zip(seen, mined_before, strict=True):
        pool = {*SEEDS.prompts, *mined.prompts[:n_mined]}
        for messages in requests:
            shots = [m.content for m in messages if m.role == "assistant"]
            assert len(shots) == len(set(shots)) == 2 and set(shots) <= pool
            assert messages[-1] == Message(role="user", content=SEEDS.instruction)


def test_mining_gives_up_after_max_rounds():
    mined = mine_prompts(
        lambda requests: ["" for _ in requests],
        SEEDS,
        n_prompts=5,
        k=1,
        rng=random.Random(0),
        batch_size=4,
        max_rounds=3,
    )
    assert (mined.prompts, mined.rounds, mined.rejected) == ([], 3, {"empty": 12})


def test_k_larger_than_the_seeds_is_refused():
    with pytest.raises(ValueError, match=r"prompt_generation.k=4 but there are 3 seed prompts"):
        mine_prompts(lambda r: [], SEEDS, n_prompts=1, k=4, rng=random.Random(0))
