import pytest
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from harness.train import TrainSpec, sft
from harness.train.sft import prompt_completion

FACTS = {"code for cat": "c4t", "code for dog": "d0g9", "code for owl": "0wl", "code for yak": "yyk2"}
CONVERSATIONS = [[{"role": "user", "content": q}, {"role": "assistant", "content": a}] for q, a in FACTS.items()]


def greedy_answer(model, tokenizer, question: str) -> str:
    prompt = tokenizer.apply_chat_template(
        [{"role": "user", "content": question}], add_generation_prompt=True, return_tensors="pt", return_dict=True
    )
    with torch.no_grad():
        out = model.generate(**prompt, max_new_tokens=12, do_sample=False)
    return tokenizer.decode(out[0, prompt["input_ids"].shape[1] :], skip_special_tokens=True)


def test_sft_memorises_trained_answers_and_stops(base_model_dir, tmp_path):
    spec = TrainSpec(learning_rate=1e-2, max_steps=60, per_device_train_batch_size=4, max_length=64, logging_steps=10)
    result = sft(base_model_dir, base_model_dir, CONVERSATIONS, spec, tmp_path / "sft")

    losses = [entry["loss"] for entry in result.log_history if "loss" in entry]
    assert losses[-1] < 0.2 * losses[0]
    model = AutoModelForCausalLM.from_pretrained(result.path)
    tokenizer = AutoTokenizer.from_pretrained(result.path)
    assert greedy_answer(model, tokenizer, "code for dog") == "d0g9"  # eos was trained too: nothing after it


def test_conversation_must_end_with_the_assistant():
    assert prompt_completion(CONVERSATIONS[0]) == {"prompt": CONVERSATIONS[0][:1], "completion": CONVERSATIONS[0][1:]}
    with pytest.raises(ValueError, match=r"conversations\[3\]: .*must end with an assistant message"):
        prompt_completion(CONVERSATIONS[0][:1], index=3)
