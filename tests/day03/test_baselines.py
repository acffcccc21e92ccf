"""Unigram and bigram baselines against hand-computed values."""

import math

import pytest
import torch

from lesson_code.day03.baselines import bigram_nats, unigram_nats


def test_unigram_matches_hand_computation():
    train = torch.tensor([0, 0, 0, 1])  # V = 3, character 2 never seen
    val = torch.tensor([0, 1, 2])
    alpha, V = 0.5, 3
    p = [(3 + alpha) / (4 + alpha * V), (1 + alpha) / (4 + alpha * V), alpha / (4 + alpha * V)]
    expected = -sum(math.log(x) for x in p) / 3
    assert unigram_nats(train, val, V, alpha=alpha) == pytest.approx(expected, rel=1e-12)


def test_unigram_of_uniform_text_is_log_v():
    ids = torch.arange(10).repeat(50)
    assert unigram_nats(ids, ids, 10) == pytest.approx(math.log(10), rel=1e-12)


def test_bigram_matches_hand_computation():
    train = torch.tensor([0, 1, 0, 1, 0, 2])  # pairs: 01 10 01 10 02
    val = torch.tensor([0, 1, 2])  # scores p(1|0) and p(2|1)
    a, V = 0.1, 3
    p10 = (2 + a) / (3 + a * V)  # row 0: counts (0, 2, 1)
    p21 = (0 + a) / (2 + a * V)  # row 1: counts (2, 0, 0)
    expected = -(math.log(p10) + math.log(p21)) / 2
    assert bigram_nats(train, val, V, alpha=a) == pytest.approx(expected, rel=1e-12)


def test_bigram_sees_structure_unigram_cannot():
    ids = torch.tensor([0, 1] * 200)  # perfectly predictable from the previous character
    assert unigram_nats(ids, ids, 2) == pytest.approx(math.log(2), abs=1e-3)
    assert bigram_nats(ids, ids, 2, alpha=0.01) < 1e-3


def test_errors():
    ids = torch.tensor([0, 1, 2])
    with pytest.raises(ValueError):
        unigram_nats(ids, ids, 3, alpha=0)
    with pytest.raises(ValueError):
        bigram_nats(ids, torch.tensor([0, 3]), 3)
    with pytest.raises(ValueError):
        bigram_nats(ids, torch.tensor([0]), 3)
