"""Greedy against beam search on the same trained model: exact match, cost, and what kind of error remains.

For every wrong output we ask whether the model itself prefers it: if the right answer has a higher
log-probability than the output, the search missed it (a search error, which a wider beam can fix);
otherwise the model ranks a wrong answer first (a model error, which no search can fix).
"""
from __future__ import annotations

from lesson_code.lessonkit.experiments import single_thread

from ..numbers import MAX_DIGITS, batch_of_numbers
from ..search import beam_search, greedy_decode, sequence_logprob
from ._models import PER_DIGIT, STEPS, test_numbers, trained

HIDDEN = 32  # a model that still makes mistakes at every length, so the searches have something to fix
BEAMS = (1, 2, 4, 8)
CHUNK = 256


def decode(model, numbers, beam: int) -> tuple[list[list[int]], list[float], list[int]]:
    """Outputs (emitted ids, <eos> included), their log-probs and cell evaluations; beam 1 is greedy."""
    ids, logprobs, cells = [], [], []
    for i in range(0, len(numbers), CHUNK):
        b = batch_of_numbers(numbers[i:i + CHUNK])
        out = (greedy_decode(model, b.src, b.src_len, MAX_DIGITS + 1) if beam == 1
               else beam_search(model, b.src, b.src_len, beam, MAX_DIGITS + 1))
        ids += out.ids
        logprobs += out.logprob.tolist()
        cells += out.cell_evals
    return ids, logprobs, cells


def target_logprobs(model, numbers) -> tuple[list[list[int]], list[float]]:
    """The right outputs (digits + <eos> as ids) and the model's log-probability of each."""
    targets, logprobs = [], []
    for i in range(0, len(numbers), CHUNK):
        b = batch_of_numbers(numbers[i:i + CHUNK])
        real = b.tgt_out != model.config.pad_id
        outs = [b.tgt_out[j, real[j]].tolist() for j in range(b.tgt_out.size(0))]
        targets += outs
        logprobs += sequence_logprob(model, b.src, b.src_len, outs).tolist()
    return targets, logprobs


def run(seed: int = 0, hidden: int = HIDDEN, beams=BEAMS, steps: int = STEPS, per_digit: int = PER_DIGIT) -> dict:
    """Decode the held-out test set with each beam width and classify the remaining errors."""
    model, _ = trained(hidden, False, seed, steps)
    numbers = list(test_numbers(seed, per_digit))
    with single_thread():
        targets, target_lp = target_logprobs(model, numbers)
        greedy_ids = None
        results, quotes = {}, {"hidden": hidden, "n_test": len(numbers), "beams": list(beams)}
        for k in beams:
            ids, lp, cells = decode(model, numbers, k)
            greedy_ids = ids if k == 1 else greedy_ids
            right = [y == t for y, t in zip(ids, targets)]
            wrong = [i for i, ok in enumerate(right) if not ok]
            search_err = sum(target_lp[i] > lp[i] + 1e-9 for i in wrong)  # the model prefers the right answer
            digits = sorted({len(str(n)) for n in numbers})
            by_d = [sum(r for r, n in zip(right, numbers) if len(str(n)) == d)
                    / sum(len(str(n)) == d for n in numbers) for d in digits]
            results[str(k)] = {"exact": sum(right) / len(right), "exact_by_digits": by_d, "digits": digits,
                               "cells_per_example": sum(cells) / len(cells), "wrong": len(wrong),
                               "search_errors": search_err, "model_errors": len(wrong) - search_err,
                               "changed_from_greedy": (sum(a != b for a, b in zip(ids, greedy_ids)) / len(ids)
                                                       if greedy_ids is not None else 0.0),
                               "mean_logprob": sum(lp) / len(lp)}
            greedy_right = [y == t for y, t in zip(greedy_ids, targets)]
            results[str(k)]["fixed_from_greedy"] = sum(r and not g for r, g in zip(right, greedy_right))
            results[str(k)]["broken_from_greedy"] = sum(g and not r for r, g in zip(right, greedy_right))
            r = results[str(k)]
            quotes.update({f"exact_beam{k}": r["exact"], f"cells_beam{k}": r["cells_per_example"],
                           f"wrong_beam{k}": r["wrong"], f"search_errors_beam{k}": r["search_errors"],
                           f"model_errors_beam{k}": r["model_errors"], f"changed_beam{k}": r["changed_from_greedy"],
                           f"mean_logprob_beam{k}": r["mean_logprob"], f"fixed_beam{k}": r["fixed_from_greedy"],
                           f"broken_beam{k}": r["broken_from_greedy"]})
    widest = max(beams)
    quotes["cost_ratio_widest"] = quotes[f"cells_beam{widest}"] / quotes["cells_beam1"]
    quotes["exact_gain_widest"] = quotes[f"exact_beam{widest}"] - quotes["exact_beam1"]
    quotes["search_error_share_greedy"] = (quotes["search_errors_beam1"] / quotes["wrong_beam1"]
                                           if quotes["wrong_beam1"] else 0.0)
    return {"experiment": "decoding", "seed": seed, "results": results, "quotes": quotes}
