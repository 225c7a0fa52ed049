"""Few-shot demonstrations: ALMoST prompt files, sandbox qualities, and how shots go before a prompt."""

import pytest
from almost_tiny_world import tiny_world

from harness.paths import DATA_ROOT
from harness.types import Message, Prompt
from judges.almost.demonstrations import benchmark_demonstrations, parse_dialogue, read_prompt_file
from judges.almost.response_generation import Configuration, shot_prompts

ASSETS = str(DATA_ROOT / "almost" / "assets")
PROMPT = Prompt.from_text("p1", "How do I keep basil alive indoors?")


def test_hhh_and_faithful_files_parse_into_alternating_dialogues():
    hhh, faithful = read_prompt_file(f"{ASSETS}/HHH_prompt.txt"), read_prompt_file(f"{ASSETS}/Faithful_prompt.txt")
    assert (len(hhh.dialogues), len(faithful.dialogues)) == (14, 3)
    assert hhh.header.startswith("Below are a series of dialogues") and hhh.header == faithful.header
    first = hhh.dialogues[0]
    assert first[0] == Message(
        role="user", content="I was wondering, is it actually important when making spaghetti to add salt?"
    )
    assert first[1].content.startswith("Do you mean, is it important to add salt")
    for dialogue in (*hhh.dialogues, *faithful.dialogues):
        assert [m.role for m in dialogue] == ["user", "assistant"] * (len(dialogue) // 2)
    # Dialogue 7 closes with an unanswered "Human: Yeah I guess I knew some of that." - dropped.
    assert hhh.dialogues[6][-1].role == "assistant" and len(hhh.dialogues[6]) == 6


def test_shots_are_the_first_k_dialogues_between_header_and_prompt():
    faithful = read_prompt_file(f"{ASSETS}/Faithful_prompt.txt")
    messages = faithful.before(PROMPT, 2)
    assert messages[0] == Message(role="system", content=faithful.header)
    assert messages[1:-1] == (*faithful.dialogues[0], *faithful.dialogues[1])
    assert messages[-1] == PROMPT.messages[-1]
    assert faithful.before(PROMPT, 0) == (messages[0], PROMPT.messages[0])
    with pytest.raises(ValueError, match="shots=4 but only 3 demonstrations"):
        faithful.before(PROMPT, 4)


def test_malformed_dialogues_are_named():
    with pytest.raises(ValueError, match="d1: text before the first 'Human:'"):
        parse_dialogue("Hello\n\nHuman: hi\n\nAssistant: hello", "d1")
    with pytest.raises(ValueError, match="d2: turns must alternate"):
        parse_dialogue("Human: hi\n\nHuman: hi again\n\nAssistant: hello", "d2")
    with pytest.raises(ValueError, match=r"demos: file 'missing.txt' not found"):
        read_prompt_file("missing.txt")


def test_sandbox_qualities_read_the_benchmark():
    world = tiny_world()
    clean = benchmark_demonstrations(world, "benchmark:clean", 3)
    noisy = benchmark_demonstrations(world, "benchmark:noisy", 3)
    assert [[m.model_dump() for m in d] for d in clean.dialogues] == world.demonstrations(3)
    assert [[m.model_dump() for m in d] for d in noisy.dialogues] == world.corpus()[:3]
    assert clean.header == noisy.header == ""
    with pytest.raises(ValueError, match="benchmark:noisy needs a benchmark with `corpus\\(\\)`"):
        benchmark_demonstrations(object(), "benchmark:noisy", 1)
    with pytest.raises(ValueError, match="unknown quality 'benchmark:shiny'"):
        benchmark_demonstrations(world, "benchmark:shiny", 1)


def test_configuration_prompt_ids_change_with_the_shots():
    faithful = read_prompt_file(f"{ASSETS}/Faithful_prompt.txt")
    one, two = (Configuration(model="m", shots=k, demos="x") for k in (1, 2))
    (a,), (b,), (a_again,) = (shot_prompts([PROMPT], "cfg", c, faithful) for c in (one, two, one))
    assert a.id.startswith("p1|cfg@") and a.id == a_again.id != b.id
    assert a.text == PROMPT.text and len(a.messages) == 1 + len(faithful.dialogues[0]) + 1  # header, shot, prompt
