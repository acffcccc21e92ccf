"""Training loop: evaluation with carried state, truncated BPTT, learning, best weights, budgets."""

import math

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from lesson_code.day03.baselines import bigram_nats, unigram_nats
from lesson_code.day03.corpus import load_excerpt, train_val_split
from lesson_code.day03.data import Vocab
from lesson_code.day03.model import CharLMConfig, build_model
from lesson_code.day03.train import TrainConfig, bits, evaluate, lr_at, set_seed, train


pytestmark = pytest.mark.usefixtures("one_thread")  # tests/conftest.py


@pytest.fixture(scope="module")
def excerpt():
    text = load_excerpt()
    vocab = Vocab.from_text(text)
    train_text, val_text = train_val_split(text)
    return vocab, vocab.encode(train_text), vocab.encode(val_text)


def tiny(vocab, cell="lstm", backend="scratch", hidden=32, layers=1, dropout=0.0, seed=0):
    set_seed(seed)
    return build_model(CharLMConfig(vocab.size, cell=cell, embed_size=16, hidden_size=hidden,
                                    num_layers=layers, dropout=dropout, backend=backend))


@pytest.mark.parametrize("backend", ["scratch", "torch"])
def test_chunked_evaluation_carries_state(excerpt, backend):
    vocab, _, val = excerpt
    model = tiny(vocab, backend=backend, layers=2)
    ids = val[:301]
    with torch.no_grad():
        logits, _ = model(ids[:-1].view(1, -1))  # one pass over the whole sequence
        full = F.cross_entropy(logits[0], ids[1:]).item()
    # 1 stream cut in chunks of 7: equal to the full pass only if the state is carried over
    assert evaluate(model, ids, batch_size=1, seq_len=7) == pytest.approx(full, abs=1e-5)
    model.train()
    evaluate(model, ids, batch_size=1, seq_len=7)
    assert model.training  # mode restored


class Spy(nn.Module):
    """Wraps a model and records what the training loop passes as states."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner
        self.calls = []

    def forward(self, idx, states=None):
        if self.training:
            flat = [] if states is None else [s for layer in states for s in (layer if isinstance(layer, tuple) else (layer,))]
            self.calls.append((states is None, any(s.requires_grad for s in flat)))
        return self.inner(idx, states)


def test_training_carries_detached_state_between_chunks(excerpt):
    vocab, tr, val = excerpt
    spy = Spy(tiny(vocab))
    chunks_per_epoch = ((tr.numel() - 1 - 7) // 16) // 24  # a lower bound: offsets are < seq_len
    cfg = TrainConfig(batch_size=16, seq_len=24, steps=chunks_per_epoch + 5, eval_every=1000, lr=1e-3,
                      reset_prob=0.0)
    train(spy, tr, val, cfg, progress=False)
    fresh = [i for i, (is_none, _) in enumerate(spy.calls) if is_none]
    assert fresh[0] == 0 and len(fresh) == 2  # reset_prob=0: state reset only at the start of each epoch
    assert fresh[1] >= chunks_per_epoch
    assert not any(needs_grad for _, needs_grad in spy.calls)  # carried state is detached


def reset_pattern(vocab, tr, val, reset_prob, seed, steps=60):
    """Which training chunks started from zero states (True) instead of the carried state."""
    spy = Spy(tiny(vocab, hidden=8))
    cfg = TrainConfig(batch_size=4, seq_len=8, steps=steps, eval_every=1000, lr=1e-3,
                      reset_prob=reset_prob, seed=seed)
    train(spy, tr, val, cfg, progress=False)
    assert len(spy.calls) == steps
    return [is_none for is_none, _ in spy.calls]


def test_reset_prob_one_always_starts_from_zero_states(excerpt):
    assert all(reset_pattern(*excerpt, reset_prob=1.0, seed=0))


def test_random_resets_are_seeded(excerpt):
    a = reset_pattern(*excerpt, reset_prob=0.3, seed=0)
    assert a == reset_pattern(*excerpt, reset_prob=0.3, seed=0)  # same seed, same resets
    assert a != reset_pattern(*excerpt, reset_prob=0.3, seed=1)
    assert a[0] and 8 <= sum(a) <= 30  # about 0.3 * 60 = 18 (all 60 chunks are in the first epoch)


def test_training_beats_unigram_baseline(excerpt):
    vocab, tr, val = excerpt
    uni = unigram_nats(tr, val, vocab.size)
    bi = bigram_nats(tr, val, vocab.size)
    model = tiny(vocab, hidden=64)
    before = evaluate(model, val, 8, 32)
    assert before == pytest.approx(math.log(vocab.size), abs=0.2)  # untrained: about uniform
    seen = []
    cfg = TrainConfig(batch_size=16, seq_len=32, lr=1e-2, steps=200, eval_every=50, seed=0)
    hist = train(model, tr, val, cfg, progress=False, on_eval=seen.append)
    after = evaluate(model, val, cfg.eval_batch_size, cfg.seq_len)
    assert hist["stopped"] == "steps" and hist["step"][-1] == 200
    assert hist["val_step"] == [50, 100, 150, 200] and [r["step"] for r in seen] == [50, 100, 150, 200]
    assert after < uni - 0.5, (after, uni, bi)
    assert after < bi, (after, uni, bi)  # learned more than character-pair statistics
    assert hist["best_val_nats"] == pytest.approx(min(hist["val_nats"]))
    assert after == pytest.approx(hist["best_val_nats"], abs=1e-5)  # best weights restored
    assert bits(after) == pytest.approx(after / math.log(2))
    assert sum(hist["train_nats"][-30:]) / 30 < sum(hist["train_nats"][:30]) / 30 - 0.5


def test_same_seed_same_history(excerpt):
    vocab, tr, val = excerpt
    runs = []
    for _ in range(2):
        model = tiny(vocab, dropout=0.1, layers=2)
        cfg = TrainConfig(batch_size=8, seq_len=16, steps=15, eval_every=5, seed=3)
        runs.append(train(model, tr, val, cfg, progress=False))
    assert runs[0]["train_nats"] == runs[1]["train_nats"]
    assert runs[0]["val_nats"] == runs[1]["val_nats"]


def test_minutes_budget_stops(excerpt):
    vocab, tr, val = excerpt
    cfg = TrainConfig(batch_size=8, seq_len=16, minutes=0.01, eval_every=10_000)
    hist = train(tiny(vocab, backend="torch"), tr, val, cfg, progress=False)
    assert hist["stopped"] == "minutes"
    assert 0.6 <= hist["seconds"][-1] < 10
    assert hist["val_step"] == [hist["step"][-1]]  # final validation happens at the stop


def test_interrupt_stops_gracefully(excerpt):
    vocab, tr, val = excerpt

    def interrupt(record):
        raise KeyboardInterrupt

    cfg = TrainConfig(batch_size=8, seq_len=16, steps=100, eval_every=3)
    hist = train(tiny(vocab, backend="torch"), tr, val, cfg, progress=False, on_eval=interrupt)
    assert hist["stopped"] == "interrupted" and hist["step"][-1] == 3


def test_cosine_schedule_and_config_validation():
    cfg = TrainConfig(steps=10, lr=1e-2, min_lr_ratio=0.1)
    assert lr_at(cfg, 0.0) == pytest.approx(1e-2)
    assert lr_at(cfg, 0.5) == pytest.approx(0.55e-2)
    assert lr_at(cfg, 1.0) == pytest.approx(1e-3)
    assert lr_at(TrainConfig(steps=1, lr=5e-3, lr_schedule="constant"), 0.7) == 5e-3
    for bad in (dict(), dict(steps=0), dict(minutes=-1.0), dict(steps=5, lr=0.0),
                dict(steps=5, batch_size=0), dict(steps=5, lr_schedule="linear"),
                dict(steps=5, reset_prob=-0.1), dict(steps=5, reset_prob=1.5)):
        with pytest.raises(ValueError):
            TrainConfig(**bad)
    assert TrainConfig.from_dict(TrainConfig(steps=7).to_dict()) == TrainConfig(steps=7)
