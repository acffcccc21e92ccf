"""Beam search against the exact argmax, on a model weak enough to have something to find (Exercise 2).

A copy of the page's small model (section 2.2: H = 64, numbers of up to 6 digits) trained for only
150 steps, read on every held-out 3-digit number. Exhaustive search scores every output of up to
four tokens (11,111 of them) and returns the model's most likely one; each beam width is compared
with it, and the exact argmax with the right number.
"""
from __future__ import annotations

import torch

from lesson_code.lessonkit.experiments import single_thread
from lesson_code.lessonkit.statistics import proportion

from ..model import Seq2Seq, Seq2SeqConfig
from ..numbers import batch_of_numbers, source_vocab, split_of, target_vocab
from ..search import all_outputs, beam_search, exhaustive_search
from ..train import TrainConfig, train

STEPS = 150
BEAMS = (1, 2, 4, 8)


def weak_model(seed: int = 0, steps: int = STEPS) -> Seq2Seq:
    """The page's small model, trained for ``steps`` steps only (eval mode)."""
    torch.manual_seed(seed)
    model = Seq2Seq(Seq2SeqConfig(src_vocab_size=source_vocab().size, tgt_vocab_size=target_vocab().size,
                                  hidden_size=64))
    train(model, TrainConfig(max_digits=6, steps=steps, eval_every=200, seed=seed), progress=False)
    return model.eval()


def run(seed: int = 0, steps: int = STEPS, beams=BEAMS, limit: int | None = None) -> dict:
    """Compare each beam width with the exact argmax on the held-out 3-digit numbers."""
    with single_thread():
        model = weak_model(seed, steps)
        numbers = [n for n in range(100, 1000) if split_of(n) == "test"][:limit]  # every held-out 3-digit number
        b = batch_of_numbers(numbers)
        exact = exhaustive_search(model, b.src, b.src_len, max_len=4)
        vocab = target_vocab()
        argmax_right = sum(vocab.decode(t) == str(n) for t, n in zip(exact.tokens, numbers))
        quotes = {"steps": steps, "n_numbers": len(numbers), "argmax_right": proportion(argmax_right, len(numbers)),
                  "argmax_right_k": argmax_right, "n_outputs": len(all_outputs(model, 4))}
        for k in beams:
            found = beam_search(model, b.src, b.src_len, beam_size=k, max_len=4)
            agree = sum(a == e for a, e in zip(found.ids, exact.ids))
            right = sum(vocab.decode(t) == str(n) for t, n in zip(found.tokens, numbers))
            quotes[f"agree_beam{k}"] = agree
            quotes[f"missed_beam{k}"] = len(numbers) - agree
            quotes[f"right_beam{k}"] = right
            quotes[f"cells_beam{k}"] = sum(found.cell_evals) / len(numbers)
        quotes["first_width_exact"] = next((k for k in beams if quotes[f"missed_beam{k}"] == 0), None)
    return {"experiment": "beam_exhaustive", "seed": seed, "quotes": quotes}
