"""Sampling: temperature -> 0 is greedy, top-k, determinism, errors, scoring."""

import math

import pytest
import torch

from lesson_code.day03.corpus import load_excerpt
from lesson_code.day03.data import Vocab
from lesson_code.day03.model import CharLMConfig, build_model
from lesson_code.day03.sample import (greedy, next_char_distribution, next_char_entropy, sample,
                                      sequence_log_likelihood)
from lesson_code.day03.train import TrainConfig, evaluate, set_seed, train

PROMPT = "FIRST CITIZEN.\n"


@pytest.fixture(scope="module")
def trained():
    """A small LSTM trained briefly on the excerpt, so its distributions are peaked like a real model's."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    text = load_excerpt()
    vocab = Vocab.from_text(text)
    ids = vocab.encode(text)
    set_seed(0)
    model = build_model(CharLMConfig(vocab.size, "lstm", 16, 48, 1, 0.0, "torch"))
    train(model, ids[:-1000], ids[-1000:], TrainConfig(batch_size=16, seq_len=32, lr=1e-2, steps=80), progress=False)
    model.eval()
    yield model, vocab
    torch.set_num_threads(n)


def test_tiny_temperature_equals_greedy(trained):
    model, vocab = trained
    ref = greedy(model, vocab, PROMPT, 120)
    # precondition: along the greedy path the best logit wins by a margin the test can resolve
    ids = vocab.encode(ref).view(1, -1)
    with torch.no_grad():
        logits, _ = model(ids[:, :-1])
    top2 = logits[0, len(PROMPT) - 1:].topk(2, dim=-1).values
    assert (top2[:, 0] - top2[:, 1]).min() > 2e-3
    for seed in range(3):
        assert sample(model, vocab, PROMPT, 120, temperature=1e-4, seed=seed) == ref


def test_top_k_one_is_greedy_at_any_temperature(trained):
    model, vocab = trained
    ref = greedy(model, vocab, PROMPT, 80)
    for t in (0.5, 1.0, 50.0):
        assert sample(model, vocab, PROMPT, 80, temperature=t, top_k=1, seed=7) == ref


def test_same_seed_same_text_and_length(trained):
    model, vocab = trained
    a = sample(model, vocab, PROMPT, 200, temperature=1.0, seed=11)
    b = sample(model, vocab, PROMPT, 200, temperature=1.0, seed=11)
    c = sample(model, vocab, PROMPT, 200, temperature=1.0, seed=12)
    assert a == b != c
    assert a.startswith(PROMPT) and len(a) == len(PROMPT) + 200
    assert sample(model, vocab, PROMPT, 0) == PROMPT


def test_sampling_does_not_change_model_mode(trained):
    model, vocab = trained
    model.train()
    sample(model, vocab, PROMPT, 5)
    assert model.training
    model.eval()


def test_bad_temperature_top_k_and_prompt(trained):
    model, vocab = trained
    for t in (0, 0.0, -1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="temperature"):
            sample(model, vocab, PROMPT, 10, temperature=t)
    for k in (0, -3):
        with pytest.raises(ValueError, match="top_k"):
            sample(model, vocab, PROMPT, 10, top_k=k)
    with pytest.raises(ValueError, match="at least one character"):
        sample(model, vocab, "", 10)
    assert "\u00e9" not in vocab and "#" not in vocab
    with pytest.raises(ValueError) as info:
        sample(model, vocab, "caf\u00e9 #1", 10)
    assert "'\u00e9' (U+00E9)" in str(info.value) and "'#'" in str(info.value)
    assert "not in the vocabulary" in str(info.value)


def test_distribution_temperature_and_top_k():
    logits = torch.tensor([2.0, 1.0, 0.5, -1.0, 0.5])
    p = next_char_distribution(logits, temperature=1.0)
    assert torch.allclose(p, torch.softmax(logits.double(), -1))
    p2 = next_char_distribution(logits, temperature=2.0)
    assert torch.allclose(p2, torch.softmax(logits.double() / 2, -1))
    pk = next_char_distribution(logits, temperature=1.0, top_k=2)
    assert pk[2:].sum() == 0 and pk.sum().item() == pytest.approx(1.0)
    assert pk[0] / pk[1] == pytest.approx(math.e)
    assert torch.equal(next_char_distribution(logits, 1e-4), torch.tensor([1.0, 0, 0, 0, 0], dtype=torch.float64))
    # entropy falls towards 0 as T -> 0 and rises to log V as T -> infinity
    ents = [next_char_entropy(logits, t).item() for t in (1e-3, 0.5, 1.0, 5.0, 1e4)]
    assert ents == sorted(ents) and ents[0] < 1e-6 and ents[-1] == pytest.approx(math.log(5), abs=1e-4)


def test_sequence_log_likelihood_matches_evaluate(trained):
    model, vocab = trained
    text = load_excerpt()[:400]
    ll = sequence_log_likelihood(model, vocab, text)
    assert ll < 0
    assert -ll == pytest.approx(evaluate(model, vocab.encode(text), batch_size=1, seq_len=50), abs=1e-5)
    greedy_text = greedy(model, vocab, PROMPT, 200)
    hot_text = sample(model, vocab, PROMPT, 200, temperature=2.0, seed=0)
    assert sequence_log_likelihood(model, vocab, greedy_text) > sequence_log_likelihood(model, vocab, hot_text)
