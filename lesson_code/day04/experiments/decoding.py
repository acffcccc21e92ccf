"""Greedy against beam search on the same trained model: exact match, cost, output length, error kinds.

For every wrong output we ask whether the model itself prefers it: if the right answer has a higher
log-probability than the output, the search missed it (a search error, which a wider beam can fix);
otherwise the model ranks a wrong answer first (a model error, which no search can fix). Wrong
outputs are also sorted by length (too short, right length, too long), since a search that ranks by
total log-probability favours short outputs; a length-normalised beam (score log p / L^alpha) is
measured beside the plain ones. Every comparison with greedy is paired (McNemar on the same numbers).
"""
from __future__ import annotations

from lesson_code.lessonkit.experiments import single_thread
from lesson_code.lessonkit.statistics import paired, proportion

from ..numbers import MAX_DIGITS, batch_of_numbers
from ..search import beam_search, greedy_decode, sequence_logprob
from ._models import PER_DIGIT, STEPS, test_numbers, trained

HIDDEN, BRIDGE = 64, 128  # the sweep's full-state model, seed 0: it still errs at every length from 5 digits
BEAMS = (1, 2, 4, 8)
NORMALISED = (4, 0.75)  # beam width and alpha of the length-normalised search
CHUNK = 256
N_EXAMPLES = 6


def decode(model, numbers, beam: int, alpha: float = 0.0) -> tuple[list[list[int]], list[float], list[int]]:
    """Outputs (emitted ids, <eos> included), their log-probs and cell evaluations; beam 1 is greedy."""
    ids, logprobs, cells = [], [], []
    for i in range(0, len(numbers), CHUNK):
        b = batch_of_numbers(numbers[i:i + CHUNK])
        out = (greedy_decode(model, b.src, b.src_len, MAX_DIGITS + 1) if beam == 1
               else beam_search(model, b.src, b.src_len, beam, MAX_DIGITS + 1, length_penalty=alpha))
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


def score(name: str, ids, lp, cells, targets, target_lp, numbers, greedy_right) -> dict:
    """Everything measured about one search's outputs (see the module docstring)."""
    right = [y == t for y, t in zip(ids, targets)]
    wrong = [i for i, ok in enumerate(right) if not ok]
    search_err = sum(target_lp[i] > lp[i] + 1e-9 for i in wrong)  # the model prefers the right answer
    digits = sorted({len(str(n)) for n in numbers})
    by_d = []
    for d in digits:
        idx = [i for i, n in enumerate(numbers) if len(str(n)) == d]
        by_d.append(proportion(sum(right[i] for i in idx), len(idx)))
    short = sum(len(ids[i]) < len(targets[i]) for i in wrong)
    long = sum(len(ids[i]) > len(targets[i]) for i in wrong)
    vs_greedy = paired(right, greedy_right) if greedy_right is not None else None
    return {"name": name, "exact": proportion(sum(right), len(right)), "exact_by_digits": by_d, "digits": digits,
            "cells_per_example": sum(cells) / len(cells), "wrong": len(wrong), "search_errors": search_err,
            "model_errors": len(wrong) - search_err, "too_short": short, "too_long": long,
            "right_length_wrong": len(wrong) - short - long, "vs_greedy": vs_greedy,
            "mean_logprob": sum(lp) / len(lp), "right": right}


def run(seed: int = 0, hidden: int = HIDDEN, bridge: int = BRIDGE, beams=BEAMS, normalised=NORMALISED,
        steps: int = STEPS, per_digit: int = PER_DIGIT) -> dict:
    """Decode the held-out test set with each search and classify the remaining errors."""
    model, _ = trained(hidden, False, seed, steps, bridge, per_digit, seed)
    numbers = list(test_numbers(seed, per_digit))
    searches = [(("greedy" if k == 1 else f"beam{k}"), k, 0.0) for k in beams]
    searches.append((f"beam{normalised[0]}_norm", normalised[0], normalised[1]))
    with single_thread():
        targets, target_lp = target_logprobs(model, numbers)
        results, outputs, greedy_right = {}, {}, None
        for name, k, alpha in searches:
            ids, lp, cells = decode(model, numbers, k, alpha)
            outputs[name] = ids
            results[name] = score(name, ids, lp, cells, targets, target_lp, numbers, greedy_right)
            greedy_right = results[name]["right"] if name == "greedy" else greedy_right
    quotes = {"hidden": hidden, "bridge": bridge, "n_test": len(numbers), "beams": list(beams),
              "norm_beam": normalised[0], "norm_alpha": normalised[1]}
    for name, r in results.items():
        quotes.update({f"exact_{name}": r["exact"], f"cells_{name}": r["cells_per_example"],
                       f"wrong_{name}": r["wrong"], f"search_errors_{name}": r["search_errors"],
                       f"model_errors_{name}": r["model_errors"], f"too_short_{name}": r["too_short"],
                       f"too_long_{name}": r["too_long"], f"right_length_wrong_{name}": r["right_length_wrong"]})
        if r["vs_greedy"] is not None:
            quotes[f"vs_greedy_{name}"] = r["vs_greedy"]
    widest = f"beam{max(beams)}"
    norm = f"beam{normalised[0]}_norm"
    plain = f"beam{normalised[0]}"
    quotes["cost_ratio_widest"] = quotes[f"cells_{widest}"] / quotes["cells_greedy"]
    quotes["search_error_share_greedy"] = (quotes["search_errors_greedy"] / quotes["wrong_greedy"]
                                           if quotes["wrong_greedy"] else 0.0)
    quotes["too_short_share_widest"] = quotes[f"too_short_{widest}"] / max(1, quotes[f"wrong_{widest}"])
    quotes["norm_vs_plain"] = paired(results[norm]["right"], results[plain]["right"])
    quotes["widest_vs_beam2"] = paired(results[widest]["right"], results["beam2"]["right"])
    # numbers whose plain-beam output is too short: first those the normalised beam gets right, then those
    # greedy writes at the right length, shortest numbers first (easiest to read)
    short = [i for i in range(len(numbers)) if len(outputs[plain][i]) < len(targets[i])]
    short.sort(key=lambda i: (outputs[norm][i] != targets[i], len(outputs["greedy"][i]) != len(targets[i]),
                              len(str(numbers[i])), i))
    quotes["examples"] = [{"number": numbers[i], **{n: _digits(outputs[n][i], model) for n in ("greedy", plain, norm)}}
                          for i in short[:N_EXAMPLES]]
    for r in results.values():
        del r["right"]
    return {"experiment": "decoding", "seed": seed, "results": results, "quotes": quotes}


def _digits(ids: list[int], model) -> str:
    """An output as the digits it writes ('—' if empty); '…' marks one cut at max_len without <eos>."""
    from ..numbers import target_vocab

    vocab = target_vocab()
    eos = model.config.eos_id
    body = vocab.decode([i for i in ids if i != eos])
    return (body or "—") + ("" if ids and ids[-1] == eos else "…")
