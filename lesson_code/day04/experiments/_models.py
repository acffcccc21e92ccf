"""The trained models and the test set the Day 4 experiments share.

A model is fixed by (hidden size, source order, seed, steps, bridge); :func:`trained` trains each
one once per process (single-threaded, so the same seed gives the same weights on any machine) and
hands the same object to every experiment that asks, which must not modify it. Halfway through
training the model is also scored on the test set, so each run reports two budgets.
"""
from __future__ import annotations

import functools

import torch

from lesson_code.lessonkit.experiments import single_thread
from lesson_code.lessonkit.training import set_seed

from ..model import Seq2Seq, Seq2SeqConfig
from ..numbers import MAX_DIGITS, sample_numbers, source_vocab, target_vocab
from ..train import TrainConfig, evaluate, train

STEPS = 1200  # optimiser steps per model: what the build can afford (see the page's budget note)
BATCH_SIZE = 128
EMBED_SIZE = 32
PER_DIGIT = 100  # test numbers per digit count (fewer where the split has fewer)


@functools.cache
def trained(hidden: int, reverse: bool = False, seed: int = 0, steps: int = STEPS, bridge: int | None = None,
            per_digit: int = PER_DIGIT, test_seed: int = 0) -> tuple[Seq2Seq, dict]:
    """An LSTM encoder-decoder trained on 1-12 digit numbers -> (model in eval mode, history).

    history["halfway"] is ``evaluate`` on test_numbers(test_seed, per_digit) at step steps // 2 (the
    weights of that step, mid-schedule), and history["halfway_step"] that step.
    """
    cfg = TrainConfig(batch_size=BATCH_SIZE, max_digits=MAX_DIGITS, reverse_source=reverse, steps=steps,
                      eval_every=max(1, steps // 4), seed=seed)
    halfway: dict = {}

    with single_thread():
        set_seed(seed)
        model = Seq2Seq(Seq2SeqConfig(src_vocab_size=source_vocab().size, tgt_vocab_size=target_vocab().size,
                                      embed_size=EMBED_SIZE, hidden_size=hidden, bridge=bridge))

        def on_eval(info: dict) -> None:
            if info["step"] == steps // 2:
                halfway.update(evaluate(model, list(test_numbers(test_seed, per_digit)), reverse))

        hist = train(model, cfg, progress=False, on_eval=on_eval)
    return model.eval(), {**hist, "halfway": halfway, "halfway_step": steps // 2}


@functools.cache
def test_numbers(seed: int = 0, per_digit: int = PER_DIGIT, digits: tuple[int, ...] = tuple(range(3, MAX_DIGITS + 1))) -> tuple[int, ...]:
    """Distinct held-out test numbers, up to ``per_digit`` of each digit count (3 digits has only 89).

    1- and 2-digit numbers are left out: all 100 of them are training examples too (see numbers.split_of).
    """
    gen = torch.Generator().manual_seed(20_000 + seed)
    out: list[int] = []
    for d in digits:
        try:
            out += sample_numbers(per_digit, d, split="test", generator=gen, unique=True)
        except ValueError:  # fewer than per_digit test numbers of this length: take them all
            out += sample_numbers(_split_size(d), d, split="test", generator=gen, unique=True)
    return tuple(out)


def _split_size(digits: int) -> int:
    from ..numbers import digit_range, in_split

    low, high = digit_range(digits)
    return sum(in_split(n, "test") for n in range(low, high + 1))
