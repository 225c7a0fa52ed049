import pytest

from benchmarks.sandbox import SandboxWorld, SandboxWorldSpec
from benchmarks.sandbox.tokenizer import MODEL_MAX_LENGTH, ROLE_MARKERS, ChatEncoder, build_tokenizer


@pytest.fixture(scope="module")
def chats():
    world = SandboxWorld(SandboxWorldSpec(corpus_size=2000))
    return world.corpus() + world.demonstrations(50)


@pytest.fixture(scope="module")
def tokenizer(chats):
    return build_tokenizer(m["content"] for chat in chats for m in chat)


def test_one_token_per_character_and_decode_inserts_no_spaces(tokenizer):
    text = "I cannot help with that. add 12 34"
    ids = tokenizer(text)["input_ids"]
    assert len(ids) == len(text)
    assert tokenizer.decode(ids) == text
    assert tokenizer("add ~ 1")["input_ids"][4] == tokenizer.unk_token_id


def test_world_tokenizer_texts_cover_judge_prompts(chats):
    # A corpus-only vocabulary lacks "S", ":" and ">", so a judge's "Score: 3" would decode to "core 3".
    world = SandboxWorld(SandboxWorldSpec(corpus_size=100))
    tokenizer = build_tokenizer(world.tokenizer_texts())
    text = "rate add 1 2 => 3\nScore: 5"
    ids = tokenizer(text)["input_ids"]
    assert tokenizer.unk_token_id not in ids and tokenizer.decode(ids) == text
    assert all(tokenizer.unk_token_id not in ids for ids in map(ChatEncoder(tokenizer).encode, chats))
    assert len(tokenizer) == 103  # 7 special tokens, 94 printable characters, space and newline


def test_chat_template_renders_roles_and_eos(tokenizer):
    chat = [{"role": "user", "content": "add 1 2"}, {"role": "assistant", "content": "3"}]
    rendered = tokenizer.apply_chat_template(chat, tokenize=False)
    assert rendered == f"<bos>{ROLE_MARKERS['user']}add 1 2{ROLE_MARKERS['assistant']}3<eos>"
    ids = tokenizer.apply_chat_template(chat, tokenize=True, return_dict=False)
    assert tokenizer.decode(ids, skip_special_tokens=True) == "add 1 23"


def test_prompt_rendering_is_a_prefix_of_the_full_rendering(tokenizer, chats):
    # TRL's DPO tokenisation splits prompt from completion where these two renderings diverge.
    for chat in chats[:200]:
        prompt = tokenizer.apply_chat_template(chat[:1], add_generation_prompt=True, tokenize=True, return_dict=False)
        full = tokenizer.apply_chat_template(chat, tokenize=True, return_dict=False)
        assert full[: len(prompt)] == prompt
        assert tokenizer.decode(full[len(prompt) :], skip_special_tokens=True) == chat[1]["content"]
        assert full[-1] == tokenizer.eos_token_id


def test_assistant_mask_covers_the_answer_and_its_eos(tokenizer):
    # What TRL's assistant_only_loss trains on: without the eos inside the mask a model never learns to stop.
    chat = [{"role": "user", "content": "add 1 2"}, {"role": "assistant", "content": "3"}]
    out = tokenizer.apply_chat_template(chat, tokenize=True, return_dict=True, return_assistant_tokens_mask=True)
    masked = [i for i, m in zip(out["input_ids"], out["assistant_masks"]) if m]
    assert masked == tokenizer("3")["input_ids"] + [tokenizer.eos_token_id]


def test_unknown_role_is_rejected(tokenizer):
    with pytest.raises(Exception, match="chat role must be system, user or assistant, not tool"):
        tokenizer.apply_chat_template([{"role": "tool", "content": "x"}], tokenize=False)
    with pytest.raises(ValueError, match="not 'tool'"):
        ChatEncoder(tokenizer).encode([{"role": "tool", "content": "x"}])


def test_rendered_chats_tokenize_to_the_template_ids(tokenizer, chats):
    # The batched pretraining path renders the template to text, then tokenizes: role markers must come back whole.
    rendered = tokenizer.apply_chat_template(chats[:300], tokenize=False)
    direct = tokenizer.apply_chat_template(chats[:300], tokenize=True, return_dict=False)
    assert tokenizer(rendered, add_special_tokens=False)["input_ids"] == direct


def test_fast_chat_encoder_matches_the_template(tokenizer, chats):
    encoder = ChatEncoder(tokenizer)
    for chat in [*chats[:300], [{"role": "system", "content": "be brief"}, *chats[0]]]:
        assert encoder.encode(chat) == tokenizer.apply_chat_template(chat, tokenize=True, return_dict=False)
        assert encoder.encode(chat[:1], add_generation_prompt=True) == tokenizer.apply_chat_template(
            chat[:1], add_generation_prompt=True, tokenize=True, return_dict=False
        )


def test_round_trip_through_auto_tokenizer_next_to_a_llama_config(tokenizer, chats, tmp_path):
    from transformers import AutoTokenizer, LlamaConfig

    tokenizer.save_pretrained(tmp_path)
    LlamaConfig(vocab_size=len(tokenizer)).save_pretrained(tmp_path)
    reloaded = AutoTokenizer.from_pretrained(tmp_path)
    assert reloaded.get_vocab() == tokenizer.get_vocab()
    assert (reloaded.bos_token_id, reloaded.eos_token_id, reloaded.pad_token_id) == (
        tokenizer.bos_token_id,
        tokenizer.eos_token_id,
        tokenizer.pad_token_id,
    )
    assert reloaded.model_max_length == MODEL_MAX_LENGTH
    for chat in chats[:100]:
        ids = reloaded.apply_chat_template(chat, tokenize=True, return_dict=False)
        assert ids == tokenizer.apply_chat_template(chat, tokenize=True, return_dict=False)
        assert reloaded.decode(ids) == tokenizer.decode(ids)
    assert reloaded("reverse abc I.")["input_ids"] == tokenizer("reverse abc I.")["input_ids"]
