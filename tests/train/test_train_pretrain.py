import itertools

import pytest
import torch
from transformers import AutoModelForCausalLM

from benchmarks.sandbox.models import build_model
from benchmarks.sandbox.tokenizer import ChatEncoder
from harness.train import TrainSpec, pretrain
from harness.train.packing import PackedRowCollator, packed_rows
from harness.train.pretrain import pretraining_config, pretraining_trainer, tokenize_documents, training_documents

TEXTS = ["add 12 30", "reverse abc then more words", "count a in banana", "sort dcba"]


def test_packed_rows_give_each_document_the_logits_it_gets_alone(tokenizer):
    model = build_model("XS", tokenizer, seed=1).eval()
    documents = tokenize_documents(tokenizer, TEXTS)
    rows = packed_rows(documents, max_length=64, pad_token_id=tokenizer.pad_token_id)
    assert len(rows) == 2  # documents share rows, so the block mask is really exercised
    batch = PackedRowCollator()([rows[i] for i in range(len(rows))])
    assert "attention_mask" not in batch
    with torch.no_grad():
        # The batch alone is exact: it turns off the KV cache (on in this model's config), without which transformers
        # derives the per-document mask from the position ids
        assert model.config.use_cache
        packed = model(**{k: v for k, v in batch.items() if k != "labels"}).logits
        leaky = model(input_ids=batch["input_ids"], attention_mask=torch.ones_like(batch["input_ids"])).logits
    checked = 0
    for row, lengths in enumerate(rows.seq_lengths):
        start = 0
        for length in lengths:
            ids = batch["input_ids"][row, start : start + length]
            with torch.no_grad():
                alone = model(input_ids=ids[None]).logits[0]
            torch.testing.assert_close(packed[row, start : start + length], alone, atol=1e-5, rtol=1e-4)
            assert batch["labels"][row, start] == -100  # never predicted from the previous document
            assert torch.equal(batch["labels"][row, start + 1 : start + length], ids[1:])
            if start > 0:  # the control: one shared causal mask lets this document see its neighbour
                assert not torch.allclose(leaky[row, start : start + length], alone, atol=1e-3)
                checked += 1
            start += length
    assert checked >= 1


def test_the_trainer_feeds_packed_rows_with_restarting_positions_and_no_mask(tokenizer, tmp_path):
    documents = tokenize_documents(tokenizer, TEXTS * 8)
    config = pretraining_config(TrainSpec(max_length=64, per_device_train_batch_size=2), tmp_path)
    trainer = pretraining_trainer(build_model("XS", tokenizer, seed=0), tokenizer, documents, config)
    batch = next(iter(trainer.get_train_dataloader()))  # what TRL's Trainer really hands the model
    assert "attention_mask" not in batch and batch["input_ids"].shape[0] == 2 and batch["input_ids"].shape[1] <= 64
    starts = (batch["position_ids"] == 0) & (batch["input_ids"] != tokenizer.pad_token_id)
    assert starts.sum() >= 2 * 3  # several documents per row, each counted from position 0
    assert (batch["labels"][starts] == -100).all()


def test_the_trainers_loss_is_the_loss_of_each_document_alone(tokenizer, tmp_path):
    """End to end through the trainer's own loss: a document that saw its neighbour would change it."""
    documents = tokenize_documents(tokenizer, TEXTS * 3)
    config = pretraining_config(TrainSpec(max_length=64, per_device_train_batch_size=3), tmp_path)
    model = build_model("XS", tokenizer, seed=0)
    trainer = pretraining_trainer(model, tokenizer, documents, config)
    batch = next(iter(trainer.get_train_dataloader()))
    with torch.no_grad():
        loss = trainer.compute_loss(model, dict(batch))
        total, count, pieces = 0.0, 0, []
        for ids, positions in zip(batch["input_ids"], batch["position_ids"]):
            starts = [*torch.nonzero(positions == 0).flatten().tolist(), len(ids)]
            for start, end in itertools.pairwise(starts):
                piece = ids[start:end]
                if piece[0] == tokenizer.pad_token_id:
                    continue
                logits = model(input_ids=piece[None]).logits[0]
                total += torch.nn.functional.cross_entropy(logits[:-1], piece[1:], reduction="sum").item()
                count += len(piece) - 1
                pieces.append(piece.tolist())
    assert len(pieces) >= 6 and all(piece in documents for piece in pieces)  # whole documents, several per row
    assert loss.item() == pytest.approx(total / count, rel=1e-5)


def test_documents_tokenise_alike_from_chats_or_ids_and_end_with_eos(tokenizer):
    chats = [[{"role": "user", "content": t}, {"role": "assistant", "content": t[::-1]}] for t in TEXTS]
    from_chats = tokenize_documents(tokenizer, chats)
    assert from_chats == tokenize_documents(tokenizer, [ChatEncoder(tokenizer).encode(c) for c in chats])
    assert all(doc[-1] == tokenizer.eos_token_id for doc in tokenize_documents(tokenizer, TEXTS))
    with pytest.raises(ValueError, match="texts_or_conversations: items must all be str"):
        tokenize_documents(tokenizer, [TEXTS[0], chats[0]])


def test_a_token_budget_takes_a_seeded_sample_of_documents_that_covers_it(tokenizer):
    corpus = [[5 + i % 7] * (3 + i % 5) for i in range(100)]  # token ids; EOS is appended to each
    picked = training_documents(tokenizer, corpus, token_budget=60, seed=1, chunk_size=4)
    assert 60 <= sum(map(len, picked)) < 60 + 4 * 9 and len(picked) % 4 == 0  # whole chunks, stopping once covered
    assert picked == training_documents(tokenizer, corpus, token_budget=60, seed=1, chunk_size=4)
    assert picked != training_documents(tokenizer, corpus, token_budget=60, seed=2, chunk_size=4)
    assert len(training_documents(tokenizer, corpus, token_budget=None, seed=1)) == 100


def test_pretrain_lowers_loss_and_saves_a_loadable_model(tokenizer, tmp_path):
    conversations = [
        [{"role": "user", "content": f"add {a} {b}"}, {"role": "assistant", "content": str(a + b)}]
        for a in range(10, 40)
        for b in range(10, 20)
    ]
    model = build_model("XS", tokenizer, seed=0)
    spec = TrainSpec(learning_rate=3e-3, max_steps=30, per_device_train_batch_size=8, max_length=64, logging_steps=5)
    result = pretrain(model, tokenizer, conversations, spec, tmp_path / "xs")

    losses = [entry["loss"] for entry in result.log_history if "loss" in entry]
    assert losses[-1] < losses[0] - 0.5
    documents = tokenize_documents(tokenizer, conversations)
    assert (
        len(packed_rows(documents, 64, tokenizer.pad_token_id)) == 75
    )  # 10 steps of 8 rows per epoch: 30 steps are 3 whole epochs
    assert result.metrics["train_tokens"] == 3 * sum(map(len, documents))  # padding is not counted
    assert result.metrics["train_tokens_per_second"] > 0
    reloaded = AutoModelForCausalLM.from_pretrained(result.path)
    assert torch.equal(reloaded.model.embed_tokens.weight, model.model.embed_tokens.weight)
